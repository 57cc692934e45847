"""``autoclass evaluate``: a model's figures on labeled pages, and a report where told.

Argument wiring only; the work is :func:`autoclass.training.evaluate.evaluate_model`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from autoclass.cli.errors import UsageError
from autoclass.cli.options import check_output_folder
from autoclass.cli.train import add_set_option, extra_sets
from autoclass.errors import ModelNotFoundError
from autoclass.persistence import ENV_VAR, METADATA, load_model

DESCRIPTION = """\
Evaluate a model (a model directory, or `default` for the default model) on
labeled pages it was not trained on: JSON Lines files of the labeling guide,
and every *.jsonl (or *.jsonl.gz) inside the folders given, in any layout.
Prints relevance precision/recall/F1, event-type scores and confusion matrix
over the model's own event types, and article tags, each beside a simple
baseline.

With -o DIR, also writes evaluation.md, evaluation.json and report.html (the
"report" extra) into DIR, never into a model's directory unless --force says
so. --learning-curve refits the model's config on shares of its training data
(when those files are at hand) and adds the curve.
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``evaluate`` on the ``autoclass`` parser's subcommands."""
    parser = subparsers.add_parser(
        "evaluate",
        help="measure a model on labeled pages",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model", metavar="MODEL", help="model directory, or `default`")
    parser.add_argument("labels", nargs="+", metavar="LABELS", help="label files and folders")
    parser.add_argument("-o", "--output", metavar="DIR", help="write the figures and the report into DIR")
    parser.add_argument("--force", action="store_true", help="allow -o to be a model's directory")
    parser.add_argument("--no-report", action="store_true", help="with -o: no report.html")
    parser.add_argument(
        "--learning-curve", action="store_true", help="refit on shares of the training data (slow)"
    )
    add_set_option(parser)
    parser.add_argument(
        "--html-pages",
        metavar="MODULE:FUNCTION",
        help="also evaluate the labeled HTML pages this function returns for 'heldout' "
        "(the set 'held-out html'; see autoclass train --html-pages)",
    )
    parser.add_argument(
        "--trust-model",
        action="store_true",
        help="load a joblib model not marked as trusted (it runs code when loaded)",
    )
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run ``autoclass evaluate`` with parsed arguments; returns the exit status."""
    from autoclass.training.evaluate import evaluate_model

    out = Path(args.output) if args.output else None
    if out is not None and (out / METADATA).is_file() and not args.force:
        raise UsageError(
            f"{out} is a model's directory: its evaluation.md and evaluation.json belong to the model's "
            "card; write elsewhere with another -o DIR, or pass --force to replace them"
        )
    try:
        model = load_model(None if args.model == "default" else args.model, trust=args.trust_model)
    except ModelNotFoundError:
        if args.model == "default":
            raise
        raise ModelNotFoundError(
            f"no trained autoclass model in {args.model}: MODEL is a directory written by "
            "`autoclass train LABELS -o DIR`, or `default` for the default model"
        ) from None
    if args.model == "default" and os.environ.get(ENV_VAR):
        # Compared with one's own model as "the default one", it was one's own model twice, unsaid.
        print(f"autoclass evaluate: default is the model ${ENV_VAR} names: {model.path}", file=sys.stderr)
    if out is not None:
        check_output_folder(args.output)
    sets = {"held-out": args.labels, **extra_sets(args.extra_set)}
    if args.html_pages:
        from autoclass.training.train import load_html_source

        sets["held-out html"] = load_html_source(args.html_pages)("heldout")
    evaluate_model(
        model,
        sets,
        out_dir=out,
        report=not args.no_report,
        learning_curve=args.learning_curve,
        say=lambda line: print(line, flush=True),
    )
    return 0
