"""Reading and validating labeled data (LABELS.md): JSON Lines of paragraphs.

Every rule of LABELS.md that a file can break is checked line by line, and the
first violation is reported with its file and line: bad JSON, a missing or
mistyped field, an unknown event, an event on an irrelevant paragraph, a
relevant paragraph without one, a duplicate or missing position, a text that
is not one stripped non-blank line, an article split over two files.

This module needs nothing beyond the standard library, so that the
``autoclass audit`` command reads labels without the training extras;
``training.data`` turns validated records into a Hugging Face dataset.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autoclass.errors import LabelDataError
from autoclass.taxonomy import EVENT_TYPES

REQUIRED = {"article_id": str, "position": int, "text": str, "relevant": bool}
OPTIONAL = {"site": str, "url": str, "published": str}


def _check_record(record: Any, path: str, line: int) -> dict[str, Any]:
    def fail(problem: str) -> LabelDataError:
        return LabelDataError(path, line, problem)

    if not isinstance(record, dict):
        raise fail(f"expected a JSON object, got {type(record).__name__}")
    for key, kind in REQUIRED.items():
        if key not in record:
            raise fail(f"missing field {key!r}")
        value = record[key]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise fail(f"field 'position' must be an integer, got {value!r}")
        if not isinstance(value, kind):
            raise fail(f"field {key!r} must be {kind.__name__}, got {value!r}")
    if "event" not in record:
        raise fail("missing field 'event' (null for irrelevant paragraphs)")
    for key, kind in OPTIONAL.items():
        if key in record and record[key] is not None and not isinstance(record[key], kind):
            raise fail(f"field {key!r} must be {kind.__name__}, got {record[key]!r}")
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
        if event not in EVENT_TYPES:
            raise fail(f"unknown event {event!r}; expected one of {', '.join(EVENT_TYPES)}")
    elif event is not None:
        raise fail(f"event {event!r} on an irrelevant paragraph (must be null)")
    return record


def read_records(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Read and validate JSON Lines files; raise LabelDataError on the first violation."""
    records: list[dict[str, Any]] = []
    first_seen: dict[str, tuple[str, int]] = {}
    positions: dict[str, dict[int, int]] = {}
    for path in paths:
        name = str(path)
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as exc:
            raise LabelDataError(name, None, f"not UTF-8 text ({exc})") from exc
        except OSError as exc:
            raise LabelDataError(name, None, f"cannot read ({exc.strerror})") from exc
        for n, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise LabelDataError(name, n, f"invalid JSON ({exc.msg} at column {exc.colno})") from exc
            record = _check_record(record, name, n)
            aid = record["article_id"]
            if aid in first_seen and first_seen[aid][0] != name:
                raise LabelDataError(
                    name, n, f"article {aid!r} also appears in {first_seen[aid][0]}: one article, one file"
                )
            first_seen.setdefault(aid, (name, n))
            seen = positions.setdefault(aid, {})
            if record["position"] in seen:
                raise LabelDataError(
                    name,
                    n,
                    f"duplicate position {record['position']} in article {aid!r} "
                    f"(first at line {seen[record['position']]})",
                )
            seen[record["position"]] = n
            records.append({**record, "source_file": name, "line": n})
    for aid, seen in positions.items():
        expected = set(range(len(seen)))
        if set(seen) != expected:
            missing = sorted(expected - set(seen))
            path, line = first_seen[aid]
            raise LabelDataError(
                path, line, f"positions of article {aid!r} are not 0..{len(seen) - 1} (missing {missing[:5]})"
            )
    return records


def label_files(folder: Path) -> list[Path]:
    files = sorted(Path(folder).rglob("*.jsonl"))
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

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n_paragraphs(self) -> int:
        return sum(map(len, self.texts))


def pages_from_records(records: list[dict[str, Any]]) -> Pages:
    """Group validated records into pages, in file order then position order."""
    order = sorted(records, key=lambda r: (r["source_file"], r["article_id"], r["position"]))
    ids: list[str] = []
    sites: list[str] = []
    texts: list[list[str]] = []
    relevant: list[list[bool]] = []
    events: list[list[str | None]] = []
    for r in order:
        if not ids or ids[-1] != r["article_id"]:
            ids.append(r["article_id"])
            sites.append(r.get("site") or r["article_id"])
            texts.append([])
            relevant.append([])
            events.append([])
        texts[-1].append(r["text"])
        relevant[-1].append(r["relevant"])
        events[-1].append(r["event"])
    return Pages(ids, sites, texts, relevant, events)
