"""Output records of ``autoclass predict``: encoding them as JSON Lines, CSV or Arrow.

Workers encode (:func:`encode_results`); the main process only appends the
encoded chunks to the output (:mod:`autoclass.cli.outputs`).

JSON Lines output is deterministic: keys in a fixed order (``id``, ``url``
when known, ``headline``, ``main_event``, ``tags``, ``text``, then
``paragraphs``; ``id`` and ``error`` for error records), tags largest first
as the model orders them, no ASCII escaping and compact separators.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from autoclass.cli.errors import MissingExtraError

if TYPE_CHECKING:
    from autoclass.article import Article
    from autoclass.cli.records import Result

FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")
CSV_COLUMNS: tuple[str, ...] = ("id", "main_event", "tags", "n_paragraphs", "n_kept", "error")

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def format_for(path: str | None) -> str:
    """The output format a path implies: ``csv``, ``parquet`` or ``jsonl``.

    Examples
    --------
    >>> format_for("out.parquet"), format_for("out.csv"), format_for(None)
    ('parquet', 'csv', 'jsonl')
    """
    lowered = (path or "").lower()
    if lowered.endswith(".parquet"):
        return "parquet"
    if lowered.endswith(".csv"):
        return "csv"
    return "jsonl"


def format_tags(tags: dict[str, float]) -> str:
    """Tags as one CSV cell: ``event:weight`` pairs joined by ``;``, largest first.

    Examples
    --------
    >>> format_tags({"sales": 0.75, "trade": 0.25})
    'sales:0.75;trade:0.25'
    """
    return ";".join(f"{event}:{weight}" for event, weight in tags.items())


def _headline(article: Article) -> str | None:
    headline = article.headline
    return None if headline is None else headline.text


def encode_jsonl(results: Iterable[Result], *, paragraphs: bool = False) -> list[str]:
    """One JSON line (with its newline) per result.

    Examples
    --------
    >>> encode_jsonl([("p1", None, "empty page: only white space")])
    ['{"id":"p1","error":"empty page: only white space"}\\n']
    """
    encode = _ENCODER.encode
    lines = []
    for record_id, article, error in results:
        if article is None:
            record: dict[str, Any] = {"id": record_id, "error": error}
        else:
            record = {
                "id": record_id,
                **({"url": article.url} if article.url is not None else {}),
                "headline": _headline(article),
                "main_event": article.main_event,
                "tags": article.tags,
                "text": article.text,
            }
            if paragraphs:
                record["paragraphs"] = [p.to_dict() for p in article.paragraphs]
        lines.append(encode(record) + "\n")
    return lines


def encode_csv(results: Iterable[Result]) -> list[str]:
    """One CSV row (``CSV_COLUMNS``, with its newline) per result.

    Examples
    --------
    >>> encode_csv([("a,b", None, "invalid JSON: Expecting value (column 1)")])
    ['"a,b",,,,,invalid JSON: Expecting value (column 1)\\n']
    """
    buffer = io.StringIO()
    plain = csv.writer(buffer, lineterminator="\n")
    # The csv module leaves a bare "\r" unquoted when the line terminator is
    # "\n", and readers then split the row: such rows are written all quoted.
    quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    rows = []
    for record_id, article, error in results:
        writer = quoted if "\r" in record_id or (error and "\r" in error) else plain
        if article is None:
            writer.writerow((record_id, "", "", "", "", error))
        else:
            kept = sum(p.relevant for p in article.paragraphs)
            writer.writerow(
                (
                    record_id,
                    article.main_event or "",
                    format_tags(article.tags),
                    len(article.paragraphs),
                    kept,
                    "",
                )
            )
        rows.append(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
    return rows


def pyarrow_module() -> Any:
    """``pyarrow``, or an error naming the extra that brings it."""
    try:
        import pyarrow
    except ImportError as exc:
        raise MissingExtraError("Parquet output", "cli") from exc
    return pyarrow


def arrow_schema(*, paragraphs: bool = False) -> Any:
    """The Arrow schema of Parquet output (a ``pyarrow.Schema``)."""
    pa = pyarrow_module()
    scores = pa.map_(pa.string(), pa.float64())
    fields = [
        ("id", pa.string()),
        ("url", pa.string()),
        ("headline", pa.string()),
        ("main_event", pa.string()),
        ("tags", scores),
        ("text", pa.string()),
        ("n_paragraphs", pa.int64()),
        ("n_kept", pa.int64()),
        ("error", pa.string()),
    ]
    if paragraphs:
        paragraph = pa.struct(
            [
                ("position", pa.int64()),
                ("text", pa.string()),
                ("relevant", pa.bool_()),
                ("relevance", pa.float64()),
                ("body", pa.float64()),
                ("event", pa.string()),
                ("event_scores", scores),
                ("path", pa.string()),
            ]
        )
        fields.append(("paragraphs", pa.list_(paragraph)))
    return pa.schema(fields)


def encode_arrow(results: Iterable[Result], *, paragraphs: bool = False) -> Any:
    """The results as one ``pyarrow.RecordBatch`` of :func:`arrow_schema`."""
    pa = pyarrow_module()
    rows = []
    for record_id, article, error in results:
        if article is None:
            rows.append({"id": record_id, "error": error})
            continue
        row = {
            "id": record_id,
            "url": article.url,
            "headline": _headline(article),
            "main_event": article.main_event,
            "tags": list(article.tags.items()),
            "text": article.text,
            "n_paragraphs": len(article.paragraphs),
            "n_kept": sum(p.relevant for p in article.paragraphs),
        }
        if paragraphs:
            # Every field of Paragraph.to_dict(), as in JSON Lines; path is null for text input.
            row["paragraphs"] = [
                {**p.to_dict(), "event_scores": list(p.event_scores.items()), "path": p.path}
                for p in article.paragraphs
            ]
        rows.append(row)
    return pa.RecordBatch.from_pylist(rows, schema=arrow_schema(paragraphs=paragraphs))


def encode_results(results: Iterable[Result], *, output_format: str, paragraphs: bool = False) -> Any:
    """Encode results for a sink of ``output_format``: lines of text, or an Arrow batch."""
    if output_format == "jsonl":
        return encode_jsonl(results, paragraphs=paragraphs)
    if output_format == "csv":
        return encode_csv(results)
    if output_format == "parquet":
        return encode_arrow(results, paragraphs=paragraphs)
    raise ValueError(f"unknown output format {output_format!r}; use one of {FORMATS}")


def head(payload: Any, n: int) -> Any:
    """The first ``n`` records of an encoded payload."""
    return payload.slice(0, n) if hasattr(payload, "slice") else payload[:n]
