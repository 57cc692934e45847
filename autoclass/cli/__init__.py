"""The ``autoclass`` command: argparse subcommands, one module each.

Each subcommand module has ``add_parser(subparsers)``, which registers its
options and sets ``run``, the function that executes it and returns the exit
status.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from autoclass.cli import audit, evaluate, explain, labels, predict, train, trust
from autoclass.cli.errors import UsageError
from autoclass.cli.labels import print_problems
from autoclass.errors import AutoclassError, ModelNotFoundError
from autoclass.labels import InvalidLabelsError
from autoclass.persistence import not_found_message

SUBCOMMANDS = (predict, explain, train, evaluate, labels, audit, trust)


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
    except InvalidLabelsError as exc:
        print_problems(exc.check, prog=f"autoclass {_command(args)}")
        return 1
    except ModelNotFoundError as exc:
        # The advice names --model, not load_model(); a model missing on a Dask worker keeps its own.
        message = not_found_message(exc.directory, exc.source, cli=True) if exc.source else str(exc)
        print(f"autoclass {_command(args)}: error: {message}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"autoclass {_command(args)}: error: {exc}", file=sys.stderr)
        return 2
    except AutoclassError as exc:
        print(f"autoclass {_command(args)}: error: {exc}", file=sys.stderr)
        return 1


def _command(args: argparse.Namespace) -> str:
    """The command as typed: ``predict``, ``labels check``."""
    sub = getattr(args, "labels_command", None)
    return f"{args.command} {sub}" if sub else args.command
