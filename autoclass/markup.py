"""Markup features of a block in its page: tag, ancestors, links, class words, depth, neighbours.

For a page read from HTML (:class:`autoclass.html.HtmlPage`) each block gets
the columns below, grouped as ``MARKUP_GROUPS`` says so that a model can be
trained, and measured, without any group.  They join the layout features of
:mod:`autoclass.features` in the same standardised dense block, so both
stages of every head read them.  A page of plain text has no markup: its
rows are all zeros, ``html`` included, so a model reads it as a text page
and its text columns carry the prediction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import chain
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from autoclass.html import ANCESTORS, CLASS_GROUPS, Block, HtmlPage

_TAG_COLUMNS = {
    "p": "tag_p",
    "div": "tag_div",
    "li": "tag_li",
    "td": "tag_cell",
    "th": "tag_cell",
    "dd": "tag_cell",
    "dt": "tag_cell",
    "figcaption": "tag_caption",
    "caption": "tag_caption",
    "blockquote": "tag_quote",
    "pre": "tag_quote",
    **dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6", "hgroup", "summary", "legend"), "tag_heading"),
    **dict.fromkeys(
        ("article", "section", "main", "body", "header", "footer", "nav", "aside", "figure", "form"),
        "tag_section",
    ),
}
_TAG_NAMES = (
    "tag_p",
    "tag_div",
    "tag_li",
    "tag_cell",
    "tag_caption",
    "tag_quote",
    "tag_heading",
    "tag_section",
)
_ANCESTOR_NAMES = tuple(f"in_{name}" for name in ANCESTORS if name not in ("heading", "link"))
_CLASS_NAMES = tuple(f"class_{name}" for name in CLASS_GROUPS)
_OWN_CLASS_NAMES = tuple(f"own_class_{name}" for name in CLASS_GROUPS)

#: Markup columns by group; a model's ``markup`` setting names the groups it uses.
MARKUP_GROUPS: dict[str, tuple[str, ...]] = {
    "tags": ("html", *_TAG_NAMES, "other_tag", "heading_level"),
    "ancestors": _ANCESTOR_NAMES,
    "links": ("all_link", "link_density", "log_links"),
    "classes": (*_CLASS_NAMES, *_OWN_CLASS_NAMES),
    "depth": ("log_depth", "relative_depth"),
    "neighbours": (
        "prev_link_density",
        "next_link_density",
        "same_container_as_prev",
        "same_container_as_next",
        "prev_tag_heading",
    ),
    "container": (
        "container_prose_share",
        "log_container_blocks",
        "page_prose_share",
        "in_prose_region",
        "grandparent_prose_share",
    ),
    "core": ("in_prose_core", "parent_core_score"),
}
MARKUP_FEATURES: tuple[str, ...] = tuple(name for names in MARKUP_GROUPS.values() for name in names)

_ANCESTOR_BITS = np.array([1 << ANCESTORS.index(name[3:]) for name in _ANCESTOR_NAMES], dtype=np.int64)
_LINK_BIT = 1 << ANCESTORS.index("link")
_CLASS_BITS = np.array([1 << i for i in range(len(CLASS_GROUPS))], dtype=np.int64)
# A line of prose: long, and mostly not link text.
_PROSE_CHARS = 80
_PROSE_MAX_LINK_DENSITY = 0.3
# The page's prose region: the deepest element that holds this share of its prose.
_REGION_SHARE = 0.6


#: A page is flat when this share of its blocks sit in one element (see :func:`is_flat`).
FLAT_SHARE = 0.9
_FIGURE_BIT = 1 << ANCESTORS.index("figure")
_CAPTION_TAGS = frozenset(("figcaption", "caption"))


def is_flat(page: HtmlPage) -> bool:
    """Whether the page's markup shows no structure: nearly all its blocks are siblings in one element.

    Paragraphs straight in ``body`` or in one ``div`` (a page written from
    text, an extractor's output such as readability's, a ``<br>``-broken
    page) have nothing in their markup to tell the article from the rest,
    and the HTML classifier, trained on pages whose markup does, reads them
    worse than the text classifier reads the same lines.  Figures and their
    captions sit in elements of their own in any markup, and do not count.
    No page of the public extraction benchmark is flat (the most blocks one
    element holds there, figures aside, is 0.79 of a page's).
    """
    blocks = [b for b in page.blocks if not b.ancestors & _FIGURE_BIT and b.tag not in _CAPTION_TAGS]
    if not blocks:
        return False
    counts = Counter(block.container for block in blocks)
    return counts.most_common(1)[0][1] >= FLAT_SHARE * len(blocks)


def markup_columns(groups: Sequence[str]) -> list[int]:
    """Positions in ``MARKUP_FEATURES`` of the columns of ``groups``.

    Examples
    --------
    >>> [MARKUP_FEATURES[i] for i in markup_columns(["links"])]
    ['all_link', 'link_density', 'log_links']
    """
    unknown = set(groups) - set(MARKUP_GROUPS)
    if unknown:
        raise ValueError(f"unknown markup groups {sorted(unknown)}; use {tuple(MARKUP_GROUPS)}")
    wanted = {name for group in groups for name in MARKUP_GROUPS[group]}
    return [i for i, name in enumerate(MARKUP_FEATURES) if name in wanted]


def markup_matrix(pages: Sequence[Sequence[str]]) -> np.ndarray:
    """Raw markup features of every line of a batch, shape (n_lines, len(MARKUP_FEATURES)).

    Lines of pages that are not :class:`~autoclass.html.HtmlPage` get zeros.
    Computed for all the batch's blocks at once.
    """
    sizes = np.fromiter(map(len, pages), dtype=np.int64, count=len(pages))
    n = int(sizes.sum())
    html = [k for k, page in enumerate(pages) if isinstance(page, HtmlPage) and len(page)]
    if not html:
        return np.zeros((n, len(MARKUP_FEATURES)))
    blocks = [b for k in html for b in pages[k].blocks]
    page = np.repeat(np.arange(len(html)), sizes[html])
    features = _markup(blocks, page)
    if len(blocks) == n:  # every line is a block: no copy into a matrix of zeros
        return features
    out = np.zeros((n, len(MARKUP_FEATURES)))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    out[np.concatenate([np.arange(starts[k], starts[k] + sizes[k]) for k in html])] = features
    return out


def _markup(blocks: list, page: np.ndarray) -> np.ndarray:
    """The markup features of blocks; ``page`` numbers the page of each (blocks in page order)."""
    n = len(blocks)
    out = np.zeros((n, len(MARKUP_FEATURES)))
    f = {name: i for i, name in enumerate(MARKUP_FEATURES)}
    # Column by column: zip(*blocks) would make an iterator per block, enough
    # allocations to set off the garbage collector on a large batch.
    (texts, tags, _, depth, ancestors, classes, own, heading, link_chars, links, container, ancestry) = (
        list(map(itemgetter(i), blocks)) for i in range(len(Block._fields))
    )
    chars = np.fromiter(map(len, texts), dtype=float, count=n)
    out[:, f["html"]] = 1.0
    other = f["other_tag"]
    out[np.arange(n), [f.get(_TAG_COLUMNS.get(tag, "other_tag"), other) for tag in tags]] = 1.0
    heading = np.array(heading, dtype=float)
    out[:, f["heading_level"]] = np.where(heading > 0, (7 - heading) / 6, 0.0)

    ancestors = np.array(ancestors, dtype=np.int64)
    out[:, [f[name] for name in _ANCESTOR_NAMES]] = (ancestors[:, None] & _ANCESTOR_BITS) > 0
    link_density = np.array(link_chars, dtype=float) / np.maximum(chars, 1)
    out[:, f["all_link"]] = (ancestors & _LINK_BIT) > 0
    out[:, f["link_density"]] = link_density
    out[:, f["log_links"]] = np.log1p(np.array(links, dtype=float))
    classes = np.array(classes, dtype=np.int64)
    own = np.array(own, dtype=np.int64)
    out[:, [f[name] for name in _CLASS_NAMES]] = (classes[:, None] & _CLASS_BITS) > 0
    out[:, [f[name] for name in _OWN_CLASS_NAMES]] = (own[:, None] & _CLASS_BITS) > 0

    depth = np.array(depth, dtype=float)
    bounds = np.flatnonzero(np.diff(page)) + 1
    medians = np.array([np.median(d) for d in np.split(depth, bounds)])
    out[:, f["log_depth"]] = np.log1p(depth)
    out[:, f["relative_depth"]] = (depth - medians[page]) / 10

    if n > 1:
        same_page = page[1:] == page[:-1]
        out[1:, f["prev_link_density"]] = np.where(same_page, link_density[:-1], 0.0)
        out[:-1, f["next_link_density"]] = np.where(same_page, link_density[1:], 0.0)
        container = np.array(container, dtype=np.int64)
        same = same_page & (container[1:] == container[:-1])
        out[1:, f["same_container_as_prev"]] = same
        out[:-1, f["same_container_as_next"]] = same
        out[1:, f["prev_tag_heading"]] = np.where(same_page, out[:-1, f["tag_heading"]], 0.0)
    else:
        container = np.array(container, dtype=np.int64)

    # Where the page's prose is: the share of it in the block's container, as
    # readability scores a node by the paragraphs under it.
    prose = np.where((chars >= _PROSE_CHARS) & (link_density < _PROSE_MAX_LINK_DENSITY), chars, 0.0)
    _, group = np.unique(page * (int(container.max()) + 1) + container, return_inverse=True)
    group_prose = np.bincount(group, weights=prose)
    total = np.maximum(np.bincount(page, weights=prose), 1.0)[page]
    out[:, f["container_prose_share"]] = group_prose[group] / total
    out[:, f["log_container_blocks"]] = np.log1p(np.bincount(group)[group])
    out[:, f["page_prose_share"]] = prose / total
    chains = _Chains.of(ancestry, page)
    if chains is not None:
        _region(out, f, prose, total, page, chains)
        _core(out, f, prose, page, chains)
    return out


class _Chains(NamedTuple):
    """The blocks' chains of block ancestors (:attr:`Block.ancestry`), flattened: one row per link."""

    lengths: np.ndarray  # links per block
    block: np.ndarray  # the block of each link
    element: np.ndarray  # the element's number (within its page)
    key: np.ndarray  # the element, unique in the batch
    keys: np.ndarray  # the distinct elements, sorted
    index: np.ndarray  # position of each link's element in ``keys``

    @classmethod
    def of(cls, ancestry: list, page: np.ndarray) -> _Chains | None:
        """The chains of a batch's blocks (``page`` numbers each block's page), ``None`` if all are empty."""
        lengths = np.fromiter(map(len, ancestry), dtype=np.int64, count=len(ancestry))
        total = int(lengths.sum())
        if not total:
            return None
        block = np.repeat(np.arange(len(ancestry)), lengths)
        element = np.fromiter(chain.from_iterable(ancestry), dtype=np.int64, count=total)
        key = page[block] * (int(element.max()) + 1) + element
        keys, index = np.unique(key, return_inverse=True)
        return cls(lengths, block, element, key, keys, index)


def _core(out: np.ndarray, f: dict[str, int], prose: np.ndarray, page: np.ndarray, chains: _Chains) -> None:
    """Whether each block lies in its page's prose core, and its parent's score against the core's.

    As readability picks its top candidate: every block of prose scores its
    parent element with its prose and its grandparent with half of it; the
    core is the element of the page with the highest score.  Unlike the prose
    region, a page whose other stories' teasers hold more prose than its
    article (each teaser in its own card) still finds the article's element.
    """
    lengths, block, element, key, keys, index = chains
    up = np.repeat(np.cumsum(lengths), lengths) - 1 - np.arange(len(element))  # 0: own element, 1: parent
    weight = np.where(up == 1, 1.0, np.where(up == 2, 0.5, 0.0))
    size = int(element.max()) + 1
    score = np.bincount(index, weights=prose[block] * weight)
    key_page = keys // size
    order = np.lexsort((score, key_page))
    last = np.r_[key_page[order][1:] != key_page[order][:-1], True]
    best = np.full(int(page.max()) + 1, -1)
    top = np.zeros(int(page.max()) + 1)
    chosen = order[last]
    good = score[chosen] > 0
    best[key_page[chosen][good]] = keys[chosen][good]
    top[key_page[chosen][good]] = score[chosen][good]
    inside = np.zeros(len(lengths))
    inside[block[key == best[page[block]]]] = 1.0
    out[:, f["in_prose_core"]] = inside
    parent = up == 1
    ratio = score[index[parent]] / np.maximum(top[page[block[parent]]], 1.0)
    out[block[parent], f["parent_core_score"]] = ratio


def _region(
    out: np.ndarray,
    f: dict[str, int],
    prose: np.ndarray,
    total: np.ndarray,
    page: np.ndarray,
    chains: _Chains,
) -> None:
    """Whether each block lies in its page's prose region, and its grandparent's share of the prose.

    Every block adds its prose to each element it is inside; the region is
    the deepest element holding ``_REGION_SHARE`` of the page's prose.
    """
    lengths, block, element, key, _, index = chains
    level = np.arange(len(element)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    share = np.bincount(index, weights=prose[block])[index] / total[block]
    # The region of each page: among elements with enough of the prose, the deepest.
    best = np.full(int(page.max()) + 1, -1)
    candidates = np.flatnonzero(share >= _REGION_SHARE)
    if len(candidates):
        order = candidates[np.lexsort((level[candidates], page[block[candidates]]))]
        pages = page[block[order]]
        last = np.r_[pages[1:] != pages[:-1], True]  # the deepest candidate of each page
        best[pages[last]] = key[order[last]]
    inside = np.zeros(len(lengths))
    inside[block[key == best[page[block]]]] = 1.0
    out[:, f["in_prose_region"]] = inside
    grand = lengths >= 3
    at = np.cumsum(lengths) - 3
    out[grand, f["grandparent_prose_share"]] = share[at[grand]]
