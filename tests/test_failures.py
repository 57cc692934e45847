"""The failure classes of real pages: each wrong line in exactly one class, by rules a reader can check."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from autoclass.labels import Pages
from tests.conftest import TINY_PAGES
from training import failures
from training.failures import CLASSES, dropped_class, event_class, failure_counts, kept_class, render


def _article(kept, events):
    """A predicted article as failure_counts reads it: kept or not, and the most likely type."""
    return SimpleNamespace(
        paragraphs=[
            SimpleNamespace(relevant=k, event_scores={e or "other": 0.9, "corporate": 0.05})
            for k, e in zip(kept, events)
        ]
    )


# A page of a menu line, the headline, four lines of story and a list of two other stories.
TEXTS = [
    "Home | News | Business",
    "Carmaker halts its plant in Ohio for two weeks",
    "The carmaker said on Monday it would halt the plant for two weeks.",
    "What happened",
    "Parts from a supplier did not arrive after a fire at its factory.",
    "About 2,000 workers are affected, the union said, and will be paid",
    "Rival opens a battery plant in Georgia",
    "Photo: Carmaker",
]
RELEVANT = [False, True, True, True, True, True, False, False]
EVENTS = [None, "manufacturing", "manufacturing", "manufacturing", "manufacturing", "labor", None, None]
BODY = [False, True, True, True, True, True, False, False]


def _pages(texts=TEXTS, relevant=RELEVANT, events=EVENTS, body=BODY):
    return Pages(["p"], ["example.com"], [texts], [relevant], [events], [body])


def test_a_perfect_prediction_has_no_failure():
    result = failure_counts(_pages(), [_article(RELEVANT, EVENTS)])
    assert sum(result.lines.values()) == 0 and not result.examples


def test_each_wrong_line_falls_in_the_class_its_shape_says():
    kept = [True, False, True, False, True, True, True, True]
    predicted_events = ["other"] + ["manufacturing"] * 5
    result = failure_counts(_pages(), [_article(kept, predicted_events + [None, None])])
    assert result.lines == {
        "banner above the article": 1,  # the menu line, kept above the story
        "short page": 1,  # the headline dropped
        "sub-heading": 1,  # "What happened" dropped
        "other story's headline": 1,  # the list's headline kept
        "caption or label": 1,  # "Photo: Carmaker" kept
        "manufacturing and labor": 1,  # the last line, labor, typed manufacturing
    }
    assert result.pages["sub-heading"] == 1
    assert result.confusions == {("labor", "manufacturing"): 1}


@pytest.mark.parametrize(
    ("text", "index", "n_gold", "lost", "expected"),
    [
        ("Carmaker halts its plant", 1, 5, True, "article lost"),
        ("Carmaker halts its plant", 1, 3, True, "short page"),
        ("Carmaker halts its plant", 1, 5, False, "short page"),  # the headline
        ("The plant will reopen in", 7, 5, False, "cut-off last line"),
        ("The plant will reopen in May.", 7, 5, False, "article prose"),
        ("| Model | Units |", 4, 5, False, "table or list row"),
        ("• Best compact: Suzuki Swift", 4, 5, False, "table or list row"),
        ("Ford 6,555 -6.4%", 4, 5, False, "table or list row"),
        ("Why it matters", 4, 5, False, "sub-heading"),
        ("The plant builds 200,000 cars a year for export to Europe.", 4, 5, False, "article prose"),
    ],
)
def test_dropped_lines(text, index, n_gold, lost, expected):
    assert dropped_class(text, index=index, first=1, last=7, n_gold=n_gold, page_lost=lost) == expected


@pytest.mark.parametrize(
    ("text", "index", "body", "expected"),
    [
        ("The chipmaker will spend $7 billion on a new plant.", 5, True, "other industry"),
        ("Honda Jazz", 5, False, "caption or label"),
        ("Credit: General Motors Co.", 5, False, "caption or label"),
        ("Courtesy of the company", 5, False, "caption or label"),
        ("Breaking: Storm closes the airport for a day", 0, False, "banner above the article"),
        ("Rival opens a battery plant in Georgia", 6, False, "other story's headline"),
        ("Register your interest by clicking on this link.", 6, False, "boilerplate"),
    ],
)
def test_kept_lines(text, index, body, expected):
    assert kept_class(text, index=index, body=body, first_body=1) == expected


def test_named_confusions_and_the_rest():
    assert event_class("legal", "corporate") == "legal typed corporate"
    assert event_class("corporate", "technology") == event_class("corporate", "partnership")
    assert event_class("labor", "manufacturing") == event_class("manufacturing", "labor")
    assert event_class("investment", "corporate") == "other event"


def test_pages_without_body_labels_count_kept_lines_by_shape():
    pages = _pages()
    pages = Pages(pages.ids, pages.sites, pages.texts, pages.relevant, pages.events, None)
    kept = [False, True, True, True, True, True, True, False]
    result = failure_counts(pages, [_article(kept, EVENTS)])
    assert result.lines == {"other story's headline": 1}


def test_render_has_a_row_per_class_and_the_confusions():
    result = failure_counts(_pages(), [_article([False] * 8, EVENTS)])
    table = render({"set": result})
    assert all(f"| {name} |" in table for name in CLASSES)
    assert "| article lost | 5 (1) |" in table
    assert "most frequent event confusions (lines): none" in table


def test_command_counts_on_labeled_files(tmp_path, tiny_model, monkeypatch, capsys):
    path = tmp_path / "pages.jsonl"
    with path.open("w") as f:
        for i, page in enumerate(TINY_PAGES):
            for j, (text, rel, ev) in enumerate(page):
                record = {"article_id": f"p{i}", "site": f"s{i}", "position": j, "text": text}
                f.write(json.dumps({**record, "relevant": rel, "event": ev}) + "\n")
    monkeypatch.setattr("autoclass.persistence.load_model", lambda path=None: tiny_model)
    assert failures.main(["--split", "none", "--labels", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"| class | {path}: lines (pages) |" in out
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert len(rows) == len(CLASSES) + 1  # the header and one row per class
