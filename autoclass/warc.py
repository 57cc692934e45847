"""The HTML pages of a WARC file (the crawl archive format), read lazily with warcio.

:func:`iter_html` walks an archive record by record, as warcio's
``ArchiveIterator`` reads it (gzip-compressed per record or not): every
response record that holds an HTML page (HTTP status 2xx, an HTML content
type, or HTML-looking bytes without one) gives one :class:`WarcPage`, with its
target URI, record id, the charset its HTTP header declares and its payload
(chunked transfer and content encodings undone).  Other records (requests,
metadata, warcinfo, revisits, images, redirects, errors) are counted by kind
and skipped.

A broken record (unreadable headers, a corrupt gzip member, a payload that
cannot be decoded) gives a :class:`WarcPage` with ``error`` set, and reading
goes on at the next record the file holds: the next gzip member that starts a
WARC record, or the next ``WARC/1.x`` line of an uncompressed file.
Everything is deterministic, so two reads of one file give the same pages.
"""

from __future__ import annotations

import contextlib
import io
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

# What a broken record may raise while warcio reads it.
_BROKEN = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    zlib.error,
    EOFError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
)
_GZIP_MEMBER = b"\x1f\x8b\x08"
_WARC_LINE = re.compile(rb"(?:^|\n)WARC/[0-9]")
_RECORD_ID = re.compile(rb"WARC-Record-ID:\s*(<[^>\r\n]{1,200}>)", re.I)
_TARGET = re.compile(rb"WARC-Target-URI:\s*([^\r\n]{1,2000})", re.I)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)", re.I | re.S)
_SCAN = 1 << 16
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")


@dataclass(frozen=True, slots=True)
class WarcPage:
    """An HTML response of an archive, or a broken record.

    Attributes
    ----------
    record_id : str
        ``WARC-Record-ID`` (``<urn:uuid:...>``); for a broken record whose
        header cannot be read, ``offset N``.
    url : str or None
        ``WARC-Target-URI``.
    charset : str or None
        The charset of the HTTP ``Content-Type``, if it names one.
    html : bytes or None
        The payload (``None`` for a broken record).
    error : str or None
        Why the record could not be read; ``None`` for a page.
    offset : int
        Where the record starts in the file.
    """

    record_id: str
    url: str | None
    charset: str | None
    html: bytes | None
    error: str | None
    offset: int


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    found = re.search(r"""charset\s*=\s*["']?([^\s"';]+)""", content_type, re.I)
    return found.group(1) if found else None


def _kind(record: object) -> str | None:
    """Why a record is skipped, or ``None`` for an HTML response."""
    rec_type = record.rec_type
    if rec_type != "response":
        return rec_type or "unknown"
    http = record.http_headers
    if http is None:
        return "response without HTTP headers"
    status = (http.get_statuscode() or "").strip()
    if not status.startswith("2"):
        return f"response with HTTP status {status or '?'}"
    content_type = (http.get_header("Content-Type") or "").lower()
    if content_type and not content_type.startswith(_HTML_TYPES):
        return f"response of {content_type.split(';')[0].strip() or 'unknown type'}"
    return None


def _broken(raw: IO[bytes], offset: int, exc: BaseException) -> WarcPage:
    """An error page for the record at ``offset``, named by its header when readable."""
    raw.seek(offset)
    head = raw.read(4096)
    if head.startswith(_GZIP_MEMBER):
        # Decompressed in small steps: what comes before the damage names the record.
        inflate, plain = zlib.decompressobj(31), b""
        try:
            for at in range(0, len(head), 64):
                plain += inflate.decompress(head[at : at + 64])
        except zlib.error:
            pass
        head = plain
    record_id = _RECORD_ID.search(head)
    target = _TARGET.search(head)
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    reason = _UNPRINTABLE.sub("?", reason)
    return WarcPage(
        record_id=record_id.group(1).decode("ascii", "replace") if record_id else f"offset {offset}",
        url=target.group(1).decode("utf-8", "replace").strip() if target else None,
        charset=None,
        html=None,
        error=f"broken WARC record at offset {offset}: {type(exc).__name__}: {reason[:200]}",
        offset=offset,
    )


def _next_start(raw: IO[bytes], after: int, gzipped: bool) -> int | None:
    """The offset of the next record that looks readable, after ``after``; ``None`` at the end."""
    position = after + 1
    while True:
        raw.seek(position)
        block = raw.read(_SCAN + 16)
        if not block:
            return None
        if gzipped:
            at = block.find(_GZIP_MEMBER)
            while 0 <= at < _SCAN:
                try:
                    start = zlib.decompressobj(31).decompress(block[at:], 16)
                except zlib.error:
                    start = b""
                if start.startswith(b"WARC/"):
                    return position + at
                at = block.find(_GZIP_MEMBER, at + 1)
        else:
            at = block.find(b"\nWARC/", 0, _SCAN + 6)
            if at >= 0:
                return position + at + 1
        position += _SCAN


def iter_html(
    raw: IO[bytes], *, max_bytes: int | None = None, skipped: Counter[str] | None = None
) -> Iterator[WarcPage]:
    """The HTML responses and broken records of a WARC file, in file order.

    Parameters
    ----------
    raw : binary file
        The archive, opened for reading and seekable (gzip-compressed per
        record, as crawlers write ``.warc.gz``, or not).
    max_bytes : int, optional
        A payload longer than this gives an error page instead, read no further.
    skipped : collections.Counter, optional
        Counts the records skipped, by kind (``request``, ``metadata``,
        ``response of image/jpeg``, ``response with HTTP status 301``...).

    Yields
    ------
    WarcPage
        One per HTML response, and one per broken record.
    """
    head = raw.read(3)
    raw.seek(0)
    gzipped = head.startswith(_GZIP_MEMBER[:2])
    offset: int | None = 0
    reported = -1  # the record last given out (a page or an error)
    while offset is not None:
        raw.seek(offset)
        records = ArchiveIterator(raw)
        try:
            while (record := _next(records)) is not None:
                start = records.offset
                length = record.rec_headers.get_header("Content-Length") or ""
                if not length.strip().isdigit():
                    raise ArchiveLoadFailed(f"Content-Length is not a number: {length[:40]!r}")
                kind = _kind(record)
                if kind is None:
                    page = _page(record, start, max_bytes)
                    if page is not None:
                        reported = start
                        yield page
                        continue
                    kind = "response of unknown type, not HTML"
                elif missing := _missing_bytes(record):
                    # Cut short (its HTTP header too), a page may read as a record to skip.
                    reported = start
                    yield _truncated(record, start, missing)
                    continue
                if skipped is not None:
                    skipped[kind] += 1
            # warcio ends quietly on a record whose WARC header the file cuts off.
            end = records.offset
            raw.seek(end)
            if raw.read(_SCAN).strip(b"\r\n\x00"):
                yield _broken(raw, end, ArchiveLoadFailed("the file ends inside this record (truncated)"))
            return
        except _BROKEN as exc:
            # warcio stops at a broken record: the record it was reading (or
            # finishing, if it was given out already) is where to resume from.
            start = records.offset
            if start != reported:
                reported = start
                yield _broken(raw, start, exc)
            offset = _next_start(raw, start, gzipped)


def _read(stream: IO[bytes], limit: int | None) -> bytes:
    """Up to ``limit`` bytes of a stream (all for ``None``): warcio's readers give a buffer at a time."""
    parts, size = [], 0
    while limit is None or size < limit:
        chunk = stream.read(1 << 16 if limit is None else min(1 << 16, limit - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def _next(records: ArchiveIterator) -> object | None:
    """The next record, or ``None`` at the end; warcio's warnings about odd records kept off stderr."""
    with contextlib.redirect_stderr(io.StringIO()):
        return next(records, None)


def _missing_bytes(record: object) -> int:
    """How many of the bytes its WARC header promised the record lacks (read to its end)."""
    raw = record.raw_stream
    while raw.read(1 << 16):
        pass
    return max(getattr(raw, "limit", 0) or 0, 0)


def _truncated(record: object, offset: int, missing: int) -> WarcPage:
    headers = record.rec_headers
    error = f"broken WARC record at offset {offset}: {missing:,} of its bytes are missing (truncated)"
    record_id = headers.get_header("WARC-Record-ID") or f"offset {offset}"
    return WarcPage(record_id, headers.get_header("WARC-Target-URI"), None, None, error, offset)


def _page(record: object, offset: int, max_bytes: int | None) -> WarcPage | None:
    headers = record.rec_headers
    record_id = headers.get_header("WARC-Record-ID") or f"offset {offset}"
    url = headers.get_header("WARC-Target-URI")
    content_type = record.http_headers.get_header("Content-Type")
    try:
        data = _read(record.content_stream(), None if max_bytes is None else max_bytes + 1)
    except _BROKEN + (OSError,) as exc:
        error = (
            f"broken WARC record at offset {offset}: cannot decode the payload: {type(exc).__name__}: {exc}"
        )
        return WarcPage(record_id, url, None, None, error[:300], offset)
    if max_bytes is None or len(data) <= max_bytes:
        # The record must hold all the bytes its header promised: a file cut
        # short (an interrupted crawl) ends in a truncated record.
        if missing := _missing_bytes(record):
            return _truncated(record, offset, missing)
    if not content_type and not _HTML_START.match(data[:2048]):
        return None
    if max_bytes is not None and len(data) > max_bytes:
        # The same words as a text file of unknown size: the decoded payload's size is unknown unread.
        error = (
            f"page too long: over {max_bytes:,} bytes, more than --max-chars allows (not read further); "
            "raise --max-chars"
        )
        return WarcPage(record_id, url, None, None, error, offset)
    return WarcPage(record_id, url, _charset(content_type), data, None, offset)
