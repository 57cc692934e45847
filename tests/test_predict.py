"""predict() on the default model: the public API and odd input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autoclass import EVENT_TYPES, Article, HtmlAsTextWarning, predict, predict_many, split_paragraphs

PAGE = """Home | Autos | Business
Geely and Renault sign deal to build hybrid engines together
Published: Mar 3, 2024 09:56 PM
Geely and Renault signed an agreement on Monday to jointly develop and supply hybrid engines.
The partners will share the cost of the new engine family and supply it to other carmakers.
Related news
Subscribe to our newsletter
"""


def check_article(article: Article, text: str) -> None:
    paragraphs = split_paragraphs(text)
    assert [p.text for p in article.paragraphs] == paragraphs
    assert [p.position for p in article.paragraphs] == list(range(len(paragraphs)))
    for p in article.paragraphs:
        assert 0.0 <= p.relevance <= 1.0
        assert (p.event is not None) == p.relevant
        assert set(p.event_scores) == set(EVENT_TYPES)
        assert abs(sum(p.event_scores.values()) - 1.0) < 1e-3
    assert article.text == "\n".join(p.text for p in article.paragraphs if p.relevant)
    assert (article.main_event is None) == (not any(p.relevant for p in article.paragraphs))
    if article.tags:
        assert article.main_event == next(iter(article.tags))
        assert list(article.tags.values()) == sorted(article.tags.values(), reverse=True)
    json.dumps(article.to_dict())


def test_a_typical_page(default_model):
    article = predict(PAGE)
    check_article(article, PAGE)
    assert [p.relevant for p in article.paragraphs] == [False, True, False, True, True, False, False]
    assert article.main_event == "partnership"
    assert "Subscribe" not in article.text


STORY = [
    "Ford to cut 1,000 jobs at Cologne plant",
    "Ford will cut about 1,000 jobs at its Cologne plant in Germany by the end of next year, the carmaker "
    "said on Tuesday, citing weak demand for its electric models.",
    "The company said the cuts would be made through voluntary departures and early retirement, and that "
    "talks with the works council were under way.",
    "Ford has already reduced its workforce in Europe by several thousand over the past two years.",
]
_MONTHS = "December November October September August July June May April March February January".split()
ARCHIVE = ["Archives", *(f"{m} {y} ({n})" for y in (2019, 2018) for m, n in zip(_MONTHS, range(31, 7, -2)))]
CATEGORIES = [
    "Categories",
    "Auto industry (1,204)",
    "Electric vehicles (388)",
    "Motorsport (97)",
    "Recalls (143)",
]


# A blog's archive by month and its categories, with their counts of posts, read like the rows of a
# sales table: a model trained before the composer drew such sidebars kept 19 to 25 of their lines.
@pytest.mark.parametrize(
    "lines",
    [STORY + ARCHIVE, ARCHIVE + STORY, CATEGORIES + ARCHIVE + STORY],
    ids=["below", "above", "categories"],
)
def test_a_sidebar_archive_is_dropped_and_the_story_kept(default_model, lines):
    article = predict("\n".join(lines))
    kept = [p.text for p in article.paragraphs if p.relevant]
    assert [t for t in kept if t in STORY] == STORY
    # The entry just above the headline may go with it (the default model keeps "January 2018 (9)").
    assert len([t for t in kept if t not in STORY]) <= 1


def test_predict_many_matches_predict_in_order(default_model):
    texts = [PAGE, "", "Tesla recalls 120,000 Model Y cars over seat belts", PAGE.upper()]
    many = list(predict_many(iter(texts), batch_size=3))
    assert many == [predict(t) for t in texts]


# The model of the reliability probe kept these as relevant investment (0.997); a retrained model
# fixed it by chance, and the corpus of 2026-12-04 brought it back ("of" alone: 0.999).  A line with
# no word but stop words is now out whatever the weights (classifier.forward), and so is a line
# without a letter (a media player's "0:00 0:00" was body, list numbers were relevant).
@pytest.mark.parametrize(
    "text",
    [
        " ".join(["of"] * 20),
        "\n".join(["of"] * 20),
        "of",
        "The and of",
        "Tesla recalls cars\nof\n- - -",
        "Tesla recalls cars\n0:00 0:00\n3.\n2,019 | 12%",
    ],
    ids=["a line", "lines", "one word", "a short line", "beside a story", "no letter"],
)
def test_a_line_of_stop_words_is_neither_relevant_nor_body(default_model, text):
    article = predict(text)
    said_nothing = [p for p in article.paragraphs if not p.text.startswith("Tesla")]
    assert [(p.relevant, p.relevance, p.body) for p in said_nothing] == [(False, 0.0, 0.0)] * len(
        said_nothing
    )
    assert {p.explain().dropped_by for p in said_nothing} == {"words"}
    if len(said_nothing) == len(article.paragraphs):
        assert article.main_event is None and article.body_text == ""


def test_empty_and_whitespace_pages(default_model):
    for text in ["", "   ", "\n\n\t\n", "\u3000\u00a0"]:
        article = predict(text)
        assert article.paragraphs == [] and article.tags == {} and article.main_event is None
        assert article.text == ""


def test_one_huge_line(default_model):
    text = "Toyota sold 10,000 cars in Japan. " * 20000
    article = predict(text)
    check_article(article, text)
    assert len(article.paragraphs) == 1


def test_control_characters_html_and_cjk(default_model):
    for text in [
        "Nio\x00 delivers\x07 cars\x1b\nShare\x0c",
        "<div class='nav'><a href='/'>Home</a></div>\n<p>BYD opens a plant in Hungary.</p>",
        "比亚迪汽车宣布在匈牙利建厂\n分享到微信\n比亚迪表示，新工厂将于2025年投产。",
        "\ufeff\u202eTesla\u200b recalls cars\U0001f697",
    ]:
        check_article(predict(text), text)


@pytest.mark.filterwarnings("ignore::autoclass.HtmlAsTextWarning")  # any text may open like a document
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_any_text_gives_a_consistent_article(default_model, text):
    check_article(predict(text), text)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=80), max_size=12))
def test_predict_many_is_order_preserving(default_model, texts):
    assert [a.paragraphs for a in predict_many(texts, batch_size=4)] == [predict(t).paragraphs for t in texts]


def test_an_html_document_given_as_text_is_read_as_text_with_a_warning_at_the_callers_line(default_model):
    doc = "<!DOCTYPE html>\n<html><body><p>Nio delivers 20,000 cars in May.</p></body></html>"
    with pytest.warns(HtmlAsTextWarning, match=r"predict_html\(\)") as caught:
        article = predict(doc)
    assert caught[0].filename == __file__
    assert article.paragraphs[0].text == "<!DOCTYPE html>"  # read as text, as before
    with pytest.warns(HtmlAsTextWarning) as caught:
        list(predict_many(["plain text", "  <html lang='en'><p>Nio</p></html>"]))
    assert caught[0].filename == __file__
    # A page that only holds tags, or opens with a fragment of markup, is not a document.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        predict("<div class='nav'><a href='/'>Home</a></div>\n<p>BYD opens a plant.</p>")
        predict("Ford and <html> tags\nNio delivers cars")
    # Saved pages open with a byte-order mark, an XML declaration, a comment, or <head>.
    for opening in (
        "\ufeff<!DOCTYPE html>",
        '<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN">',
        "<!-- saved from url=(0042)https://example.com/ -->\n<!DOCTYPE html>",
        "<head><title>Nio</title>",
    ):
        with pytest.warns(HtmlAsTextWarning):
            predict(opening + "\n<p>Nio delivers 20,000 cars in May.</p>")


def test_a_package_whose_name_starts_with_autoclass_is_the_callers_code(default_model):
    import autoclass.model

    # A user's package autoclass_helpers beside autoclass: its line is where the call came from.
    helpers = autoclass.model._PACKAGE.rstrip(os.sep) + "_helpers" + os.sep + "__init__.py"
    code = compile(
        "from autoclass import predict\ndef classify(page):\n    return predict(page)\n", helpers, "exec"
    )
    namespace: dict = {}
    exec(code, namespace)
    with pytest.warns(HtmlAsTextWarning) as caught:
        namespace["classify"]("<!DOCTYPE html>\n<p>Nio delivers 20,000 cars in May.</p>")
    assert (caught[0].filename, caught[0].lineno) == (helpers, 3)


def test_plain_text_given_as_html_is_one_block_with_a_warning_at_the_callers_line(default_model):
    from autoclass import TextAsHtmlWarning, predict_html

    with pytest.warns(TextAsHtmlWarning, match=r"give plain text to predict\(\)") as caught:
        article = predict_html("Nio delivers 20,000 cars in May\nShare this story\n")
    assert caught[0].filename == __file__
    assert len(article.paragraphs) == 1
    with pytest.warns(TextAsHtmlWarning):
        list(predict_many([b"<p>Nio</p>", b"no tags here"], html=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        predict_html("<p>Nio delivers 20,000 cars in May</p>")
        predict_html("")


def test_non_str_is_a_type_error(default_model):
    import pytest

    with pytest.raises(TypeError, match="must be str"):
        predict(b"bytes")  # type: ignore[arg-type]


def test_prediction_path_imports_no_training_or_plotting_libraries():
    code = (
        "import sys, autoclass\n"
        "autoclass.predict('Nio delivers cars\\nShare')\n"
        "bad = [m for m in ('datasets', 'matplotlib', 'training') if m in sys.modules]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_paragraph_shown_at_the_threshold_is_kept_and_an_article_is_json_ready_and_unhashable():
    import numpy as np

    from autoclass.article import build_article

    proba = np.full((2, len(EVENT_TYPES)), 1 / len(EVENT_TYPES))
    article = build_article(
        ["Nio sells cars", "Share"], np.array([0.39996, 0.39994]), proba, threshold=0.4, tag_min_share=0.2
    )
    assert [(p.relevance, p.relevant) for p in article.paragraphs] == [(0.4, True), (0.3999, False)]
    record = article.to_dict()
    assert (record["url"], record["threshold"]) == (None, 0.4)
    with pytest.raises(TypeError, match="unhashable type: 'Article'"):
        hash(article)
    # Its repr is a summary (every paragraph's scores made a notebook print 50 KB for a 5 KB page).
    tags = article.tags
    assert (
        repr(article)
        == f"Article(main_event={article.main_event!r}, tags={tags!r}, paragraphs=<2, 1 relevant>)"
    )
