"""Prodigy and doccano JSON Lines: one record per page, its lines joined by newlines, labels as spans.

Prodigy (``ner.manual`` / ``spans.manual`` input and ``db-out`` output)::

    {"text": "Nio delivers 20,000 cars\\nShare", "spans": [{"start": 0, "end": 24, "label": "sales"}],
     "meta": {"article_id": "p1", "body": [true, null]}, "answer": "accept"}

doccano (sequence labeling import and export)::

    {"text": "Nio delivers 20,000 cars\\nShare", "label": [[0, 24, "sales"]], "article_id": "p1",
     "body": [true, null]}

doccano's ``entities`` (``{"start_offset", "end_offset", "label"}``) are read
too.  A span labels every line it overlaps: an event type makes the line
relevant, ``body`` marks a line that is not relevant as the page's own
story.  ``article_id``, the optional fields of the labeling guide and every line's
``body`` value travel in ``meta`` (Prodigy) or beside the text (doccano).
Prodigy records answered ``reject`` or ``ignore`` are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autoclass.errors import LabelDataError
from autoclass.formats.pages import build_page, line_labels, page_meta
from autoclass.labeling.drafts import DraftPage

DIALECTS: tuple[str, ...] = ("prodigy", "doccano")


def _spans(page: DraftPage) -> list[tuple[int, int, str]]:
    spans, offset = [], 0
    for record, label in zip(page.records, line_labels(page)):
        if label is not None:
            spans.append((offset, offset + len(record["text"]), label))
        offset += len(record["text"]) + 1
    return spans


def to_records(pages: Sequence[DraftPage], *, dialect: str) -> list[dict[str, Any]]:
    """One Prodigy or doccano record per page.

    Parameters
    ----------
    pages : sequence of DraftPage
        Labeled (or drafted) pages.
    dialect : str
        ``"prodigy"`` or ``"doccano"``.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> line = {"article_id": "p1", "position": 0, "text": "Nio sells cars", "relevant": True}
    >>> line["event"] = "sales"
    >>> share = {**line, "position": 1, "text": "Share", "relevant": False, "event": None, "body": False}
    >>> to_records([DraftPage("p1", [line, share])], dialect="doccano")  # doctest: +NORMALIZE_WHITESPACE
    [{'text': 'Nio sells cars\\nShare', 'label': [[0, 14, 'sales']], 'article_id': 'p1',
      'body': [None, False]}]
    """
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {DIALECTS}, not {dialect!r}")
    out = []
    for page in pages:
        text = "\n".join(r["text"] for r in page.records)
        spans = _spans(page)
        if dialect == "prodigy":
            out.append(
                {
                    "text": text,
                    "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans],
                    "meta": page_meta(page),
                    "answer": "accept",
                }
            )
        else:
            out.append({"text": text, "label": [[s, e, label] for s, e, label in spans], **page_meta(page)})
    return out


def _lines(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Non-blank lines of ``text``, stripped (as the labeling guide splits a page), and where each lies."""
    lines, bounds, offset = [], [], 0
    for raw in text.splitlines(keepends=True):
        if raw.strip():
            lines.append(raw.strip())
            bounds.append((offset, offset + len(raw)))
        offset += len(raw)
    return lines, bounds


def _record_spans(record: dict[str, Any]) -> list[tuple[Any, Any, Any]] | None:
    if isinstance(record.get("spans"), list):
        return [
            (s.get("start"), s.get("end"), s.get("label")) for s in record["spans"] if isinstance(s, dict)
        ]
    for key in ("label", "labels"):
        if isinstance(record.get(key), list):
            return [
                tuple(s) if isinstance(s, list) and len(s) == 3 else (None, None, None) for s in record[key]
            ]
    if isinstance(record.get("entities"), list):
        return [
            (s.get("start_offset"), s.get("end_offset"), s.get("label"))
            for s in record["entities"]
            if isinstance(s, dict)
        ]
    return None


def from_records(
    records: Sequence[tuple[int, Any]], *, event_types: Sequence[str], source: str
) -> tuple[list[DraftPage], int]:
    """Labeled pages from Prodigy or doccano records (either, record by record).

    Parameters
    ----------
    records : sequence of (int, object)
        Each record with its line number in ``source``.
    event_types : sequence of str
        The event types labels may use.
    source : str
        The file, named in error messages.

    Returns
    -------
    pages : list of DraftPage
        In order.
    skipped : int
        Prodigy records answered ``reject`` or ``ignore``.

    Raises
    ------
    LabelDataError
        On a record that cannot be read as a page, with file and line.
    """
    pages: list[DraftPage] = []
    skipped = 0
    for line, record in records:
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise LabelDataError(source, line, "expected an object with the page's 'text'")
        if record.get("answer", "accept") != "accept":
            skipped += 1
            continue
        spans = _record_spans(record)
        if spans is None:
            raise LabelDataError(
                source, line, "no spans: expected 'spans' (Prodigy), 'label' or 'entities' (doccano)"
            )
        texts, bounds = _lines(record["text"])
        labels: list[set[str]] = [set() for _ in texts]
        for start, end, label in spans:
            if not (
                isinstance(start, int) and isinstance(end, int) and isinstance(label, str) and start < end
            ):
                raise LabelDataError(
                    source, line, f"a span is [start, end, label] with start < end: {start, end, label}"
                )
            for i, (a, b) in enumerate(bounds):
                if start < b and a < end:
                    labels[i].add(label)
        meta = record["meta"] if isinstance(record.get("meta"), dict) else record
        pages.append(
            build_page(
                texts,
                labels,
                meta,
                event_types=event_types,
                where=(source, line),
                default_id=f"{source}:{line}",
            )
        )
    return pages, skipped
