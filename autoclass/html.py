"""From HTML to blocks: one paragraph per block of text, in document order, with its markup.

A page's HTML is decoded as a browser decodes it (:mod:`autoclass.charset`),
parsed by lexbor (selectolax), which builds the tree a browser builds
(misnested tags, implied elements, tables), and walked once.  Every run of
text between two block-level boundaries (``p``, ``div``, ``li``, ``td``,
``h2``, ``br``...) becomes one block; inline elements (``a``, ``span``,
``b``...) join their text to the block around them.  Scripts, styles,
forms' controls, embedded objects and hidden elements (``hidden``,
``display: none``, ``visibility: hidden``, and the usual utility classes
such as ``sr-only``) are dropped, and white space is collapsed as a browser
renders it, but for a blank line in ``pre``, which ends a block there (the
paragraphs of a plain-text press release, as a text page has them).

Each block keeps where it sat (:class:`Block`): its element's tag, the tag
path from ``body``, its depth, which of the telling ancestors it is inside
(list, table, nav, aside, header, footer, figure, form, article, main,
blockquote, heading), which groups of class and id words it and its
ancestors carry (``nav``, ``share``, ``related``, ``comment``...; see
``CLASS_GROUPS``), its heading level, how much of its text is link text, and
the block elements that contain it.  :mod:`autoclass.markup` turns these
into features.

Why lexbor: on the benchmark pages of ``make eval-html`` it parses and walks
a page in 1.8 ms against 2.9 ms for lxml (same walk), builds the HTML5 tree
a browser builds, and keeps the text of deeply nested pages, which libxml2
drops beyond its depth limit (a page 5,000 ``div`` deep came out empty).

Parsing is linear in the page's size: tags of more than ``MAX_ATTRIBUTES``
attributes keep only their name, class and id (a browser's parser checks
every attribute against every other, a quadratic cost on a tag of a hundred
thousand attributes), and nesting deeper than ``MAX_DEPTH`` is flattened
before parsing.  The depth is counted as a browser's parser nests (an
``<li>`` closes the ``<li>`` before it, ``<path/>`` in an ``<svg>`` closes
itself): counted tag by tag, a menu of 700 SVG icons or a table of rows
without end tags looked thousands of levels deep, and was flattened into
one block with the story after it.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache, reduce
from operator import or_
from typing import NamedTuple, overload

from selectolax.lexbor import LexborHTMLParser, LexborNode

from autoclass.charset import decode_html
from autoclass.paragraphs import _CONTROL, SURROGATE, strip_invisible

#: Ancestors a block can be inside, one bit each in :attr:`Block.ancestors`.
ANCESTORS: tuple[str, ...] = (
    "list",
    "table",
    "nav",
    "aside",
    "header",
    "footer",
    "figure",
    "form",
    "article",
    "main",
    "blockquote",
    "heading",
    "link",
)
_TAG_ANCESTOR = {
    **dict.fromkeys(("ul", "ol", "li", "dl", "dd", "dt", "menu", "dir"), "list"),
    **dict.fromkeys(("table", "tr", "td", "th", "tbody", "thead", "tfoot", "caption"), "table"),
    "nav": "nav",
    "aside": "aside",
    "header": "header",
    "footer": "footer",
    **dict.fromkeys(("figure", "figcaption"), "figure"),
    **dict.fromkeys(("form", "fieldset", "label", "legend"), "form"),
    "article": "article",
    "main": "main",
    **dict.fromkeys(("blockquote", "q"), "blockquote"),
    **dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6", "hgroup"), "heading"),
    "a": "link",
}
_TAG_BIT = {tag: 1 << ANCESTORS.index(name) for tag, name in _TAG_ANCESTOR.items()}
_LINK_BIT = 1 << ANCESTORS.index("link")

#: Groups of class and id words, one bit each in :attr:`Block.classes`.  A
#: word counts when it equals one of the group's words or starts with one of
#: its stems (``comment`` in ``commentlist``); names such as ``css-1x2ab3``
#: carry none.
CLASS_GROUPS: dict[str, tuple[str, str]] = {
    # group: (whole words, stems)
    "nav": (
        "nav navbar navigation menu menubar topnav subnav mainnav sitenav skip pagination pager",
        "breadcrumb navig",
    ),
    "share": (
        "share sharing sharebar social socials facebook twitter whatsapp pinterest linkedin print email",
        "share social",
    ),
    "related": (
        "related recommended recirc more popular trending mostread readnext also teaser teasers "
        "outbrain taboola next prev previous latest",
        "related recommend trending teaser",
    ),
    "comment": ("comment comments disqus reply replies respond discussion", "comment disqus"),
    "footer": ("footer foot copyright legal colophon bottom", "footer copyright"),
    "ad": (
        "ad ads adv advert adverts advertisement advertising sponsor sponsored promo promoted promotion "
        "dfp gpt adsense adslot adunit commercial native",
        "advert sponsor promo adslot adunit",
    ),
    "caption": ("caption captions figcaption credit credits", "caption"),
    "byline": (
        "byline author authors date dateline time timestamp meta posted published updated",
        "byline author timestamp",
    ),
    "content": ("article content body post entry story text main prose richtext articlebody", "article"),
    "sidebar": ("sidebar side aside widget widgets rail secondary", "sidebar widget"),
    "header": ("header masthead topbar hero headline title", "masthead"),
    "subscribe": (
        "newsletter subscribe subscription signup register login paywall cta",
        "newsletter subscri signup",
    ),
    "tags": ("tag tags category categories topic topics keywords", "categor"),
    "modal": ("cookie cookies consent gdpr modal popup overlay dialog notice", "cookie consent popup modal"),
}
_GROUP_WORDS = {word: 1 << i for i, (words, _) in enumerate(CLASS_GROUPS.values()) for word in words.split()}
_GROUP_STEMS = tuple(
    (stem, 1 << i) for i, (_, stems) in enumerate(CLASS_GROUPS.values()) for stem in stems.split()
)
# One match finds a word's longest stem; the stems it starts with are that stem's prefixes.
_STEM = re.compile("|".join(sorted((re.escape(stem) for stem, _ in _GROUP_STEMS), key=len, reverse=True)))
_STEM_BITS = {
    stem: reduce(or_, (bit for prefix, bit in _GROUP_STEMS if stem.startswith(prefix)))
    for stem, _ in _GROUP_STEMS
}
# Words of class names: camelCase parts, lower-case runs; digits and separators split.
_CLASS_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_HIDDEN_CLASSES = frozenset(
    "hidden d-none sr-only visually-hidden visuallyhidden screen-reader-text is-hidden u-hidden hide".split()
)
# Not a group: marks the utility classes that hide an element (class_groups sets it).
_HIDDEN_BIT = 1 << len(CLASS_GROUPS)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# Elements whose content is never rendered as text of the page.
_SKIP = frozenset(
    "head title script style noscript template svg math iframe frame frameset object embed applet "
    "canvas audio video map select option optgroup datalist textarea button input meter progress".split()
)
# Elements that start and end a block of text (a line of their own when rendered).
_BLOCK_TAGS = frozenset(
    "html body address article aside blockquote caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li main "
    "menu nav ol p pre section summary table tbody td tfoot th thead tr ul br".split()
)
_HEADING = {f"h{level}": level for level in range(1, 7)}
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")

#: A tag with more attributes than this keeps only its name, class and id.
MAX_ATTRIBUTES = 64
#: Nesting deeper than this is flattened before parsing.
MAX_DEPTH = 512
# A block's tag path stops growing at this many characters: below the depth cap's
# check (pages of fewer tags than it reads), a path per element would take memory
# quadratic in the depth (a gigabyte for 20,000 unclosed divs).
_MAX_PATH = 2_000
# The nesting is read (a scan of every tag) on pages of more tags than this, or
# whose tags opened outnumber those closed by more than _DEPTH_CHECK_UNCLOSED
# (void tags included: the benchmark's pages have at most about a thousand); the
# unclosed ones nest, and the parser's cost grows with the square of the depth.
_DEPTH_CHECK_TAGS = 20_000
_DEPTH_CHECK_UNCLOSED = 4 * MAX_DEPTH
# A start tag with MAX_ATTRIBUTES name=value pairs; possessive, so a search is
# linear in the page's size.
_ATTRIBUTE = r"""\s++[^\s<>=/"']++\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s<>"']*+)"""
_MANY_ATTRIBUTES = re.compile(rf"<[A-Za-z][^\s<>/]*+(?:{_ATTRIBUTE}){{{MAX_ATTRIBUTES}}}")
_MANY_ATTRIBUTES_TAG = re.compile(rf"<([A-Za-z][^\s<>/]*+)((?:{_ATTRIBUTE}){{{MAX_ATTRIBUTES}}}[^<>]*+)>?")
_KEPT_ATTR = re.compile(r"""\s(class|id)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
# A tag: closing slash, name, and the rest of the tag (a self-closing one ends in "/").
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*+)([^<>]*+)")
_XML_DECLARATION = re.compile(r"\ufeff?\s*<\?xml\s")
# A self-closing tag (possessive: linear however long the attributes).
_SELF_CLOSING = re.compile(r"<([A-Za-z][A-Za-z0-9:-]*+)((?:\s[^<>/]*+(?:/(?!>)[^<>/]*+)*+)?)/>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Elements a browser closes when the next of their kind (or its container's end)
# comes, so that they never nest deeply however many are left open: an <li>
# closes the <li> before it, a <td> the <td>, an <a> the <a>.  Their nesting is
# their container's (ul, table, select), which is counted.
_NOT_NESTING = _VOID | frozenset(
    "p li dt dd option optgroup tr td th thead tbody tfoot colgroup caption rb rt rp rtc a".split()
)
# Inside these (foreign content), "<path/>" closes itself; in HTML, "<div/>" opens a div.
_FOREIGN = frozenset(("svg", "math"))


class Block(NamedTuple):
    """One block of text of an HTML page and where it sat.

    Attributes
    ----------
    text : str
        The block's text, white space collapsed.
    tag : str
        The block element that holds the text (``p``, ``li``, ``h2``, ``div``...).
    path : str
        Tags from ``body`` down to that element, joined by ``>``.
    depth : int
        Its depth below ``html``.
    ancestors : int
        Bits of ``ANCESTORS``: the element and its ancestors, and the inline
        elements around the text (``link``: all of its text is in links).
    classes : int
        Bits of ``CLASS_GROUPS`` found in the class and id of the element,
        its ancestors and the inline elements around the text.
    own_classes : int
        The same for the element itself (and inline elements in it) only.
    heading : int
        Heading level 1 to 6 when inside ``h1``-``h6``, else 0.
    link_chars : int
        Characters of the text inside links.
    links : int
        Links that hold some of its text.
    container : int
        Number of the block element around the block's element (blocks
        that share it are siblings in the page's structure).
    ancestry : tuple of int
        Numbers of the block elements the block is inside, outermost first,
        its own element last: where it sits in the page's tree.
    """

    text: str
    tag: str
    path: str
    depth: int
    ancestors: int
    classes: int
    own_classes: int
    heading: int
    link_chars: int
    links: int
    container: int
    ancestry: tuple[int, ...] = ()


class HtmlPage(Sequence[str]):
    """The blocks of one HTML page: a sequence of paragraphs that remembers its markup.

    It is read wherever a page (a list of paragraphs) is read, and the model
    adds the markup of its blocks to its features.

    Attributes
    ----------
    blocks : list of Block
        One per paragraph, in document order.
    url : str or None
        The page's address, when given.
    encoding : str or None
        The codec its bytes were decoded with (``None`` for text input).
    """

    __slots__ = ("blocks", "encoding", "texts", "url")

    def __init__(self, blocks: list[Block], *, url: str | None = None, encoding: str | None = None) -> None:
        self.blocks = blocks
        self.texts = [b.text for b in blocks]
        self.url = url
        self.encoding = encoding

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        return self.texts[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self.texts)

    def __repr__(self) -> str:
        return f"HtmlPage({len(self.texts)} blocks, url={self.url!r})"

    def __reduce__(self) -> tuple[object, ...]:
        return (HtmlPage, (self.blocks,), {"url": self.url, "encoding": self.encoding})

    def __setstate__(self, state: dict[str, str | None]) -> None:
        self.url, self.encoding = state["url"], state["encoding"]


_class_cache: dict[str, int] = {}


def class_groups(names: str) -> int:
    """Bits of ``CLASS_GROUPS`` in a class or id attribute value.

    Examples
    --------
    >>> bits = class_groups("site-footer share-buttons")
    >>> [g for i, g in enumerate(CLASS_GROUPS) if bits >> i & 1]
    ['share', 'footer']
    >>> class_groups("css-1x2ab3 sc-bdVaJa")
    0
    """
    bits = _class_cache.get(names)
    if bits is None:
        bits = reduce(or_, map(_word_groups, _CLASS_WORD.findall(names)), 0)
        if not _HIDDEN_CLASSES.isdisjoint(names.split()):
            bits |= _HIDDEN_BIT
        # Bounded in entries and, as generated or hostile markup has class values of any length,
        # in bytes (a service met 152 MB of 20 KB values in 400 pages): long values are not kept.
        if len(names) <= _CACHED_CHARS:
            if len(_class_cache) > 100_000:
                _class_cache.clear()
            _class_cache[names] = bits
    return bits


_CACHED_CHARS = 256


def _word_groups(word: str) -> int:
    return _cached_word_groups(word) if len(word) <= _CACHED_CHARS else _groups_of_word(word)


def _groups_of_word(word: str) -> int:
    lowered = word.lower()
    bits = _GROUP_WORDS.get(lowered, 0)
    stem = _STEM.match(lowered)
    return bits | _STEM_BITS[stem.group()] if stem else bits


_cached_word_groups = lru_cache(maxsize=100_000)(_groups_of_word)


def _shorten_tag(match: re.Match[str]) -> str:
    kept = "".join(f" {m.group(1)}={m.group(2)}" for m in _KEPT_ATTR.finditer(match.group(2)[: 1 << 20]))
    return f"<{match.group(1)}{kept}>"


class _Nesting:
    """The depth of the tree a browser's parser builds, read tag by tag (closely enough to cap it)."""

    def __init__(self) -> None:
        self.depth = self.deepest = self.foreign = 0

    def step(self, match: re.Match[str]) -> int:
        """+1 for a tag that opens a level, -1 for one that closes it, 0 for one that does neither."""
        closing, name, rest = match.groups()
        name = name.lower()
        if name in _NOT_NESTING or (closing and not self.depth):  # a stray end tag closes nothing
            return 0
        if closing:
            self.foreign -= name in _FOREIGN and self.foreign > 0
            self.depth -= 1
            return -1
        if (self.foreign or name in _FOREIGN) and rest.endswith("/"):
            return 0
        self.foreign += name in _FOREIGN
        self.depth += 1
        self.deepest = max(self.deepest, self.depth)
        return 1


def _deepest(html: str) -> int:
    nesting = _Nesting()
    for match in _TAG.finditer(html):
        nesting.step(match)
    return nesting.deepest


def _open_and_close(match: re.Match[str]) -> str:
    name = match.group(1)
    return match.group(0) if name.lower() in _VOID else f"<{name}{match.group(2)}></{name}>"


def _cap_depth(html: str) -> str:
    nesting = _Nesting()

    def visit(match: re.Match[str]) -> str:
        step = nesting.step(match)
        if step < 0:
            return match.group(0) if nesting.depth < MAX_DEPTH else "<i hidden-close"
        if step > 0:
            return match.group(0) if nesting.depth <= MAX_DEPTH else "<i hidden-open"
        return match.group(0)

    capped = _TAG.sub(visit, html)
    # Tags beyond the cap were renamed to an inline tag that nests nothing.
    return capped.replace("<i hidden-close", "<wbr data-x").replace("<i hidden-open", "<wbr data-x")


def _guard(html: str, data: bytes | None = None) -> bytes:
    """The page in UTF-8 for the parser, with the shapes that make parsing quadratic defused.

    See the module docstring.  ``data`` is ``html`` in UTF-8 when the caller
    has it (the page's own bytes), so that the page is not encoded again.
    """
    if _MANY_ATTRIBUTES.search(html):
        html = _MANY_ATTRIBUTES_TAG.sub(_shorten_tag, html)
        data = None
    if data is None:
        data = html.encode("utf-8")
    # Counted in the bytes, faster than in the text: "<" is never part of a longer UTF-8 sequence.
    if len(html) > 3 * _DEPTH_CHECK_TAGS and (
        (tags := data.count(b"<")) > _DEPTH_CHECK_TAGS or tags - 2 * data.count(b"</") > _DEPTH_CHECK_UNCLOSED
    ):
        if _deepest(html) > MAX_DEPTH:
            data = _cap_depth(html).encode("utf-8")
    return data


def _clean_text(raw: str) -> str:
    text = " ".join(raw.split())
    if not text.isprintable() and _CONTROL.search(text):
        text = " ".join(_CONTROL.sub("", text).split())
    # Invisible characters at a block's ends go, as at a text line's: the same page as text
    # and as HTML then gives the same paragraphs (a block of them alone is none).
    return strip_invisible(text)


def parse_html(html: str | bytes, *, url: str | None = None, encoding: str | None = None) -> HtmlPage:
    """Cut an HTML page into blocks of text, in document order.

    Parameters
    ----------
    html : str or bytes
        The page.  Bytes are decoded as a browser decodes them: byte-order
        mark, then ``encoding``, then ``<meta charset>``, then UTF-8 if valid,
        else the legacy encoding of the address's country domain.
    url : str, optional
        The page's address.
    encoding : str, optional
        The charset the transport declared (an HTTP ``Content-Type``'s), for bytes.

    Returns
    -------
    HtmlPage
        The blocks; a sequence of their texts.

    Raises
    ------
    TypeError
        If ``html`` is neither ``str`` nor ``bytes``, or ``url`` or ``encoding``
        is given and not a ``str``.

    Examples
    --------
    >>> page = parse_html(
    ...     "<body><nav><a href='/'>Home</a></nav><article><h1>Nio delivers</h1>"
    ...     "<p>Nio  delivered <b>20,000</b> cars.</p><script>x()</script></article></body>"
    ... )
    >>> list(page)
    ['Home', 'Nio delivers', 'Nio delivered 20,000 cars.']
    >>> [(b.tag, b.path, b.heading, b.link_chars) for b in page.blocks]
    [('nav', 'body>nav', 0, 4), ('h1', 'body>article>h1', 1, 0), ('p', 'body>article>p', 0, 0)]
    """
    for name, value in (("url", url), ("encoding", encoding)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be str or None, not {type(value).__name__}")
    if url is not None and not url.isascii() and SURROGATE.search(url):
        url = SURROGATE.sub("\ufffd", url)  # written out with the article: no encoder takes a lone surrogate
    codec = data = None
    if isinstance(html, bytes | bytearray | memoryview):
        data = bytes(html)
        html, codec = decode_html(data, transport=encoding, url=url)
        # Decoded without a loss, the bytes are the text's UTF-8 as they came.
        if codec == "utf-8" and "\ufffd" not in html:
            data = data.removeprefix(codecs.BOM_UTF8)
        else:
            data = None
    elif not isinstance(html, str):
        raise TypeError(f"html must be str or bytes, not {type(html).__name__}")
    elif not html.isascii() and SURROGATE.search(html):
        html = SURROGATE.sub("\ufffd", html)
    if _XML_DECLARATION.match(html):
        # XHTML, which a browser parses as XML: "<script src=.../>" is a whole
        # element there, where an HTML parser opens a script that swallows the page.
        html, data = _SELF_CLOSING.sub(_open_and_close, html), None
    if "<" not in html:  # plain text: one block, as a browser shows it
        text = _clean_text(html)
        blocks = [Block(text, "body", "body", 1, 0, 0, 0, 0, 0, 0, 0, ())] if text else []
        return HtmlPage(blocks, url=url, encoding=codec)
    root = LexborHTMLParser(_guard(html, data)).root
    return HtmlPage(_walk(root) if root is not None else [], url=url, encoding=codec)


def _walk(root: LexborNode) -> list[Block]:
    """One pass over the tree: the blocks of text and their markup (see :class:`Block`)."""
    blocks: list[Block] = []
    pieces: list[str] = []
    add_piece = pieces.append
    # Open elements, each (tag, ancestor bits, class bits, own class bits, heading,
    # element number, number of the block element around it, kind, tag path), kind
    # being 1 for a block element, 0 inline; ``opened`` holds the elements themselves.
    # The walk goes from a node to its first child, or to its next sibling, and from
    # an element whose children ran out to the element's next sibling: a dropped
    # element is never entered, so its content costs nothing, and no node is looked
    # up twice (no parent lookups, no iterator per element).
    stack: list[tuple[str, int, int, int, int, int, int, int, str]] = [("html", 0, 0, 0, 0, 0, 0, 1, "")]
    opened: list[LexborNode] = []
    blocks_open = [0]  # positions in ``stack`` of the open block elements
    open_numbers = [0]  # their element numbers: a block's ancestry, kept as they open and end
    # The open block's accumulators: ancestor bits, class bits, inline own class
    # bits, link characters, links.
    anc = cls = own_inline = link_chars = links = 0
    link_stack: list[int] = []  # element numbers of the open <a> elements
    counted_link = -1
    counter = 0
    in_pre = 0  # open <pre> elements: their text keeps its line breaks, and a blank line ends a paragraph
    block_tags, skip_tags, tag_bit, headings = _BLOCK_TAGS, _SKIP, _TAG_BIT, _HEADING
    new_block = tuple.__new__  # a Block from its fields without a Python-level __new__

    def flush() -> None:
        text = _clean_text("".join(pieces))
        pieces.clear()
        if text:
            at = blocks_open[-1]
            tag, _, _, own, heading, _, container, _, path = stack[at]
            size = len(text)
            if link_chars >= size:
                bits, linked = anc | _LINK_BIT, size
            else:
                bits, linked = anc & ~_LINK_BIT, link_chars
            fields = (
                text,
                tag,
                path,
                at - 1,
                bits,
                cls,
                own | own_inline,
                heading,
                linked,
                links,
                container,
                tuple(open_numbers[1:]),
            )
            blocks.append(new_block(Block, fields))

    parent = stack[-1]
    # The root's siblings, if any, are the doctype and comments: dropped as anywhere.
    node: LexborNode | None = root
    while True:
        if node is None:  # the open element's children ran out: it ends
            if not opened:
                break
            if parent[7]:
                if pieces:
                    flush()
                    anc = cls = own_inline = link_chars = links = 0
                blocks_open.pop()
                open_numbers.pop()
            elif parent[0] == "a":
                link_stack.pop()
            if parent[0] == "pre":
                in_pre -= 1
            stack.pop()
            parent = stack[-1]
            node = opened.pop().next
            continue
        tag = node.tag
        if tag == "-text":
            text = node.text_content
            node = node.next
            if in_pre and _BLANK_LINE.search(text):
                # Plain text in <pre> (a press release, a mailing list's message): its
                # paragraphs, as the lines of a text page, are blocks of their own.
                *paragraphs, text = _BLANK_LINE.split(text)
                for paragraph in paragraphs:
                    if paragraph and not paragraph.isspace():
                        add_piece(paragraph)
                        anc, cls = anc | parent[1], cls | parent[2]
                        link_chars += len(paragraph) if link_stack else 0
                    if pieces:
                        flush()
                        anc = cls = own_inline = link_chars = links = 0
            if not text or text.isspace():
                if pieces:  # a space between words; none before a block's first word
                    add_piece(" ")
                continue
            add_piece(text)
            anc |= parent[1]
            cls |= parent[2]
            if not parent[7]:
                own_inline |= parent[3]
            if link_stack:
                link_chars += len(text)
                if link_stack[-1] != counted_link:
                    counted_link = link_stack[-1]
                    links += 1
            continue
        if tag[0] == "-" or tag in skip_tags:  # comments; elements never rendered as text
            node = node.next
            continue
        attrs = node.attributes
        own = 0
        if attrs:
            names = attrs.get("class")
            if names:
                own = class_groups(names)
            ident = attrs.get("id")
            if ident:
                own |= class_groups(ident)
            style = attrs.get("style")
            if (
                own & _HIDDEN_BIT
                or "hidden" in attrs
                # A cheap look first, in the cases pages write ("none", "NONE", "None").
                or (
                    style
                    and ("one" in style or "ONE" in style or "idden" in style or "IDDEN" in style)
                    and _HIDDEN_STYLE.search(style)
                )
            ):
                node = node.next
                continue
        counter += 1
        is_block = tag in block_tags
        if is_block and pieces:
            flush()
            anc = cls = own_inline = link_chars = links = 0
        child = node.first_child
        if child is None or tag == "br" or tag == "hr":  # nothing inside: a boundary at most
            node = node.next
            continue
        in_pre += tag == "pre"
        if is_block:
            container = stack[blocks_open[-1]][5]
            blocks_open.append(len(stack))
            open_numbers.append(counter)
            kind = 1
        else:
            container = parent[6]
            kind = 0
            if tag == "a":
                link_stack.append(counter)
        parent = (
            tag, parent[1] | tag_bit.get(tag, 0), parent[2] | own, own,
            headings.get(tag, parent[4]), counter, container, kind,
            (f"{parent[8]}>{tag}" if len(parent[8]) < _MAX_PATH else parent[8])
            if parent[8] else "" if tag == "html" else tag,
        )  # fmt: skip
        stack.append(parent)
        opened.append(node)
        node = child
    if pieces:
        flush()
    return blocks
