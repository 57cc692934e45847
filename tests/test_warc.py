"""Reading the HTML pages of WARC archives (autoclass.warc)."""

from __future__ import annotations

import io
from collections import Counter

import pytest

from autoclass.html import parse_html
from autoclass.warc import iter_html
from tests.archives import build_warc


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
    assert list(iter_html(io.BytesIO(b""))) == []
    pages = list(iter_html(io.BytesIO(b"not a warc file at all\n" * 100)))
    assert len(pages) == 1 and pages[0].error and pages[0].record_id == "offset 0"
