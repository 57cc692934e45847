"""The HTML renderings of composed pages (training.html_styles): many styles, labels on every block."""

from __future__ import annotations

from collections import defaultdict

import pytest

from autoclass.html import parse_html
from training.compose import compose_corpus
from training.html_styles import (
    HELDOUT_STYLES,
    STYLES,
    Pool,
    html_pages,
    render_page,
    rendered_page,
    style_for,
    unknown_language,
)


@pytest.fixture(scope="module")
def composed():
    corpus = compose_corpus(roles=True)
    pages = defaultdict(list)
    for part in ("train", "heldout"):
        for records in corpus[part].values():
            for record in records:
                pages[record["article_id"]].append(record)
    return list(pages.values())


def test_at_least_25_styles_of_many_kinds():
    assert len(STYLES) >= 25 and len({s.name for s in STYLES}) == len(STYLES)
    assert {s.skeleton for s in STYLES} >= {"html5", "div", "table", "amp", "flat"}
    assert {s.names for s in STYLES} >= {
        "semantic",
        "bem",
        "wordpress",
        "generated",
        "utility",
        "none",
        "ids",
    }
    assert HELDOUT_STYLES < {s.name for s in STYLES}


@pytest.mark.parametrize("style", STYLES, ids=[s.name for s in STYLES])
def test_every_line_becomes_one_block_in_every_style(style, composed):
    pool = Pool(
        headlines=("Another story's headline",), paragraphs=("Another story's first paragraph. " * 4,)
    )
    for records in composed[:: len(composed) // 12]:
        markup, order = render_page(records, style, site="test-site", pool=pool)
        page = parse_html(markup)
        expected = [" ".join((records[o]["text"] if isinstance(o, int) else o).split()) for o in order]
        assert list(page) == expected
        assert [o for o in order if isinstance(o, int)] == list(range(len(records)))


def test_rendering_is_deterministic_and_sites_keep_their_style(composed):
    records = composed[0]
    assert rendered_page(records, heldout=False)[1] == rendered_page(records, heldout=False)[1]
    assert render_page(records, STYLES[0], site="s") == render_page(records, STYLES[0], site="s")
    site = records[0]["site"]
    styles = {style_for(site, f"page-{i}", heldout=False).name for i in range(50)}
    assert 1 <= len(styles) <= 2
    assert not {style_for(f"site-{i}", "p", heldout=False).name for i in range(200)} & HELDOUT_STYLES


def test_html_pages_carry_the_labels_of_their_text_pages():
    pages = html_pages("heldout")
    assert len(pages) > 300 and all(i.endswith("#html") for i in pages.ids)
    for texts, relevant, body in zip(pages.texts, pages.relevant, pages.body):
        assert len(texts) == len(relevant) == len(body)
        assert all(b for r, b in zip(relevant, body) if r)  # relevant implies body
    assert sum(map(sum, pages.relevant)) > 2000


def test_unknown_language_renderings_keep_blocks_lengths_and_numbers(composed):
    page, _ = rendered_page(composed[0], heldout=False)
    foreign = unknown_language(page, "some-page")
    assert unknown_language(page, "some-page").texts == foreign.texts  # seeded
    assert len(foreign) == len(page)
    for old, new in zip(page.blocks, foreign.blocks):
        assert len(new.text) == len(old.text) and new.link_chars == old.link_chars and new.path == old.path
        assert [c for c in new.text if not c.isalpha()] == [c for c in old.text if not c.isalpha()]
    english = {w.lower() for line in page for w in line.split() if w.isalpha() and len(w) > 3}
    made_up = {w.lower() for line in foreign for w in line.split() if w.isalpha() and len(w) > 3}
    assert english and len(english & made_up) <= len(english) // 20


def test_the_text_pages_archive_widgets_are_left_out_of_the_html_renderings():
    composed = compose_corpus(roles=True, excerpts=False, compositions=1)["heldout"]
    records = [r for site in composed.values() for r in site]
    archive = [r for r in records if r["role"] == "archive"]
    assert archive  # the text pages have them
    rendered = {block for page in html_pages("heldout").texts for block in page}
    # Their entries ("November 2019 (31)"); headers such as "Archives" are in site templates too.
    assert not {r["text"] for r in archive if r["text"].endswith(")")} & rendered
    assert len(rendered) > 5000


def test_one_training_page_in_eight_is_also_rendered_in_an_unknown_language():
    pages = html_pages("train")
    unknown = [i for i in pages.ids if i.endswith("#html-unknown")]
    assert 0.08 * len(pages) < len(unknown) < 0.16 * len(pages)
    assert {i.removesuffix("-unknown") for i in unknown} <= set(pages.ids)
    assert not [i for i in html_pages("heldout").ids if i.endswith("-unknown")]
