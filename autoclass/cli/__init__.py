"""The ``autoclass`` command: argparse subcommands, one module each.

Each subcommand module has ``add_parser(subparsers)``, which registers its
options and sets ``run``, the function that executes it and returns the exit
status.
"""

from __future__ import annotations

import argparse
import codecs
import os
import sys
import warnings
from collections.abc import Sequence

from autoclass.cli.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    EXIT_RUN_FAILED,
    EXIT_TERMINATED,
    Terminated,
    UsageError,
)
from autoclass.errors import AutoclassError, LabelDataError, ModelNotFoundError
from autoclass.labels import InvalidLabelsError

#: The subcommands' modules, imported by :func:`main` once it can take a Ctrl-C (they import
#: scikit-learn: over a second, in which a Ctrl-C printed a traceback).
SUBCOMMANDS = (
    "predict",
    "explain",
    "train",
    "evaluate",
    "draft",
    "suggest",
    "label",
    "labels",
    "audit",
    "trust",
)


def build_parser() -> argparse.ArgumentParser:
    """The ``autoclass`` parser with every subcommand registered."""
    from importlib import import_module

    from autoclass import __version__

    parser = argparse.ArgumentParser(
        prog="autoclass",
        description="Find the article in scraped automotive news pages and tag its events.",
    )
    parser.add_argument("--version", action="version", version=f"autoclass {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        sub = import_module(f"autoclass.cli.{name}").add_parser(subparsers)
        if sub.get_default("parser") is None:  # a command with subcommands of its own sets its own
            sub.set_defaults(parser=sub)
    return parser


def _codec(stream: object) -> str | None:
    try:
        return codecs.lookup(stream.encoding).name  # type: ignore[attr-defined]
    except (AttributeError, LookupError, TypeError):
        return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``autoclass`` with ``argv`` (``sys.argv[1:]`` by default); returns the exit status.

    Usage errors exit with status 2, other autoclass errors with status 1
    (5 for ``predict``, whose 1 means records that failed),
    each with a one-line message on stderr; standard output closed by its
    reader (``| head``) ends the command quietly with status 141; Ctrl-C
    before a command has its own way with it (while the libraries and the
    model load) ends it with one line and status 130.
    """
    try:
        return _main(argv)
    except KeyboardInterrupt as exc:  # Terminated (SIGTERM) is one too
        print(
            "autoclass: terminated" if isinstance(exc, Terminated) else "autoclass: interrupted",
            file=sys.stderr,
        )
        return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
    from autoclass.cli.labels import GUIDE_HINT, print_problems
    from autoclass.persistence import not_found_message

    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # The usage of the command that was typed, not the top-level one.
        getattr(args, "parser", parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    # Text on a terminal or pipe that is not UTF-8 (LC_ALL=C with PYTHONUTF8=0) is written with escapes
    # for what it cannot take, rather than a traceback midway (explain, labels check print page text).
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and _codec(stream) not in ("utf-8", None):
            stream.reconfigure(errors="backslashreplace")
    # A warning is one line on stderr too, as every message of the commands is.
    prog, formatwarning = f"autoclass {_command(args)}", warnings.formatwarning
    warnings.formatwarning = lambda message, *_args, **_kwargs: f"{prog}: warning: {message}\n"
    try:
        return args.run(args)
    except BrokenPipeError:
        # As Unix tools do; output written at exit would fail again, so it goes nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except InvalidLabelsError as exc:
        print_problems(exc.check, prog=f"autoclass {_command(args)}", against=exc.against)
        return 1
    except ModelNotFoundError as exc:
        # The advice names --model, not load_model(); a model missing on a Dask worker keeps its own.
        message = not_found_message(exc.directory, exc.source, cli=True) if exc.source else str(exc)
        print(f"autoclass {_command(args)}: error: {message}", file=sys.stderr)
        return _failed(args)
    except LabelDataError as exc:
        hint = f" (see {GUIDE_HINT})" if exc.line is not None else ""
        print(f"autoclass {_command(args)}: error: {exc}{hint}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"autoclass {_command(args)}: error: {exc}", file=sys.stderr)
        return 2
    except AutoclassError as exc:
        print(f"autoclass {_command(args)}: error: {exc}", file=sys.stderr)
        return _failed(args)
    finally:
        warnings.formatwarning = formatwarning


def _failed(args: argparse.Namespace) -> int:
    # A batch run keeps 1 for records that failed, so that a script can tell them from a run
    # that failed as a whole (no model, a missing extra); the other commands fail with 1.
    return EXIT_RUN_FAILED if args.command == "predict" else 1


def _command(args: argparse.Namespace) -> str:
    """The command as typed: ``predict``, ``labels check``."""
    sub = getattr(args, "labels_command", None)
    return f"{args.command} {sub}" if sub else args.command
