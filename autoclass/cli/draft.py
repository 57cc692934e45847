"""``autoclass draft``: pages in the label format, pre-filled with the model's predictions.

Argument wiring and output only; drafts are :func:`autoclass.labeling.drafts.draft_pages`.
"""

from __future__ import annotations

import argparse
import sys
from typing import IO

from autoclass.cli.inputs import Skipped, add_input_options, check_output, pages_reporting_skips
from autoclass.cli.options import add_model_options
from autoclass.cli.output import open_text_output
from autoclass.labeling.drafts import draft_pages, encode_page
from autoclass.persistence import load_model

DESCRIPTION = """\
Predict pages and write them in the label format (`autoclass labels guide`), one paragraph
per line, pre-filled with the model's labels (relevant, event, body) and its
probabilities under "model", which validation ignores: correct them with
`autoclass label DRAFTS`, or in another labeling tool (`autoclass labels
convert`). Reads the text inputs `autoclass predict` reads (an HTML page is
skipped: labels are lines of text). Records that give no page (unreadable,
empty, too long, HTML) are reported on stderr and skipped (exit status 1).
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``draft`` on the ``autoclass`` parser's subcommands."""
    parser = subparsers.add_parser(
        "draft",
        help="write pages as labels pre-filled by the model, to correct",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_options(parser)
    parser.add_argument("-o", "--output", metavar="FILE", help="drafts file (default: standard output)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary line on stderr")
    add_model_options(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run ``autoclass draft`` with parsed arguments; returns the exit status."""
    check_output(args.inputs, args.output)
    model = load_model(args.model, trust=args.trust_model)
    skipped: list[Skipped] = []
    pages = paragraphs = 0
    out: IO[str]
    with open_text_output(args.output) as out:
        pages_in = pages_reporting_skips(args, command="draft", output=args.output, skipped=skipped)
        for draft in draft_pages(model, pages_in):
            out.write(encode_page(draft))
            pages += 1
            paragraphs += len(draft.records)
    if not args.quiet:
        where = args.output or "standard output"
        print(
            f"autoclass draft: {pages:,} pages, {paragraphs:,} paragraphs to {where}; "
            f"{len(skipped):,} records skipped",
            file=sys.stderr,
        )
    return 1 if skipped else 0
