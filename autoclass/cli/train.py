"""``autoclass train``: train a model on labeled pages and save it.

Argument wiring only; the work is :func:`autoclass.training.train.train_model`.
"""

from __future__ import annotations

import argparse

from autoclass.cli.errors import UsageError
from autoclass.cli.options import add_taxonomy_option, check_jobs, check_output_folder

DESCRIPTION = """\
Train a model on labeled pages (JSON Lines files of the labeling guide, and
every *.jsonl or *.jsonl.gz inside the folders given) and save it to the
directory -o DIR: model.npz, metadata.json, a model card README.md, and with
--heldout the evaluation (evaluation.md, evaluation.json). Use it with --model
DIR, AUTOCLASS_MODEL=DIR or load_model(DIR).

The event types are the taxonomy of the labels: a taxonomy.json beside them or
one folder up ({"events": ["funding", "launch", ...]}), or --taxonomy FILE;
without one, the default 15 types. Every label problem is listed before
anything is fitted (exit status 1). Settings: the shipped config.toml, with
the settings of --config FILE over it. Needs the "train" extra (pip install
"autoclass-news[train]").
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``train`` on the ``autoclass`` parser's subcommands."""
    parser = subparsers.add_parser(
        "train",
        help="train a model on labeled pages",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("labels", nargs="+", metavar="LABELS", help="label files and folders to train on")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="the model directory to write")
    parser.add_argument("--config", metavar="FILE", help="settings over the default config.toml")
    parser.add_argument(
        "--heldout", nargs="+", default=[], metavar="LABELS", help="label files and folders to evaluate on"
    )
    add_set_option(parser)
    add_taxonomy_option(parser)
    parser.add_argument(
        "--no-crossval", action="store_true", help="skip the cross-validation by site (quicker)"
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="cross-validation folds fitted in parallel (default 1; -1: one per core)",
    )
    parser.add_argument(
        "--html-pages",
        metavar="MODULE:FUNCTION",
        help="labeled HTML pages for the HTML classifier: a function of the split name ('train', "
        "and 'heldout' with --heldout) returning autoclass.labels.Pages; without it, HTML is read "
        "by the text classifier",
    )
    parser.set_defaults(run=run)
    return parser


def add_set_option(parser: argparse.ArgumentParser) -> None:
    """``--extra-set NAME=PATH``: another labeled set evaluated beside the held-out one."""
    parser.add_argument(
        "--extra-set",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="another labeled set to evaluate and report beside the held-out one (repeatable)",
    )


def extra_sets(values: list[str]) -> dict[str, list[str]]:
    """``NAME=PATH`` options as named sets of paths (a name given twice gathers its paths).

    Examples
    --------
    >>> extra_sets(["seeds=s.jsonl", "web=a/", "web=b.jsonl"])
    {'seeds': ['s.jsonl'], 'web': ['a/', 'b.jsonl']}
    """
    sets: dict[str, list[str]] = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name or not path or name == "held-out":
            raise UsageError(f"--extra-set takes NAME=PATH (a name other than held-out), not {value!r}")
        sets.setdefault(name, []).append(path)
    return sets


def run(args: argparse.Namespace) -> int:
    """Run ``autoclass train`` with parsed arguments; returns the exit status."""
    from autoclass.training.train import train_model

    sets = extra_sets(args.extra_set)
    check_jobs(args.jobs)
    check_output_folder(args.output)  # before training, not after it
    train_model(
        args.labels,
        args.output,
        config=args.config,
        heldout=args.heldout,
        extra_sets=sets,
        taxonomy=args.taxonomy,
        crossval=not args.no_crossval,
        html_pages=args.html_pages,
        jobs=args.jobs,
        say=lambda line: print(line, flush=True),
    )
    return 0
