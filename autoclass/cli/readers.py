"""Input of ``autoclass predict``: finding input files and cutting them into chunks.

Plain-text files hold one page each; JSON Lines files hold one page per
record (blank lines are skipped); either may be gzip-compressed.  HTML files
and WARC archives are read by :mod:`autoclass.cli.html_readers`.
Directories are walked recursively in sorted order for ``*.txt``,
``*.txt.gz``, ``*.jsonl``, ``*.jsonl.gz``, ``*.ndjson``, ``*.ndjson.gz``,
``*.html``, ``*.htm`` (and ``.gz``), ``*.warc`` and ``*.warc.gz``.
``-`` is standard input: JSON Lines, or one page with ``--stdin-format text``
(or ``html``).

Readers do not decode anything: they pass raw bytes on (see
:mod:`autoclass.cli.records`), so that the reading process stays cheap.  A
file that cannot be read gives one entry with a read error, and the run goes
on with the next file; so does a folder that cannot be listed, and a file
found in a folder that is not a regular file (a named pipe there would wait
for a writer forever).  Files named on the command line may be pipes
(``<(zcat pages.jsonl.gz)``).
"""

from __future__ import annotations

import gzip
import json
import os
import stat
import sys
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import IO

from autoclass.cli.errors import UsageError
from autoclass.cli.html_readers import HTML_SUFFIXES, WARC_SUFFIXES, html_kind, max_html_bytes, warc_entries
from autoclass.cli.records import STDIN_NAME, Chunk, Entry
from autoclass.files import open_input, read_at_most
from autoclass.paragraphs import HTML_SIZE_FACTOR, SURROGATE

STDIN = "-"
JSONL_SUFFIXES: tuple[str, ...] = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
TEXT_SUFFIXES: tuple[str, ...] = (".txt", ".txt.gz")

_BOM = b"\xef\xbb\xbf"
_GZIP_MAGIC = b"\x1f\x8b"
_READ_ERRORS = (OSError, EOFError, zlib.error)


@dataclass(frozen=True)
class Source:
    """One input: a file path (or ``"-"`` for standard input) and its kind.

    Attributes
    ----------
    path : str
        The path as given or found in a directory; ``"-"`` for standard input.
    jsonl : bool
        JSON Lines (one page per record) rather than a single plain-text page.
    html : str or None
        ``"html"`` (one HTML page) or ``"warc"`` (an archive of pages), else ``None``.
    in_folder : bool
        Found in a folder, so read only if it is a regular file.
    error : str or None
        Why it cannot be read (a folder that cannot be listed): it gives one
        error record.
    """

    path: str
    jsonl: bool
    html: str | None = None
    in_folder: bool = False
    error: str | None = None


def is_jsonl_name(path: str) -> bool:
    """Whether a file name says JSON Lines.

    Examples
    --------
    >>> is_jsonl_name("pages.ndjson"), is_jsonl_name("a.jsonl.gz"), is_jsonl_name("a.txt")
    (True, True, False)
    """
    return path.lower().endswith(JSONL_SUFFIXES)


def _walk(directory: str, skipped: list[str]) -> Iterator[Source]:
    failed: list[OSError] = []

    def unlisted() -> Iterator[Source]:
        # os.walk reports a folder it cannot list (permissions, a path too
        # long) when it comes to it, so each error record takes that folder's place.
        for exc in failed:
            yield Source(exc.filename or directory, False, in_folder=True, error=f"cannot read: {exc}")
        failed.clear()

    # Links to folders are followed (a crawl's folders are often linked in), each
    # folder read once: a link back into the walk, or to a folder read already, is not.
    seen = {os.path.realpath(directory)}
    for top, dirnames, filenames in os.walk(directory, onerror=failed.append, followlinks=True):
        yield from unlisted()
        kept = []
        for name in sorted(dirnames):
            real = os.path.realpath(os.path.join(top, name))
            if real not in seen:
                seen.add(real)
                kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            lowered = name.lower()
            if lowered.endswith(JSONL_SUFFIXES) or lowered.endswith(TEXT_SUFFIXES) or html_kind(name):
                yield Source(os.path.join(top, name), is_jsonl_name(name), html_kind(name), in_folder=True)
            else:
                skipped.append(os.path.join(top, name))
    yield from unlisted()


def find_sources(
    inputs: Sequence[str], *, stdin_format: str = "jsonl", skipped: list[str] | None = None
) -> list[Source]:
    """The inputs of a run, directories expanded, in the order they will be read.

    Parameters
    ----------
    inputs : sequence of str
        Files, directories and ``"-"``; no inputs means standard input.
    stdin_format : str
        ``"jsonl"``, ``"text"`` or ``"html"``: how standard input is read.
    skipped : list of str, optional
        Filled with the files found in directories whose names say neither
        text nor JSON Lines (they are not read).

    Returns
    -------
    list of Source
        The files to read, in order.

    Raises
    ------
    UsageError
        If an input does not exist, ``-`` is given twice, or a directory
        holds no file to read.
    """
    sources: list[Source] = []
    skipped = [] if skipped is None else skipped
    for path in inputs or [STDIN]:
        if path == STDIN:
            if any(s.path == STDIN for s in sources):
                raise UsageError("standard input '-' can be read only once")
            sources.append(Source(STDIN, stdin_format == "jsonl", "html" if stdin_format == "html" else None))
        elif os.path.isdir(path):
            before = len(skipped)
            found = list(_walk(path, skipped))
            if not found:
                others = skipped[before:]
                what = f"{len(others):,} file(s) of other types, e.g. {others[0]}" if others else "no files"
                read = (*TEXT_SUFFIXES, *JSONL_SUFFIXES, *HTML_SUFFIXES, *WARC_SUFFIXES)
                raise UsageError(
                    f"no input files in {path}: it holds {what}; a directory's inputs are "
                    f"{', '.join('*' + s for s in read)}"
                )
            sources.extend(found)
        elif os.path.exists(path):
            sources.append(Source(path, is_jsonl_name(path), html_kind(path)))
        else:
            raise UsageError(f"no such file or directory: {path}")
    return sources


@contextmanager
def _open(source: Source, stdin: IO[bytes] | None) -> Iterator[IO[bytes]]:
    path = source.path
    if path == STDIN:
        if stdin is None:
            raise ValueError("no standard input to read")
        peek = getattr(stdin, "peek", None)
        if peek is not None and peek(2)[:2] == _GZIP_MAGIC:
            with gzip.GzipFile(fileobj=stdin, mode="rb") as unzipped:
                yield unzipped
        else:
            yield stdin  # standard input stays open
        return
    with open_input(path, found_in_folder=source.in_folder, buffering=1 << 20) as f:
        if path.lower().endswith(".gz"):
            with gzip.GzipFile(fileobj=f, mode="rb") as unzipped:
                yield unzipped
        else:
            yield f


def _jsonl_entries(source: Source, stdin: IO[bytes] | None, max_bytes: int | None) -> Iterator[Entry]:
    path = source.path
    name = STDIN_NAME if path == STDIN else path
    line = 0
    limit = -1 if max_bytes is None else max_bytes + 1
    try:
        with _open(source, stdin) as f:
            while raw := f.readline(limit):
                line += 1
                if max_bytes is not None and len(raw) > max_bytes and not raw.endswith(b"\n"):
                    # Too long to be a page within --max-chars: skip the rest
                    # of the line without holding it, counting its bytes.
                    size = len(raw)
                    while (rest := f.readline(1 << 20)) and not rest.endswith(b"\n"):
                        size += len(rest)
                    size += len(rest.rstrip(b"\r\n"))
                    yield True, f"{name}:{line}", None, _too_long(max_bytes, size)
                    continue
                if line == 1 and raw.startswith(_BOM):
                    raw = raw[len(_BOM) :]
                if line == 1:
                    _warn_if_labels(raw, name)
                if raw and not raw.isspace():
                    yield True, f"{name}:{line}", raw, None
    except _READ_ERRORS as exc:
        yield True, f"{name}:{line + 1}", None, f"cannot read: {exc}"


#: The fields of a labeled paragraph (the labeling guide) besides its text.
_LABEL_FIELDS = frozenset({"article_id", "position", "relevant"})


def _warn_if_labels(first: bytes, name: str) -> None:
    # A label file read as input gives one page per paragraph: every line a page of its own,
    # which reads as a model gone wrong. Said once per file, from its first record.
    try:
        record = json.loads(first)
    except ValueError:
        return
    if isinstance(record, dict) and _LABEL_FIELDS <= record.keys():
        warnings.warn(
            f"{name} is a label file (one paragraph per record, with article_id and position): "
            "each record is read as a page of its own line; `autoclass evaluate MODEL FILE` "
            "scores its pages",
            stacklevel=2,
        )


def _text_entry(
    source: Source, stdin: IO[bytes] | None, max_bytes: int | None, *, bytes_per_char: int = 1
) -> Entry:
    name = STDIN_NAME if source.path == STDIN else source.path
    try:
        with _open(source, stdin) as f:
            raw = f.read() if max_bytes is None else read_at_most(f, max_bytes)
            size = _file_size(source, f) if max_bytes is not None and len(raw) > max_bytes else None
    except _READ_ERRORS as exc:
        return False, name, None, f"cannot read: {exc}"
    if max_bytes is not None and len(raw) > max_bytes:
        return False, name, None, _too_long(max_bytes, size, bytes_per_char=bytes_per_char)
    return False, name, raw, None


def _file_size(source: Source, f: IO[bytes]) -> int | None:
    # Known without reading on for a named, uncompressed regular file only:
    # standard input or a pipe may never end, and a gzip member may be a bomb.
    if source.path == STDIN or isinstance(f, gzip.GzipFile):
        return None
    try:
        st = os.fstat(f.fileno())
    except (OSError, ValueError):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def _too_long(max_bytes: int, size: int | None, *, bytes_per_char: int = 1) -> str:
    """Why a page is refused unread, with the ``--max-chars`` that reads it when its ``size`` is known.

    ``size`` bytes of text, or of a JSON Lines record, hold at most ``size``
    characters; an HTML page may have ``bytes_per_char`` bytes a character.

    Examples
    --------
    >>> _too_long(4_003, 5_000)
    'page too long: 5,000 bytes, more than --max-chars allows; --max-chars 5,000 reads it'
    >>> _too_long(4_003, None)
    'page too long: over 4,003 bytes, more than --max-chars allows (not read further); raise --max-chars'
    """
    if size is None:
        return (
            f"page too long: over {max_bytes:,} bytes, more than --max-chars allows (not read further); "
            "raise --max-chars"
        )
    enough = -(-size // bytes_per_char)
    return f"page too long: {size:,} bytes, more than --max-chars allows; --max-chars {enough:,} reads it"


def max_record_bytes(max_chars: int, *, jsonl: bool) -> int:
    """Bytes beyond which a record cannot hold a page of ``max_chars`` characters.

    A character takes at most 4 bytes in UTF-8, and at most 12 in JSON
    (``\\ud83d\\ude00``); a JSON Lines record gets 1 MiB more for its other fields.
    A limit too large for any file stops at what a read can take.

    Examples
    --------
    >>> max_record_bytes(1000, jsonl=False), max_record_bytes(1000, jsonl=True)
    (4003, 1060576)
    >>> max_record_bytes(10**18, jsonl=True) == sys.maxsize - 1
    True
    """
    limit = 12 * max_chars + (1 << 20) if jsonl else 4 * max_chars + len(_BOM)
    return min(limit, sys.maxsize - 1)  # readline(limit + 1) takes a C ssize_t


def _source_entries(
    source: Source, stdin: IO[bytes] | None, max_chars: int | None, skipped: Counter[str] | None
) -> Iterator[Entry]:
    if source.error is not None:
        yield False, source.path, None, source.error
        return
    if source.html is not None:
        limit = None if max_chars is None else max_html_bytes(max_chars)
        if source.html == "warc":
            yield from warc_entries(source.path, limit, skipped, found_in_folder=source.in_folder)
        else:
            yield (*_text_entry(source, stdin, limit, bytes_per_char=HTML_SIZE_FACTOR), (None, None))
        return
    limit = None if max_chars is None else max_record_bytes(max_chars, jsonl=source.jsonl)
    if source.jsonl:
        yield from _jsonl_entries(source, stdin, limit)
    else:
        yield _text_entry(source, stdin, limit)


def iter_entries(
    sources: Iterable[Source],
    *,
    stdin: IO[bytes] | None = None,
    max_chars: int | None = None,
    on_first: Callable[[int, Entry], None] | None = None,
    skipped: Counter[str] | None = None,
) -> Iterator[Entry]:
    """Every input record, undecoded, in input order (one per output record).

    Parameters
    ----------
    sources : iterable of Source
        What :func:`find_sources` found.
    stdin : binary file, optional
        Standard input, for the source ``"-"``.
    max_chars : int, optional
        The ``--max-chars`` limit: a record whose bytes cannot fit in it is
        not read further (see :func:`max_record_bytes`) and gives an error
        entry, so memory stays bounded whatever the input.
    on_first : callable, optional
        Called with the index of each source and its first entry, before
        that entry is yielded (``--resume`` checks standard input by it).
    skipped : collections.Counter, optional
        Counts the archive records that are not HTML pages, by kind.

    Yields
    ------
    Entry
        (is JSON Lines, default id, raw bytes, read error), and for an HTML
        document (url, charset).  The default id is the path of a text or
        HTML file, ``path:line`` for a JSON Lines record and the
        ``WARC-Record-ID`` of an archive's page.
    """
    for index, source in enumerate(sources):
        entries = _source_entries(source, stdin, max_chars, skipped)
        if not source.path.isascii() and SURROGATE.search(source.path):
            entries = map(_writable, entries)
        if on_first is not None:
            first = next(entries, None)
            if first is None:
                continue
            on_first(index, first)
            yield first
        yield from entries


def _writable(entry: Entry) -> Entry:
    """The entry of a file whose name is not UTF-8 (its bytes read as lone surrogates, as Python reads
    them), its id and reason naming the file with U+FFFD there: no output encoding takes a lone surrogate."""
    is_jsonl, record_id, raw, error, *rest = entry
    if error is not None:
        error = SURROGATE.sub("\ufffd", error)
    return (is_jsonl, SURROGATE.sub("\ufffd", record_id), raw, error, *rest)


#: Bytes of input records at which a chunk ends before ``chunk_size`` records: a chunk of 256
#: records of 1.5 MB each held 1 GB in flight with one worker, 1.75 GB with two.
CHUNK_BYTES = 16 * 2**20


def read_chunks(
    entries: Iterable[Entry], *, chunk_size: int, skip: int = 0, chunk_bytes: int = CHUNK_BYTES
) -> Iterator[Chunk]:
    """Cut entries into chunks of ``chunk_size``, after skipping the first ``skip``.

    Parameters
    ----------
    entries : iterable of Entry
        The input records.
    chunk_size : int
        Records per chunk.
    skip : int
        Records already processed (``--resume``).
    chunk_bytes : int
        A chunk ends early once its records' bytes reach this: chunks in
        flight then hold a bounded size, however large the records.

    Yields
    ------
    Chunk
        Numbered from 0.

    Raises
    ------
    UsageError
        If there are fewer than ``skip`` entries (the output does not belong
        to this input).

    Examples
    --------
    >>> entries = [(False, f"p{i}.txt", b"x", None) for i in range(5)]
    >>> [[e[1] for e in c.entries] for c in read_chunks(entries, chunk_size=2, skip=1)]
    [['p1.txt', 'p2.txt'], ['p3.txt', 'p4.txt']]
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
    it = iter(entries)
    skipped = sum(1 for _ in islice(it, skip))
    if skipped < skip:
        raise UsageError(
            f"the output already holds {skip} records but the input has only {skipped}: "
            "--resume needs the same inputs as the interrupted run"
        )
    index, chunk, size = 0, [], 0
    for entry in it:
        chunk.append(entry)
        size += len(entry[2] or b"")
        if len(chunk) >= chunk_size or size >= chunk_bytes:
            yield Chunk(index, chunk)
            index, chunk, size = index + 1, [], 0
    if chunk:
        yield Chunk(index, chunk)
