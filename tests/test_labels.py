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


def test_a_folders_json_files_of_another_suffix_are_named_not_dropped_in_silence(tmp_path):
    import warnings

    import pytest

    record = (
        '{"article_id": "a", "position": 0, "text": "Nio sells cars", "relevant": true, "event": "sales"}\n'
    )
    for name in ("b.jsonl", "a.json", "c.ndjson"):
        (tmp_path / name).write_text(record.replace('"a"', f'"{name}"'))
    (tmp_path / "taxonomy.json").write_text('{"events": ["sales", "other"]}')  # read as the taxonomy
    with pytest.warns(UserWarning) as said:
        assert label_files(tmp_path) == [tmp_path / "b.jsonl"]
    assert [str(w.message) for w in said] == [
        f"not read as labels: {tmp_path / 'a.json'}, {tmp_path / 'c.ndjson'} "
        "(a label file's name ends in .jsonl or .jsonl.gz)"
    ]
    (tmp_path / "a.json").unlink()
    (tmp_path / "c.ndjson").unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        label_files(tmp_path)
