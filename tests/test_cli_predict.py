"""`autoclass predict`: inputs, output formats, error records, --strict, usage errors."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autoclass.cli import main
from autoclass.cli.outputs import complete_records
from autoclass.cli.records import Chunk, RecordOptions, parse_entry, process_chunk
from tests.conftest import CLI_PAGES

ROOT = Path(__file__).resolve().parent.parent

PAGES = CLI_PAGES


def expected(default_model, record_id: str, text: str) -> dict:
    article = default_model.predict(text)
    headline = None if article.headline is None else article.headline.text
    return {
        "id": record_id,
        "headline": headline,
        "main_event": article.main_event,
        "tags": article.tags,
        "text": article.text,
    }


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def predict(*args: str) -> int:
    return main(["predict", "--jobs", "1", "--quiet", *args])


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autoclass", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


# ---------------------------------------------------------------- inputs


def test_text_file_gives_one_record_with_the_library_prediction(tmp_path, default_model):
    page = tmp_path / "page.txt"
    page.write_text(PAGES[1], encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert predict(str(page), "-o", str(out)) == 0
    assert read_jsonl(out) == [expected(default_model, str(page), PAGES[1])]
    assert read_jsonl(out)[0]["main_event"] == "recall"


def test_directory_is_walked_recursively_in_sorted_order(tmp_path, default_model):
    data = tmp_path / "data"
    (data / "b" / "c").mkdir(parents=True)
    (data / "z.txt").write_text(PAGES[0], encoding="utf-8")
    (data / "a.jsonl").write_text(json.dumps({"text": PAGES[1]}) + "\n", encoding="utf-8")
    (data / "b" / "p.txt.gz").write_bytes(gzip.compress(PAGES[2].encode()))
    (data / "b" / "c" / "q.ndjson").write_text(json.dumps({"id": "q", "text": PAGES[3]}) + "\n")
    (data / "b" / "r.jsonl.gz").write_bytes(gzip.compress((json.dumps({"text": PAGES[0]}) + "\n").encode()))
    (data / "notes.md").write_text("not an input")
    (data / "b" / "page.xml").write_text("<p>not an input</p>")
    out = tmp_path / "out.jsonl"
    assert predict(str(data), "-o", str(out)) == 0
    d = str(data)
    assert read_jsonl(out) == [
        expected(default_model, f"{d}/a.jsonl:1", PAGES[1]),
        expected(default_model, f"{d}/z.txt", PAGES[0]),
        expected(default_model, f"{d}/b/p.txt.gz", PAGES[2]),
        expected(default_model, f"{d}/b/r.jsonl.gz:1", PAGES[0]),
        expected(default_model, "q", PAGES[3]),
    ]


def test_jsonl_ids_default_to_path_and_line_and_blank_lines_are_skipped(tmp_path, default_model):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "first", "text": PAGES[0]})
        + "\n\n   \n"
        + json.dumps({"text": PAGES[1]})
        + "\n"
        + json.dumps({"id": 7, "text": PAGES[2]})
        + "\n"
        + json.dumps({"id": None, "text": PAGES[3]}),  # no final newline
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    assert predict(str(src), "-o", str(out)) == 0
    assert read_jsonl(out) == [
        expected(default_model, "first", PAGES[0]),
        expected(default_model, f"{src}:4", PAGES[1]),
        expected(default_model, "7", PAGES[2]),
        expected(default_model, f"{src}:6", PAGES[3]),
    ]


@pytest.mark.parametrize(("value", "record_id"), [("7", "7"), ('{"a": 1}', '{"a":1}'), ("[1, 2]", "[1,2]")])
def test_an_id_that_is_not_a_string_is_its_compact_json(value, record_id):
    raw = f'{{"id": {value}, "text": "Nio delivers"}}\n'.encode()
    assert parse_entry((True, "in.jsonl:1", raw, None), RecordOptions())[0] == record_id


def test_text_and_id_fields_are_configurable(tmp_path, default_model):
    src = tmp_path / "in.jsonl"
    write_jsonl(
        src, [{"url": "u1", "body": PAGES[0], "text": "ignored"}, {"body": PAGES[1], "id": "ignored"}]
    )
    out = tmp_path / "out.jsonl"
    assert predict(str(src), "--text-field", "body", "--id-field", "url", "-o", str(out)) == 0
    assert read_jsonl(out) == [
        expected(default_model, "u1", PAGES[0]),
        expected(default_model, f"{src}:2", PAGES[1]),
    ]


def test_gzip_inputs_match_plain_inputs(tmp_path):
    records = [{"id": f"r{i}", "text": page} for i, page in enumerate(PAGES)]
    plain, packed = tmp_path / "in.jsonl", tmp_path / "in.jsonl.gz"
    write_jsonl(plain, records)
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    out_plain, out_packed = tmp_path / "plain.jsonl", tmp_path / "packed.jsonl"
    assert predict(str(plain), "-o", str(out_plain)) == 0
    assert predict(str(packed), "-o", str(out_packed)) == 0
    assert out_packed.read_bytes() == out_plain.read_bytes()
    assert len(read_jsonl(out_plain)) == len(PAGES)


def test_stdin_jsonl_plain_and_gzipped_and_as_one_text_page(default_model):
    lines = "".join(json.dumps({"text": page}) + "\n" for page in PAGES[:2]).encode()
    want = [expected(default_model, f"<stdin>:{i + 1}", page) for i, page in enumerate(PAGES[:2])]
    for args, data in ((("predict", "-j", "1"), lines), (("predict", "-j", "1", "-"), gzip.compress(lines))):
        done = run_cli(*args, stdin=data)
        assert done.returncode == 0, done.stderr.decode()
        assert [json.loads(line) for line in done.stdout.decode().splitlines()] == want
        assert done.stderr.decode().startswith("autoclass predict: 2 pages, ")
    done = run_cli("predict", "-j", "1", "-q", "--stdin-format", "text", stdin=PAGES[2].encode())
    assert done.returncode == 0
    assert done.stderr == b""
    assert json.loads(done.stdout) == expected(default_model, "<stdin>", PAGES[2])


def test_stdin_as_one_html_page_plain_and_gzipped(tmp_path):
    html = "<body><nav>Home</nav><h1>Nio recalls 1,000 cars</h1><p>Nio is recalling cars.</p></body>"
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    assert predict(str(tmp_path / "page.html"), "--paragraphs", "-o", str(tmp_path / "out.jsonl")) == 0
    (want,) = read_jsonl(tmp_path / "out.jsonl")
    for data in (html.encode(), gzip.compress(html.encode())):
        done = run_cli("predict", "-j", "1", "-q", "--paragraphs", "--stdin-format", "html", stdin=data)
        assert done.returncode == 0, done.stderr.decode()
        assert json.loads(done.stdout) == {**want, "id": "<stdin>"}
    assert want["paragraphs"][1]["path"] == "body>h1"


def test_a_text_page_piped_as_json_lines_gets_a_hint_on_its_first_line():
    done = run_cli("predict", "-j", "1", "-q", stdin=b"Nio recalls cars\n2024\n")
    assert done.returncode == 1
    hint = "; standard input is read as JSON Lines: use --stdin-format text (or html) for a page of text"
    first, second = (json.loads(line) for line in done.stdout.decode().splitlines())
    assert first == {"id": "<stdin>:1", "error": "invalid JSON: Expecting value (column 1)" + hint}
    assert second == {"id": "<stdin>:2", "error": "invalid record: a JSON number, not an object"}
    assert parse_entry((True, "<stdin>:1", b"2024\n", None), RecordOptions())[2].endswith(hint)
    assert not parse_entry((True, "in.jsonl:1", b"Nio\n", None), RecordOptions())[2].endswith(hint)
    # json's messages that end in "at" read on into the column.
    cut = parse_entry((True, "in.jsonl:1", b'{"text": "Nio deliv\n', None), RecordOptions())[2]
    assert cut == "invalid JSON: Unterminated string starting at column 10"


# ---------------------------------------------------------------- error records


def test_every_bad_record_gives_an_error_record_in_its_place(tmp_path, default_model):
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "ok1", "text": PAGES[0]}).encode(),
        b'{"id": "broken", "text": ',
        json.dumps({"id": "no-text", "body": PAGES[1]}).encode(),
        json.dumps({"id": "number", "text": 42}).encode(),
        json.dumps({"id": "null", "text": None}).encode(),
        b"[1, 2]",
        b'{"id": "latin1", "text": "Citro\xebn C3"}',
        json.dumps({"id": "blank", "text": " \n\t \u3000 "}).encode(),
        json.dumps({"id": "huge", "text": "x" * 301}).encode(),
        json.dumps({"id": "controls", "text": "\x00\x01\n\x7f\r\n"}).encode(),
        json.dumps({"id": "ok2", "text": PAGES[1]}).encode(),
    ]
    src.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    assert predict(str(src), "--max-chars", "300", "-o", str(out)) == 1
    assert read_jsonl(out) == [
        expected(default_model, "ok1", PAGES[0]),
        {"id": f"{src}:2", "error": "invalid JSON: Expecting value (column 26)"},
        {"id": "no-text", "error": f"missing text field 'text' or html field 'html' ({src}:3)"},
        {"id": "number", "error": f"text field 'text' is not a string (got number) ({src}:4)"},
        {"id": "null", "error": f"text field 'text' is not a string (got null) ({src}:5)"},
        {"id": f"{src}:6", "error": "invalid record: a JSON array, not an object"},
        {"id": f"{src}:7", "error": "not UTF-8: undecodable byte 0xeb at offset 31"},
        {"id": "blank", "error": f"empty page: only white space or control characters ({src}:8)"},
        {"id": "huge", "error": f"page too long: 301 characters > --max-chars 300 ({src}:9)"},
        {"id": "controls", "error": f"empty page: only white space or control characters ({src}:10)"},
        expected(default_model, "ok2", PAGES[1]),
    ]


def test_a_page_refused_unread_gives_its_size_and_the_max_chars_that_reads_it(tmp_path):
    (tmp_path / "big.txt").write_text("x" * 5000, encoding="utf-8")
    (tmp_path / "big.html").write_text("<p>" + "x" * 9997 + "</p>", encoding="utf-8")
    (tmp_path / "big.jsonl").write_text(
        json.dumps({"id": "j", "text": "x" * 1_100_000}) + "\n", encoding="utf-8"
    )
    (tmp_path / "big.txt.gz").write_bytes(gzip.compress(b"x" * 5000))
    out = tmp_path / "out.jsonl"
    names = ("big.txt", "big.html", "big.jsonl", "big.txt.gz")
    assert predict(*(str(tmp_path / n) for n in names), "--max-chars", "1000", "-o", str(out)) == 1
    assert [r["error"] for r in read_jsonl(out)] == [
        "page too long: 5,000 bytes, more than --max-chars allows; --max-chars 5,000 reads it",
        "page too long: 10,004 bytes, more than --max-chars allows; --max-chars 1,001 reads it",
        "page too long: 1,100,023 bytes, more than --max-chars allows; --max-chars 1,100,023 reads it",
        "page too long: over 4,003 bytes, more than --max-chars allows (not read further); raise --max-chars",
    ]
    # The value as the message writes it reads the page.
    assert predict(str(tmp_path / "big.txt"), "--max-chars", "5,000", "-o", str(out)) == 0
    assert predict(str(tmp_path / "big.html"), "--max-chars", "1,001", "-o", str(out)) == 0


def test_bad_text_files_give_error_records_and_the_summary_counts_them(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(PAGES[0], encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_bytes(b"Renault \xff\xfe Clio")
    (tmp_path / "in" / "c.txt").write_text("\n  \n\t\n")
    (tmp_path / "in" / "d.txt.gz").write_bytes(b"not gzip at all")
    out = tmp_path / "out.jsonl"
    done = run_cli("predict", "-j", "1", str(tmp_path / "in"), "-o", str(out))
    assert done.returncode == 1
    records = read_jsonl(out)
    assert [r.get("error") for r in records] == [
        None,
        "not UTF-8: undecodable byte 0xff at offset 8",
        "empty page: only white space or control characters",
        "cannot read: Not a gzipped file (b'no')",
    ]
    assert [r["id"] for r in records] == [
        str(tmp_path / "in" / n) for n in ("a.txt", "b.txt", "c.txt", "d.txt.gz")
    ]
    assert ", 3 errors, " in done.stderr.decode()


def test_strict_stops_at_the_first_failing_record(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    write_jsonl(
        src, [{"id": "a", "text": PAGES[0]}, {"id": "b", "text": PAGES[1]}, {"id": "c"}, {"text": PAGES[2]}]
    )
    out = tmp_path / "out.jsonl"
    assert main(["predict", "-j", "1", "--strict", str(src), "-o", str(out)]) == 1
    assert [r["id"] for r in read_jsonl(out)] == ["a", "b"]
    err = capsys.readouterr().err
    assert f"record 'c' failed: missing text field 'text' or html field 'html' ({src}:3) (--strict)" in err
    assert f"{out} holds 2 complete records" in err


def test_strict_stop_counts_the_failing_record_in_the_summary(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"id": "a", "text": PAGES[0]}, {"id": "b"}, {"text": PAGES[2]}])
    assert main(["predict", "-j", "1", "--strict", str(src), "-o", str(tmp_path / "out.jsonl")]) == 1
    summary = capsys.readouterr().err.splitlines()[1]
    assert summary.startswith("autoclass predict: 1 page, 4 paragraphs, ") and ", 1 error, " in summary


def test_jobs_minus_one_is_one_per_core_as_in_train_and_zero_is_refused(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"text": page} for page in PAGES])
    out = tmp_path / "out.jsonl"
    assert main(["predict", "-q", "--jobs", "-1", str(src), "-o", str(out)]) == 0
    assert len(read_jsonl(out)) == len(PAGES)
    assert main(["predict", "-q", "--jobs", "0", str(src), "-o", str(out)]) == 2
    assert "--jobs must be at least 1 (or -1: one per core), not 0" in capsys.readouterr().err


def test_more_jobs_than_cores_is_a_warning_and_the_run_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr("autoclass.cli.predict._cores", lambda: 1)
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"text": page} for page in PAGES])
    out = tmp_path / "out.jsonl"
    with pytest.warns(UserWarning, match=r"^--jobs 2 starts 2 worker processes on 1 core, each"):
        assert main(["predict", "-q", "--jobs", "2", str(src), "-o", str(out)]) == 0
    assert len(read_jsonl(out)) == len(PAGES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["predict", "-q", "--jobs", "1", str(src), "-o", str(out)]) == 0


def test_stdin_format_beside_named_files_alone_is_a_warning(tmp_path, default_model):
    src = tmp_path / "page.txt"
    src.write_text(PAGES[0], encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with pytest.warns(UserWarning, match=r"^--stdin-format html applies to standard input \(-\) only"):
        assert main(["predict", "-q", "-j", "1", "--stdin-format", "html", str(src), "-o", str(out)]) == 0
    assert read_jsonl(out) == [expected(default_model, str(src), PAGES[0])]  # read as its name says: text


def test_strict_run_without_failures_exits_zero(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"text": page} for page in PAGES])
    assert predict("--strict", str(src), "-o", str(tmp_path / "out.jsonl")) == 0


# ---------------------------------------------------------------- output formats


def test_csv_has_one_summary_row_per_page(tmp_path, default_model):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"id": "a,1", "text": PAGES[0]}, {"id": "b"}, {"id": "c", "text": PAGES[1]}])
    out = tmp_path / "out.csv"
    assert predict(str(src), "-o", str(out)) == 1

    def row(record_id: str, text: str) -> str:
        article = default_model.predict(text)
        tags = ";".join(f"{e}:{w}" for e, w in article.tags.items())
        kept = sum(p.relevant for p in article.paragraphs)
        return f"{record_id},{article.main_event or ''},{tags},{len(article.paragraphs)},{kept},"

    assert out.read_text(encoding="utf-8").splitlines() == [
        "id,main_event,tags,n_paragraphs,n_kept,error",
        row('"a,1"', PAGES[0]),
        f"b,,,,,missing text field 'text' or html field 'html' ({src}:2)",
        row("c", PAGES[1]),
    ]
    assert row("c", PAGES[1]).startswith("c,recall,recall:")


def test_format_csv_to_stdout(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"id": "a", "text": PAGES[1]}])
    done = run_cli("predict", "-j", "1", "-q", "--format", "csv", str(src))
    assert done.returncode == 0
    assert done.stdout.decode().splitlines()[0] == "id,main_event,tags,n_paragraphs,n_kept,error"
    assert done.stdout.decode().splitlines()[1].startswith("a,recall,recall:")


def test_parquet_output_is_readable_with_the_same_ids(tmp_path, default_model):
    pq = pytest.importorskip("pyarrow.parquet")
    src = tmp_path / "in.jsonl"
    write_jsonl(
        src, [{"id": f"p{i}", "text": page} for i, page in enumerate(PAGES)] + [{"id": "bad", "text": ""}]
    )
    out = tmp_path / "out.parquet"
    assert predict(str(src), "--paragraphs", "--chunk-size", "2", "-o", str(out)) == 1
    rows = pq.read_table(out).to_pylist()
    assert [r["id"] for r in rows] == ["p0", "p1", "p2", "p3", "bad"]
    assert rows[-1]["error"] == f"empty page: only white space or control characters ({src}:5)"
    assert rows[-1]["text"] is None
    article = default_model.predict(PAGES[1])
    assert rows[1]["main_event"] == "recall"
    assert rows[1]["tags"] == list(article.tags.items())
    assert rows[1]["n_paragraphs"] == 4
    assert [p["relevant"] for p in rows[1]["paragraphs"]] == [p.relevant for p in article.paragraphs]


def test_parquet_paragraphs_carry_every_field_of_the_json_lines_ones(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    src = tmp_path / "in.jsonl"
    write_jsonl(
        src,
        [
            {"id": "t", "text": PAGES[0]},
            {"id": "h", "html": "<body><h1>Nio recalls cars</h1><p>Text</p></body>"},
        ],
    )
    assert predict(str(src), "--paragraphs", "-o", str(tmp_path / "out.jsonl")) == 0
    assert predict(str(src), "--paragraphs", "-o", str(tmp_path / "out.parquet")) == 0
    for line, row in zip(
        read_jsonl(tmp_path / "out.jsonl"), pq.read_table(tmp_path / "out.parquet").to_pylist(), strict=True
    ):
        for paragraph, struct in zip(line["paragraphs"], row["paragraphs"], strict=True):
            assert struct == {
                **paragraph,
                "event_scores": list(paragraph["event_scores"].items()),
                "path": paragraph.get("path"),
            }
    assert row["paragraphs"][0]["path"] == "body>h1"


def test_paragraphs_option_adds_each_paragraphs_labels(tmp_path, default_model):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"id": "a", "text": PAGES[0]}])
    out = tmp_path / "out.jsonl"
    assert predict(str(src), "--paragraphs", "-o", str(out)) == 0
    article = default_model.predict(PAGES[0])
    assert read_jsonl(out) == [
        {**expected(default_model, "a", PAGES[0]), "paragraphs": [p.to_dict() for p in article.paragraphs]}
    ]


def test_json_output_is_compact_unescaped_and_identical_across_runs(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"id": "Škoda ü", "text": "Škoda sells 10,000 Enyaq cars in Germany\n" + PAGES[0]}])
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    assert predict(str(src), "-o", str(first)) == 0
    assert predict(str(src), "-o", str(second)) == 0
    data = first.read_bytes()
    assert data == second.read_bytes()
    assert data.startswith('{"id":"Škoda ü","headline":"Škoda sells 10,000 Enyaq cars in Germany",'.encode())
    assert b", " not in data.split(b'"text":')[0]


# ---------------------------------------------------------------- usage and --help


@pytest.mark.parametrize(
    "args",
    [
        ["--resume"],
        ["--resume", "-o", "out.parquet"],
        ["--format", "parquet"],
        ["--jobs", "0"],
        ["--chunk-size", "0"],
        ["--scheduler", "tcp://localhost:8786"],
        ["missing-file.jsonl"],
        ["-", "-"],
    ],
)
def test_usage_errors_exit_2(args, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["predict", "-j", "1", *args]) == 2
    assert "autoclass predict: error: " in capsys.readouterr().err


def test_argparse_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["predict", "--format", "xml"])
    assert stop.value.code == 2


def test_python_m_autoclass_help():
    done = run_cli("--help")
    assert done.returncode == 0
    assert b"predict" in done.stdout
    done = run_cli("predict", "--help")
    assert done.returncode == 0
    for option in (b"--jobs", b"--resume", b"--engine", b"--stdin-format", b"--max-chars", b"--strict"):
        assert option in done.stdout
    text = " ".join(done.stdout.decode().split())
    assert "141 standard output closed by its reader" in text
    assert "address (default: url)" in text
    assert "(default: $AUTOCLASS_MODEL; else, in a source checkout, its trained models/default; " in text
    assert "else the model shipped with the package)" in text


def test_missing_model_fails_the_run_with_status_5_not_the_records_1(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"text": PAGES[0]}])
    assert predict(str(src), "--model", str(tmp_path / "nowhere"), "-o", str(tmp_path / "o.jsonl")) == 5
    assert "no trained autoclass model in" in capsys.readouterr().err
    # Other commands fail with 1.
    assert main(["explain", "--model", str(tmp_path / "nowhere"), str(src)]) == 1


# ---------------------------------------------------------------- properties

_options = RecordOptions(max_chars=200)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=80) | st.text(max_size=80).map(lambda s: s.encode("utf-8")), max_size=12))
def test_any_bytes_give_exactly_one_record_each(tiny_model, raws):
    entries = [(i % 2 == 0, f"r{i}", raw, None) for i, raw in enumerate(raws)]
    result = process_chunk(Chunk(0, entries), tiny_model, _options)
    assert result.n_records == len(raws) == len(result.payload)
    lines = [json.loads(line) for line in result.payload]
    assert [(line["id"], "error" in line) for line in lines] == [
        (parse_entry(e, _options)[0], parse_entry(e, _options)[2] is not None) for e in entries
    ]
    assert [p for p, _, _ in result.errors] == [i for i, line in enumerate(lines) if "error" in line]


def test_complete_records_cuts_a_csv_row_broken_inside_a_quoted_field(tmp_path):
    out = tmp_path / "out.csv"
    out.write_bytes(b'id,main_event,tags,n_paragraphs,n_kept,error\na,,,1,0,\n"b\nstill b",,,1,0,\n"c\nhal')
    assert complete_records(out, "csv", truncate=True) == 2
    assert out.read_bytes().endswith(b'"b\nstill b",,,1,0,\n')
    out.write_bytes(b"id,main_ev")
    assert complete_records(out, "csv", truncate=True) == 0
    assert os.path.getsize(out) == 0


def test_progress_bar_only_when_asked_or_on_a_terminal():
    import io

    from autoclass.cli.progress import Progress, RunStats

    assert Progress(io.StringIO()).bar is None  # not a TTY: silent
    stream = io.StringIO()
    progress = Progress(stream, enabled=True)
    stats = RunStats(records=5, paragraphs=50)
    progress.update(stats, 5)
    progress.close()
    assert "5 pages [" in stream.getvalue()
    assert "paragraphs/s" in stream.getvalue()


def test_the_progress_bar_starts_no_thread():
    # tqdm's monitor thread made the local workers spawned, not forked, on a terminal: a run of
    # 3,000 small pages with -j 2 took 9 to 11 s instead of 3 (`script` for a terminal).
    pytest.importorskip("tqdm")
    code = (
        "import io, threading; from autoclass.cli.progress import Progress; "
        "bar = Progress(io.StringIO(), enabled=True).bar; print(bar is not None, threading.active_count())"
    )
    # A process of its own: tqdm starts its monitor once per process, with the first bar.
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.stdout.split() == ["True", "1"], done.stderr


class _Picky:
    """A model that cannot read pages mentioning 'poison' (as a model bug would)."""

    def __init__(self, model):
        self.model = model

    def predict(self, text, **kwargs):
        if "poison" in text:
            raise ValueError("bad page")
        return self.model.predict(text)

    def predict_many(self, texts, *, batch_size=64, **kwargs):
        if any("poison" in text for text in texts):
            raise ValueError("bad page")
        return self.model.predict_many(texts, batch_size=batch_size)


def test_a_page_the_model_fails_on_gives_an_error_record_and_the_others_go_through(tiny_model):
    entries = [(False, "a", PAGES[0].encode(), None), (False, "b", b"poison pill", None)]
    entries.append((False, "c", PAGES[1].encode(), None))
    result = process_chunk(Chunk(0, entries), _Picky(tiny_model), RecordOptions())
    assert result.errors == [(1, "b", "prediction failed: ValueError: bad page")]
    assert [json.loads(line)["id"] for line in result.payload] == ["a", "b", "c"]
    assert json.loads(result.payload[2])["tags"] == tiny_model.predict(PAGES[1]).tags


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=15))
def test_a_jsonl_file_gives_one_entry_per_non_blank_line(tmp_path_factory, lines):
    from autoclass.cli.readers import find_sources, iter_entries

    src = tmp_path_factory.mktemp("lines") / "in.jsonl"
    src.write_bytes(b"\n".join(lines))
    entries = list(iter_entries(find_sources([str(src)])))
    kept = [
        i + 1 for i, line in enumerate(lines) if line.removeprefix(b"\xef\xbb\xbf" if i == 0 else b"").strip()
    ]
    assert [e[1] for e in entries] == [f"{src}:{n}" for n in kept]


def test_a_model_that_fails_on_every_page_stops_the_run(tiny_model):
    entries = [(False, f"p{i}", b"poison %d" % i, None) for i in range(3)]
    with pytest.raises(ValueError, match="bad page"):
        process_chunk(Chunk(0, entries), _Picky(tiny_model), RecordOptions())


def test_a_label_file_given_as_input_is_said_to_be_one(tmp_path):
    # Read as input, a label file is one page per paragraph: it looked like a model gone wrong.
    labels = tmp_path / "labels.jsonl"
    record = {"article_id": "a", "position": 0, "text": "Nio sells cars", "relevant": True, "event": "sales"}
    write_jsonl(labels, [record, {**record, "position": 1, "text": "Share"}])
    pages = tmp_path / "pages.jsonl"
    write_jsonl(pages, [{"id": "a", "text": "Nio sells cars\nShare"}])
    with pytest.warns(UserWarning) as said:
        assert predict(str(pages), str(labels), "-o", str(tmp_path / "out.jsonl")) == 0
    assert [str(w.message) for w in said] == [
        f"{labels} is a label file (one paragraph per record, with article_id and position): each record "
        "is read as a page of its own line; `autoclass evaluate MODEL FILE` scores its pages"
    ]
    assert len(read_jsonl(tmp_path / "out.jsonl")) == 3  # read as the user asked, all the same


def test_chunks_end_at_a_byte_budget_so_large_records_in_flight_stay_bounded():
    # 256 records of 1.5 MB each made one chunk: 1 GB in flight with one worker, 1.75 GB with two.
    from autoclass.cli.readers import read_chunks

    entries = [(True, f"r{i}", b"x" * size, None) for i, size in enumerate([10, 10, 30, 5, 5, 5, 0])]
    chunks = list(read_chunks(entries, chunk_size=4, chunk_bytes=25))
    assert [[e[1] for e in c.entries] for c in chunks] == [["r0", "r1", "r2"], ["r3", "r4", "r5", "r6"]]
    assert [c.index for c in chunks] == [0, 1]
    every = list(read_chunks(entries, chunk_size=2, skip=1))
    assert [[e[1] for e in c.entries] for c in every] == [["r1", "r2"], ["r3", "r4"], ["r5", "r6"]]
