"""HTML inputs of ``autoclass predict``: HTML files and WARC archives.

``*.html``, ``*.htm``, ``*.xhtml``, ``*.xht``, ``*.shtml`` (and ``.gz`` of each)
hold one page each; a WARC file (``*.warc``, ``*.warc.gz``) holds many, read by
:func:`autoclass.warc.iter_html`:
each HTML response becomes one entry keyed by its ``WARC-Record-ID``, with its
``WARC-Target-URI`` and HTTP charset; a broken record becomes an error entry;
other records are counted in ``skipped`` and give no output.  As for every
input, the bytes are passed on undecoded: workers decode and parse them.

An HTML entry is the reader's 4-tuple plus ``(url, charset)``, which is what
tells :func:`autoclass.cli.records.parse_entry` to read it as HTML.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from autoclass.cli.errors import MissingExtraError
from autoclass.cli.records import Entry
from autoclass.files import open_input
from autoclass.paragraphs import HTML_SIZE_FACTOR

HTML_SUFFIXES: tuple[str, ...] = tuple(
    name + gz for name in (".html", ".htm", ".xhtml", ".xht", ".shtml") for gz in ("", ".gz")
)
WARC_SUFFIXES: tuple[str, ...] = (".warc", ".warc.gz")


def html_kind(path: str) -> str | None:
    """``"html"`` or ``"warc"`` when a file name says so, else ``None``.

    Examples
    --------
    >>> html_kind("page.HTM"), html_kind("page.shtml"), html_kind("crawl.warc.gz"), html_kind("pages.jsonl")
    ('html', 'html', 'warc', None)
    """
    lowered = path.lower()
    if lowered.endswith(WARC_SUFFIXES):
        return "warc"
    if lowered.endswith(HTML_SUFFIXES):
        return "html"
    return None


def max_html_bytes(max_chars: int) -> int:
    """Bytes beyond which an HTML document is refused unread: ``HTML_SIZE_FACTOR`` x ``--max-chars``.

    Examples
    --------
    >>> max_html_bytes(1000)
    10000
    """
    return HTML_SIZE_FACTOR * max_chars


def warc_entries(
    path: str, max_bytes: int | None, skipped: Counter[str] | None, *, found_in_folder: bool = False
) -> Iterator[Entry]:
    """One entry per HTML response or broken record of a WARC file, in file order.

    A file ``found_in_folder`` is read only if regular (see :func:`autoclass.files.open_input`).
    """
    try:
        from autoclass.warc import iter_html
    except ImportError as exc:
        raise MissingExtraError("WARC input", "cli") from exc
    try:
        with open_input(path, found_in_folder=found_in_folder, buffering=1 << 20) as raw:
            for page in iter_html(raw, max_bytes=max_bytes, skipped=skipped):
                record_id, error = page.record_id, page.error
                if error is not None:  # named by its file, as a bad line of JSON Lines is
                    error = f"{error} ({path})"
                if record_id.startswith("offset "):  # no WARC-Record-ID (or a header unreadable):
                    record_id = f"{path}:{record_id}"  # "offset 0" of two files were one id
                yield (False, record_id, page.html, error, (page.url, page.charset))
    except OSError as exc:
        yield (False, path, None, f"cannot read: {exc}", (None, None))
