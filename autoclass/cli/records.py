"""Input records: what a reader hands to a worker, and how a worker processes it.

A reader cuts the input into :class:`Chunk` objects of raw, undecoded
entries; a worker process decodes them, checks them, predicts the valid ones
with :meth:`autoclass.Model.predict_many` and encodes the output records
(:func:`process_chunk`).  Decoding and encoding happen in the workers so that
the process that reads and writes stays nearly idle and ``--jobs N`` scales.

Every entry gives exactly one output record: an article, or an error record
that says why the entry could not be read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from autoclass.article import Article
from autoclass.cli.writers import encode_results
from autoclass.html import HtmlPage, parse_html
from autoclass.model import Model, warn_if_no_markup
from autoclass.paragraphs import DEFAULT_MAX_CHARS, HTML_SIZE_FACTOR, SURROGATE, has_paragraphs

#: One input record, undecoded: (is a JSON Lines record, default id, raw bytes,
#: read error), and for an HTML document one more item, (url, charset).
#: ``raw`` is ``None`` exactly when the reader could not read it.
Entry = (
    tuple[bool, str, bytes | None, str | None]
    | tuple[bool, str, bytes | None, str | None, tuple[str | None, str | None]]
)

#: A processed record: (id, article, error); exactly one of article and error is set.
Result = tuple[str, Article | None, str | None]


#: Standard input, in record ids (``<stdin>``, ``<stdin>:3``).
STDIN_NAME = "<stdin>"

# A first line of standard input that is no JSON object is most likely a page piped in as it is.
_STDIN_HINT = "; standard input is read as JSON Lines: use --stdin-format text (or html) for a page of text"
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}


@dataclass(frozen=True)
class RecordOptions:
    """How workers read records and encode results.

    Attributes
    ----------
    text_field, id_field : str
        Keys of the page text and of its id in JSON Lines records.
    html_field, url_field : str
        Keys of a page's HTML (read when the record has no text field) and
        of its address in JSON Lines records.
    max_chars : int
        Longest page accepted, in characters; longer ones give an error record.
    output_format : str
        ``"jsonl"``, ``"csv"`` or ``"parquet"``.
    paragraphs : bool
        Whether output records carry every paragraph's labels and scores.
    batch_size : int
        Pages vectorized together by :meth:`autoclass.Model.predict_many`.
    """

    text_field: str = "text"
    id_field: str = "id"
    html_field: str = "html"
    url_field: str = "url"
    max_chars: int = DEFAULT_MAX_CHARS
    output_format: str = "jsonl"
    paragraphs: bool = False
    batch_size: int = 64


@dataclass(frozen=True, slots=True)
class Chunk:
    """Consecutive input entries, the unit of work sent to a worker.

    Attributes
    ----------
    index : int
        Position of the chunk in the input, from 0.
    entries : list of Entry
        The records, in input order.
    """

    index: int
    entries: list[Entry]


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What a worker returns for a :class:`Chunk`.

    Attributes
    ----------
    index : int
        The chunk's index.
    n_records, n_paragraphs, n_kept : int
        Records in the chunk, paragraphs of its valid pages and how many were kept.
    errors : list of (int, str, str)
        (position in the chunk, id, reason) of every error record.
    payload : object
        The encoded records (see :func:`autoclass.cli.writers.encode_results`).
    head : (int, int)
        Paragraphs and kept paragraphs of the records before the first error
        record (all of them when there is none), for a ``--strict`` stop.
    """

    index: int
    n_records: int
    n_paragraphs: int
    n_kept: int
    errors: list[tuple[int, str, str]]
    payload: Any
    head: tuple[int, int] = (0, 0)


def _type_name(value: object) -> str:
    return "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)


# Files crawls save under an HTML name that are not HTML, by their first bytes.
_MAGIC = (
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP file"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _binary_kind(data: bytes, charset: str | None = None) -> str | None:
    """What a document is when it is not text (else ``None``): read as HTML, it was one line of garbage."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    head = data[:4096]
    # UTF-16 and UTF-32 pages hold NUL bytes; a BOM or the declared charset (an HTTP header's)
    # says so, and the HTML decoder reads them.
    wide = charset is not None and charset.strip().lower().replace("_", "-").startswith(("utf-16", "utf-32"))
    if (
        head
        and not wide
        and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
        and len(_BINARY.findall(head)) > len(head) // 10
    ):
        return "binary data"
    return None


def _html_page(
    record_id: str, html: str | bytes, url: str | None, charset: str | None, options: RecordOptions
) -> tuple[str, HtmlPage | None, str | None]:
    limit = HTML_SIZE_FACTOR * options.max_chars
    if len(html) > limit:
        unit = "bytes" if isinstance(html, bytes) else "characters"
        return (
            record_id,
            None,
            f"page too long: HTML of {len(html)} {unit} > "
            f"{HTML_SIZE_FACTOR} x --max-chars {options.max_chars}",
        )
    if isinstance(html, bytes) and (kind := _binary_kind(html, charset)):
        return record_id, None, f"not an HTML page: {kind}"
    warn_if_no_markup(html)
    page = parse_html(html, url=url, encoding=charset)
    if not len(page):
        return record_id, None, "empty page: no text in the HTML"
    return record_id, page, None


def parse_entry(entry: Entry, options: RecordOptions) -> tuple[str, str | HtmlPage | None, str | None]:
    """Decode and check one entry.

    Parameters
    ----------
    entry : Entry
        (is JSON Lines, default id, raw bytes, read error) as a reader made it.
    options : RecordOptions
        Field names and the size limit.

    Returns
    -------
    tuple of (str, str or HtmlPage or None, str or None)
        The record id, and either the page (its text, or its HTML cut into
        blocks) or the reason it is rejected.

    Examples
    --------
    >>> opts = RecordOptions()
    >>> parse_entry((True, "in.jsonl:1", b'{"id": "a", "text": "Nio delivers"}\\n', None), opts)
    ('a', 'Nio delivers', None)
    >>> parse_entry((True, "in.jsonl:2", b'{"text": 3}\\n', None), opts)
    ('in.jsonl:2', None, "text field 'text' is not a string (got number)")
    >>> parse_entry((False, "page.txt", b" \\n\\t\\n", None), opts)
    ('page.txt', None, 'empty page: only white space or control characters')

    A record with an id of its own keeps it, and its reason says where it is:

    >>> parse_entry((True, "in.jsonl:7", b'{"id": "a", "text": null}\\n', None), opts)
    ('a', None, "text field 'text' is not a string (got null) (in.jsonl:7)")
    """
    record_id, page, reason = _parse_entry(entry, options)
    where = entry[1]
    if reason is not None and record_id != where:
        # The record's own id took the place of its file:line; keep the line findable.
        reason = f"{reason} ({where})"
    return record_id, page, reason


def _parse_entry(entry: Entry, options: RecordOptions) -> tuple[str, str | HtmlPage | None, str | None]:
    is_jsonl, record_id, raw, error = entry[:4]
    if raw is None:
        return record_id, None, error or "cannot read"
    if len(entry) > 4:  # an HTML file, or a page of an archive
        url, charset = entry[4]
        return _html_page(record_id, raw, url, charset, options)
    if is_jsonl and record_id == f"{STDIN_NAME}:1" and raw.startswith((b"WARC/", b"\x1f\x8b")):
        # Read as JSON Lines, an archive was a hundred records of "invalid JSON" advising --stdin-format.
        what = "a WARC archive" if raw.startswith(b"WARC/") else "gzip data (a .warc.gz or .jsonl.gz?)"
        return record_id, None, f"standard input holds {what}: give the file's path instead of piping it"
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return record_id, None, f"not UTF-8: undecodable byte 0x{raw[exc.start]:02x} at offset {exc.start}"
    if is_jsonl:
        try:
            # Without its line end: a string cut short must read as unterminated, not as holding a newline.
            obj = json.loads(decoded.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            hint = _STDIN_HINT if record_id == f"{STDIN_NAME}:1" else ""
            # Some of json's messages end in "at" ("Unterminated string starting at").
            where = f" column {exc.pos + 1}" if exc.msg.endswith(" at") else f" (column {exc.pos + 1})"
            return record_id, None, f"invalid JSON: {exc.msg}{where}{hint}"
        except ValueError:  # an integer of more than sys.get_int_max_str_digits() digits
            return record_id, None, "invalid JSON: a number too long to convert"
        except RecursionError:
            return record_id, None, "invalid JSON: arrays or objects nested too deeply"
        if not isinstance(obj, dict):
            hint = _STDIN_HINT if record_id == f"{STDIN_NAME}:1" else ""
            return record_id, None, f"invalid record: a JSON {_type_name(obj)}, not an object{hint}"
        given_id = obj.get(options.id_field)
        if given_id is not None:
            if not isinstance(given_id, str):  # as compact JSON, as the output writes JSON
                given_id = json.dumps(given_id, ensure_ascii=False, separators=(",", ":"))
            # "\ud800" escapes decode to lone surrogates, which no output encoding can write.
            record_id = SURROGATE.sub("\ufffd", given_id)
        html = obj.get(options.html_field)
        text = obj.get(options.text_field)
        # A scraper that found no text writes null or "" beside the page's HTML: the HTML is the page.
        no_text = text is None or (isinstance(text, str) and not has_paragraphs(text))
        if no_text and isinstance(html, str):
            url = obj.get(options.url_field)
            return _html_page(record_id, html, url if isinstance(url, str) else None, None, options)
        # A null html beside a text field is no HTML: the text's own fault is named then.
        if no_text and options.html_field in obj and (html is not None or options.text_field not in obj):
            return (
                record_id,
                None,
                f"html field {options.html_field!r} is not a string (got {_type_name(html)})",
            )
        if options.text_field not in obj:
            # (an html field beside no text field was read or named above)
            fields = f"text field {options.text_field!r} or html field {options.html_field!r}"
            return record_id, None, f"missing {fields}"
        if text is None and html is None and options.html_field in obj:
            fields = f"text field {options.text_field!r} and html field {options.html_field!r}"
            return record_id, None, f"empty page: {fields} are both null"
        if not isinstance(text, str):
            return (
                record_id,
                None,
                f"text field {options.text_field!r} is not a string (got {_type_name(text)})",
            )
    else:
        text = decoded[1:] if decoded.startswith("\ufeff") else decoded
        # A crawl archive under another name was one page of text, its headers and all.
        if text.startswith("WARC/1."):
            return record_id, None, "a WARC archive read as a page of text: name it .warc or .warc.gz"
        if text.startswith("filedesc://"):
            return (
                record_id,
                None,
                "an ARC file (the older crawl format), which autoclass does not read: convert it to WARC",
            )
    if len(text) > options.max_chars:
        return record_id, None, f"page too long: {len(text)} characters > --max-chars {options.max_chars}"
    if not has_paragraphs(text):
        return record_id, None, "empty page: only white space or control characters"
    return record_id, text, None


# Pages reach the model already checked against --max-chars, which may exceed the library's default.
def _predict_one(model: Model, text: str | HtmlPage) -> Article | str:
    try:
        return next(model.predict_many([text], max_chars=None))
    except Exception as exc:  # noqa: BLE001 - reported in the page's error record
        return f"prediction failed: {type(exc).__name__}: {exc}"


def _predict_all(model: Model, texts: list[str | HtmlPage], batch_size: int) -> Iterator[Article | str]:
    done = 0
    try:
        for article in model.predict_many(texts, batch_size=batch_size, max_chars=None):
            yield article
            done += 1
    except Exception:  # noqa: BLE001 - one page the model cannot read must not stop the run
        rest = [_predict_one(model, text) for text in texts[done:]]
        if done == 0 and len(rest) > 1 and all(isinstance(outcome, str) for outcome in rest):
            raise  # every page fails: the model is broken, not the pages
        yield from rest


def _results(
    parsed: list[tuple[str, str | HtmlPage | None, str | None]],
    predicted: Iterator[Article | str],
    errors: list[tuple[int, str, str]],
    counts: list[int],
    head: list[int],
) -> Iterator[Result]:
    # A generator, so that each article is encoded and dropped as soon as it is read.
    for position, (record_id, _, error) in enumerate(parsed):
        outcome = next(predicted) if error is None else error
        if isinstance(outcome, str):
            if not errors:
                head[:] = counts
            errors.append((position, record_id, outcome))
            yield record_id, None, outcome
        else:
            counts[0] += len(outcome.paragraphs)
            counts[1] += sum(p.relevant for p in outcome.paragraphs)
            yield record_id, outcome, None


def process_chunk(chunk: Chunk, model: Model, options: RecordOptions) -> ChunkResult:
    """Decode, check, predict and encode one chunk.

    A page the model fails on gets an error record (``prediction failed: ...``)
    and the other pages of the chunk go through; if the model fails on every
    page of the chunk, its exception is raised instead.

    Parameters
    ----------
    chunk : Chunk
        The entries to process.
    model : Model
        A loaded model.
    options : RecordOptions
        How to read the entries and encode the results.

    Returns
    -------
    ChunkResult
        One encoded record per entry, in order, and the chunk's counts.
    """
    parsed = [parse_entry(entry, options) for entry in chunk.entries]
    predicted = _predict_all(model, [text for _, text, error in parsed if error is None], options.batch_size)
    errors: list[tuple[int, str, str]] = []
    counts = [0, 0]
    head: list[int] = []
    payload = encode_results(
        _results(parsed, predicted, errors, counts, head),
        output_format=options.output_format,
        paragraphs=options.paragraphs,
    )
    paragraphs, kept = head or counts
    return ChunkResult(chunk.index, len(parsed), counts[0], counts[1], errors, payload, (paragraphs, kept))
