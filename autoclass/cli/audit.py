"""``autoclass audit``: list the labeled paragraphs a model most strongly disputes.

Argument wiring and output only; the audit itself is
:func:`autoclass.audit.audit_records`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path
from typing import IO

from sklearn.base import clone

from autoclass.audit import AuditResult, Dispute, audit_records
from autoclass.classifier import ParagraphClassifier
from autoclass.cli.errors import UsageError
from autoclass.cli.options import add_model_options, add_taxonomy_option, check_jobs
from autoclass.errors import ModelNotFoundError
from autoclass.labels import checked_records, label_files
from autoclass.persistence import load_model
from autoclass.taxonomy import resolve_taxonomy

DESCRIPTION = """\
Fit models out of fold (folds grouped by site) on labeled JSON Lines files
(`autoclass labels guide`) and list the paragraphs whose label the out-of-fold prediction
contradicts, most suspicious first, with file and line: likely label errors,
or hard cases worth a look. Suspicion is the model's probability that the
label is wrong. The models use the settings of --model (default: the default
model; built-in defaults when there is none) and the event types of the labels'
taxonomy (a taxonomy.json beside them or one folder up, or --taxonomy FILE;
else the default 15 types).
"""

FIELDS = tuple(Dispute.__dataclass_fields__)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``audit`` on the ``autoclass`` parser's subcommands."""
    parser = subparsers.add_parser(
        "audit",
        help="find likely label errors in labeled data",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="LABELS", help="JSON Lines files or folders of them")
    parser.add_argument("--folds", type=int, default=5, metavar="K", help="folds by site (default 5)")
    parser.add_argument(
        "--top", type=int, default=40, metavar="N", help="disputes listed (default 40; 0: all)"
    )
    parser.add_argument(
        "--format",
        choices=("text", "jsonl", "csv"),
        help="output format (default: from the output's suffix, .jsonl or .csv, else text)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="output file (default: standard output)")
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="folds fitted in parallel (default 1; -1: one per core)",
    )
    add_taxonomy_option(parser)
    add_model_options(parser, model_help="model whose settings to use")
    parser.set_defaults(run=run)
    return parser


def _classifier(model: str | None, *, trust: bool) -> tuple[ParagraphClassifier, str]:
    try:
        loaded = load_model(model, trust=trust)
    except ModelNotFoundError:
        if model is not None:
            raise
        return ParagraphClassifier(), "built-in defaults (no default model found)"
    return loaded.classifier, f"the settings of {loaded.path}"


def _files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += label_files(path)
        elif path.exists():
            files.append(path)
        else:
            raise UsageError(f"no such file or folder: {name}")
    return files


def run(args: argparse.Namespace) -> int:
    """Run ``autoclass audit`` with parsed arguments; returns the exit status."""
    if args.folds < 2:
        raise UsageError(f"--folds must be at least 2, not {args.folds}")
    if args.top < 0:
        raise UsageError(f"--top must be 0 (all) or more, not {args.top}")
    check_jobs(args.jobs)
    events, source = resolve_taxonomy(args.paths, args.taxonomy)
    records = checked_records(_files(args.paths), events=events)
    classifier, settings = _classifier(args.model, trust=args.trust_model)
    classifier = clone(classifier).set_params(event_types=events)
    print(
        f"auditing {len(records):,} paragraphs with {settings}, {len(events)} event types ({source}), "
        f"up to {args.folds} folds by site...",
        file=sys.stderr,
    )
    result = audit_records(records, classifier, folds=args.folds, jobs=args.jobs)
    shown = result.disputes if args.top == 0 else result.disputes[: args.top]
    output_format = args.format or _format_for(args.output)
    out: IO[str]
    with open(args.output, "w", encoding="utf-8", newline="") if args.output else _stdout() as out:
        write_disputes(out, result, shown, output_format, asked=args.folds)
    if output_format != "text" or args.output:  # the summary heads the text report only
        print(f"autoclass audit: {summary(result, len(shown), asked=args.folds)}", file=sys.stderr)
    return 0


def _format_for(output: str | None) -> str:
    """The format an output's name implies, as for ``autoclass predict``; text by default."""
    suffix = Path(output or "").suffix.lower()
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}.get(suffix, "text")


def _stdout() -> IO[str]:
    # A context manager that leaves standard output open.
    return os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", newline="")


def summary(result: AuditResult, shown: int, *, asked: int | None = None) -> str:
    """How many paragraphs are disputed, out of how many folds (and why fewer than ``asked``)."""
    n = len(result.disputes)
    folds = f"{result.folds} folds by site"
    if asked is not None and result.folds < asked:
        # Sites whose pages open a story with the same line are one group (autoclass/folds.py).
        folds += f", not {asked}: the pages have {result.folds} site groups"
    return (
        f"{n:,} of {result.paragraphs:,} paragraphs ({n / max(result.paragraphs, 1):.1%}) in "
        f"{result.pages:,} pages disputed out of fold ({folds}); {shown:,} most suspicious"
    )


def write_disputes(
    out: IO[str], result: AuditResult, shown: list[Dispute], fmt: str, *, asked: int | None = None
) -> None:
    """Write ``shown`` disputes of ``result`` as ``text``, ``jsonl`` or ``csv`` (``asked``: folds asked)."""
    if fmt == "jsonl":
        for d in shown:
            out.write(json.dumps(d.to_dict(), ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(d.to_dict() for d in shown)
        return
    out.write(f"{summary(result, len(shown), asked=asked)}:\n\n")
    for d in shown:
        text = d.text if len(d.text) <= 150 else d.text[:147] + "..."
        out.write(
            f"{d.path}:{d.line}  suspicion {d.suspicion:.2f}  label {d.label} -> model {d.predicted} "
            f"(relevance {d.relevance:.2f}, event {d.event_probability:.2f})\n    {text}\n"
        )
