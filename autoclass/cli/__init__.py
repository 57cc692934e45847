"""The ``autoclass`` command: argparse subcommands, one module each.

Each subcommand module has ``add_parser(subparsers)``, which registers its
options and sets ``run``, the function that executes it and returns the exit
status.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from autoclass.cli import audit, draft, explain, label, labels, predict, suggest, trust
from autoclass.cli.errors import UsageError
from autoclass.errors import AutoclassError

SUBCOMMANDS = (predict, explain, draft, suggest, label, labels, audit, trust)


def build_parser() -> argparse.ArgumentParser:
    """The ``autoclass`` parser with every subcommand registered."""
    from autoclass import __version__

    parser = argparse.ArgumentParser(
        prog="autoclass",
        description="Find the article in scraped automotive news pages and tag its events.",
    )
    parser.add_argument("--version", action="version", version=f"autoclass {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for command in SUBCOMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``autoclass`` with ``argv`` (``sys.argv[1:]`` by default); returns the exit status.

    Usage errors exit with status 2, other autoclass errors with status 1,
    each with a one-line message on stderr.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"autoclass {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except AutoclassError as exc:
        print(f"autoclass {args.command}: error: {exc}", file=sys.stderr)
        return 1
