from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

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


def _article(relevance, events, body=None):
    from autoclass.article import build_article
    from autoclass.taxonomy import EVENT_TYPES

    proba = np.zeros((len(relevance), len(EVENT_TYPES)))
    for i, e in enumerate(events):
        proba[i, EVENT_TYPES.index(e)] = 1.0
    body = np.array(body if body is not None else relevance, dtype=float)
    return build_article(
        [f"line {i}" for i in range(len(relevance))],
        np.array(relevance, dtype=float),
        proba,
        threshold=0.5,
        tag_min_share=0.2,
        body=body,
    )


def test_page_metrics_lost_clean_main_event_and_empty_off_topic_pages():
    from autoclass.labels import Pages
    from autoclass.training.evaluate import page_metrics

    gold_rel = [
        [True, True, False],  # kept whole, nothing extra: clean, main event right
        [True, True, False],  # lost entirely
        [False, False],  # no story, left empty: clean
        [False, False],  # no story, a line kept
        [True] * 10 + [False],  # 9 of 10 kept and nothing extra: clean; main event wrong
    ]
    gold_ev = [
        ["sales", "sales", None],
        ["recall", "recall", None],
        [None, None],
        [None, None],
        ["legal"] * 6 + ["labor"] * 4 + [None],
    ]
    articles = [
        _article([0.9, 0.8, 0.1], ["sales", "sales", "sales"]),
        _article([0.1, 0.2, 0.1], ["recall"] * 3),
        _article([0.1, 0.1], ["sales"] * 2),
        _article([0.9, 0.1], ["sales"] * 2),
        _article([0.9] * 9 + [0.1, 0.1], ["labor"] * 11),
    ]
    pages = Pages(
        [f"p{i}" for i in range(5)], ["s"] * 5, [[""] * len(r) for r in gold_rel], gold_rel, gold_ev
    )
    m = page_metrics(pages, articles)
    assert m["story_pages"] == 3 and m["offtopic_pages"] == 2
    assert m["article_lost"] == 1 / 3
    assert m["clean"] == 3 / 5
    assert m["main_event_right"] == 1 / 3
    assert m["offtopic_empty"] == 1


def test_body_metrics_count_only_lines_with_a_known_body():
    from autoclass.labels import Pages
    from autoclass.training.evaluate import _body_metrics

    article = _article([0.1, 0.9, 0.1, 0.1], ["sales"] * 4, body=[0.9, 0.9, 0.2, 0.8])
    pages = Pages(
        ["p"],
        ["s"],
        [[""] * 4],
        [[False, True, False, False]],
        [[None, "sales", None, None]],
        [[True, True, False, None]],
    )
    m = _body_metrics(pages, [article])
    assert m["paragraphs"] == 3 and m["precision"] == 1.0 and m["recall"] == 1.0
    assert _body_metrics(Pages(["p"], ["s"], [[""]], [[False]], [[None]]), [article]) is None
    # Labels without the field know body only where relevant implies it: no line is known to be
    # outside the body, and an F1 there was recall alone (1.000 on the seeds).
    implied = Pages(["p"], ["s"], [[""] * 4], [[False, True] * 2], [[None, "sales"] * 2], [[None, True] * 2])
    assert _body_metrics(implied, [article]) is None


def test_event_macro_f1_averages_the_gold_types_and_predicted_only_types_are_listed():
    # A type only predicted (all wrong) was left out of the per-class table: its errors were invisible.
    from autoclass.training.evaluate import _event_metrics

    types = ["sales", "recall", "legal"]
    m = _event_metrics(["sales", "sales", "recall"], ["sales", "legal", "recall"], types)
    assert list(m["per_class"]) == types
    assert m["per_class"]["legal"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert m["macro_f1"] == (2 / 3 + 1.0) / 2  # sales F1 2/3, recall 1; legal holds no gold line


def test_evaluation_of_a_model_in_memory_says_it_has_no_folder(tiny_model, tmp_path):
    from autoclass.labels import Pages
    from autoclass.model import Model
    from autoclass.training.evaluate import evaluate_model
    from tests.conftest import tiny_corpus

    texts, relevant, events = tiny_corpus()
    pages = Pages([f"p{i}" for i in range(len(texts))], ["s"] * len(texts), texts, relevant, events)
    # The session fixture may have been saved by another test: a model of its own, never saved.
    in_memory = Model(tiny_model.classifier, tag_min_share=tiny_model.tag_min_share)
    evaluate_model(in_memory, {"tiny": pages}, out_dir=tmp_path, report=False, say=lambda _: None)
    heading = (tmp_path / "evaluation.md").read_text().splitlines()[2]
    assert heading == "Model not saved to a folder (artifact sha256 unknown)."


def test_pages_without_a_relevant_line_have_no_event_figures(tiny_model, tmp_path):
    # A user's set of off-topic pages alone (or a cross-validation fold of their sites): the event
    # metrics crashed on empty arrays; they are None, printed "n/a", and left out of the folds' mean.
    from autoclass.labels import Pages
    from autoclass.training.crossval import _mean_std, headline_metrics
    from autoclass.training.evaluate import evaluate, evaluate_model, summary_line
    from tests.conftest import tiny_corpus

    texts, relevant, events = tiny_corpus()
    off = [i for i, page in enumerate(relevant) if not any(page)]
    pages = Pages(
        [f"p{i}" for i in off], ["s"] * len(off), *([x[i] for i in off] for x in (texts, relevant, events))
    )
    results = evaluate(tiny_model, pages, majority_event="sales")
    assert results["model"]["event"]["macro_f1"] is None and results["model"]["event"]["accuracy"] is None
    assert "event macro-F1 n/a, event accuracy n/a" in summary_line("off", results)
    pytest.importorskip("matplotlib")
    evaluate_model(tiny_model, {"off": pages}, out_dir=tmp_path, say=lambda _: None)
    assert "| event macro-F1 | n/a | n/a |" in (tmp_path / "evaluation.md").read_text()
    report = (tmp_path / "report.html").read_text()
    assert "No relevant paragraph in these pages: no event to score." in report
    assert headline_metrics(results)["event_macro_f1"] is None
    assert _mean_std([0.5, None, 0.7]) == {
        "mean": 0.6,
        "std": _mean_std([0.5, 0.7])["std"],
        "folds": [0.5, None, 0.7],
    }
    assert _mean_std([None])["mean"] is None


def test_training_files_edited_here_are_not_taken_for_those_trained_on(tmp_path, monkeypatch):
    # A learning curve run from another folder refitted on a copy of the labels, edited, of the
    # same names, though the files trained on were still in the training run's folder.
    from autoclass.training.provenance import recorded_training_files, sha256_files

    ran_in, here = tmp_path / "ran-in", tmp_path / "here"
    for folder, labels in ((ran_in, "trained on"), (here, "edited since")):
        (folder / "data").mkdir(parents=True)
        (folder / "data" / "a.jsonl").write_text(labels)
    names = ["data/a.jsonl"]
    metadata = {
        "training_data": {"files": names, "sha256": sha256_files([ran_in / "data" / "a.jsonl"], names=names)},
        "provenance": {"cwd": str(ran_in)},
    }
    monkeypatch.chdir(here)
    assert recorded_training_files(metadata) == [ran_in / "data" / "a.jsonl"]
    (here / "data" / "a.jsonl").write_text("trained on")  # the same bytes here: taken from here
    assert recorded_training_files(metadata) == [Path("data/a.jsonl")]


def test_main_event_in_gold_tags_reads_the_main_event_not_the_largest_tag():
    # The headline and lead weigh more in the main event: here it is recall, the largest tag financial.
    from types import SimpleNamespace

    from autoclass.labels import Pages
    from autoclass.taxonomy import EVENT_TYPES
    from autoclass.training.evaluate import evaluate_with_predictions

    article = _article([0.9] * 6, ["recall"] * 2 + ["financial"] * 4)
    assert article.main_event == "recall" and list(article.tags)[0] == "financial"
    model = SimpleNamespace(predict_pages=lambda texts: [article], event_types=EVENT_TYPES, tag_min_share=0.2)
    pages = Pages(["p"], ["s"], [[""] * 6], [[True] * 6], [["recall"] * 2 + ["corporate"] * 4])
    results, _ = evaluate_with_predictions(model, pages, majority_event="sales")
    assert results["model"]["tags"]["main_event_in_gold_tags"] == 1.0
