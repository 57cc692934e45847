"""Pages for ``autoclass draft`` and ``autoclass suggest``: every input ``autoclass predict`` reads.

Files, directories, JSON Lines, gzip and standard input are found and read
by :mod:`autoclass.cli.readers` and checked by
:func:`autoclass.cli.records.parse_entry`, exactly as for ``predict``; this
module adds what a draft needs beyond the text: a page id that is unique in
the drafts, and the ``site``, ``url`` and ``published`` fields of a JSON
Lines record (the site of a page without one is the host of its URL).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlsplit

from autoclass.cli.errors import UsageError
from autoclass.cli.options import add_page_options, stdin_format
from autoclass.cli.readers import STDIN, find_sources, iter_entries
from autoclass.cli.records import Entry, RecordOptions, parse_entry
from autoclass.html import HtmlPage
from autoclass.labeling.drafts import META_FIELDS, PageInput

HTML_SKIPPED = "an HTML page: give its text, one paragraph per line"


@dataclass(frozen=True)
class Skipped:
    """An input record that gives no page: its id and why."""

    record_id: str
    reason: str


def add_input_options(parser: argparse.ArgumentParser) -> None:
    """Add the input arguments and options that ``autoclass predict`` has."""
    parser.add_argument("inputs", nargs="*", metavar="PAGES", help="files, directories, or '-' for stdin")
    add_page_options(parser, too_long="are skipped")


def check_output(inputs: list[str], output: str | None) -> None:
    """Refuse an output file that is one of the input files (writing it would destroy the input).

    Raises
    ------
    UsageError
        Naming the file.
    """
    if output is None or not os.path.exists(output):
        return
    for path in inputs:
        if path != STDIN and os.path.isfile(path) and os.path.samefile(path, output):
            raise UsageError(f"the output {output} is also an input: write to another file")


def _meta(entry: Entry) -> dict[str, str]:
    is_jsonl, _, raw, _ = entry
    if not is_jsonl or raw is None:
        return {}
    record = json.loads(raw)  # parse_entry has accepted it: a JSON object
    meta = {k: v.strip() for k in META_FIELDS if isinstance(v := record.get(k), str) and v.strip()}
    if "site" not in meta and "url" in meta and (host := urlsplit(meta["url"]).hostname):
        meta["site"] = host.removeprefix("www.")
    return meta


def _unique(record_id: str, taken: set[str]) -> str:
    """``record_id``, or ``record_id#2``, ``#3``... the first not taken (an input id may read ``x#2``)."""
    page_id, n = record_id, 1
    while page_id in taken:
        n += 1
        page_id = f"{record_id}#{n}"
    taken.add(page_id)
    return page_id


def iter_pages(
    args: argparse.Namespace, *, stdin: IO[bytes] | None, output: str | None = None
) -> Iterator[PageInput | Skipped]:
    """Every input record as a page to draft, or as a :class:`Skipped` record, in input order.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options of :func:`add_input_options`.
    stdin : binary file or None
        Standard input, for ``-``.
    output : str, optional
        The command's output file, never read as an input (a directory input may hold it).

    Yields
    ------
    PageInput or Skipped
        Page ids are the record ids of ``autoclass predict``; a repeated id
        gets ``#2``, ``#3``... (the first not taken) so that every page has
        its own.

    Raises
    ------
    UsageError
        If an input does not exist.
    """
    if args.max_chars < 1:
        raise UsageError(f"--max-chars must be at least 1, not {args.max_chars}")
    options = RecordOptions(text_field=args.text_field, id_field=args.id_field, max_chars=args.max_chars)
    read_stdin_as = stdin_format(args.stdin_format, args.inputs, default="jsonl")
    sources = find_sources(args.inputs, stdin_format=read_stdin_as)
    if output is not None and os.path.exists(output):
        sources = [s for s in sources if s.path == STDIN or not os.path.samefile(s.path, output)]
    seen: set[str] = set()
    for entry in iter_entries(sources, stdin=stdin, max_chars=args.max_chars):
        record_id, text, error = parse_entry(entry, options)
        if isinstance(text, HtmlPage):  # labels are lines of text: draft from the text of the page
            yield Skipped(record_id, HTML_SKIPPED)
        elif text is None:
            yield Skipped(record_id, error or "cannot read")
        else:
            yield PageInput(_unique(record_id, seen), text, _meta(entry))


def pages_reporting_skips(
    args: argparse.Namespace, *, command: str, output: str | None, skipped: list[Skipped]
) -> Iterator[PageInput]:
    """The pages of :func:`iter_pages` (from standard input for ``-``); each skipped record is
    reported on stderr (``autoclass COMMAND: skipped ID: reason``) and appended to ``skipped``.

    HTML pages are reported once, the first, and counted: a crawl of them gave a line each.
    """
    html = 0
    for item in iter_pages(args, stdin=sys.stdin.buffer, output=output):
        if isinstance(item, Skipped):
            skipped.append(item)
            is_html = item.reason == HTML_SKIPPED
            html += is_html
            if not is_html or html == 1:
                more = " (further HTML pages are counted, not listed)" if is_html else ""
                print(f"autoclass {command}: skipped {item.record_id}: {item.reason}{more}", file=sys.stderr)
        else:
            yield item
    if html > 1:
        print(f"autoclass {command}: skipped {html:,} HTML pages in all", file=sys.stderr)
