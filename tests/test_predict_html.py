"""predict_html and HTML in predict_many: the same Article as for text, with each block's path."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from autoclass import PageTooLargeError, predict, predict_html, predict_many
from autoclass.classifier import ParagraphClassifier
from autoclass.html import parse_html
from autoclass.model import Model
from tests.conftest import tiny_corpus

PAGE = (
    "<html><body><header><nav><ul><li><a href='/'>Home</a></li><li><a href='/autos'>Autos</a></li>"
    "<li><a href='/markets'>Markets</a></li></ul></nav></header>"
    "<main><article><h1>Tesla recalls 120,000 Model Y cars over seat belt fault</h1>"
    "<p class='byline'>By Staff Reporter</p>"
    "<p>Tesla is recalling 120,000 Model Y vehicles because a seat belt may not latch, the US safety "
    "regulator said on Tuesday.</p>"
    "<p>Owners will be notified by mail and dealers will replace the part free of charge.</p>"
    "</article></main><footer><p>&copy; 2024 Example Media. All rights reserved.</p></footer></body></html>"
)


def test_predict_html_reads_blocks_with_their_paths(default_model):
    article = predict_html(PAGE, url="https://example.com/recall")
    texts = [p.text for p in article.paragraphs]
    assert texts[:3] == ["Home", "Autos", "Markets"]
    assert article.main_event == "recall" and article.url == "https://example.com/recall"
    kept = [p.text for p in article.paragraphs if p.relevant]
    assert "Owners will be notified by mail and dealers will replace the part free of charge." in kept
    assert "Home" not in kept and not any(t.startswith("©") for t in kept)
    assert article.paragraphs[5].path == "body>main>article>p"
    assert article.paragraphs[4].path == "body>main>article>p" and not article.paragraphs[4].relevant
    assert article.to_dict()["url"] == "https://example.com/recall"
    assert article.paragraphs[5].to_dict()["path"] == "body>main>article>p"
    copy = pickle.loads(pickle.dumps(article.paragraphs[5]))
    assert copy.path == "body>main>article>p" and copy.origin is None
    # Bytes are decoded, and explanations read the same markup.
    assert [p.text for p in predict_html(PAGE.encode()).paragraphs] == texts
    why = article.paragraphs[5].explain(top=3)
    assert why.relevant and why.text == texts[5]


def test_html_in_predict_many_keeps_order_and_kinds(default_model):
    text = "Tesla recalls 120,000 Model Y cars\nShare this article"
    mixed = list(default_model.predict_many([text, parse_html(PAGE), text]))
    assert [len(a.paragraphs) for a in mixed] == [2, 8, 2]
    alone = default_model.predict(text)
    for article in (mixed[0], mixed[2]):
        assert [p.relevance for p in article.paragraphs] == [p.relevance for p in alone.paragraphs]
        assert all(p.path is None for p in article.paragraphs)
    html = list(predict_many([PAGE, PAGE.encode()], html=True))
    assert [p.relevance for p in html[0].paragraphs] == [p.relevance for p in mixed[1].paragraphs]
    assert [p.relevance for p in html[1].paragraphs] == [p.relevance for p in mixed[1].paragraphs]


def test_text_pages_are_read_by_the_text_classifier_alone(default_model):
    """An HTML classifier in the model changes nothing for text input."""
    text_only = Model(default_model.classifier, tag_min_share=default_model.tag_min_share)
    page = "Nio delivers 20,000 cars in May\nPublished: 01 June 2024\nNio delivered 20,000 vehicles in May."
    assert default_model.predict(page) == text_only.predict(page)
    assert default_model.html_classifier is not None
    assert default_model.classifier_for(["a"]) is default_model.classifier
    assert default_model.classifier_for(parse_html(PAGE)) is default_model.html_classifier


@pytest.mark.parametrize(
    "markup",
    [
        "<html><body>{}</body></html>",
        "<div id='readability-page-1'><div>{}</div></div>",
    ],
)
@pytest.mark.parametrize("block", ["<p>{}</p>", "{}<br>"])
def test_a_flat_page_is_read_as_its_text(default_model, markup, block):
    """Paragraphs that are siblings in one element are read as the text they hold, by the text classifier.

    Their markup tells nothing of the article from the rest; the HTML
    classifier, trained on markup that does, reads them worse (README).
    """
    lines = [
        "Home | World | Business | Autos",
        "Ford to cut 1,200 jobs at its Cologne plant",
        "Ford will cut 1,200 jobs at its Cologne plant by 2027 as demand slows, the company said.",
        "The carmaker said the cuts would be made through voluntary departures.",
        "Most read: Ten best family holidays in Spain",
    ]
    html = markup.format("".join(block.format(line) for line in lines))
    page = parse_html(html)
    assert list(page) == lines
    article, as_text = default_model.predict_html(html), default_model.predict("\n".join(lines))
    assert default_model.classifier_for(page) is default_model.classifier
    assert [p.relevance for p in article.paragraphs] == [p.relevance for p in as_text.paragraphs]
    assert article.tags == as_text.tags and all(p.path for p in article.paragraphs)
    why = article.paragraphs[2].explain()
    assert why.relevance == pytest.approx(as_text.paragraphs[2].relevance, abs=1e-4) and why.read_as_text
    assert "the page was read as text" in str(why) and why.to_dict()["read_as_text"]
    assert not as_text.paragraphs[2].explain().read_as_text
    assert "read_as_text" not in as_text.paragraphs[2].explain().to_dict()


def test_a_model_without_an_html_classifier_reads_html_with_its_own():
    pages, relevant, events = tiny_corpus()
    model = Model(ParagraphClassifier(min_df=1, cv_folds=3).fit(pages, relevant, events))
    article = model.predict_html(PAGE)
    assert len(article.paragraphs) == 8
    assert np.isfinite([p.relevance for p in article.paragraphs]).all()
    # Its one classifier reads the page, flat or not: no flat page was sent elsewhere.
    assert not article.paragraphs[5].explain().read_as_text


def test_limits_and_types(default_model):
    with pytest.raises(PageTooLargeError, match="HTML document of 2,007 characters") as info:
        predict_html("<p>" + "x" * 2000 + "</p>", max_chars=100)
    assert info.value.limit == 1000
    with pytest.raises(TypeError, match="str or bytes"):
        predict_html(["<p>x</p>"])
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        list(predict_many(["<p>a</p>", 3], html=True))
    with pytest.raises(TypeError, match="url must be str or None, not int"):
        predict_html("<p>x</p>", url=123)
    with pytest.raises(TypeError, match="encoding must be str or None, not bytes"):
        predict_html(b"<p>x</p>", encoding=b"utf-8")
    with pytest.raises(ValueError, match="batch_size must be a positive int, not 'x'"):
        predict_many(["a"], batch_size="x")
    assert predict_html("").paragraphs == []
    assert predict("").paragraphs == []
