"""Check the repository's labeled corpus: every file, the held-out split, the sources, the targets.

``python -m training.labels_check [--quiet]`` (``make labels-check``) runs
the checks of ``autoclass labels check`` on ``labels/train``,
``labels/heldout`` and ``labels/heldout-cut`` (every problem,
``file:line: problem``), then those of
this corpus only: a held-out page whose site or relevant text also occurs
in training, and composed files out of date with ``labels/sources``.  It
prints the counts beside the corpus's size and balance targets, and exits 1
on any problem.  To check other files: ``autoclass labels check PATH...``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from autoclass.cli.labels import counts, print_problems, table
from autoclass.errors import LabelDataError
from autoclass.labels import check_records, label_paths
from autoclass.taxonomy import resolve_taxonomy
from training import LABELS

TARGETS = {
    "pages": 300,
    "paragraphs": 6000,
    "per_event": 200,
    "other": 80,
    "irrelevant_share": 0.30,
    "offtopic_share": 0.10,
    "heldout_pages": 60,
    "sites": 12,
}


def check_separation(train: list[dict], heldout: list[dict]) -> list[str]:
    problems = []
    shared_sites = {r.get("site") for r in train} & {r.get("site") for r in heldout} - {None}
    if shared_sites:
        problems.append(f"held-out sites also in training: {sorted(shared_sites)}")
    # Short lines (a bare "Nio" sub-heading, "Read more") recur by nature; a
    # shared sentence means a body was used on both sides.
    train_text = {r["text"] for r in train if r["relevant"] and len(r["text"].split()) >= 8}
    leaked = sorted({r["text"] for r in heldout if r["relevant"] and r["text"] in train_text})
    if leaked:
        problems.append(
            f"{len(leaked)} relevant held-out paragraphs also in training, e.g. {leaked[0][:80]!r}"
        )
    return problems


def check_composed(labels: Path) -> list[str]:
    """The committed pages must be what training.compose makes of the sources."""
    from training.compose import compose_corpus

    if not (labels / "sources").is_dir():
        return []
    problems = []
    for part, by_site in compose_corpus().items():
        for site, records in by_site.items():
            path = labels / part / f"{site}.jsonl"
            expected = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            if not path.is_file() or path.read_text(encoding="utf-8") != expected:
                problems.append(f"{path} is out of date with labels/sources: run `make labels`")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS, help="folder with train/ and heldout/")
    parser.add_argument("--quiet", action="store_true", help="print only problems and one summary line")
    args = parser.parse_args(argv)
    cut = args.labels / "heldout-cut"  # the held-out bodies again, cut (training.compose.HELDOUT_CUT)
    folders = [args.labels / "train", args.labels / "heldout", *([cut] if cut.is_dir() else [])]
    try:
        events, _ = resolve_taxonomy(folders)
        check = check_records(label_paths(folders), events=events)
    except LabelDataError as exc:
        print(f"labels-check: {exc}", file=sys.stderr)
        return 1
    if not check.ok:
        print_problems(check, prog="labels-check")
        return 1
    in_train = {str(f) for f in label_paths([folders[0]])}
    in_held = {str(f) for f in label_paths([folders[1]])}
    train = [r for r in check.records if r["source_file"] in in_train]
    heldout = [r for r in check.records if r["source_file"] in in_held]
    # The cut pages repeat the held-out bodies: kept apart from training, counted once.
    either = in_train | in_held
    cut_pages = [r for r in check.records if r["source_file"] not in either]
    problems = check_separation(train, heldout + cut_pages) + check_composed(args.labels)
    c_all, c_train, c_held = counts(train + heldout, events), counts(train, events), counts(heldout, events)
    if not args.quiet:
        print(table("All labeled pages", c_all))
        print(table("Training (labels/train)", c_train))
        print(table("Held-out (labels/heldout)", c_held))
        t = TARGETS
        checks = [
            (f"pages >= {t['pages']}", c_all["pages"] >= t["pages"]),
            (f"paragraphs >= {t['paragraphs']}", c_all["paragraphs"] >= t["paragraphs"]),
            (
                f"every event >= {t['per_event']} (other >= {t['other']})",
                all(
                    n >= (t["other"] if e == "other" else t["per_event"]) for e, n in c_all["events"].items()
                ),
            ),
            (
                f"irrelevant share >= {t['irrelevant_share']:.0%}",
                c_all["irrelevant"] >= t["irrelevant_share"] * c_all["paragraphs"],
            ),
            (
                f"off-topic pages >= {t['offtopic_share']:.0%}",
                c_all["offtopic_pages"] >= t["offtopic_share"] * c_all["pages"],
            ),
            (f"held-out pages >= {t['heldout_pages']}", c_held["pages"] >= t["heldout_pages"]),
            (f"sites >= {t['sites']}", len(c_all["sites"]) >= t["sites"]),
        ]
        print("## Corpus targets\n")
        for name, ok in checks:
            print(f"- [{'x' if ok else ' '}] {name}")
        print()
    for p in problems:
        print(f"labels-check: {p}", file=sys.stderr)
    print(
        f"labels-check: {c_all['pages']} pages, {c_all['paragraphs']} paragraphs "
        f"({c_train['pages']} training, {c_held['pages']} held-out pages): "
        f"{'OK' if not problems else f'{len(problems)} problem(s)'}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
