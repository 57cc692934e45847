"""Options shared by the subcommands that load a model."""

from __future__ import annotations

import argparse


def add_taxonomy_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--taxonomy FILE`` (default: the ``taxonomy.json`` beside the labels) to a subcommand's parser."""
    parser.add_argument(
        "--taxonomy", metavar="FILE", help="the taxonomy file (default: a taxonomy.json beside the labels)"
    )


def add_model_options(parser: argparse.ArgumentParser, *, model_help: str | None = None) -> None:
    """Add ``--model DIR`` and ``--trust-model`` to a subcommand's parser."""
    parser.add_argument(
        "--model",
        metavar="DIR",
        help=model_help or "model directory (default: $AUTOCLASS_MODEL or models/default)",
    )
    parser.add_argument(
        "--trust-model",
        action="store_true",
        help="load a joblib model not marked as trusted (it runs code when loaded; "
        "`autoclass trust DIR` records it instead)",
    )
