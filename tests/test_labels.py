"""The committed corpus obeys LABELS.md and keeps held-out pages apart."""

from __future__ import annotations

from autoclass.labels import label_files, read_records
from training import LABELS, labels_check


def test_every_labeled_file_is_valid_and_heldout_is_separate():
    train = read_records(label_files(LABELS / "train"))
    heldout = read_records(label_files(LABELS / "heldout"))
    cut = read_records(label_files(LABELS / "heldout-cut"))
    assert labels_check.check_separation(train, heldout + cut) == []


def test_composed_pages_are_up_to_date_with_sources():
    assert labels_check.check_composed(LABELS) == []


def test_separation_check_catches_leaks():
    a = {
        "article_id": "x",
        "position": 0,
        "text": "The same sentence of eight words or more here",
        "relevant": True,
        "event": "sales",
        "site": "s1",
    }
    b = {**a, "article_id": "y", "site": "s1"}
    problems = labels_check.check_separation([a], [b])
    assert any("sites also in training" in p for p in problems)
    assert any("relevant held-out paragraphs also in training" in p for p in problems)
