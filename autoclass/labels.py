"""Reading and validating labeled data (LABELS.md): JSON Lines of paragraphs.

Every rule of LABELS.md that a file can break is checked line by line, and the
first violation is reported with its file and line: bad JSON, a missing or
mistyped field, an unknown event, an event on an irrelevant paragraph, a
relevant paragraph without one, a duplicate or missing position, a text that
is not one stripped non-blank line, an article split over two files.

Files are read as bytes, one line at a time, so that a hostile file cannot
crash the reader or exhaust memory: invalid UTF-8 is reported with its byte
offset, a line longer than :data:`MAX_LINE_BYTES` is refused before it is read
whole, and duplicate keys, ``NaN``, unpaired surrogates and JSON nested too
deeply for the parser are reported as problems of their line. A UTF-8
byte-order mark is accepted at the very start of a file only, and ``\\r\\n``
line ends are accepted. Every error is a :class:`~autoclass.errors.LabelDataError`.

This module needs nothing beyond the standard library, so that the
``autoclass audit`` command reads labels without the training extras;
``training.data`` turns validated records into a Hugging Face dataset.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from autoclass.errors import LabelDataError
from autoclass.taxonomy import EVENT_TYPES

REQUIRED = {"article_id": str, "position": int, "text": str, "relevant": bool}
OPTIONAL = {"site": str, "url": str, "published": str, "body": bool}

MAX_LINE_BYTES = 1 << 20
"""Longest accepted line in bytes; a paragraph record is a few hundred bytes."""

_KIND = {str: "a string", int: "an integer", bool: "true or false"}
_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_MAX_DIGITS = 100
_SHOWN_CHARS = 60


class _LineError(Exception):
    """A problem found while parsing one line, reported as that line's LabelDataError."""


def _show(value: Any) -> str:
    """``repr`` cut short, so that a hostile megabyte value does not become the message."""
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _LineError(f"duplicate key {_show(key)} in one JSON object")
            seen.add(key)
    return obj


def _constant(name: str) -> Any:
    raise _LineError(f"{name} is not valid JSON (JSON has no NaN or Infinity; use null)")


def _integer(digits: str) -> int:
    # Python refuses to convert more than 4,300 digits with a ValueError of its own.
    if len(digits.lstrip("-")) > _MAX_DIGITS:
        raise _LineError(f"a number of {len(digits):,} digits: too long for any field")
    return int(digits)


_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_constant=_constant, parse_int=_integer)


def _surrogate(value: Any) -> str | None:
    """The first string inside ``value`` that holds an unpaired UTF-16 surrogate, if any."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _parse(raw: bytes, offset: int) -> Any:
    """One line of bytes (without its line end) as a JSON value; raise _LineError on any problem."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _LineError(
            f"not UTF-8: byte 0x{raw[exc.start]:02x} at byte offset {offset + exc.start:,} of the file "
            f"(byte {exc.start + 1} of the line) is not valid UTF-8 ({exc.reason}); save the file as UTF-8"
        ) from None
    try:
        value = _DECODER.decode(line)
    except json.JSONDecodeError as exc:
        hint = ""
        if exc.pos >= len(line.rstrip()) or exc.msg.startswith("Unterminated string"):
            hint = "; the line ends too early (cut off?)"
        elif "\x00" in line:
            hint = "; the line holds NUL bytes: is this a binary file?"
        elif "\r" in line:
            hint = "; the line holds a bare carriage return: end lines with \\n or \\r\\n"
        elif exc.msg == "Extra data":
            hint = "; one record per line: is a line break missing?"
        raise _LineError(
            f"invalid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno}){hint}"
        ) from None
    except RecursionError:
        raise _LineError("invalid JSON: nested too deeply for the parser") from None
    if "\\u" in line and (bad := _surrogate(value)) is not None:
        raise _LineError(f"string {_show(bad)} holds an unpaired surrogate escape: not valid Unicode text")
    return value


def _open(path: Path, name: str) -> IO[bytes]:
    try:
        return open(path, "rb")
    except IsADirectoryError:
        raise LabelDataError(name, None, "is a folder, not a JSON Lines file") from None
    except FileNotFoundError:
        raise LabelDataError(name, None, "no such file") from None
    except PermissionError:
        raise LabelDataError(name, None, "cannot read: permission denied") from None
    except OSError as exc:
        raise LabelDataError(name, None, f"cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:  # a NUL character in the path
        raise LabelDataError(name, None, f"not a usable path ({exc})") from None


def _lines(f: IO[bytes], name: str) -> Iterator[tuple[int, int, bytes]]:
    """``(line number, byte offset, content)`` of each non-blank line, line end removed."""
    n, offset = 0, 0
    while True:
        n += 1
        try:
            raw = f.readline(MAX_LINE_BYTES + 2)  # room for the longest line and its "\r\n"
        except OSError as exc:
            raise LabelDataError(name, n, f"cannot read ({exc.strerror or exc})") from None
        if not raw:
            return
        start, size = offset, len(raw)
        offset += size
        if n == 1:
            if raw.startswith(_UTF16_BOMS):
                raise LabelDataError(
                    name, None, "not UTF-8: the file starts with a UTF-16 byte-order mark; save it as UTF-8"
                )
            if raw.startswith(_BOM):
                raw, start = raw[len(_BOM) :], start + len(_BOM)
        if raw.endswith(b"\n"):
            raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
        if len(raw) > MAX_LINE_BYTES:
            # Stop here: reading on to the line's end could mean reading a gigabyte.
            raise LabelDataError(
                name, n, f"line longer than {MAX_LINE_BYTES:,} bytes: a labeled paragraph is one short line"
            )
        if (bom := raw.find(_BOM)) >= 0:
            raise LabelDataError(
                name,
                n,
                f"byte-order mark (EF BB BF) at byte offset {start + bom:,} of the file: "
                "it is allowed only at the very start of a file (were two files joined?)",
            )
        if raw.strip():
            yield n, start, raw


def _check_record(record: Any, path: str, line: int, events: Sequence[str] = EVENT_TYPES) -> dict[str, Any]:
    def fail(problem: str) -> LabelDataError:
        return LabelDataError(path, line, problem)

    if not isinstance(record, dict):
        kind = {list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
            type(record), "a number"
        )
        raise fail(f"expected a JSON object {{...}} with the fields of LABELS.md, got {kind}")
    for key, kind in REQUIRED.items():
        if key not in record:
            raise fail(f"missing field {key!r}")
        value = record[key]
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            raise fail(f"field {key!r} must be {_KIND[kind]}, got {_show(value)}")
    if "event" not in record:
        raise fail("missing field 'event' (null for irrelevant paragraphs)")
    for key, kind in OPTIONAL.items():
        if key in record and record[key] is not None and not isinstance(record[key], kind):
            raise fail(f"field {key!r} must be {_KIND[kind]} or null, got {_show(record[key])}")
    if not record["article_id"].strip():
        raise fail("empty 'article_id'")
    if record["position"] < 0:
        raise fail(f"negative position {record['position']}")
    text = record["text"]
    if not text.strip():
        raise fail("blank 'text': blank lines are not paragraphs (LABELS.md)")
    if text != text.strip():
        raise fail("'text' has surrounding white space: paragraphs are stripped (LABELS.md)")
    if len(text.splitlines()) != 1:
        raise fail("'text' holds a line break: one paragraph is one line (LABELS.md)")
    event = record["event"]
    if record["relevant"]:
        if event is None:
            raise fail("relevant paragraph without an event type")
        if not isinstance(event, str) or event not in events:
            raise fail(f"unknown event {_show(event)}; expected one of {', '.join(events)}")
    elif event is not None:
        raise fail(f"event {_show(event)} on an irrelevant paragraph (must be null)")
    if record["relevant"] and record.get("body") is False:
        raise fail("relevant paragraph with body false: relevant implies body (LABELS.md)")
    return record


def read_records(paths: Iterable[str | Path], *, events: Sequence[str] = EVENT_TYPES) -> list[dict[str, Any]]:
    """Read and validate labeled JSON Lines files.

    Parameters
    ----------
    paths : iterable of str or Path
        The files, read in this order. Blank lines are skipped.
    events : sequence of str
        The event types a relevant paragraph may have (a model's taxonomy);
        the fifteen of LABELS.md by default.

    Returns
    -------
    list of dict
        One record per paragraph, as in the file, plus ``source_file`` (the
        path as given) and ``line`` (its 1-based line number).

    Raises
    ------
    LabelDataError
        On the first violation of LABELS.md, naming the file, the line
        (``None`` for a problem of the whole file: unreadable, empty, UTF-16)
        and the problem in plain words.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> record = '{"article_id": "a", "position": 0, "text": "Nio sells 20,000 cars", "relevant": true, '
    >>> _ = (folder / "a.jsonl").write_text(record + '"event": "sales"}\\n')
    >>> [r["text"] for r in read_records([folder / "a.jsonl"])]
    ['Nio sells 20,000 cars']
    >>> _ = (folder / "b.jsonl").write_text(record + '"event": "sales", "event": null}\\n')
    >>> read_records([folder / "b.jsonl"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    autoclass.errors.LabelDataError: .../b.jsonl:1: duplicate key 'event' in one JSON object
    """
    records: list[dict[str, Any]] = []
    first_seen: dict[str, tuple[str, int]] = {}
    positions: dict[str, dict[int, int]] = {}
    opened: dict[tuple[int, int], str] = {}
    for path in paths:
        name = str(path)
        count = 0
        with _open(Path(path), name) as f:
            status = os.fstat(f.fileno())
            if (same := opened.get((status.st_dev, status.st_ino))) is not None:
                raise LabelDataError(name, None, f"given twice (also as {same}): read each file once")
            opened[status.st_dev, status.st_ino] = name
            for n, offset, raw in _lines(f, name):
                try:
                    record = _parse(raw, offset)
                except _LineError as exc:
                    raise LabelDataError(name, n, str(exc)) from None
                record = _check_record(record, name, n, events)
                aid = record["article_id"]
                if aid in first_seen and first_seen[aid][0] != name:
                    raise LabelDataError(
                        name,
                        n,
                        f"article {_show(aid)} also appears in {first_seen[aid][0]}: one article, one file",
                    )
                first_seen.setdefault(aid, (name, n))
                seen = positions.setdefault(aid, {})
                if record["position"] in seen:
                    raise LabelDataError(
                        name,
                        n,
                        f"duplicate position {record['position']} in article {_show(aid)} "
                        f"(first at line {seen[record['position']]})",
                    )
                seen[record["position"]] = n
                records.append({**record, "source_file": name, "line": n})
                count += 1
        if not count:
            raise LabelDataError(
                name, None, "no labeled paragraphs: the file is empty or holds only blank lines"
            )
    for aid, seen in positions.items():
        expected = set(range(len(seen)))
        if set(seen) != expected:
            missing = sorted(expected - set(seen))
            path, line = first_seen[aid]
            raise LabelDataError(
                path,
                line,
                f"positions of article {_show(aid)} are not 0..{len(seen) - 1} (missing {missing[:5]})",
            )
    return records


def label_files(folder: Path) -> list[Path]:
    """Every ``*.jsonl`` file under ``folder``, sorted; raise LabelDataError when there is none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise LabelDataError(str(folder), None, "no such folder" if not folder.exists() else "not a folder")
    files = sorted(folder.rglob("*.jsonl"))
    if not files:
        raise LabelDataError(str(folder), None, "no .jsonl files with labeled paragraphs")
    return files


@dataclass(frozen=True)
class Pages:
    """Labeled data grouped into pages, the unit of training and evaluation."""

    ids: list[str]
    sites: list[str]
    texts: list[list[str]]
    relevant: list[list[bool]]
    events: list[list[str | None]]
    # Is the line the page's own story, whatever its topic?  None where the
    # labels leave it unknown (LABELS.md: an absent ``body`` is unknown).
    body: list[list[bool | None]] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n_paragraphs(self) -> int:
        return sum(map(len, self.texts))


def page_order(record: dict[str, Any]) -> tuple[str, str, int]:
    """Sort key of records in page order: by file, article, then position."""
    return record["source_file"], record["article_id"], record["position"]


def pages_from_records(records: list[dict[str, Any]]) -> Pages:
    """Group validated records into pages, in :func:`page_order`."""
    order = sorted(records, key=page_order)
    ids: list[str] = []
    sites: list[str] = []
    texts: list[list[str]] = []
    relevant: list[list[bool]] = []
    events: list[list[str | None]] = []
    body: list[list[bool | None]] = []
    for r in order:
        if not ids or ids[-1] != r["article_id"]:
            ids.append(r["article_id"])
            sites.append(r.get("site") or r["article_id"])
            texts.append([])
            relevant.append([])
            events.append([])
            body.append([])
        texts[-1].append(r["text"])
        body[-1].append(True if r["relevant"] else r.get("body"))
        relevant[-1].append(r["relevant"])
        events[-1].append(r["event"])
    return Pages(ids, sites, texts, relevant, events, body)
