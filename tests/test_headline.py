"""Article.headline: the first body paragraph when it reads as a heading."""

from __future__ import annotations

import numpy as np

from autoclass.article import build_article
from autoclass.taxonomy import EVENT_TYPES
from training.eval_html import article_body

STORY = "Ford is recalling 2,000 trucks over bad brakes, the company said on Monday."


def article_of(lines, body, *, paths=None, relevance=None, events=None):
    """An article with given body probabilities (relevance 0 unless given), no model involved."""
    n = len(lines)
    relevance = np.zeros(n) if relevance is None else np.asarray(relevance, dtype=float)
    events = np.full((n, len(EVENT_TYPES)), 1 / len(EVENT_TYPES)) if events is None else events
    return build_article(
        lines, relevance, events, threshold=0.5, tag_min_share=0.1, body=np.asarray(body, float), paths=paths
    )


def test_a_short_first_body_line_is_the_headline_and_menus_before_it_do_not_count():
    article = article_of(["Home | News | Sport", "Ford recalls 2,000 trucks", STORY], [0.1, 0.9, 0.9])
    assert article.headline is article.paragraphs[1]
    assert article.to_dict()["headline"] == "Ford recalls 2,000 trucks"


def test_an_article_that_starts_with_a_sentence_or_a_lead_in_has_no_headline():
    for first in (STORY, "Short, but a sentence.", "What the company said:"):
        assert article_of([first, STORY], [0.9, 0.9]).headline is None
    long_line = " ".join(["word"] * 26)
    assert article_of([long_line, STORY], [0.9, 0.9]).headline is None
    nothing = article_of(["Ford recalls 2,000 trucks", STORY], [0.1, 0.1])
    assert nothing.headline is None and nothing.to_dict()["headline"] is None


def test_a_sentence_of_cjk_devanagari_or_arabic_text_is_no_headline():
    # A whole CJK sentence is one "word" to split(), and its full stop was not seen as one.
    for first in (
        "该合作每年涉及约40万个电池包。",
        "トヨタは新工場を発表した。",
        "कंपनी ने नई कार पेश की।",
        "«شركة تويوتا»،",
    ):
        assert article_of([first, STORY], [0.9, 0.9]).headline is None
    assert article_of(["丰田召回两万辆汽车", STORY], [0.9, 0.9]).headline.text == "丰田召回两万辆汽车"


def test_a_heading_block_of_an_html_page_is_the_headline_however_it_ends():
    long_title = "Ford is recalling 2,000 trucks over bad brakes in a move that " + "word " * 20 + "end."
    paths = ["body>main>article>header>h1>span", "body>main>article>p"]
    article = article_of([long_title, STORY], [0.9, 0.9], paths=paths)
    assert article.headline is article.paragraphs[0]
    # A paragraph block is judged by its words alone.
    not_heading = article_of([long_title, STORY], [0.9, 0.9], paths=["body>main>article>p"] * 2)
    assert not_heading.headline is None


def test_relevant_lines_count_as_body_for_the_headline():
    article = article_of(["Ford recalls 2,000 trucks", STORY], [0.1, 0.1], relevance=[0.9, 0.9])
    assert article.headline is article.paragraphs[0]


def test_the_benchmark_body_leaves_out_the_headline_and_nothing_else():
    lines = ["Ford recalls 2,000 trucks", STORY, "Ford recalls 2,000 trucks"]
    article = article_of(lines, [0.9, 0.9, 0.9])
    # The same words repeated further down are body, not the headline.
    assert article_body(article) == f"{STORY}\nFord recalls 2,000 trucks"
    assert article.body_text == "\n".join(lines)


def test_the_benchmark_body_leaves_out_figure_captions_as_its_ground_truth_does():
    caption = "Trucks wait at the Ford plant in Louisville, Kentucky, on Monday."
    lines = ["Ford recalls 2,000 trucks", caption, STORY, caption]
    paths = ["body>article>h1", "body>article>figure>figcaption", "body>article>p", "body>article>p"]
    article = article_of(lines, [0.9] * 4, paths=paths)
    # Only the block inside the figure goes; the same words in a paragraph stay.
    assert article_body(article) == f"{STORY}\n{caption}"
    assert article.body_text == "\n".join(lines)
    # A tag whose name only begins like one is not a figure.
    figures = article_of(lines[:3], [0.9] * 3, paths=["body>h1", "body>figures>p", "body>p"])
    assert article_body(figures) == f"{caption}\n{STORY}"


def test_predicted_pages_have_their_headline(default_model):
    text = default_model.predict(f"Ford recalls 2,000 trucks\n{STORY}")
    assert text.headline is text.paragraphs[0]
    html = default_model.predict_html(
        "<html><body><nav><a href='/'>Home</a></nav><article><h1>Ford recalls 2,000 trucks over brakes</h1>"
        f"<p>{STORY}</p><p>Owners will be notified by mail and dealers will replace the parts.</p>"
        "</article></body></html>"
    )
    assert html.headline is not None and html.headline.path.endswith("h1")
    assert html.headline.text == "Ford recalls 2,000 trucks over brakes"


def test_the_headline_and_the_lead_weigh_more_in_the_main_event_than_in_the_tags():
    def typed(name):
        return np.eye(len(EVENT_TYPES))[EVENT_TYPES.index(name)]

    kinds = ["recall", "recall", "sales", "sales", "sales"]
    lines = ["Ford recalls 2,000 trucks", STORY, "Sales rose.", "Sales fell.", "Sales held."]
    article = article_of(lines, [0.9] * 5, relevance=[0.9] * 5, events=np.array([typed(k) for k in kinds]))
    # Headline (x4) and lead (x3) against three sales lines: recall, though sales has the larger share.
    assert article.main_event == "recall"
    assert list(article.tags) == ["sales", "recall"] and article.tags["sales"] == 0.6
    # Without a headline the lead alone weighs 3, against four sales lines: sales.
    lines, kinds = [STORY, *lines[2:], "Sales doubled."], ["recall", "sales", "sales", "sales", "sales"]
    story_first = article_of(
        lines, [0.9] * 5, relevance=[0.9] * 5, events=np.array([typed(k) for k in kinds])
    )
    assert story_first.headline is None and story_first.main_event == "sales"


def test_an_h1_before_the_lead_wins_over_a_first_line_that_only_looks_like_a_headline():
    lines = ["Motorwire - car industry news since 1998", "Ford recalls 2,000 trucks", STORY, "Recall details"]
    paths = ["body>div>div", "body>div>h1", "body>div>p", "body>div>h1"]
    article = article_of(lines, [0.9] * 4, paths=paths)
    assert article.headline is article.paragraphs[1]
    # An h1 after the lead is not the headline; nor is a second-level heading after the first line.
    late = article_of(
        [lines[0], STORY, lines[1]], [0.9] * 3, paths=["body>div>div", "body>div>p", "body>div>h1"]
    )
    assert late.headline is late.paragraphs[0]
    h2 = article_of(lines[:3], [0.9] * 3, paths=["body>div>div", "body>div>h2", "body>div>p"])
    assert h2.headline is h2.paragraphs[0]
    # Text has no h1 to wait for: its first body line is judged alone.
    assert article_of(lines[:3], [0.9] * 3).headline.text == lines[0]


def test_a_web_address_is_never_the_headline():
    for address in ("motorwire.example", "https://motorwire.example/news/ford-recall", "www.example.com"):
        article = article_of([address, "Ford recalls 2,000 trucks", STORY], [0.9] * 3)
        assert article.headline is article.paragraphs[1]
        assert article_of([address, STORY], [0.9] * 2).headline is None


def test_the_main_event_weighs_a_headline_that_is_not_the_first_relevant_line():
    def typed(name):
        return np.eye(len(EVENT_TYPES))[EVENT_TYPES.index(name)]

    kinds = ["sales", "recall", "recall", "sales", "sales", "sales"]
    lines = [
        "Motorwire sales desk",
        "Ford recalls 2,000 trucks",
        STORY,
        "Sales rose.",
        "Sales fell.",
        "Sales held.",
    ]
    paths = ["body>div>div", "body>div>h1", *["body>div>p"] * 4]
    events = np.array([typed(k) for k in kinds])
    article = article_of(lines, [0.9] * 6, paths=paths, relevance=[0.9] * 6, events=events)
    # The h1 (x4) and the line after it (x3): recall, against four sales lines.
    assert article.headline is article.paragraphs[1] and article.main_event == "recall"
