"""``autoclass explain``: why each paragraph of a page got its labels.

Argument wiring and output only; the explanations are
:func:`autoclass.explain.explain_page`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from autoclass.cli.errors import UsageError
from autoclass.cli.options import add_model_options
from autoclass.explain import DEFAULT_TOP, explain_page
from autoclass.paragraphs import split_paragraphs
from autoclass.persistence import load_model

DESCRIPTION = """\
Explain the prediction for one page (a plain-text file, one paragraph per
line, or standard input): for each paragraph, the inputs that pushed its
relevance (the line in its page, and the line's own words and layout) and its
event type, each as value x weight = effect on the log-odds.
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
        "input", nargs="?", metavar="FILE", help="page text file, or '-' (stdin, the default when piped)"
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
    parser.add_argument("--json", action="store_true", help="one JSON object per paragraph instead of text")
    add_model_options(parser)
    parser.set_defaults(run=run)
    return parser


def _read_page(path: str) -> str:
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text (byte {exc.start})") from exc


def run(args: argparse.Namespace) -> int:
    """Run ``autoclass explain`` with parsed arguments; returns the exit status."""
    if args.top < 1:
        raise UsageError(f"--top must be at least 1, not {args.top}")
    if args.input is None and sys.stdin.isatty():
        raise UsageError(
            "no input: give a page file, or pipe a page into standard input "
            "(`-` reads what is typed, up to Ctrl-D)"
        )
    paragraphs = split_paragraphs(_read_page(args.input or "-"))
    if not paragraphs:
        name = "standard input" if args.input in (None, "-") else args.input
        raise UsageError(f"{name} has no paragraphs (only white space): nothing to explain")
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
