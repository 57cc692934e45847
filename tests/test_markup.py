"""Markup features (autoclass.markup): what they read from HTML blocks, and nothing for text pages."""

from __future__ import annotations

import numpy as np
import pytest

from autoclass.classifier import ParagraphClassifier
from autoclass.features import LAYOUT_FEATURES, PageFeaturizer
from autoclass.html import parse_html
from autoclass.markup import MARKUP_FEATURES, MARKUP_GROUPS, is_flat, markup_columns, markup_matrix
from tests.conftest import tiny_corpus

HTML = (
    "<body><nav><ul><li><a href='/'>Home</a></li><li><a href='/a'>Autos</a></li></ul></nav>"
    "<article><h2>Nio delivers 20,000 cars in May</h2>"
    "<p>Nio delivered 20,000 vehicles in May, up 40 percent from a year earlier, it said on Monday.</p>"
    "<p>Deliveries of its smaller Onvo brand reached 6,000 units in the month, a record for it.</p>"
    "</article><aside class='related'><p><a href='/r'>Tesla recalls cars</a></p></aside></body>"
)


def column(name: str) -> int:
    return MARKUP_FEATURES.index(name)


def test_features_of_blocks():
    page = parse_html(HTML)
    m = markup_matrix([page])
    assert m.shape == (len(page), len(MARKUP_FEATURES))
    assert (m[:, column("html")] == 1).all()
    assert m[0, column("in_nav")] == 1 and m[0, column("in_list")] == 1 and m[0, column("all_link")] == 1
    assert m[2, column("heading_level")] == pytest.approx(5 / 6) and m[2, column("tag_heading")] == 1
    assert (
        m[3, column("tag_p")] == 1 and m[3, column("in_article")] == 1 and m[3, column("link_density")] == 0
    )
    assert m[3, column("same_container_as_next")] == 1 and m[3, column("prev_tag_heading")] == 1
    assert m[4, column("prev_tag_heading")] == 0
    # The two paragraphs hold all of the page's prose, in one container.
    assert m[3, column("container_prose_share")] == pytest.approx(1.0)
    assert m[5, column("class_related")] == 1 and m[5, column("in_aside")] == 1
    assert m[5, column("container_prose_share")] == 0


def test_text_pages_have_no_markup():
    pages = [["Home", "Nio delivers cars"], parse_html(HTML), ["Share this article"]]
    m = markup_matrix(pages)
    assert not m[:2].any() and not m[-1].any() and m[2:-1, column("html")].all()
    # Fitted on text and HTML together, a text line's markup columns stay exactly zero.
    feat = PageFeaturizer(min_df=1).fit(pages)
    layout = feat.transform([["Home", "Nio delivers cars"]]).layout
    assert not layout[:, len(LAYOUT_FEATURES) :].any()


def test_groups_select_columns():
    assert sorted(markup_columns(list(MARKUP_GROUPS))) == list(range(len(MARKUP_FEATURES)))
    assert markup_columns([]) == []
    with pytest.raises(ValueError, match="unknown markup groups"):
        markup_columns(["colour"])
    feat = PageFeaturizer(min_df=1, markup=("links",)).fit([["a b"]])
    assert feat.dense_names()[len(LAYOUT_FEATURES) :] == ["all_link", "link_density", "log_links"]


def test_a_text_model_predicts_the_same_with_or_without_markup_columns():
    pages, relevant, events = tiny_corpus()
    with_markup = ParagraphClassifier(min_df=1, cv_folds=3).fit(pages, relevant, events)
    without = ParagraphClassifier(min_df=1, cv_folds=3, markup=()).fit(pages, relevant, events)
    for a, b in zip(with_markup.predict_all(pages), without.predict_all(pages)):
        np.testing.assert_allclose(a, b, atol=1e-9)


def test_a_page_is_flat_when_nearly_all_its_blocks_are_siblings():
    def page(inside: int, outside: int) -> str:
        nav = "".join(f"<li><a href='/{k}'>Section {k}</a></li>" for k in range(outside))
        paragraphs = "".join(f"<p>Line {k} of the story.</p>" for k in range(inside))
        return f"<html><body><nav><ul>{nav}</ul></nav><div>{paragraphs}</div></body></html>"

    assert is_flat(parse_html(page(9, 1)))  # 0.9 of the blocks in one element
    assert not is_flat(parse_html(page(8, 2)))
    assert is_flat(parse_html("<p>Headline</p><p>First line.</p><p>Second line.</p>"))
    assert is_flat(parse_html("<body>Headline<br>First line.<br><b>Second</b> line.</body>"))
    assert not is_flat(parse_html("<html><body></body></html>"))
    # A figure and its caption do not count: a short flat story with a photo is still flat.
    figure = "<figure><img src='a.jpg'><figcaption>The plant in 2024.</figcaption></figure>"
    lines = [f"<p>Line {k} of the story.</p>" for k in range(5)]
    assert is_flat(parse_html(f"<div>{''.join(lines[:2])}{figure}{''.join(lines[2:])}</div>"))
    assert not is_flat(parse_html(f"<div>{figure}</div>"))
