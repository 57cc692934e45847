"""``autoclass labels convert``: Label Studio, Prodigy and doccano, both ways, every label kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autoclass.cli import main
from autoclass.errors import LabelDataError
from autoclass.formats import label_studio, prodigy
from autoclass.labeling.drafts import group_pages
from autoclass.labels import label_files, read_records
from autoclass.taxonomy import EVENT_TYPES

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "labels" / "heldout"

# Every kind of label: relevant lines with body true and absent, irrelevant lines with body
# true (an off-topic story line), false and unknown, and the optional fields of LABELS.md.
PAGE = [
    {"text": "Nio sells 20,000 cars in May", "relevant": True, "event": "sales", "body": True},
    {"text": "Published: 01 June 2024", "relevant": False, "event": None, "body": False},
    {"text": "Nio delivered 20,000 vehicles in May.", "relevant": True, "event": "sales"},
    {"text": "Exports reached 4,000 units.", "relevant": True, "event": "trade"},
    {"text": "The steel maker's profit fell.", "relevant": False, "event": None, "body": True},
    {"text": "Share", "relevant": False, "event": None},
]
META = {"site": "wire", "url": "https://wire.example/nio", "published": "2024-06-01"}


def labeled_file(tmp_path: Path) -> Path:
    path = tmp_path / "labels.jsonl"
    lines = [{"article_id": "nio-1", "position": i, **r, **META} for i, r in enumerate(PAGE)]
    lines += [{"article_id": "empty-2", "position": 0, "text": "Menu", "relevant": False, "event": None}]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    return path


def records_of(paths: list[Path]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ("source_file", "line")} for r in read_records(paths)]


def convert(*args: str) -> int:
    return main(["labels", "convert", *args])


@pytest.mark.parametrize("fmt", ["label-studio", "prodigy", "doccano"])
def test_round_trip_keeps_every_label(tmp_path, fmt):
    source = labeled_file(tmp_path)
    exported, back = (
        tmp_path / f"tool.{'json' if fmt == 'label-studio' else 'jsonl'}",
        tmp_path / "back.jsonl",
    )
    assert convert(str(source), "-o", str(exported), "--to", fmt) == 0
    assert convert(str(exported), "-o", str(back), "--to", "autoclass") == 0  # format detected
    assert records_of([back]) == records_of([source])


@pytest.mark.parametrize("fmt", ["label-studio", "prodigy", "doccano"])
def test_round_trip_of_the_held_out_corpus(tmp_path, fmt):
    files = label_files(HELDOUT)
    pages = group_pages(records_of(files))
    if fmt == "label-studio":
        tasks = json.loads(json.dumps(label_studio.to_tasks(pages)))
        back, skipped = label_studio.from_tasks(tasks, event_types=EVENT_TYPES)
    else:
        lines = json.loads(json.dumps(prodigy.to_records(pages, dialect=fmt)))
        back, skipped = prodigy.from_records(list(enumerate(lines, 1)), event_types=EVENT_TYPES, source="x")
    assert skipped == 0
    assert [p.records for p in back] == [p.records for p in pages]


def _region(start, end, label, control="event"):
    value = {"start": start, "end": end, "startOffset": 0, "endOffset": 3, "paragraphlabels": [label]}
    return {"from_name": control, "to_name": "page", "type": "paragraphlabels", "value": value}


def test_label_studio_export_as_labeled_in_label_studio():
    lines = [
        {"position": i, "text": t} for i, t in enumerate(["Ford recalls trucks", "", "Ford said so.", "Menu"])
    ]
    tasks = [
        {
            "id": 7,
            "data": {"lines": lines},
            "annotations": [
                {"result": [_region(0, 0, "sales")]},
                {"result": [_region("0", "2", "recall"), {"type": "rating", "value": {"rating": 4}}]},
                {"result": [], "was_cancelled": True},
            ],
        },
        {"id": 8, "data": {"lines": lines}, "annotations": []},  # not labeled yet
        {"id": 9, "data": {"lines": lines}, "annotations": [{"result": [_region(3, 3, "body", "body")]}]},
    ]
    pages, skipped = label_studio.from_tasks(tasks, event_types=EVENT_TYPES)
    assert skipped == 1
    assert [p.article_id for p in pages] == ["task-7", "task-9"]
    # The last annotation not cancelled; a region over lines 0-2 labels each; the blank line is dropped.
    assert [(r["text"], r["relevant"], r["event"], r.get("body")) for r in pages[0].records] == [
        ("Ford recalls trucks", True, "recall", None),
        ("Ford said so.", True, "recall", None),
        ("Menu", False, None, None),
    ]
    assert pages[1].records[-1]["body"] is True


@pytest.mark.parametrize(
    ("result", "problem"),
    [
        ([_region(0, 0, "sales"), _region(0, 0, "recall")], "two event types on one line"),
        ([_region(0, 0, "Sales")], "unknown label 'Sales'"),
        ([_region(0, 9, "sales")], "spans lines 0..9"),
    ],
)
def test_label_studio_problems_name_the_task(result, problem):
    tasks = [{"data": {"lines": [{"text": "a"}, {"text": "b"}]}, "annotations": [{"result": result}]}]
    with pytest.raises(LabelDataError, match=problem):
        label_studio.from_tasks(tasks, event_types=EVENT_TYPES, source="export.json")


def test_prodigy_and_doccano_as_the_tools_write_them():
    text = "Ford recalls trucks\n\nFord said so.\nMenu"
    records = [
        (1, {"text": text, "spans": [{"start": 5, "end": 25, "label": "recall"}], "answer": "accept",
             "meta": {"article_id": "f1"}, "_input_hash": 1}),
        (2, {"text": text, "spans": [], "answer": "reject"}),
        (3, {"text": text, "label": [[0, 4, "recall"], [35, 39, "body"]], "id": 12}),
        (4, {"text": text, "entities": [{"id": 1, "start_offset": 21, "end_offset": 25, "label": "legal"}]}),
    ]  # fmt: skip
    pages, skipped = prodigy.from_records(records, event_types=EVENT_TYPES, source="db.jsonl")
    assert skipped == 1
    assert [p.article_id for p in pages] == ["f1", "db.jsonl:3", "db.jsonl:4"]
    labels = [[(r["relevant"], r["event"], r.get("body")) for r in p.records] for p in pages]
    assert labels[0] == [(True, "recall", None), (True, "recall", None), (False, None, None)]  # over 2 lines
    assert labels[1] == [(True, "recall", None), (False, None, None), (False, None, True)]
    assert labels[2] == [(False, None, None), (True, "legal", None), (False, None, None)]
    with pytest.raises(LabelDataError, match="db.jsonl:5: .*unknown label 'CAR'"):
        prodigy.from_records([(5, {"text": "a", "spans": [{"start": 0, "end": 1, "label": "CAR"}]})],
                             event_types=EVENT_TYPES, source="db.jsonl")  # fmt: skip


def test_convert_writes_the_label_studio_config_with_the_drafting_model_types(tmp_path, capsys):
    types = [f"kind-{i}" for i in range(3)]
    drafts = tmp_path / "drafts.jsonl"
    scores = {t: 0.1 for t in types}
    record = {
        "article_id": "a",
        "position": 0,
        "text": "x",
        "relevant": True,
        "event": "kind-2",
        "body": True,
    }
    drafts.write_text(json.dumps({**record, "model": {"event_scores": scores}}) + "\n", encoding="utf-8")
    config = tmp_path / "config.xml"
    out = tmp_path / "tasks.json"
    assert convert(str(drafts), "-o", str(out), "--to", "label-studio", "--as-predictions",
                   "--label-config", str(config)) == 0  # fmt: skip
    assert [f'<Label value="{t}"/>' in config.read_text() for t in types] == [True] * 3
    task = json.loads(out.read_text())[0]
    assert task["predictions"][0]["result"][0]["value"]["paragraphlabels"] == ["kind-2"]
    # Back again before anyone annotated them: nothing to convert, named at the input.
    back = tmp_path / "back.jsonl"
    assert convert(str(out), "-o", str(back), "--to", "autoclass") == 2
    assert f"{out}: none of its 1 records holds labels" in capsys.readouterr().err
    assert not back.exists()


def test_convert_refuses_invalid_results_and_leaves_no_output(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "a\nb", "spans": [{"start": 0, "end": 3, "label": "nope"}]}) + "\n")
    out = tmp_path / "out.jsonl"
    assert convert(str(bad), "-o", str(out), "--to", "autoclass") == 1
    assert f"{bad}:1: page '{bad}:1', line 0: unknown label 'nope'" in capsys.readouterr().err
    assert not out.exists()
    unknown = tmp_path / "what.jsonl"
    unknown.write_text('{"x": 1}\n')
    assert convert(str(unknown), "-o", str(out), "--to", "autoclass") == 2
    assert "--from" in capsys.readouterr().err


def test_labels_check_names_file_and_line(tmp_path, capsys):
    good = labeled_file(tmp_path)
    assert main(["labels", "check", str(good)]) == 0
    out = capsys.readouterr().out
    assert "2 pages, 7 paragraphs in 1 file(s)" in out and out.rstrip().endswith("OK")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good.read_text().replace('"event": "trade"', '"event": "trading"'))
    assert main(["labels", "check", str(bad)]) == 1
    assert f"{bad}:4: unknown event 'trading'" in capsys.readouterr().err


@pytest.mark.parametrize("tool", ["label-studio", "prodigy"])
def test_a_label_taken_off_in_the_tool_is_taken_off_on_the_way_back(tmp_path, tool):
    exported = tmp_path / ("tasks.json" if tool == "label-studio" else "db.jsonl")
    assert convert(str(labeled_file(tmp_path)), "-o", str(exported), "--to", tool) == 0
    # The annotator takes off line 0's event and line 4's "body" (the off-topic story line).
    if tool == "label-studio":
        tasks = json.loads(exported.read_text())
        result = tasks[0]["annotations"][0]["result"]
        tasks[0]["annotations"][0]["result"] = [
            r for r in result if r["value"]["start"] not in ("0", "4", 0, 4)
        ]
        exported.write_text(json.dumps(tasks))
    else:
        records = [json.loads(line) for line in exported.read_text().splitlines()]
        starts = [0, records[0]["text"].index(PAGE[4]["text"])]
        records[0]["spans"] = [s for s in records[0]["spans"] if s["start"] not in starts]
        exported.write_text("".join(json.dumps(r) + "\n" for r in records))
    back = tmp_path / "back.jsonl"
    assert convert(str(exported), "-o", str(back), "--to", "autoclass") == 0
    got = [(r["relevant"], r.get("body")) for r in records_of([back]) if r["article_id"] == "nio-1"]
    assert got[0] == (False, False) and got[4] == (False, False)
    assert got[1:4] == [(False, False), (True, None), (True, None)] and got[5] == (False, None)


@pytest.mark.parametrize("fmt", ["label-studio", "doccano"])
def test_a_page_exported_twice_is_named_in_the_input_and_a_page_without_labels_is_counted(
    tmp_path, fmt, capsys
):
    exported = tmp_path / f"tool.{'json' if fmt == 'label-studio' else 'jsonl'}"
    assert convert(str(labeled_file(tmp_path)), "-o", str(exported), "--to", fmt) == 0
    back = tmp_path / "back.jsonl"
    assert convert(str(exported), "-o", str(back), "--to", "autoclass") == 0
    # The page "empty-2" has no label on any line: an off-topic page, or a document never annotated.
    assert "; 1 with no label on any line, read as pages of nothing relevant" in capsys.readouterr().err
    twice = tmp_path / f"twice{exported.suffix}"
    if fmt == "label-studio":
        twice.write_text(json.dumps(json.loads(exported.read_text()) * 2), encoding="utf-8")
    else:
        twice.write_text(exported.read_text() * 2, encoding="utf-8")
    assert convert(str(twice), "-o", str(tmp_path / "out.jsonl"), "--to", "autoclass") == 1
    # It named the output, which is never written ("out.jsonl: ... duplicate position 0").
    assert f"{twice}: page 'nio-1' again (first in {twice}): an id names one page" in capsys.readouterr().err
