"""The body output: the page's own article whatever its topic, beside relevance."""

from __future__ import annotations

import pickle

import pytest

from autoclass import predict
from autoclass.training.data import load_pages
from autoclass.training.evaluate import evaluate
from training import LABELS

OFF_TOPIC_PAGE = (
    "Home | Markets | Sport\n"
    "Steelmaker lifts quarterly profit as mill restarts\n"
    "By Staff Writer\n"
    "The steelmaker reported a 30 percent rise in quarterly profit on Tuesday as its largest blast "
    "furnace returned to full output after a three-month overhaul, and said it expects prices to hold.\n"
    "Shipments of hot-rolled coil rose 12 percent from a year earlier, the company said in a statement, "
    "with construction and appliance makers ordering more.\n"
    "Share this article\n"
    "Subscribe to our newsletter\n"
)


def test_paragraphs_and_articles_carry_body(default_model):
    article = default_model.predict(OFF_TOPIC_PAGE)
    for p in article.paragraphs:
        assert 0.0 <= p.body <= 1.0
        assert p.to_dict()["body"] == p.body
    # The prompts at the end are neither the article nor relevant.
    assert all(p.body < 0.5 and not p.relevant for p in article.paragraphs[-2:])
    # body_text holds the relevant text and the body lines, in page order.
    kept = article.body_text.splitlines()
    assert all(line in kept for line in article.text.splitlines())
    assert article.to_dict()["body_text"] == article.body_text


def test_body_survives_pickling():
    article = predict("Ford recalls 2,000 trucks\nFord is recalling 2,000 trucks over bad brakes.")
    again = pickle.loads(pickle.dumps(article.paragraphs[1]))
    assert again.body == article.paragraphs[1].body


def test_composed_labels_give_every_line_a_body_and_relevant_implies_body():
    pages = load_pages(LABELS / "heldout")
    flat = [(r, b) for rel, body in zip(pages.relevant, pages.body) for r, b in zip(rel, body)]
    assert all(b is not None for _, b in flat)
    assert all(b for r, b in flat if r)
    # Off-topic stories are body but not relevant: the composer writes both.
    assert sum(1 for r, b in flat if b and not r) > 100


def test_heldout_body_floor(default_model):
    res = evaluate(default_model, load_pages(LABELS / "heldout"), majority_event="sales")
    # Measured 0.956 on 344 held-out pages (8,743 lines, every one with a gold body).
    assert res["model"]["body"]["f1"] >= 0.93
    assert res["model"]["body"]["paragraphs"] == res["paragraphs"]


def test_explanations_say_which_question_dropped_a_line(default_model):
    from autoclass.explain import explain_page

    paragraphs = default_model.predict(OFF_TOPIC_PAGE).paragraphs
    why = explain_page(default_model, [p.text for p in paragraphs])
    for p, w in zip(paragraphs, why):
        assert round(w.body, 4) == p.body  # the same forward pass
        if p.relevant:
            assert w.dropped_by is None
        else:
            assert w.dropped_by == ("topic" if p.body >= 0.5 else "body")
            assert ("not the page's own article" in str(w)) == (w.dropped_by == "body")
    # The prompts are dropped as not the article; the steel story's lines, if the
    # model reads them as body, as off-topic.
    assert why[-1].dropped_by == "body"
    assert why[-1].to_dict()["dropped_by"] == "body"


def test_label_files_check_the_body_field(tmp_path):
    from autoclass.errors import LabelDataError
    from autoclass.labels import read_records

    record = '{"article_id": "a", "position": 0, "text": "Nio sells 20,000 cars", '
    record += '"relevant": true, "event": "sales"'
    good, bad, odd = tmp_path / "good.jsonl", tmp_path / "bad.jsonl", tmp_path / "odd.jsonl"
    good.write_text(record + ', "body": true}\n' + record.replace('"position": 0', '"position": 1') + "}\n")
    assert [r.get("body") for r in read_records([good])] == [True, None]
    bad.write_text(record + ', "body": false}\n')
    with pytest.raises(LabelDataError, match="relevant implies body"):
        read_records([bad])
    odd.write_text(record + ', "body": "yes"}\n')
    with pytest.raises(LabelDataError, match="'body' must be true or false"):
        read_records([odd])
