from __future__ import annotations

import numpy as np

from autoclass.training.evaluate import _calibration, _tag_metrics, gold_tags, render_markdown


def test_gold_tags_use_the_share_of_relevant_paragraphs():
    relevant = [True, True, True, True, True, False]
    events = ["sales", "sales", "sales", "trade", "recall", None]
    assert gold_tags(relevant, events, 0.2) == {"sales", "trade", "recall"}
    assert gold_tags(relevant, events, 0.5) == {"sales"}
    assert gold_tags([False], [None], 0.2) == set()


def test_tag_metrics_micro_average_and_main_event():
    gold = [{"sales", "trade"}, {"recall"}, set()]
    pred = [["sales"], ["legal", "recall"], ["sales"]]
    m = _tag_metrics(gold, pred)
    assert m["precision"] == 2 / 4
    assert m["recall"] == 2 / 3
    assert m["main_event_in_gold_tags"] == 1 / 2  # "sales" right, "legal" wrong; the empty page is skipped


def test_calibration_bins_and_error():
    gold = np.array([0, 0, 1, 1])
    prob = np.array([0.05, 0.15, 0.95, 0.95])
    cal = _calibration(gold, prob)
    assert [b["bin"] for b in cal["bins"]] == ["0.0-0.1", "0.1-0.2", "0.9-1.0"]
    assert np.isclose(cal["expected_calibration_error"], (0.05 + 0.15 + 2 * 0.05) / 4)


def test_report_renders_every_section(default_model):
    from autoclass.training.data import load_pages
    from autoclass.training.evaluate import evaluate
    from training import LABELS

    pages = load_pages(LABELS / "heldout")
    res = evaluate(default_model, pages, majority_event="sales")
    text = render_markdown({"held-out": res})
    for part in ("relevance F1", "event macro-F1", "calibration error", "Confusion", "| partnership |"):
        assert part in text


def test_evaluate_with_predictions_returns_the_same_metrics_and_one_article_per_page(tiny_model):
    from autoclass.labels import Pages
    from autoclass.training.evaluate import evaluate, evaluate_with_predictions
    from tests.conftest import tiny_corpus

    texts, relevant, events = tiny_corpus()
    pages = Pages([f"p{i}" for i in range(len(texts))], ["s"] * len(texts), texts, relevant, events)
    results, articles = evaluate_with_predictions(tiny_model, pages, majority_event="sales")
    assert results == evaluate(tiny_model, pages, majority_event="sales")
    assert [[p.text for p in a.paragraphs] for a in articles] == texts
