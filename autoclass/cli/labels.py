"""``autoclass labels``: work with labeled files: ``labels check``, ``labels convert``.

Argument wiring and output only; validation is :func:`autoclass.labels.read_records`,
conversion :mod:`autoclass.cli.labels_convert`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autoclass.cli import labels_convert
from autoclass.cli.errors import UsageError
from autoclass.errors import LabelDataError
from autoclass.labels import label_files, read_records

CHECK_DESCRIPTION = """\
Check labeled JSON Lines files (and every *.jsonl inside the folders given)
against LABELS.md. A problem is reported as FILE:LINE: PROBLEM on standard
error (exit status 1); with none, the counts of pages and paragraphs are
printed (exit status 0).
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``labels`` and its subcommands on the ``autoclass`` parser's subcommands."""
    parser = subparsers.add_parser(
        "labels",
        help="check labeled files; convert them to and from other labeling tools",
        description="Work with labeled data: `autoclass labels check PATHS...`, "
        "`autoclass labels convert INPUT... -o OUTPUT --to FORMAT`.",
    )
    commands = parser.add_subparsers(title="commands", dest="labels_command", metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="validate label files and folders",
        description=CHECK_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("paths", nargs="+", metavar="PATH", help="label files (JSON Lines) and folders")
    check.set_defaults(run=run_check, parser=check)
    labels_convert.add_parser(commands)
    parser.set_defaults(run=lambda args: _usage(parser), parser=parser)
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def label_paths(paths: list[str]) -> list[Path]:
    """The files named and every ``*.jsonl`` in the folders named, each once."""
    files: dict[Path, Path] = {}
    for name in paths:
        path = Path(name)
        if not path.exists():
            raise UsageError(f"no such file or folder: {name}")
        for f in label_files(path) if path.is_dir() else [path]:
            files.setdefault(f.resolve(), f)
    return list(files.values())


def run_check(args: argparse.Namespace) -> int:
    """Run ``autoclass labels check``; returns the exit status."""
    files = label_paths(args.paths)
    try:
        records = read_records(files)
    except LabelDataError as exc:
        print(exc, file=sys.stderr)
        print(
            "autoclass labels check: 1 problem (checking stops at the first); see LABELS.md", file=sys.stderr
        )
        return 1
    pages = len({r["article_id"] for r in records})
    print(f"autoclass labels check: {pages:,} pages, {len(records):,} paragraphs in {len(files)} file(s): OK")
    return 0
