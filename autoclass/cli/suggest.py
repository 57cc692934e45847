"""``autoclass suggest``: the unlabeled pages whose labels would teach the model most, as drafts.

Argument wiring and output only; the choice is :func:`autoclass.labeling.suggest.suggest`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO

from autoclass.cli.errors import UsageError
from autoclass.cli.inputs import Skipped, add_input_options, check_output, pages_reporting_skips
from autoclass.cli.labels import label_paths
from autoclass.cli.options import add_model_options
from autoclass.cli.output import open_text_output
from autoclass.labeling.drafts import PageInput, draft_pages, encode_page, model_event_types
from autoclass.labeling.suggest import DEFAULT_WEIGHTS, DIVERSITY, NEAR_DUPLICATE, PageScore, suggest
from autoclass.labels import Pages, is_label_file, pages_from_records, read_records
from autoclass.paragraphs import split_paragraphs
from autoclass.persistence import load_model

DESCRIPTION = f"""\
Rank unlabeled pages by how much their labels would teach the model, and
write the best N as drafts (as `autoclass draft` does), best first. A page
scores high when the model is unsure of its lines' relevance and event
types (summed over its lines; per line with --per-line, when long pages
cost more to label), and when its body holds words the model never saw
that recur in other pages (weights {DEFAULT_WEIGHTS["relevance"]:g}, \
{DEFAULT_WEIGHTS["event"]:g} and {DEFAULT_WEIGHTS["novelty"]:g} on
percentile ranks). The list stays diverse: no two near-identical pages (nor
a near copy of a page in --labeled), and no site gets more than
--max-per-site pages while other sites' pages remain (site: the "site"
field of a JSON Lines record, else the host of its "url"). The ranking,
with each page's scores, goes to stderr. Reads the text inputs `autoclass
predict` reads (an HTML page is skipped: labels are lines of text).
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``suggest`` on the ``autoclass`` parser's subcommands."""
    parser = subparsers.add_parser(
        "suggest",
        help="choose the pages to label next, written as drafts",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_options(parser)
    parser.add_argument("-n", "--n", type=int, default=50, metavar="N", help="pages to choose (default 50)")
    parser.add_argument("-o", "--output", metavar="FILE", help="drafts file (default: standard output)")
    parser.add_argument(
        "--labeled",
        action="append",
        default=[],
        metavar="LABELS",
        help="a labeled file or folder (repeatable): its pages are not suggested again, nor near copies "
        "(missing or empty: nothing labeled yet)",
    )
    parser.add_argument(
        "--per-line",
        action="store_true",
        help="rank by what a page teaches per line to label (long pages cost more), not per page",
    )
    parser.add_argument(
        "--max-per-site", type=int, metavar="K", help="pages per site while others remain (default: N/10)"
    )
    parser.add_argument(
        "--near-duplicate",
        type=float,
        default=NEAR_DUPLICATE,
        metavar="S",
        help=f"cosine similarity from which pages are near duplicates (default {NEAR_DUPLICATE})",
    )
    parser.add_argument(
        "--diversity",
        type=float,
        default=DIVERSITY,
        metavar="D",
        help=f"priority lost per unit of similarity to pages chosen or labeled (default {DIVERSITY})",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no ranking on stderr")
    add_model_options(parser)
    parser.set_defaults(run=run)
    return parser


def _labeled(paths: list[str], event_types: tuple[str, ...]) -> Pages | None:
    # The first round of labeling names its labels folder before it exists (docs/labeling.md):
    # a missing or empty one is nothing labeled yet, said on stderr (a typo would show there).
    present = []
    for path in map(Path, paths or []):
        if path.exists() and (not path.is_dir() or any(is_label_file(p) for p in path.rglob("*"))):
            present.append(path)
        else:
            print(f"autoclass suggest: no labels in {path} yet: every page is a candidate", file=sys.stderr)
    if not present:
        return None
    return pages_from_records(read_records(label_paths(present), events=event_types))


HEADER = "rank  priority  relevance   event  new words  similar  site  page\n"


def _show(out: IO[str], rank: int, score: PageScore, page: PageInput) -> None:
    out.write(
        f"{rank:>4}  {score.priority:8.3f}  {score.relevance:9.2f}  {score.event:6.2f}  {score.novelty:9.3f}"
        f"  {score.similarity:7.2f}  {page.site or '-'}  {page.article_id}\n"
    )


def run(args: argparse.Namespace) -> int:
    """Run ``autoclass suggest`` with parsed arguments; returns the exit status."""
    check_output(args.inputs, args.output)
    if args.n < 1:
        raise UsageError(f"--n must be at least 1, not {args.n}")
    if args.max_per_site is not None and args.max_per_site < 1:
        raise UsageError(f"--max-per-site must be at least 1, not {args.max_per_site}")
    model = load_model(args.model, trust=args.trust_model)
    labeled = _labeled(args.labeled, model_event_types(model))
    known = set(labeled.ids) if labeled is not None else set()
    skipped: list[Skipped] = []
    pages_in = pages_reporting_skips(args, command="suggest", output=args.output, skipped=skipped)
    pages_in = list(pages_in)
    pool = [page for page in pages_in if page.article_id not in known]
    chosen = (
        suggest(
            model,
            [split_paragraphs(p.text) for p in pool],
            n=args.n,
            sites=[p.site for p in pool],
            labeled=labeled,
            per_line=args.per_line,
            max_per_site=args.max_per_site,
            near_duplicate=args.near_duplicate,
            diversity=args.diversity,
        )
        if pool
        else []
    )
    pages = [pool[c.index] for c in chosen]
    with open_text_output(args.output) as out:
        for draft in draft_pages(model, pages):
            out.write(encode_page(draft))
    if not args.quiet:
        err = sys.stderr
        err.write(HEADER)
        for rank, (score, page) in enumerate(zip(chosen, pages), start=1):
            _show(err, rank, score, page)
        err.write(
            f"autoclass suggest: {len(chosen)} of {len(pool):,} unlabeled pages chosen, as drafts in "
            f"{args.output or 'standard output'}; {len(skipped):,} records skipped\n"
        )
        if len(pages_in) > len(pool):
            left = len(pages_in) - len(pool)
            their = (
                "page left out: its article id is" if left == 1 else "pages left out: their article ids are"
            )
            err.write(f"  {left:,} {their} labeled already\n")
        if len(chosen) < min(args.n, len(pool)):
            err.write(
                f"  fewer than {args.n}: the other {len(pool) - len(chosen):,} pages are near duplicates "
                f"of pages labeled or chosen (cosine similarity at least {args.near_duplicate}; "
                "--near-duplicate)\n"
            )
    return 1 if skipped else 0
