"""The HTML pages of a WARC file (the crawl archive format), read lazily with warcio.

:func:`iter_html` walks an archive record by record, as warcio's
``ArchiveIterator`` reads it (gzip-compressed per record or not; a file
gzipped as a whole is read as the plain file it holds): every
response record that holds an HTML page (HTTP status 2xx, an HTML content
type, or HTML-looking bytes without one) gives one :class:`WarcPage`, with its
target URI, record id, the charset its HTTP header declares and its payload
(chunked transfer and gzip, deflate or brotli content encoding undone).  Other records (requests,
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
from warcio.bufferedreaders import BufferedReader, ChunkedDataReader
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
_DAMAGED = "the gzip data is damaged here: the rest of the file cannot be read"
_CUT = "the file ends inside this record (truncated)"
_TARGET_URI = "WARC-Target-URI"
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
    damaged = False
    if head.startswith(_GZIP_MEMBER):
        # Decompressed in small steps: what comes before the damage names the record.
        inflate, plain = zlib.decompressobj(31), b""
        try:
            for at in range(0, len(head), 64):
                plain += inflate.decompress(head[at : at + 64])
        except zlib.error:
            damaged = True
        head = plain
    record_id = _RECORD_ID.search(head)
    target = _TARGET.search(head)
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    reason = _UNPRINTABLE.sub("?", reason)[:200]
    line = reason.partition("first line: ")[2]
    if line.count("?") > len(line) / 3:  # compressed or binary bytes, shown as "??]Q?r?@??S"
        reason = reason[: len(reason) - len(line)] + "binary data"
    reason = f"{type(exc).__name__}: {reason}"
    if isinstance(exc, AttributeError | TypeError | KeyError | IndexError):
        reason = "its header cannot be read"  # warcio's own error on a header it does not expect
    if damaged:
        reason = f"damaged gzip data ({reason})"
    return WarcPage(
        record_id=record_id.group(1).decode("ascii", "replace") if record_id else f"offset {offset}",
        url=target.group(1).decode("utf-8", "replace").strip() if target else None,
        charset=None,
        html=None,
        error=f"broken WARC record at offset {offset}: {reason}",
        offset=offset,
    )


class _Inflated(io.RawIOBase):
    """A whole-file gzip read as the plain file it holds, up to where its data is cut or damaged.

    Every byte that can be decompressed is given out (``gzip.GzipFile`` drops the
    last buffer before a cut), and the file ends there, so that the record cut
    is reported as a file cut short is.  Seeking back decompresses from the start.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._rewind()

    def _rewind(self) -> None:
        self._raw.seek(0)
        self._inflate = zlib.decompressobj(31)
        self._buffer, self._position, self._ended = b"", 0, False
        self.damaged = False

    def _fill(self, size: int) -> None:
        while len(self._buffer) < size and not self._ended:
            # In small pieces: a piece that fails to decompress gives nothing of itself.
            data = self._inflate.unconsumed_tail or self._inflate.unused_data or self._raw.read(1 << 10)
            if self._inflate.eof:  # the next member, if any
                self._inflate = zlib.decompressobj(31)
            if not data:
                self._ended = True
                break
            try:
                self._buffer += self._inflate.decompress(data, 1 << 20)
            except zlib.error:
                self._ended = self.damaged = True

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self._fill(size if size >= 0 else 1 << 62)
        data = self._buffer if size < 0 else self._buffer[:size]
        self._buffer = self._buffer[len(data) :]
        self._position += len(data)
        return data

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence not in (io.SEEK_SET, io.SEEK_CUR):
            raise io.UnsupportedOperation("seek from the end")
        target = offset if whence == io.SEEK_SET else self._position + offset
        if target < self._position:
            self._rewind()
        while self._position < target and self.read(min(target - self._position, 1 << 20)):
            pass
        return self._position

    def tell(self) -> int:
        return self._position


class _From(io.RawIOBase):
    """A file read from ``start`` on, as if it began there."""

    def __init__(self, raw: IO[bytes], start: int) -> None:
        self._raw, self._start = raw, start
        raw.seek(start)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._raw.read(size)

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            return self._raw.seek(self._start + offset) - self._start
        return self._raw.seek(offset, whence) - self._start

    def tell(self) -> int:
        return self._raw.tell() - self._start


def _empty_gzip(data: bytes) -> bool:
    """Whether ``data`` is gzip members that hold nothing (``gzip`` of an empty file): no record cut."""
    while data:
        inflate = zlib.decompressobj(31)
        try:
            if inflate.decompress(data, 1) or not inflate.eof:
                return False
        except zlib.error:
            return False
        data = inflate.unused_data
    return True


def _whole_file_gzip(raw: IO[bytes]) -> bool:
    """Whether the first gzip member holds more than the first record (a whole file gzipped at once)."""
    inflate, head, size, end = zlib.decompressobj(31), b"", 0, None
    try:
        while not inflate.eof:
            data = inflate.unconsumed_tail or raw.read(1 << 10)  # small pieces: as _Inflated reads
            if not data:
                break
            out = inflate.decompress(data, 1 << 16)
            size += len(out)
            if end is None:  # the first record's header says where the record ends
                head += out
                stop = head.find(b"\r\n\r\n")
                length = re.search(rb"\nContent-Length:[ \t]*([0-9]{1,15})\r?\n", head[: stop + 2], re.I)
                if stop < 0 or length is None:
                    if stop >= 0 or len(head) > _SCAN:
                        return False  # not a WARC header this can read: warcio will say why
                    continue
                end = stop + 4 + int(length.group(1)) + 4
            if size > end + 64:
                return True
        return False
    except zlib.error:
        return False
    finally:
        raw.seek(0)


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
    if gzipped and _whole_file_gzip(raw):
        # ``gzip crawl.warc`` compresses the file as one member: warcio reads its
        # first record and stops.  Read decompressed, it is a plain WARC file
        # (seeking back, on a broken record, decompresses from the start again).
        raw, gzipped = _Inflated(raw), False
    offset: int | None = 0
    reported = -1  # the record last given out (a page or an error)
    while offset is not None:
        raw.seek(offset)
        records = ArchiveIterator(raw)
        # A record is given out once the next read shows that it ended where its Content-Length
        # said: else what followed was read as part of it (the next records lost in it), or its
        # end was read as a record (under the next record's id).
        pending: WarcPage | None = None
        last: _Seen | None = None
        cut_short = False  # the last record ends before its Content-Length does
        errors = 0
        try:
            while True:
                errors = records.err_count
                record = _next(records)
                if last is not None and records.err_count > errors:
                    reported = last.start
                    yield _misread(last)
                    offset, pending = _next_start(raw, last.start, gzipped), None
                    break
                if record is None and cut_short and last is not None:
                    # Records after it in the file were read as its bytes: its Content-Length is
                    # too long, not the file cut short. Read on from them.
                    offset = _next_start(raw, last.start, gzipped)
                    if offset is not None:
                        yield _misread(last)
                        break
                if pending is not None:
                    yield pending
                    pending = None
                if record is None:
                    # warcio ends quietly on a record whose WARC header the file cuts off.
                    end = records.offset
                    raw.seek(end)
                    rest = raw.read(_SCAN)
                    cut = rest.strip(b"\r\n\x00")
                    if getattr(raw, "damaged", False):  # a whole-file gzip: nothing after the damage
                        yield _broken(raw, end, ArchiveLoadFailed(_DAMAGED))
                    elif cut and not (gzipped and _empty_gzip(rest)):
                        yield _broken(raw, end, ArchiveLoadFailed(_CUT))
                    return
                start = records.offset
                headers = record.rec_headers
                last = _Seen(start, headers.get_header("WARC-Record-ID"), headers.get_header(_TARGET_URI))
                length = headers.get_header("Content-Length") or ""
                if not length.strip().isdigit():
                    raise ArchiveLoadFailed(f"Content-Length is not a number: {length[:40]!r}")
                kind = _kind(record)
                if kind is None:
                    pending = _page(record, start, max_bytes)
                    cut_short = bool(_missing_bytes(record))
                    if pending is not None:
                        reported = start
                        continue
                    kind = "response of unknown type, not HTML"
                elif missing := _missing_bytes(record):
                    # Cut short (its HTTP header too), a page may read as a record to skip.
                    reported = start
                    pending, cut_short = _truncated(record, start, missing), True
                    continue
                cut_short = False
                if skipped is not None:
                    skipped[kind] += 1
        except _BROKEN as exc:
            if last is not None and records.err_count > errors:  # the record before ended elsewhere
                reported = last.start
                yield _misread(last)
                offset = _next_start(raw, last.start, gzipped)
                continue
            if gzipped and last is not None and "gzip block continues" in str(exc):
                # A gzip member that holds several records (a whole file gzipped, appended to one
                # compressed per record): read from that member on decompressed, its first record
                # again (not given out yet), the rest of the file with it.
                yield from iter_html(_Inflated(_From(raw, last.start)), max_bytes=max_bytes, skipped=skipped)
                return
            if pending is not None:
                yield pending
            # warcio stops at a broken record: the record it was reading (or
            # finishing, if it was given out already) is where to resume from.
            start = records.offset
            if start < 0 or (last is not None and start < last.start):
                start = last.start if last is not None else 0  # (warcio lost its place in the file)
            damaged = getattr(raw, "damaged", False)  # a whole-file gzip cut off by its damage
            if start != reported:
                reported = start
                yield _broken(raw, start, ArchiveLoadFailed(_DAMAGED) if damaged else exc)
            if damaged:  # as the error record says: nothing after it can be read
                return
            offset = _next_start(raw, start, gzipped)


@dataclass(frozen=True, slots=True)
class _Seen:
    """The record read last: where it starts, its id and target."""

    start: int
    record_id: str | None
    url: str | None


def _misread(seen: _Seen) -> WarcPage:
    error = (
        f"broken WARC record at offset {seen.start}: it does not end where its Content-Length says "
        "(no blank line and next record there); read on from the next record"
    )
    return WarcPage(seen.record_id or f"offset {seen.start}", seen.url, None, None, error, seen.start)


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
    return WarcPage(record_id, headers.get_header(_TARGET_URI), None, None, error, offset)


class _UndecodableError(ValueError):
    """A payload in a content encoding this installation cannot undo."""


def _content(record: object, limit: int | None) -> bytes:
    """The payload, chunked transfer and content encoding undone, up to ``limit`` bytes.

    As warcio's ``content_stream``, but the header values are read in any case
    ("Chunked", "GZIP"), and brotli (``br``, which browser-based crawlers
    store) is undone here: warcio passes it through as it is when no brotli
    package is installed (the page came out as one line of binary garbage), and
    fails with the brotli package of today.  An encoding that cannot be undone is
    an error, never bytes read as text.
    """
    http = record.http_headers
    encoding = (http.get_header("Content-Encoding") or "").strip().lower()
    chunked = (http.get_header("Transfer-Encoding") or "").strip().lower() == "chunked"
    decomp = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}.get(encoding)
    if decomp is None and encoding not in ("", "identity", "br"):
        raise _UndecodableError(f"the content encoding {encoding[:40]!r} is not one autoclass can undo")
    if chunked:
        stream = ChunkedDataReader(record.raw_stream, decomp_type=decomp)
    else:
        stream = BufferedReader(record.raw_stream, decomp_type=decomp) if decomp else record.raw_stream
    return _read(stream, limit) if encoding != "br" else _unbrotli(stream, limit)


def _unbrotli(stream: IO[bytes], limit: int | None) -> bytes:
    try:
        import brotli
    except ImportError:
        raise _UndecodableError(
            "the payload is brotli-compressed (Content-Encoding: br): install the brotli package "
            "(pip install brotli; the cli extra brings it)"
        ) from None
    inflate, parts, size = brotli.Decompressor(), [], 0
    while limit is None or size < limit:
        chunk = stream.read(1 << 14)
        if not chunk:
            break
        try:
            parts.append(inflate.process(chunk))
        except brotli.error as exc:
            if parts:
                raise ValueError(f"not valid brotli data: {exc}") from exc
            # Not brotli from its first bytes: stored decoded under its header, as
            # warcio takes a gzip payload that is not gzip.
            rest = _read(stream, None if limit is None else max(limit - len(chunk), 0))
            return (chunk + rest)[:limit]
        size += len(parts[-1])
    return b"".join(parts)[:limit]


def _page(record: object, offset: int, max_bytes: int | None) -> WarcPage | None:
    headers = record.rec_headers
    record_id = headers.get_header("WARC-Record-ID") or f"offset {offset}"
    url = headers.get_header(_TARGET_URI)
    content_type = record.http_headers.get_header("Content-Type")
    try:
        data = _content(record, None if max_bytes is None else max_bytes + 1)
    except _BROKEN + (OSError,) as exc:
        why = str(exc) if isinstance(exc, _UndecodableError) else f"{type(exc).__name__}: {exc}"
        error = f"broken WARC record at offset {offset}: cannot decode the payload: {why}"
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
