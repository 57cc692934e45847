"""Output of ``autoclass predict``: encoding records and writing them safely.

Workers encode (:func:`encode_results`); the main process only appends the
encoded chunks to the output and flushes after each one (:class:`TextSink`,
:class:`ParquetSink`), so an interrupted run leaves every complete record in
place.  :func:`complete_records` finds how many there are and cuts off a
partial last record, which is what ``--resume`` starts from.

JSON Lines output is deterministic: keys in a fixed order (``id``,
``main_event``, ``tags``, ``text``, then ``paragraphs``; ``id`` and ``error``
for error records), tags largest first as the model orders them, no ASCII
escaping and compact separators.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

from autoclass.cli.errors import MissingExtraError

if TYPE_CHECKING:
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


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError as exc:
        raise MissingExtraError("Parquet output", "cli") from exc
    return pyarrow


def arrow_schema(*, paragraphs: bool = False) -> Any:
    """The Arrow schema of Parquet output (a ``pyarrow.Schema``)."""
    pa = _pyarrow()
    scores = pa.map_(pa.string(), pa.float64())
    fields = [
        ("id", pa.string()),
        ("url", pa.string()),
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
                ("event", pa.string()),
                ("event_scores", scores),
            ]
        )
        fields.append(("paragraphs", pa.list_(paragraph)))
    return pa.schema(fields)


def encode_arrow(results: Iterable[Result], *, paragraphs: bool = False) -> Any:
    """The results as one ``pyarrow.RecordBatch`` of :func:`arrow_schema`."""
    pa = _pyarrow()
    rows = []
    for record_id, article, error in results:
        if article is None:
            rows.append({"id": record_id, "error": error})
            continue
        row = {
            "id": record_id,
            "url": article.url,
            "main_event": article.main_event,
            "tags": list(article.tags.items()),
            "text": article.text,
            "n_paragraphs": len(article.paragraphs),
            "n_kept": sum(p.relevant for p in article.paragraphs),
        }
        if paragraphs:
            row["paragraphs"] = [
                {**p.to_dict(), "event_scores": list(p.event_scores.items())} for p in article.paragraphs
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


def _complete_jsonl(f: IO[bytes]) -> tuple[int, int]:
    records = end = offset = 0
    for block in iter(lambda: f.read(1 << 20), b""):
        newlines = block.count(b"\n")
        if newlines:
            records += newlines
            end = offset + block.rindex(b"\n") + 1
        offset += len(block)
    return records, end


def _complete_csv(f: IO[bytes]) -> tuple[int, int]:
    offset = 0

    def lines():
        nonlocal offset
        for raw in f:
            if not raw.endswith(b"\n"):
                return
            offset += len(raw)
            yield raw.decode("utf-8")

    rows = end = 0
    try:
        for _ in csv.reader(lines(), strict=True):
            rows, end = rows + 1, offset
    except csv.Error:  # the last row was cut inside a quoted field
        pass
    if rows and end:
        return rows - 1, end  # the header is not a record
    return 0, 0


def complete_records(path: str | os.PathLike, output_format: str, *, truncate: bool = False) -> int:
    """Count the complete records of an output file, optionally cutting off the rest.

    Parameters
    ----------
    path : str or path-like
        A JSON Lines or CSV file written by ``autoclass predict``.
    output_format : str
        ``"jsonl"`` or ``"csv"``.
    truncate : bool
        Cut the file after its last complete record (a CSV file without a
        complete header is emptied).

    Returns
    -------
    int
        Complete records (the CSV header excluded); 0 when the file is missing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl"
    >>> _ = out.write_bytes(b'{"id":"a"}\\n{"id":"b"}\\n{"id"')
    >>> complete_records(out, "jsonl", truncate=True), out.read_bytes()
    (2, b'{"id":"a"}\\n{"id":"b"}\\n')
    """
    if output_format not in ("jsonl", "csv"):
        raise ValueError(f"cannot count the records of {output_format} output; use jsonl or csv")
    if not os.path.exists(path):
        return 0
    with open(path, "rb") as f:
        records, end = _complete_jsonl(f) if output_format == "jsonl" else _complete_csv(f)
    if truncate and os.path.getsize(path) != end:
        os.truncate(path, end)
    return records


class TextSink:
    """JSON Lines or CSV output, appended chunk by chunk and flushed each time.

    Parameters
    ----------
    stream : binary file
        Where to write; closed by :meth:`close` only when ``owned``.
    output_format : str
        ``"jsonl"`` or ``"csv"``.
    header : bool
        Write the CSV header first.
    owned : bool
        Whether the sink closes ``stream``.
    """

    def __init__(self, stream: IO[bytes], output_format: str, *, header: bool, owned: bool) -> None:
        self.stream = stream
        self.owned = owned
        if output_format == "csv" and header:
            stream.write((",".join(CSV_COLUMNS) + "\n").encode("utf-8"))
            stream.flush()

    def write(self, payload: list[str]) -> None:
        self.stream.write("".join(payload).encode("utf-8"))
        self.stream.flush()

    def close(self) -> None:
        if self.owned:
            self.stream.close()
        else:
            self.stream.flush()


class ParquetSink:
    """Parquet output, one row group per chunk; valid once closed."""

    def __init__(self, path: str | os.PathLike, *, paragraphs: bool) -> None:
        _pyarrow()
        import pyarrow.parquet as pq

        self.writer = pq.ParquetWriter(path, arrow_schema(paragraphs=paragraphs))

    def write(self, payload: Any) -> None:
        self.writer.write_batch(payload)

    def close(self) -> None:
        self.writer.close()


def open_sink(
    path: str | None,
    *,
    output_format: str,
    paragraphs: bool = False,
    append: bool = False,
    stdout: IO[bytes] | None = None,
) -> TextSink | ParquetSink:
    """Open the output: a file (created, or appended to on resume) or ``stdout``.

    Parameters
    ----------
    path : str or None
        The output file; ``None`` writes to ``stdout``.
    output_format : str
        One of ``FORMATS``; Parquet needs a path.
    paragraphs : bool
        Whether records carry paragraphs (the Parquet schema depends on it).
    append : bool
        Append to an existing JSON Lines or CSV file (``--resume``); a CSV
        header is written only if the file is empty.
    stdout : binary file, optional
        Where output goes without a path.
    """
    if output_format == "parquet":
        if path is None:
            raise ValueError("Parquet output needs a file path")
        return ParquetSink(path, paragraphs=paragraphs)
    if path is None:
        return TextSink(stdout, output_format, header=True, owned=False)
    stream = open(path, "ab" if append else "wb")  # noqa: SIM115 - closed by the sink
    return TextSink(stream, output_format, header=stream.tell() == 0, owned=True)
