"""Options shared by subcommands: those that load a model, and those that read pages as ``predict`` does."""

from __future__ import annotations

import argparse
import os
import warnings
from collections.abc import Sequence
from pathlib import Path

from autoclass.cli.errors import UsageError
from autoclass.paragraphs import DEFAULT_MAX_CHARS
from autoclass.taxonomy import DEFAULT_SOURCE, resolve_taxonomy


def count(text: str) -> int:
    """A whole number as people write it: ``5000``, ``5,000`` or ``5_000`` (as autoclass prints sizes).

    >>> count("5,499,858")
    5499858
    """
    digits = text.strip().replace(",", "").replace("_", "")
    if not digits.removeprefix("-").isdecimal():
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    if int(digits) < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text.strip()}")
    return int(digits)


def add_taxonomy_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--taxonomy FILE`` (default: the ``taxonomy.json`` beside the labels) to a subcommand's parser."""
    parser.add_argument(
        "--taxonomy", metavar="FILE", help="the taxonomy file (default: a taxonomy.json beside the labels)"
    )


def check_jobs(jobs: int) -> int:
    """``--jobs`` of train and audit: a number of processes, or -1 for one per core (joblib's)."""
    if jobs == 0 or jobs < -1:
        raise UsageError(f"--jobs takes a number of processes, or -1 for one per core, not {jobs}")
    return jobs


def check_output_folder(path: str) -> None:
    """Make sure the folder ``path`` (``-o DIR``) can be written, before minutes of work go into it.

    Raises
    ------
    UsageError
        Naming the folder and why it cannot be written.
    """
    folder = Path(path).absolute()
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"cannot write into {path}: it is a file, not a folder")
    # The folder, or the nearest one above it that exists (nothing is created yet).
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        raise UsageError(f"cannot write into {path}: {existing} is a file, not a folder")
    probe = existing / f".autoclass-write-check-{os.getpid()}"
    try:
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"cannot write into {path}: {exc.strerror or exc}") from None


def labels_taxonomy(paths: list[str], taxonomy: str | None) -> tuple[tuple[str, ...], str]:
    """The event types label files are checked against, and where they come from.

    ``--taxonomy`` or a ``taxonomy.json`` beside the files; else, for a drafts
    file (``autoclass draft``), the types of the model that drafted it, so that
    drafts of a model with types of its own check as they were written; else
    the default fifteen.
    """
    events, source = resolve_taxonomy(paths, taxonomy)
    if source == DEFAULT_SOURCE and len(paths) == 1 and Path(paths[0]).is_file():
        from autoclass.labeling.drafts import drafted_event_types

        drafted = drafted_event_types(paths[0])
        if drafted:
            return drafted, f"the model that drafted {paths[0]}"
    return events, source


def add_model_options(parser: argparse.ArgumentParser, *, model_help: str | None = None) -> None:
    """Add ``--model DIR`` and ``--trust-model`` to a subcommand's parser."""
    parser.add_argument(
        "--model",
        metavar="DIR",
        help=model_help
        or "model directory (default: $AUTOCLASS_MODEL; else, in a source checkout, its trained "
        "models/default; else the model shipped with the package)",
    )
    parser.add_argument(
        "--trust-model",
        action="store_true",
        help="load a joblib model not marked as trusted (it runs code when loaded; "
        "`autoclass trust DIR` records it instead)",
    )


def add_page_options(parser: argparse.ArgumentParser, *, too_long: str) -> None:
    """Add how pages are read (``--text-field``, ``--id-field``, ``--stdin-format``, ``--max-chars``).

    ``too_long`` says what becomes of a page longer than ``--max-chars`` ("give an error record").
    """
    parser.add_argument(
        "--text-field", default="text", help="JSON Lines key of the page text (default: text)"
    )
    parser.add_argument(
        "--id-field", default="id", help="JSON Lines key of the page id (default: id; else path:line)"
    )
    parser.add_argument(
        "--stdin-format",
        choices=("jsonl", "text", "html"),
        help="read standard input as JSON Lines (default), or as one page of text or of HTML",
    )
    parser.add_argument(
        "--max-chars",
        type=count,
        default=DEFAULT_MAX_CHARS,
        metavar="N",
        help=f"longer pages {too_long} (default: {DEFAULT_MAX_CHARS:,})",
    )


def stdin_format(given: str | None, inputs: Sequence[str], *, default: str) -> str:
    """``--stdin-format`` as given, or ``default``; a warning when no input is standard input.

    Files are read by their names (``.html``, ``.jsonl``...), so the option given
    beside files alone would be ignored in silence.
    """
    if given is not None and inputs and "-" not in inputs:
        warnings.warn(
            f"--stdin-format {given} applies to standard input (-) only: a file is read as its name says "
            "(.jsonl JSON Lines, .html a page of HTML, .warc an archive, any other a page of text)",
            stacklevel=1,
        )
    return given or default
