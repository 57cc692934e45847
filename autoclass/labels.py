"""Reading and validating labeled data (the labeling guide, ``autoclass/GUIDE.md``): JSON Lines of paragraphs.

Every rule of the labeling guide that a file can break is checked line by
line, and each violation is reported with its file and line (the first by
:func:`read_records`, every one by :func:`check_records`): bad JSON, a missing or
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
``autoclass.training.data`` turns validated records into a Hugging Face dataset.
"""

from __future__ import annotations

import difflib
import gzip
import json
import os
import warnings
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from autoclass.errors import AutoclassError, LabelDataError
from autoclass.taxonomy import EVENT_TYPES, TAXONOMY_FILE

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


def _site(value: Any) -> str:
    return "no site" if value is None else f"site {_show(value)}"


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


_GZIP_MAGIC = b"\x1f\x8b"
#: Names of label files in a folder (any case); gzip-compressed files are read as they are.
LABEL_SUFFIXES = (".jsonl", ".jsonl.gz")


def _open(path: Path, name: str) -> IO[bytes]:
    try:
        f = open(path, "rb")
        if f.read(2) != _GZIP_MAGIC:
            f.seek(0)
            return f
        f.close()
        return gzip.open(path, "rb")  # type: ignore[return-value]
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
    """``(line number, byte offset, content)`` of each non-blank line, line end removed.

    A line is checked by its reader (a byte-order mark inside it is a problem of
    that line, and reading goes on); a line too long to hold ends the file.
    """
    n, offset = 0, 0
    while True:
        n += 1
        try:
            raw = f.readline(MAX_LINE_BYTES + 2)  # room for the longest line and its "\r\n"
        except OSError as exc:
            raise LabelDataError(name, n, f"cannot read ({exc.strerror or exc})") from None
        except (EOFError, zlib.error) as exc:  # a gzip file cut short or corrupt
            raise LabelDataError(name, n, f"cannot read: a broken gzip file ({exc})") from None
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
        if raw.strip():
            yield n, start, raw


def _no_bom(raw: bytes, offset: int) -> bytes:
    """``raw``; raise _LineError if it holds a byte-order mark, allowed only at a file's very start."""
    if (bom := raw.find(_BOM)) >= 0:
        raise _LineError(
            f"byte-order mark (EF BB BF) at byte offset {offset + bom:,} of the file: "
            "it is allowed only at the very start of a file (were two files joined?)"
        )
    return raw


def _check_record(record: Any, path: str, line: int, events: tuple[str, ...]) -> dict[str, Any]:
    def fail(problem: str) -> LabelDataError:
        return LabelDataError(path, line, problem)

    if not isinstance(record, dict):
        kind = {list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
            type(record), "a number"
        )
        raise fail(f"expected a JSON object {{...}} with the fields of the labeling guide, got {kind}")
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
        raise fail("blank 'text': blank lines are not paragraphs (labeling guide)")
    if text != text.strip():
        raise fail("'text' has surrounding white space: paragraphs are stripped (labeling guide)")
    if len(text.splitlines()) != 1:
        raise fail("'text' holds a line break: one paragraph is one line (labeling guide)")
    event = record["event"]
    if record["relevant"]:
        if event is None:
            raise fail("relevant paragraph without an event type")
        if not isinstance(event, str) or event not in events:
            raise fail(f"unknown event {_show(event)}; expected one of {', '.join(events)}")
    elif event is not None:
        raise fail(f"event {_show(event)} on an irrelevant paragraph (must be null)")
    if record["relevant"] and record.get("body") is False:
        raise fail("relevant paragraph with body false: relevant implies body")
    return record


def read_records(paths: Iterable[str | Path], *, events: Sequence[str] = EVENT_TYPES) -> list[dict[str, Any]]:
    """Read and validate labeled JSON Lines files.

    Parameters
    ----------
    paths : iterable of str or Path
        The files, read in this order. Blank lines are skipped.
    events : sequence of str
        The event types a relevant paragraph may have (the taxonomy; see
        :mod:`autoclass.taxonomy`); the default fifteen when omitted.

    Returns
    -------
    list of dict
        One record per paragraph, as in the file, plus ``source_file`` (the
        path as given) and ``line`` (its 1-based line number).

    Raises
    ------
    LabelDataError
        On the first violation of the labeling guide, naming the file, the
        line (``None`` for a problem of the whole file: unreadable, empty,
        UTF-16) and the problem in plain words.  :func:`check_records`
        reports every problem instead.

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
    records = []
    for item in _scan(paths, tuple(events)):
        if isinstance(item, LabelDataError):
            raise item
        records.append(item)
    return records


@dataclass(frozen=True)
class LabelCheck:
    """What :func:`check_records` found.

    Attributes
    ----------
    records : list of dict
        The valid records (as :func:`read_records` gives them).
    problems : list of LabelDataError
        The first problems, in file and line order (at most the limit asked).
    n_problems : int
        Every problem found, shown or not.
    n_files : int
        Files with at least one problem.
    """

    records: list[dict[str, Any]]
    problems: list[LabelDataError]
    n_problems: int
    n_files: int = 0

    @property
    def ok(self) -> bool:
        return self.n_problems == 0

    def summary(self) -> str:
        """One line: how many problems, in how many files.

        Examples
        --------
        >>> LabelCheck([], [LabelDataError("a.jsonl", 3, "bad")], 1, 1).summary()
        '1 problem in 1 file'
        """
        noun = "problem" if self.n_problems == 1 else "problems"
        return f"{self.n_problems:,} {noun} in {self.n_files:,} file{'' if self.n_files == 1 else 's'}"


class InvalidLabelsError(AutoclassError, ValueError):
    """Label files that break the labeling guide; ``check`` holds every problem found.

    Attributes
    ----------
    check : LabelCheck
        The valid records, the first problems and their count.
    against : str
        Where the event types checked against come from, said when a label
        has an unknown type ("" when not known).
    """

    def __init__(self, check: LabelCheck, *, against: str = "") -> None:
        self.check = check
        self.against = against
        first = check.problems[0] if check.problems else "?"
        super().__init__(f"{check.summary()} in the labels, the first: {first}")


def checked_records(
    paths: Iterable[str | Path],
    *,
    events: Sequence[str] = EVENT_TYPES,
    limit: int | None = 20,
    against: str = "",
) -> list[dict[str, Any]]:
    """The valid records of label files; every problem (the first ``limit`` listed) when there is one.

    As :func:`read_records`, but a bad file raises :class:`InvalidLabelsError`
    with all its problems, not the first alone: what the commands that read
    labels (train, evaluate, audit) report; ``against`` says where ``events``
    come from (:class:`InvalidLabelsError`).
    """
    check = check_records(paths, events=events, limit=limit)
    if not check.ok:
        raise InvalidLabelsError(check, against=against)
    return check.records


def check_records(
    paths: Iterable[str | Path], *, events: Sequence[str] = EVENT_TYPES, limit: int | None = 100
) -> LabelCheck:
    """Validate labeled files and report every problem, not only the first.

    A bad line is reported and skipped, and reading goes on with the next
    line (a byte-order mark inside a file too); a file that cannot be read on
    (unreadable, UTF-16, a line over :data:`MAX_LINE_BYTES`) is reported once
    and left.  Problems that would only follow from one already reported (a
    gap in positions where a refused line sits, or may sit when its article
    and position cannot be read; a file empty of valid lines) are left out.  Memory stays
    bounded: only the first ``limit`` problems are kept, the rest counted.

    Parameters
    ----------
    paths : iterable of str or Path
        The files, read in this order.
    events : sequence of str
        The event types of the taxonomy.
    limit : int or None
        Problems kept in :attr:`LabelCheck.problems`; ``None`` keeps all.

    Returns
    -------
    LabelCheck

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> good = '{"article_id": "a", "position": 0, "text": "Nio sells", "relevant": true, "event": "sales"}'
    >>> _ = path.write_text("\\n".join([good, "{", good.replace("sales", "weather")]) + "\\n")
    >>> result = check_records([path])
    >>> result.n_problems, [(p.line, p.problem[:20]) for p in result.problems]
    (2, [(2, 'invalid JSON (Expect'), (3, "unknown event 'weath")])
    """
    records: list[dict[str, Any]] = []
    problems: list[LabelDataError] = []
    files: set[str] = set()
    count = 0
    for item in _scan(paths, tuple(events), go_on=True):
        if isinstance(item, LabelDataError):
            count += 1
            files.add(item.path)
            if limit is None or len(problems) < limit:
                problems.append(item)
        else:
            records.append(item)
    return LabelCheck(records, problems, count, len(files))


def _scan(
    paths: Iterable[str | Path], events: tuple[str, ...], *, go_on: bool = False
) -> Iterator[dict[str, Any] | LabelDataError]:
    """Valid records and problems, in file and line order; with ``go_on``, past bad lines too."""
    placed = _Placement()
    first_seen, positions = placed.first_seen, placed.positions
    opened: dict[tuple[int, int], str] = {}
    troubled: set[str] = set()  # files with a problem: no "empty file" reported for them
    # Files with a line whose article and position cannot be read (not JSON, cut short, a file
    # that cannot be read on): a gap in an article's positions there may be that line.
    unplaced: set[str] = set()
    refused: dict[str, set[int]] = {}  # positions of refused lines, by article: no gap there
    warned: set[tuple[str, str]] = set()
    for path in paths:
        name = str(path)
        count = 0
        try:
            with _open(Path(path), name) as f:
                status = os.fstat(f.fileno())
                if (same := opened.get((status.st_dev, status.st_ino))) is not None:
                    raise LabelDataError(name, None, f"given twice (also as {same}): read each file once")
                opened[status.st_dev, status.st_ino] = name
                for n, offset, raw in _lines(f, name):
                    value = None
                    try:
                        value = _parse(_no_bom(raw, offset), offset)
                        record = _check_record(value, name, n, events)
                    except _LineError as exc:
                        problem = LabelDataError(name, n, str(exc))
                    except LabelDataError as exc:
                        problem = exc
                    else:
                        problem = placed.place(record, name, n)
                    if problem is not None:
                        slot = _slot(value) if value is not None else _line_slot(raw, offset)
                        if slot is None:
                            unplaced.add(name)
                        else:
                            refused.setdefault(slot[0], set()).add(slot[1])
                        troubled.add(name)
                        if problem is _SAID:
                            continue
                        yield problem
                        if not go_on:
                            return
                        continue
                    _warn_misspelled(record, name, n, warned)
                    yield {**record, "source_file": name, "line": n}
                    count += 1
        except LabelDataError as exc:  # the file cannot be read (on)
            troubled.add(name)
            unplaced.add(name)
            yield exc
            if not go_on:
                return
            continue
        if not count and name not in troubled:
            yield LabelDataError(
                name, None, "no labeled paragraphs: the file is empty or holds only blank lines"
            )
            if not go_on:
                return
    for aid, seen in positions.items():
        path, line = first_seen[aid]
        held = set(seen) | refused.get(aid, set())
        expected = set(range(len(held)))
        if held != expected and path not in unplaced:
            missing = sorted(expected - held)
            # The line to mend: the first position past the end (a typo, a gap), not the article's first line.
            past = [p for p in seen if p not in expected]
            if not past:  # the line past the end was refused, and is reported already
                continue
            beyond = min(past)
            yield LabelDataError(
                path,
                seen[beyond],
                f"position {beyond} of article {_show(aid)}: its positions are not 0..{len(seen) - 1} "
                f"(missing {missing[:5]})",
            )
            if not go_on:
                return


def _line_slot(raw: bytes, offset: int) -> tuple[str, int] | None:
    """The article and position of a line refused before its record was read (a byte-order mark in it)."""
    try:
        return _slot(_parse(raw.replace(_BOM, b""), offset))
    except _LineError:
        return None


def _slot(value: Any) -> tuple[str, int] | None:
    """The article and position a refused record names, when it names them readably."""
    if not isinstance(value, dict):
        return None
    aid, position = value.get("article_id"), value.get("position")
    if isinstance(aid, str) and isinstance(position, int) and not isinstance(position, bool):
        return aid, position
    return None


#: A line refused for a problem already named (a copied article's line as in its first file).
_SAID = LabelDataError("", None, "named already")


def _labels(record: dict[str, Any]) -> tuple[Any, ...]:
    return record["text"], record["relevant"], record["event"], record.get("body")


@dataclass
class _Placement:
    """Where each article's paragraphs sit, as the files are read: their file, positions and site."""

    first_seen: dict[str, tuple[str, int]] = field(default_factory=dict)
    positions: dict[str, dict[int, int]] = field(default_factory=dict)
    sites: dict[str, tuple[Any, int]] = field(default_factory=dict)
    # The labels of each article's paragraphs in its first file, and the copies in other files named:
    # a copy is named once, then only its lines labeled otherwise (a page copied 15 lines gave 15).
    labels: dict[tuple[str, int], tuple[Any, ...]] = field(default_factory=dict)
    copies: set[tuple[str, str]] = field(default_factory=set)

    def place(self, record: dict[str, Any], name: str, n: int) -> LabelDataError | None:
        """Record where the paragraph sits in its article; the problem if it cannot sit there."""
        aid = record["article_id"]
        if aid in self.first_seen and self.first_seen[aid][0] != name:
            return self._copy(record, name, n)
        self.first_seen.setdefault(aid, (name, n))
        site = record.get("site")
        if aid in self.sites and self.sites[aid][0] != site:
            first_site, line = self.sites[aid]
            return LabelDataError(
                name,
                n,
                f"article {_show(aid)} has {_site(site)} here and {_site(first_site)} on its line {line}: "
                "a page comes from one site (give every line the same site, or none)",
            )
        self.sites.setdefault(aid, (site, n))
        seen = self.positions.setdefault(aid, {})
        if record["position"] in seen:
            return LabelDataError(
                name,
                n,
                f"duplicate position {record['position']} in article {_show(aid)} "
                f"(first at line {seen[record['position']]})",
            )
        seen[record["position"]] = n
        self.labels[aid, record["position"]] = _labels(record)
        return None

    def _copy(self, record: dict[str, Any], name: str, n: int) -> LabelDataError | None:
        """A line of an article first read in another file: the copy named once, then its differences."""
        aid, position = record["article_id"], record["position"]
        first = self.first_seen[aid][0]
        line = self.positions.get(aid, {}).get(position)
        differs = line is not None and self.labels[aid, position] != _labels(record)
        if (aid, name) not in self.copies:
            self.copies.add((aid, name))
            return LabelDataError(
                name,
                n,
                f"article {_show(aid)} also appears in {first}: one article, one file (its other lines "
                "here are named only where they differ from that file's)",
            )
        if not differs:
            return _SAID
        return LabelDataError(
            name,
            n,
            f"article {_show(aid)}, position {position}: labeled otherwise in {first}, line {line}",
        )


#: The labeling guide's fields; other fields are kept and not read (drafts add their own).
FIELDS = (*REQUIRED, "event", *OPTIONAL)


def _warn_misspelled(record: dict[str, Any], name: str, line: int, warned: set[tuple[str, str]]) -> None:
    # A field the guide does not name is allowed, but one a letter or a case away from a
    # guide's field ("sitee", "Relevant") is a typo whose label is silently not read.
    for key in record.keys() - set(FIELDS):
        near = [f for f in FIELDS if f == key.lower()] or difflib.get_close_matches(
            key, FIELDS, n=1, cutoff=0.8
        )
        if near and (name, key) not in warned:
            warned.add((name, key))
            warnings.warn(
                f"{name}:{line}: field {key!r} is not read: did you mean {near[0]!r}? (said once per file)",
                stacklevel=3,
            )


def scan_article_ids(paths: Iterable[str | Path]) -> set[str]:
    """The article ids of label files, scanned line by line without validating anything.

    For files that may have changed or broken since they were checked (a
    model's training files, an output another process appends to), where
    validating would cost more than the question is worth. Gzip-compressed
    files are read as they are.
    """
    ids = set()
    for path in paths:
        with _open(Path(path), str(path)) as f:
            for raw in f:
                try:
                    record = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(record, dict) and isinstance(record.get("article_id"), str):
                    ids.add(record["article_id"])
    return ids


def label_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The label files named, and every ``*.jsonl`` file inside the folders named, each once.

    Raises
    ------
    LabelDataError
        If a path does not exist, or a folder holds no ``.jsonl`` file.
    """
    unique: dict[Path, Path] = {}
    for path in map(Path, paths):
        if not path.exists():
            raise LabelDataError(str(path), None, "no such file or folder")
        for f in label_files(path) if path.is_dir() else [path]:
            unique.setdefault(f.resolve(), f)
    return list(unique.values())


def is_label_file(path: Path) -> bool:
    """Whether a folder's file is read as labels: ``*.jsonl`` or ``*.jsonl.gz``, any case."""
    return path.name.lower().endswith(LABEL_SUFFIXES) and path.is_file()


def label_files(folder: Path) -> list[Path]:
    """Every ``*.jsonl`` (or ``*.jsonl.gz``, any case) file under ``folder``, sorted.

    Raises
    ------
    LabelDataError
        When there is none.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise LabelDataError(str(folder), None, "no such folder" if not folder.exists() else "not a folder")
    found = sorted(folder.rglob("*"))
    files = [p for p in found if is_label_file(p)]
    # JSON of another name is not read: said, since labels saved as .json were dropped in silence.
    unread = [p for p in found if p.name.lower().endswith(_NEAR_SUFFIXES) and p.name != TAXONOMY_FILE]
    if unread:
        names = ", ".join(str(p) for p in unread[:3]) + (
            f" and {len(unread) - 3} more" if len(unread) > 3 else ""
        )
        warnings.warn(
            f"not read as labels: {names} (a label file's name ends in .jsonl or .jsonl.gz)", stacklevel=2
        )
    if not files:
        raise LabelDataError(str(folder), None, "no .jsonl files with labeled paragraphs")
    return files


# Names of files that may hold labels under another suffix, which a folder's reading says it skips.
_NEAR_SUFFIXES = (".json", ".json.gz", ".ndjson", ".ndjson.gz", ".jsonlines", ".jsonl.bz2", ".jsonl.xz")


@dataclass(frozen=True)
class Pages:
    """Labeled data grouped into pages, the unit of training and evaluation.

    ``event_types`` is the taxonomy the labels were validated against: the
    event types a model trained on these pages predicts.
    """

    ids: list[str]
    sites: list[str]
    texts: list[list[str]]
    relevant: list[list[bool]]
    events: list[list[str | None]]
    # Is the line the page's own story, whatever its topic?  None where the
    # labels leave it unknown (the labeling guide: an absent ``body`` is unknown).
    body: list[list[bool | None]] | None = None
    event_types: tuple[str, ...] = EVENT_TYPES

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n_paragraphs(self) -> int:
        return sum(map(len, self.texts))


def join_pages(*parts: Pages) -> Pages:
    """Several sets of pages as one, in order (the taxonomy of the first)."""
    return Pages(
        [i for p in parts for i in p.ids],
        [s for p in parts for s in p.sites],
        [t for p in parts for t in p.texts],
        [r for p in parts for r in p.relevant],
        [e for p in parts for e in p.events],
        [b for p in parts for b in (p.body or [[None] * len(t) for t in p.texts])],
        event_types=parts[0].event_types,
    )


def subset(pages: Pages, index: Sequence[int]) -> Pages:
    """The pages at ``index``, in that order."""
    idx = [int(i) for i in index]
    return Pages(
        [pages.ids[i] for i in idx],
        [pages.sites[i] for i in idx],
        [pages.texts[i] for i in idx],
        [pages.relevant[i] for i in idx],
        [pages.events[i] for i in idx],
        [pages.body[i] for i in idx] if pages.body is not None else None,
        event_types=pages.event_types,
    )


def page_order(record: dict[str, Any]) -> tuple[str, str, int]:
    """Sort key of records in page order: by file, article, then position."""
    return record["source_file"], record["article_id"], record["position"]


def pages_from_records(records: list[dict[str, Any]], *, event_types: Sequence[str] = EVENT_TYPES) -> Pages:
    """Group validated records into pages, in :func:`page_order`; ``event_types``: their taxonomy."""
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
    return Pages(ids, sites, texts, relevant, events, body, tuple(event_types))
