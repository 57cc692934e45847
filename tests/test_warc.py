"""Reading the HTML pages of WARC archives (autoclass.warc)."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from autoclass.html import parse_html
from autoclass.warc import iter_html
from tests.archives import ARTICLE, build_warc


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_one_item_per_html_response_or_broken_record_in_order(gz):
    data, expected = build_warc(300, gz=gz)
    skipped: Counter[str] = Counter()
    pages = list(iter_html(io.BytesIO(data), skipped=skipped))
    assert [("error" if p.error else "page", p.record_id) for p in pages] == expected
    assert sum(kind == "error" for kind, _ in expected) >= 5
    # Everything else was counted, by kind, and nothing else.
    assert set(skipped) == {
        "warcinfo",
        "request",
        "metadata",
        "response of image/jpeg",
        "response of application/json",
        "response with HTTP status 301",
        "response with HTTP status 404",
    }
    for page in pages:
        if page.error is None:
            assert page.url.startswith("https://news.example.com/")
            assert parse_html(page.html, encoding=page.charset)[2].startswith("Nio delivers")
        else:
            assert page.error.startswith("broken WARC record at offset") and page.error.isprintable()
            # No Python internals, no compressed bytes shown as "??]Q?r?@".
            assert "NoneType" not in page.error and "??" not in page.error, page.error


def test_payloads_are_decoded_and_charsets_kept():
    data, _ = build_warc(300)
    pages = [p for p in iter_html(io.BytesIO(data)) if p.error is None]
    legacy = [p for p in pages if p.charset == "windows-1252"]
    assert legacy and all("Accès" in parse_html(p.html, encoding=p.charset) for p in legacy)
    assert all(p.html.startswith(b"<html>") for p in pages)  # gzip content encoding undone


def test_a_truncated_archive_ends_with_an_error_for_its_last_record():
    data, expected = build_warc(40, seed=3)
    cut = data[: len(data) - 150]
    pages = list(iter_html(io.BytesIO(cut)))
    assert [p.record_id for p in pages][:-1] == [r for _, r in expected][: len(pages) - 1]
    assert pages[-1].error is not None


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_a_file_cut_anywhere_in_its_last_page_gives_that_page_an_error_record(gz):
    # Cut in its WARC header, warcio ended quietly; cut in its HTTP header, the
    # response read as one of status "?" to skip: either way the page was lost.
    data, expected = build_warc(12, gz=gz, seed=5)
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    html = ARTICLE.format(i=99).encode()
    last = writer.create_warc_record(
        "https://news.example.com/99", "response", payload=io.BytesIO(html), http_headers=http
    )
    writer.write_record(last)
    whole, last_id = data + out.getvalue(), last.rec_headers.get_header("WARC-Record-ID")
    before = [record_id for _, record_id in expected]
    for cut in range(len(data) + 1, len(whole) + 1):
        pages = list(iter_html(io.BytesIO(whole[:cut])))
        assert [p.record_id for p in pages[:-1]] == before, cut
        end = pages[-1]
        assert end.record_id in (last_id, f"offset {len(data)}"), cut
        # Whole only when no byte of the payload is missing (a gzip member may lack its trailer).
        assert (
            end.html == html if end.error is None else end.error.startswith("broken WARC record at offset")
        ), cut


def test_payloads_over_the_limit_are_not_read():
    data, expected = build_warc(30, seed=1)
    pages = list(iter_html(io.BytesIO(data), max_bytes=100))
    assert len(pages) == len(expected)
    assert all(p.html is None and p.error for p in pages)
    too_long = (
        "page too long: over 100 bytes, more than --max-chars allows (not read further); raise --max-chars"
    )
    assert any(p.error == too_long for p in pages)


def test_garbage_and_empty_files():
    import gzip

    assert list(iter_html(io.BytesIO(b""))) == []
    # An empty file gzipped is an empty archive too (it was a record "cut short").
    assert list(iter_html(io.BytesIO(gzip.compress(b"")))) == []
    pages = list(iter_html(io.BytesIO(b"not a warc file at all\n" * 100)))
    assert len(pages) == 1 and pages[0].error and pages[0].record_id == "offset 0"


def test_a_whole_file_gzip_is_read_as_the_warc_it_holds():
    # `gzip crawl.warc` makes one gzip member of the whole file: warcio read its first
    # record, then the reader failed ("cannot read: [Errno 22] Invalid argument").
    import gzip

    data, expected = build_warc(60, gz=False, seed=7)
    whole = gzip.compress(data)
    plain = list(iter_html(io.BytesIO(data)))
    assert list(iter_html(io.BytesIO(whole))) == plain
    assert [("error" if p.error else "page", p.record_id) for p in plain] == expected
    # Cut short, every page before the cut is read and the cut one is an error record.
    cut = list(iter_html(io.BytesIO(whole[: len(whole) // 2])))
    assert cut[:-1] == plain[: len(cut) - 1] and len(cut) > 10
    assert cut[-1].error.startswith("broken WARC record at offset")
    # Damaged, the pages before the damage are read and an error record ends the file (deflate
    # may give wrong bytes for a while before it fails: the gzip checksum is the file's, at its end).
    # One error record names the damage and ends the file (there was one for every record after it).
    # The wrong bytes deflate gives before it fails may garble records first, and warcio's record ids
    # and dates change the data from run to run: then the file may end on such a record's error.
    damaged = bytearray(whole)
    damaged[len(whole) // 2] ^= 0xFF
    pages = list(iter_html(io.BytesIO(bytes(damaged))))
    assert pages[:10] == plain[:10] and len(pages) < len(plain) and pages[-1].error
    said = [p for p in pages if p.error and "the gzip data is damaged here" in p.error]
    assert said in ([], pages[-1:])


def test_content_encodings_in_any_case_and_brotli_are_undone():
    # Brotli payloads (browser-based crawls) came out as one line of binary garbage,
    # "Chunked" was left chunked; an encoding that cannot be undone is an error record.
    import gzip

    brotli = pytest.importorskip("brotli")
    html = ARTICLE.format(i=1).encode()
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)

    def chunked(data: bytes) -> bytes:
        return b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)

    payloads = [
        (brotli.compress(html), [("Content-Encoding", "br")]),
        (chunked(brotli.compress(html)), [("Content-Encoding", "BR"), ("Transfer-Encoding", "chunked")]),
        (chunked(html), [("Transfer-Encoding", "Chunked")]),
        (gzip.compress(html), [("Content-Encoding", "GZIP")]),
        (html, [("Content-Encoding", "br")]),  # stored decoded under its header
        (b"(\xb5/\xfd compressed", [("Content-Encoding", "zstd")]),
    ]
    for i, (payload, headers) in enumerate(payloads):
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), *headers], protocol="HTTP/1.1")
        url = f"https://news.example.com/{i}"
        writer.write_record(
            writer.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=http)
        )
    pages = list(iter_html(io.BytesIO(out.getvalue())))
    assert [p.html for p in pages[:5]] == [html] * 5
    assert pages[5].html is None
    assert pages[5].error.endswith(
        "cannot decode the payload: the content encoding 'zstd' is not one autoclass can undo"
    )


def _responses(n: int, *, gz: bool) -> tuple[list[bytes], list[str]]:
    """``n`` HTML responses, each record's bytes apart, and their ids."""
    records, ids = [], []
    for i in range(n):
        out = io.BytesIO()
        writer = WARCWriter(out, gzip=gz)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            f"https://news.example.com/{i}", "response", payload=io.BytesIO(ARTICLE.format(i=i).encode()),
            http_headers=http,
        )  # fmt: skip
        writer.write_record(record)
        records.append(out.getvalue())
        ids.append(record.rec_headers.get_header("WARC-Record-ID"))
    return records, ids


@pytest.mark.parametrize("change", [-50, 50, 5000])
def test_a_record_whose_content_length_is_wrong_is_an_error_and_the_next_ones_are_read(change):
    # Too long, it swallowed the records after it (lost, exit status 0), or gave its end an error
    # record under the next record's id; too short, its page lost its end: all without a word.
    records, ids = _responses(6, gz=False)
    header, _, rest = records[2].partition(b"\r\n\r\n")
    length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    records[2] = header.replace(b"Content-Length: %d" % length, b"Content-Length: %d" % (length + change))
    records[2] += b"\r\n\r\n" + rest
    pages = list(iter_html(io.BytesIO(b"".join(records))))
    assert [p.record_id for p in pages] == ids
    assert [p.error is not None for p in pages] == [False, False, True, False, False, False]
    assert "does not end where its Content-Length says" in pages[2].error


def test_a_gzip_member_of_several_records_after_members_of_one_is_read_whole():
    # A whole file gzipped, appended to one compressed per record: its records after the first
    # were lost ("cannot read: [Errno 22] Invalid argument" in the command).
    per_record, first_ids = _responses(3, gz=True)
    plain, more_ids = _responses(4, gz=False)
    import gzip

    data = b"".join(per_record) + gzip.compress(b"".join(plain))
    pages = list(iter_html(io.BytesIO(data)))
    assert [p.record_id for p in pages] == first_ids + more_ids
    assert all(p.error is None for p in pages)
