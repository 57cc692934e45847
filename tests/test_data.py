from __future__ import annotations

import json

import pytest

from autoclass import EVENT_TYPES, LabelDataError
from autoclass.training.data import load_dataset, read_records, to_pages
from training import ROOT

GOOD = [
    {"article_id": "a", "position": 0, "text": "Nio sells 20,000 cars", "relevant": True, "event": "sales"},
    {"article_id": "a", "position": 1, "text": "Share", "relevant": False, "event": None},
]


def write(tmp_path, records, raw_lines=()):
    path = tmp_path / "data.jsonl"
    lines = [json.dumps(r) for r in records] + list(raw_lines)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_loads_typed_dataset_with_class_labels(tmp_path):
    ds = load_dataset([write(tmp_path, GOOD)])
    assert ds.features["event"].names == list(EVENT_TYPES)
    assert ds["event"] == [EVENT_TYPES.index("sales"), None]
    pages = to_pages(ds)
    assert pages.texts == [["Nio sells 20,000 cars", "Share"]]
    assert pages.events == [["sales", None]]


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        ({"event": "weather"}, 1, "unknown event 'weather'"),
        ({"event": None}, 1, "relevant paragraph without an event"),
        ({"relevant": "yes"}, 1, "field 'relevant' must be true or false, got 'yes'"),
        ({"position": 1}, 2, "duplicate position 1"),
        ({"position": "0"}, 1, "must be an integer"),
        ({"text": "  padded "}, 1, "surrounding white space"),
        ({"text": "two\nlines"}, 1, "line break"),
        ({"text": "   "}, 1, "blank 'text'"),
        ({"article_id": ""}, 1, "empty 'article_id'"),
    ],
)
def test_invalid_records_name_file_line_and_problem(tmp_path, change, line, message):
    path = write(tmp_path, [{**GOOD[0], **change}, GOOD[1]])
    with pytest.raises(LabelDataError, match=message) as info:
        read_records([path])
    assert info.value.path == str(path) and info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_event_on_irrelevant_paragraph(tmp_path):
    path = write(tmp_path, [GOOD[0], {**GOOD[1], "event": "sales"}])
    with pytest.raises(LabelDataError, match=r"data.jsonl:2: event 'sales' on an irrelevant"):
        read_records([path])


def test_missing_field_and_bad_json(tmp_path):
    record = dict(GOOD[0])
    del record["text"]
    with pytest.raises(LabelDataError, match=r":1: missing field 'text'"):
        read_records([write(tmp_path, [record])])
    with pytest.raises(LabelDataError, match=r":3: invalid JSON"):
        read_records([write(tmp_path, GOOD, ['{"article_id": "b",'])])
    with pytest.raises(LabelDataError, match=r":3: expected a JSON object"):
        read_records([write(tmp_path, GOOD, ["[1, 2]"])])


def test_gap_in_positions_and_article_split_over_files(tmp_path):
    # Named at the line whose position is past the end (a typo of 10**30 there), not the article's first.
    with pytest.raises(
        LabelDataError, match=r":2: position 2 of article 'a': its positions are not 0\.\.1 \(missing \[1\]\)"
    ):
        read_records([write(tmp_path, [GOOD[0], {**GOOD[1], "position": 2}])])
    with pytest.raises(LabelDataError, match=r":2: position 10{30} of article 'a'"):
        read_records([write(tmp_path, [GOOD[0], {**GOOD[1], "position": 10**30}])])
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({**GOOD[1], "position": 5}) + "\n")
    with pytest.raises(LabelDataError, match="also appears in"):
        read_records([write(tmp_path, GOOD), other])


def test_a_page_comes_from_one_site(tmp_path):
    with pytest.raises(
        LabelDataError, match=r":2: article 'a' has site 'b' here and site 'x' on its line 1: a page"
    ):
        read_records([write(tmp_path, [{**GOOD[0], "site": "x"}, {**GOOD[1], "site": "b"}])])
    with pytest.raises(
        LabelDataError, match=r":2: article 'a' has site 'x' here and no site on its line 1: a page"
    ):
        read_records([write(tmp_path, [GOOD[0], {**GOOD[1], "site": "x"}])])
    records = read_records([write(tmp_path, [{**GOOD[0], "site": "x"}, {**GOOD[1], "site": "x"}])])
    assert [r["site"] for r in records] == ["x", "x"]


def test_not_utf8(tmp_path):
    path = tmp_path / "bin.jsonl"
    path.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(LabelDataError, match="not UTF-8"):
        read_records([path])


def test_taxonomy_file_matches_the_library():
    taxonomy = json.loads((ROOT / "labels" / "taxonomy.json").read_text())
    assert tuple(taxonomy["events"]) == EVENT_TYPES


def test_a_labels_folder_reads_jsonl_of_any_case_and_gzip_compressed_files(tmp_path):
    import gzip

    from autoclass.labels import check_records, label_files

    (tmp_path / "A.JSONL").write_text(json.dumps(GOOD[0]) + "\n")
    with gzip.open(tmp_path / "b.jsonl.gz", "wt") as f:
        f.write(json.dumps({**GOOD[0], "article_id": "b"}) + "\n")
    (tmp_path / "notes.txt").write_text("not labels")
    files = label_files(tmp_path)
    assert [f.name for f in files] == ["A.JSONL", "b.jsonl.gz"]
    assert [r["article_id"] for r in read_records(files)] == ["a", "b"]
    (tmp_path / "c.jsonl.gz").write_bytes(gzip.compress(json.dumps(GOOD[0]).encode())[:-6])
    check = check_records(label_files(tmp_path))
    assert [str(p) for p in check.problems] == [
        f"{tmp_path / 'c.jsonl.gz'}:1: cannot read: a broken gzip file "
        "(Compressed file ended before the end-of-stream marker was reached)"
    ]


def test_a_field_a_letter_or_a_case_away_from_the_guides_is_named_once_per_file(tmp_path):
    # "sitee" and "Body" were read in silence: the site and body labels they meant were lost.
    path = write(tmp_path, [{**GOOD[0], "sitee": "x"}, {**GOOD[1], "sitee": "x", "Body": False, "model": {}}])
    with pytest.warns(UserWarning) as said:
        assert len(read_records([path])) == 2
    assert [str(w.message) for w in said] == [
        f"{path}:1: field 'sitee' is not read: did you mean 'site'? (said once per file)",
        f"{path}:2: field 'Body' is not read: did you mean 'body'? (said once per file)",
    ]


def test_a_check_goes_on_past_a_byte_order_mark_and_reports_gaps_beside_other_problems(tmp_path):
    # A mid-file byte-order mark ended the file's check ("1 problem" where there were more), and a gap
    # in one article's positions went unreported whenever the file had any other problem.
    from autoclass.labels import check_records

    def page(aid, positions, event="sales"):
        first = {**GOOD[0], "event": event}
        return [
            {**(GOOD[1] if i else first), "article_id": aid, "position": p} for i, p in enumerate(positions)
        ]

    joined = tmp_path / "joined.jsonl"
    lines = [json.dumps(r) for r in page("a", range(4)) + page("b", range(2), event="weather")]
    lines[1] = "\ufeff" + lines[1]
    joined.write_text("\n".join(lines) + "\n", encoding="utf-8")
    gaps = tmp_path / "gaps.jsonl"
    lines = [json.dumps(r) for r in page("c", [0, 1, 2, 4]) + page("d", [0, 1], event="weather")]
    gaps.write_text("\n".join(lines) + "\n")
    broken = tmp_path / "broken.jsonl"
    lines = [json.dumps(r) for r in page("e", [0, 2])]
    broken.write_text("\n".join([lines[0], "{cut", lines[1]]) + "\n")  # the cut line may be position 1
    check = check_records([joined, gaps, broken])
    assert [(p.path, p.line, p.problem.split(" (")[0]) for p in check.problems] == [
        (str(joined), 2, "byte-order mark"),
        (str(joined), 5, "unknown event 'weather'; expected one of " + ", ".join(EVENT_TYPES)),
        (str(gaps), 5, "unknown event 'weather'; expected one of " + ", ".join(EVENT_TYPES)),
        (str(broken), 2, "invalid JSON"),
        (str(gaps), 4, "position 4 of article 'c': its positions are not 0..3"),
    ]


def test_an_article_copied_into_another_file_is_named_once_then_where_its_labels_differ(tmp_path):
    # A page copied into a second annotator's file gave one message a line, the same for an identical
    # copy and for one labeled otherwise.
    from autoclass.labels import check_records

    page = [{**GOOD[i % 2], "position": i} for i in range(4)]
    first, copy = tmp_path / "ann_a.jsonl", tmp_path / "ann_b.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in page))
    other = [*page[:2], {**page[2], "relevant": False, "event": None}, page[3]]
    copy.write_text("".join(json.dumps(r) + "\n" for r in other))
    check = check_records([first, copy])
    assert [(p.path, p.line, p.problem) for p in check.problems] == [
        (
            str(copy),
            1,
            f"article 'a' also appears in {first}: one article, one file (its other lines here are named "
            "only where they differ from that file's)",
        ),
        (str(copy), 3, f"article 'a', position 2: labeled otherwise in {first}, line 3"),
    ]
    assert check.n_problems == 2 and len(check.records) == 4  # the first file's
