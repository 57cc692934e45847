"""``autoclass explain``: why each paragraph of a page got its labels.

Argument wiring and output only; the explanations are
:func:`autoclass.explain.explain_page`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from contextlib import closing

from autoclass.cli.errors import UsageError
from autoclass.cli.options import add_model_options, stdin_format
from autoclass.cli.readers import STDIN, find_sources, iter_entries
from autoclass.cli.records import RecordOptions, parse_entry
from autoclass.errors import HtmlAsTextWarning
from autoclass.explain import DEFAULT_TOP, explain_page
from autoclass.html import HtmlPage
from autoclass.model import opens_like_html
from autoclass.paragraphs import split_paragraphs
from autoclass.persistence import load_model

DESCRIPTION = """\
Explain the prediction for one page: for each paragraph, the inputs that
pushed its relevance (the line in its page, and the line's own words and
layout) and its event type, each as value x weight = effect on the log-odds.

The page is read as `autoclass predict` reads a file: plain text (one
paragraph per line), an HTML file (*.html, *.htm; its paragraphs are the
blocks Model.predict_html finds), the first record of a JSON Lines file
(*.jsonl, *.ndjson; its 'text' field, else its 'html'), or a gzip-compressed
form of these. Standard input is one page of plain text.
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``explain`` on the ``autoclass`` parser's subcommands."""
    parser = subparsers.add_parser(
        "explain",
        help="show the features behind each paragraph's labels",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "input",
        nargs="?",
        metavar="FILE",
        help="one page: text, HTML or JSON Lines (its first record), or '-' (stdin, the default when piped)",
    )
    parser.add_argument(
        "-p",
        "--paragraph",
        type=int,
        action="append",
        metavar="N",
        help="explain only paragraph N (0-based; repeatable)",
    )
    parser.add_argument(
        "--relevant", action="store_true", help="explain only the paragraphs kept as relevant"
    )
    parser.add_argument(
        "--top",
        type=int,
        default=DEFAULT_TOP,
        metavar="K",
        help=f"reasons per score (default {DEFAULT_TOP})",
    )
    parser.add_argument(
        "--stdin-format",
        choices=("text", "html", "jsonl"),
        help="how standard input is read: a page of text (default), of HTML, or JSON Lines (first record)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per paragraph instead of text")
    add_model_options(parser)
    parser.set_defaults(run=run)
    return parser


def _read_page(path: str, stdin_format: str = "text") -> str | HtmlPage:
    """The page in ``path`` (``"-"``: standard input), read by ``autoclass predict``'s readers."""
    if os.path.isdir(path):
        raise UsageError(f"{path} is a directory: explain reads one page, give one file")
    (source,) = find_sources([path], stdin_format=stdin_format)
    if source.html == "warc":
        raise UsageError(f"{path} is a WARC archive of many pages: explain reads one page, give one file")
    with closing(iter_entries([source], stdin=sys.stdin.buffer)) as entries:
        entry = next(entries, None)  # a JSON Lines file: its first record
        more = entry is not None and next(entries, None) is not None
    name = "standard input" if path == STDIN else path
    if more:
        warnings.warn(
            f"{name} holds more than one JSON Lines record: explain reads one page, its first "
            "(explain another by giving it alone)",
            stacklevel=1,
        )
    if entry is None:
        raise UsageError(f"{name} holds no JSON Lines record: nothing to explain")
    _, page, error = parse_entry(entry, RecordOptions(max_chars=sys.maxsize))
    if page is None:
        # A JSON Lines record is named by its file and line (its own id would add them again).
        where, reason = (entry[1], error.removesuffix(f" ({entry[1]})")) if entry[0] else (name, error)
        raise UsageError(f"cannot explain {where}: {reason}")
    return page


def _opens_like_json_lines(text: str) -> bool:
    first = text.lstrip()[:100_000].split("\n", 1)[0]
    if not first.startswith("{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    """Run ``autoclass explain`` with parsed arguments; returns the exit status."""
    if args.top < 1:
        raise UsageError(f"--top must be at least 1, not {args.top}")
    if args.input is None and sys.stdin.isatty():
        raise UsageError(
            "no input: give a page file, or pipe a page into standard input "
            "(`-` reads what is typed, up to Ctrl-D)"
        )
    given = [args.input] if args.input else []
    page = _read_page(args.input or STDIN, stdin_format(args.stdin_format, given, default="text"))
    if isinstance(page, str) and opens_like_html(page):
        warnings.warn(
            "the page opens like an HTML document and is read as plain text, tags and all; give it as "
            "an .html file, or --stdin-format html on standard input",
            HtmlAsTextWarning,
            stacklevel=1,
        )
    if isinstance(page, str) and _opens_like_json_lines(page):
        warnings.warn(
            "the page's first line is a JSON object and is read as plain text, braces and all; a JSON "
            "Lines file is read as one (its first record) when named *.jsonl, or with --stdin-format jsonl "
            "on standard input",
            stacklevel=1,
        )
    paragraphs = page if isinstance(page, HtmlPage) else split_paragraphs(page)
    positions = args.paragraph
    if positions:
        bad = [n for n in positions if not 0 <= n < len(paragraphs)]
        if bad:
            raise UsageError(f"no paragraph {bad[0]}: the page has {len(paragraphs)} (numbered from 0)")
    model = load_model(args.model, trust=args.trust_model)
    explanations = explain_page(model, paragraphs, top=args.top, positions=positions)
    if args.relevant:
        explanations = [e for e in explanations if e.relevant]
    for explanation in explanations:
        if args.json:
            print(json.dumps(explanation.to_dict(), ensure_ascii=False))
        else:
            print(explanation, end="\n\n")
    return 0
