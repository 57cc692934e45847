"""`autoclass predict` on HTML files, JSON Lines records with HTML, and WARC archives."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autoclass.cli import main
from autoclass.cli.records import RecordOptions, parse_entry
from tests.archives import ARTICLE, build_warc

LEGACY = '<html><head><meta charset="windows-1251"></head><body><h1>Продажи</h1><p>Текст</p></body></html>'


def predict(*args: str) -> int:
    return main(["predict", "--jobs", "1", "--quiet", *args])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_html_files_and_directories(tmp_path):
    folder = tmp_path / "crawl"
    folder.mkdir()
    (folder / "a.html").write_text(ARTICLE.format(i=1), encoding="utf-8")
    (folder / "b.htm.gz").write_bytes(gzip.compress(ARTICLE.format(i=2).encode()))
    (folder / "c.html").write_bytes(LEGACY.encode("cp1251"))
    (folder / "d.html").write_text("<html><body><script>x()</script></body></html>", encoding="utf-8")
    (folder / "notes.md").write_text("not an input", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert predict(str(folder), "-o", str(out), "--paragraphs") == 1  # d.html has no text
    records = read_jsonl(out)
    assert [r["id"] for r in records] == [str(folder / n) for n in ("a.html", "b.htm.gz", "c.html", "d.html")]
    first = records[0]
    assert first["main_event"] == "sales"
    assert [p["text"] for p in first["paragraphs"]][:3] == ["Home", "Autos", "Nio delivers 1 cars in May"]
    assert first["paragraphs"][0]["path"] == "body>nav>ul>li" and not first["paragraphs"][0]["relevant"]
    assert "Nio delivered 1 vehicles" in first["text"]
    assert [p["text"] for p in records[2]["paragraphs"]] == ["Продажи", "Текст"]
    assert records[3] == {"id": str(folder / "d.html"), "error": "empty page: no text in the HTML"}


def test_a_file_under_an_html_name_that_is_not_text_is_an_error_record(tmp_path):
    # A PDF or random bytes saved as .html came out as one paragraph of garbage, exit 0.
    import random

    folder = tmp_path / "mirror"
    folder.mkdir()
    (folder / "a.html").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" + bytes(500))
    (folder / "b.html").write_bytes(random.Random(1).randbytes(5000))
    (folder / "c.html").write_bytes("<p>Nio delivers cars</p>".encode("utf-16"))  # NUL bytes, and a BOM
    out = tmp_path / "out.jsonl"
    assert predict(str(folder), "-o", str(out)) == 1
    records = read_jsonl(out)
    assert [r.get("error") for r in records] == [
        "not an HTML page: a PDF file",
        "not an HTML page: binary data",
        None,
    ]


def test_xhtml_and_server_side_include_files_are_html(tmp_path):
    # Read as plain text before, tags and all ("headline": "<!DOCTYPE html>"), or skipped in a folder.
    folder = tmp_path / "mirror"
    folder.mkdir()
    for name in ("a.shtml", "b.xhtml", "c.XHT.gz"):
        data = ARTICLE.format(i=len(name)).encode()
        (folder / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    out = tmp_path / "out.jsonl"
    assert predict(str(folder), "-o", str(out)) == 0
    records = read_jsonl(out)
    assert [r["id"] for r in records] == [str(folder / n) for n in ("a.shtml", "b.xhtml", "c.XHT.gz")]
    assert all(r["main_event"] == "sales" and r["headline"].startswith("Nio delivers") for r in records)


def test_jsonl_records_with_html(tmp_path):
    src = tmp_path / "in.jsonl"
    lines = [
        {"id": "h", "url": "https://example.com/h", "html": ARTICLE.format(i=7)},
        {"id": "t", "text": "Nio delivers 20,000 cars in May\nShare this article"},
        {"id": "both", "html": "<p>ignored</p>", "text": "The text field wins"},
        {"id": "big", "html": "<p>" + "x" * 2000 + "</p>"},
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    # HTML may be 10 x --max-chars long: the article passes, "big" does not.
    assert predict(str(src), "-o", str(out), "--max-chars", "100", "--paragraphs") == 1
    records = read_jsonl(out)
    assert [r["id"] for r in records] == ["h", "t", "both", "big"]
    assert records[0]["url"] == "https://example.com/h" and list(records[0])[:2] == ["id", "url"]
    assert records[0]["main_event"] == "sales"
    assert "url" not in records[1] and "path" not in records[1]["paragraphs"][0]
    assert [p["text"] for p in records[2]["paragraphs"]] == ["The text field wins"]
    # The record's own id is its key; its reason still says where it is.
    assert records[3]["error"] == f"page too long: HTML of 2007 characters > 10 x --max-chars 100 ({src}:4)"


def test_a_url_with_a_lone_surrogate_is_written_with_a_replacement_character(tmp_path):
    # "\ud800" in JSON decodes to a lone surrogate, which no output encoding takes: the run crashed.
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        b'{"id": "u", "url": "https://example.com/\\ud800", "html": "<p>Nio delivers cars</p>"}\n'
    )
    out = tmp_path / "out.jsonl"
    assert predict(str(src), "-o", str(out)) == 0
    assert read_jsonl(out)[0]["url"] == "https://example.com/\ufffd"


def test_html_documents_in_the_text_field_give_one_warning_line(tmp_path):
    src = tmp_path / "in.jsonl"
    pages = ["<!DOCTYPE html><html><body><p>Nio delivers cars</p></body></html>", "<html><p>Ford</p></html>"]
    src.write_text("".join(json.dumps({"text": t}) + "\n" for t in pages), encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "autoclass",
            "predict",
            str(src),
            "-o",
            str(tmp_path / "out.jsonl"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr.startswith(
        "autoclass predict: warning: a page given as text opens like an HTML document"
    )
    assert run.stderr.count("\n") == 1 and "the record's html field" in run.stderr
    assert len(read_jsonl(tmp_path / "out.jsonl")) == 2


@pytest.mark.parametrize(
    ("text", "alone"),
    [
        ("null", "text field 'text' is not a string (got null)"),
        ('""', "empty page: only white space or control characters"),
        ('" \\n "', "empty page: only white space or control characters"),
    ],
)
def test_a_record_without_text_but_with_html_is_read_from_its_html(text, alone):
    # A scraper that found no text writes null or "" beside the page's HTML.
    raw = f'{{"id": "n", "text": {text}, "html": "<p>Nio delivers cars</p>"}}\n'.encode()
    record_id, page, error = parse_entry((True, "in.jsonl:1", raw, None), RecordOptions())
    assert (record_id, error) == ("n", None) and list(page) == ["Nio delivers cars"]
    # Without HTML beside it, such a text is the error it was.
    bare = f'{{"id": "n", "text": {text}}}\n'.encode()
    assert parse_entry((True, "in.jsonl:1", bare, None), RecordOptions()) == (
        "n",
        None,
        f"{alone} (in.jsonl:1)",
    )


@pytest.mark.parametrize(
    ("value", "kind"), [("12", "number"), ("null", "null"), ('["<p>a</p>"]', "array"), ('{"p": 1}', "object")]
)
@pytest.mark.parametrize("text", ["", ', "text": null', ', "text": ""'])
def test_an_html_field_that_is_not_a_string_is_named_in_the_error(value, kind, text):
    # Also beside an empty text, which sends the reader to the html field; but a
    # null html beside a text field is no HTML, and the text's own fault is named.
    raw = f'{{"id": "f", "page": {value}{text}}}\n'.encode()
    record = parse_entry((True, "in.jsonl:1", raw, None), RecordOptions(html_field="page"))
    reason = f"html field 'page' is not a string (got {kind})"
    if value == "null" and "null" in text:  # the docs say a null text is no text: the page is empty
        reason = "empty page: text field 'text' and html field 'page' are both null"
    elif value == "null" and text:
        reason = "empty page: only white space or control characters"
    assert record == ("f", None, f"{reason} (in.jsonl:1)")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """A WARC of 300 records, and the output of one uninterrupted run over it."""
    root = tmp_path_factory.mktemp("warc")
    data, expected = build_warc(300, gz=True, seed=5)
    path = root / "crawl.warc.gz"
    path.write_bytes(data)
    full = root / "full.jsonl"
    assert predict(str(path), "-o", str(full), "--chunk-size", "16") == 1  # broken records give errors
    return path, expected, full


def test_warc_one_record_per_html_response_in_order(archive):
    path, expected, full = archive
    records = read_jsonl(full)
    # A broken record whose header cannot be read is named by its file and offset.
    named = [f"{path}:{rid}" if rid.startswith("offset ") else rid for _, rid in expected]
    assert [r["id"] for r in records] == named
    for (kind, _), record in zip(expected, records):
        assert ("error" in record) == (kind == "error")
        if kind == "page":
            assert record["url"].startswith("https://news.example.com/") and record["main_event"] == "sales"
        else:
            assert record["error"].startswith("broken WARC record at offset")
            assert record["error"].endswith(f" ({path})")


def test_a_warc_record_without_a_readable_header_is_named_by_its_file(tmp_path):
    # Keyed "offset 0" alone, the error records of a folder of archives could not be told apart.
    for name in ("a", "b"):
        (tmp_path / "crawl" / name).mkdir(parents=True)
        (tmp_path / "crawl" / name / "x.warc").write_bytes(b"not a warc file at all\n" * 10)
    out = tmp_path / "out.jsonl"
    assert predict(str(tmp_path / "crawl"), "-o", str(out)) == 1
    records = read_jsonl(out)
    assert [r["id"] for r in records] == [f"{tmp_path}/crawl/{n}/x.warc:offset 0" for n in "ab"]
    assert [r["error"][-9:] for r in records] == [f"{n}/x.warc)" for n in "ab"]


def test_warc_summary_counts_what_was_skipped(archive, capsys):
    path, expected, _ = archive
    assert main(["predict", "--jobs", "1", str(path), "-o", str(path.parent / "again.jsonl")]) == 1
    err = capsys.readouterr().err
    assert f"{len(expected):,} pages" in err
    assert "archive records skipped (" in err and "response of image/jpeg" in err and "request" in err


def test_warc_resume_gives_the_uninterrupted_output(archive, tmp_path):
    path, _, full = archive
    whole = full.read_bytes()
    lines = whole.splitlines(keepends=True)
    for kept in (0, 1, 57, len(lines) - 1):
        out = tmp_path / f"resumed-{kept}.jsonl"
        # An interrupted run: some complete records and half of the next one.
        out.write_bytes(b"".join(lines[:kept]) + lines[kept][: len(lines[kept]) // 2])
        # ...with the run description that run wrote before its first record.
        Path(f"{out}.run.json").write_bytes(Path(f"{full}.run.json").read_bytes())
        assert predict(str(path), "-o", str(out), "--resume", "--chunk-size", "7") in (0, 1)
        assert out.read_bytes() == whole


def test_warc_with_workers_gives_the_same_output(archive, tmp_path):
    path, _, full = archive
    out = tmp_path / "jobs.jsonl"
    assert main(["predict", "--jobs", "2", "--quiet", str(path), "-o", str(out), "--chunk-size", "16"]) == 1
    assert out.read_bytes() == full.read_bytes()


def test_a_page_in_utf16_without_a_bom_is_read_when_its_header_says_so():
    # A WARC response declared "charset=utf-16" in its HTTP header, without a byte-order mark,
    # was "not an HTML page: binary data" (its NUL bytes); parse_html reads it.
    from autoclass.cli.records import _html_page

    html = "<html><body><h1>Volkswagen recalls 143,000 ID.4 SUVs</h1><p>The recall covers door handles.</p>"
    data = html.encode("utf-16-le")
    _, page, error = _html_page("r", data, None, "UTF-16", RecordOptions())
    assert error is None and page.texts[0] == "Volkswagen recalls 143,000 ID.4 SUVs"
    assert _html_page("r", data, None, None, RecordOptions())[2] == "not an HTML page: binary data"


def test_warc_responses_without_a_record_id_are_named_by_file_and_offset(tmp_path):
    # Both came out as "offset 0": one id for two pages.
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from autoclass.cli.html_readers import warc_entries

    ids = []
    for name in ("a.warc", "b.warc"):
        out = io.BytesIO()
        writer = WARCWriter(out, gzip=False)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        html = io.BytesIO(b"<html><body><p>Nio delivers 20,000 cars in May.</p></body></html>")
        record = writer.create_warc_record("https://e.com/n", "response", payload=html, http_headers=http)
        record.rec_headers.remove_header("WARC-Record-ID")
        writer.write_record(record)
        (tmp_path / name).write_bytes(out.getvalue())
        ids += [entry[1] for entry in warc_entries(str(tmp_path / name), max_bytes=None, skipped=None)]
    assert ids == [f"{tmp_path / 'a.warc'}:offset 0", f"{tmp_path / 'b.warc'}:offset 0"]


def test_a_warc_archive_piped_to_standard_input_is_named_so():
    # Read as JSON Lines, its first error advised --stdin-format text (or html).
    entry = (True, "<stdin>:1", b"WARC/1.0\r\n", None)
    _, page, error = parse_entry(entry, RecordOptions())
    assert page is None
    assert error == "standard input holds a WARC archive: give the file's path instead of piping it"


def test_a_crawl_archive_under_another_name_is_an_error_not_a_page_of_text():
    # An ARC file, or a WARC file named .txt, came out as one page: its headers as the headline.
    for raw, said in (
        (
            b"filedesc://crawl.arc 0.0.0.0 20240101000000 text/plain 75\n",
            "an ARC file (the older crawl format)",
        ),
        (b"WARC/1.0\r\nWARC-Type: warcinfo\r\n", "a WARC archive read as a page of text: name it .warc"),
    ):
        _, page, error = parse_entry((False, "crawl.txt", raw, None), RecordOptions())
        assert page is None and error.startswith(said)
