"""Validate every labeled file against LABELS.md and print the corpus counts.

Fails (exit 1) on any violation: a record that breaks LABELS.md (with file
and line), a held-out page whose site or relevant text also occurs in
training, or composed files that are out of date with ``labels/sources``.
The size and balance targets of the corpus are printed beside the counts.

Usage: ``python -m training.labels_check [--quiet]`` (``make labels-check``)
checks the repository's ``labels/``; ``python -m training.labels_check
PATH...`` checks only the given files and folders (every ``*.jsonl`` inside)
and prints their counts. Problems are printed as ``file:line: problem``,
never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from autoclass.errors import LabelDataError
from autoclass.taxonomy import EVENT_TYPES
from autoclass.training.data import LABELS, label_files, read_records

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


def counts(records: list[dict]) -> dict:
    pages: dict[str, list[dict]] = {}
    for r in records:
        pages.setdefault(r["article_id"], []).append(r)
    events = Counter(r["event"] for r in records if r["relevant"])
    sites = Counter(r.get("site") or "?" for r in records)
    site_pages = Counter(rs[0].get("site") or "?" for rs in pages.values())
    offtopic = sum(1 for rs in pages.values() if not any(r["relevant"] for r in rs))
    n = len(records)
    return {
        "pages": len(pages),
        "paragraphs": n,
        "relevant": sum(r["relevant"] for r in records),
        "irrelevant": n - sum(r["relevant"] for r in records),
        "offtopic_pages": offtopic,
        "events": {e: events.get(e, 0) for e in EVENT_TYPES},
        "sites": dict(sorted(sites.items())),
        "site_pages": dict(sorted(site_pages.items())),
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


def _table(title: str, c: dict) -> str:
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


def _files(paths: list[Path]) -> list[Path]:
    """The files named and those inside the folders named, each once (a file may be in a folder given)."""
    unique: dict[Path, Path] = {}
    for f in (f for p in paths for f in (label_files(p) if p.is_dir() else [p])):
        unique.setdefault(f.resolve(), f)
    return list(unique.values())


def check_paths(paths: list[Path], *, quiet: bool = False) -> int:
    """Validate the given files and folders only; print their counts unless ``quiet``."""
    try:
        records = read_records(_files(paths))
    except LabelDataError as exc:
        print(f"labels-check: {exc}", file=sys.stderr)
        return 1
    c = counts(records)
    if not quiet:
        print(_table("Checked files", c))
    print(f"labels-check: {c['pages']} pages, {c['paragraphs']} paragraphs in {len(paths)} path(s): OK")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "paths", nargs="*", type=Path, help="label files or folders to check instead of the labels folder"
    )
    parser.add_argument("--labels", type=Path, default=LABELS, help="folder with train/ and heldout/")
    parser.add_argument("--quiet", action="store_true", help="print only problems and one summary line")
    args = parser.parse_args(argv)
    if args.paths:
        return check_paths(args.paths, quiet=args.quiet)
    try:
        train = read_records(label_files(args.labels / "train"))
        heldout = read_records(label_files(args.labels / "heldout"))
    except LabelDataError as exc:
        print(f"labels-check: {exc}", file=sys.stderr)
        return 1
    problems = check_separation(train, heldout) + check_composed(args.labels)
    c_all, c_train, c_held = counts(train + heldout), counts(train), counts(heldout)
    if not args.quiet:
        print(_table("All labeled pages", c_all))
        print(_table("Training (labels/train)", c_train))
        print(_table("Held-out (labels/heldout)", c_held))
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
