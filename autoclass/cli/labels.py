"""``autoclass labels``: check labeled files (``labels check``), show the labeling guide (``labels guide``),
convert to and from other labeling tools (``labels convert``).

Argument wiring and output only; validation is :func:`autoclass.labels.check_records`,
conversion :mod:`autoclass.cli.labels_convert`.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from importlib import resources
from typing import IO, Any

from autoclass.cli import labels_convert
from autoclass.cli.errors import UsageError
from autoclass.cli.options import add_taxonomy_option, labels_taxonomy
from autoclass.labels import InvalidLabelsError, LabelCheck, check_records, label_paths
from autoclass.taxonomy import DEFAULT_SOURCE

GUIDE = "GUIDE.md"
GUIDE_HINT = "the labeling guide: `autoclass labels guide` (autoclass/GUIDE.md in the source)"
DEFAULT_MAX_PROBLEMS = 50

CHECK_DESCRIPTION = """\
Check labeled JSON Lines files (and every *.jsonl or *.jsonl.gz inside the
folders given) against the labeling guide and the taxonomy: --taxonomy FILE,
else a taxonomy.json beside the files or one folder up, else (for a drafts
file of `autoclass draft`) the types of the model that drafted it, else the
default 15 event types. Every problem is one line, FILE:LINE: PROBLEM, on
standard error (exit status 1); with no problem, the counts of pages,
paragraphs, event types and sites are printed (exit status 0).
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``labels`` and its subcommands on the ``autoclass`` parser's subcommands."""
    parser = subparsers.add_parser(
        "labels",
        help="check labeled files; show the labeling guide; convert to and from other labeling tools",
        description="Work with labeled data: `autoclass labels check PATHS...`, `autoclass labels guide`, "
        "`autoclass labels convert INPUT... -o OUTPUT --to FORMAT`.",
    )
    commands = parser.add_subparsers(title="commands", dest="labels_command", metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="validate label files and folders, report every problem",
        description=CHECK_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("paths", nargs="+", metavar="PATH", help="label files (JSON Lines) and folders")
    add_taxonomy_option(check)
    check.add_argument(
        "--max-problems",
        type=int,
        default=DEFAULT_MAX_PROBLEMS,
        metavar="N",
        help=f"problems listed at most (default {DEFAULT_MAX_PROBLEMS}); all are counted",
    )
    check.add_argument("-q", "--quiet", action="store_true", help="no counts, only problems and a summary")
    check.set_defaults(run=run_check, parser=check)
    guide = commands.add_parser(
        "guide", help="print the labeling guide", description="Print the labeling guide."
    )
    guide.set_defaults(run=run_guide, parser=guide)
    labels_convert.add_parser(commands)
    parser.set_defaults(run=lambda args: _usage(parser), parser=parser)
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def counts(records: list[dict[str, Any]], events: tuple[str, ...]) -> dict[str, Any]:
    """Pages, paragraphs, relevant and irrelevant paragraphs, off-topic pages, per event and per site."""
    pages: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        pages.setdefault(r["article_id"], []).append(r)
    by_event = Counter(r["event"] for r in records if r["relevant"])
    sites = Counter(r.get("site") or "?" for r in records)
    site_pages = Counter(rs[0].get("site") or "?" for rs in pages.values())
    n = len(records)
    relevant = sum(r["relevant"] for r in records)
    return {
        "pages": len(pages),
        "paragraphs": n,
        "relevant": relevant,
        "irrelevant": n - relevant,
        "offtopic_pages": sum(1 for rs in pages.values() if not any(r["relevant"] for r in rs)),
        "events": {e: by_event.get(e, 0) for e in events},
        "sites": dict(sorted(sites.items())),
        "site_pages": dict(sorted(site_pages.items())),
    }


def table(title: str, c: dict[str, Any]) -> str:
    """The counts as Markdown."""
    lines = [
        f"## {title}",
        "",
        f"pages {c['pages']} (off-topic {c['offtopic_pages']}), paragraphs {c['paragraphs']}: "
        f"relevant {c['relevant']}, irrelevant {c['irrelevant']} "
        f"({c['irrelevant'] / max(c['paragraphs'], 1):.1%})",
        "",
        "| event | relevant paragraphs |",
        "|---|---|",
    ]
    lines += [f"| {e} | {n} |" for e, n in c["events"].items()]
    lines += ["", "| site | pages | paragraphs |", "|---|---|---|"]
    lines += [f"| {s} | {c['site_pages'].get(s, 0)} | {n} |" for s, n in c["sites"].items()]
    return "\n".join(lines) + "\n"


def print_problems(check: LabelCheck, *, prog: str, against: str = "", stream: IO[str] | None = None) -> None:
    """Every problem kept in ``check``, one ``file:line: problem`` line each, and how many more there are.

    With unknown event types among them, a last line says where the types
    checked against come from (``against``): most often another taxonomy.
    """
    stream = stream or sys.stderr
    for problem in check.problems:
        print(problem, file=stream)
    hidden = check.n_problems - len(check.problems)
    if hidden:
        print(f"... and {hidden:,} more problem{'s' if hidden > 1 else ''} not listed", file=stream)
    print(f"{prog}: {check.summary()}; see {GUIDE_HINT}", file=stream)
    if against and any(p.problem.startswith("unknown event") for p in check.problems):
        print(f"{prog}: the event types checked against are {against}", file=stream)


def _taxonomy_said(source: str) -> str:
    if source == DEFAULT_SOURCE:
        return (
            "the labeling guide's 15 (no taxonomy.json beside the labels or one folder up, and no --taxonomy)"
        )
    return f"those of {source}"


def run_check(args: argparse.Namespace) -> int:
    """Run ``autoclass labels check``; returns the exit status."""
    if args.max_problems < 1:
        raise UsageError(f"--max-problems must be at least 1, not {args.max_problems}")
    events, source = labels_taxonomy(args.paths, args.taxonomy)
    files = label_paths(args.paths)
    check = check_records(files, events=events, limit=args.max_problems)
    if not check.ok:
        raise InvalidLabelsError(check, against=_taxonomy_said(source))
    c = counts(check.records, events)
    if not args.quiet:
        print(table(f"{len(files)} file(s); taxonomy: {source}", c))
    print(
        f"autoclass labels check: {c['pages']:,} pages, {c['paragraphs']:,} paragraphs in "
        f"{len(files)} file(s), {len(events)} event types ({source}): OK"
    )
    return 0


def guide_text() -> str | None:
    """The labeling guide, a file of the package (``autoclass/GUIDE.md``); ``None`` if it was left out."""
    shipped = resources.files("autoclass") / GUIDE
    return shipped.read_text(encoding="utf-8") if shipped.is_file() else None


def run_guide(args: argparse.Namespace) -> int:
    """Run ``autoclass labels guide``; returns the exit status."""
    text = guide_text()
    if text is None:
        print("autoclass labels guide: this installation has no copy of the guide", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0
