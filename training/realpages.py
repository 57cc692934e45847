"""The real-page development set: manifests in ``labels/real/``, texts in a git-ignored cache.

Real news pages are not ours to redistribute, so the repository holds, per
page, a *manifest*: the URL, how the page was found, and for every paragraph
the sha1 of its text and its labels (``relevant``, ``body``, ``event``).
The texts live in ``.cache/realpages/pages/`` (git-ignored), one file a page:
either a labeling file (``PAGE_ID.json``, the page's paragraphs with their
labels, as a labeler writes it) or the bare page text (``PAGE_ID.txt``, one
paragraph per line, as re-fetched). Paragraph texts are checked against the
manifest's hashes before any use; labels always come from the manifest.

Pages are split by site: about two thirds ``dev`` (look at every error),
one third ``test`` (look only at the summary figures).

Usage (``make eval-real``)::

    python -m training.realpages check FILE...      # validate labeling files
    python -m training.realpages manifest           # labeling files -> labels/real/{dev,test}/
    python -m training.realpages missing            # pages whose text is not cached, and how to get it
    python -m training.realpages eval [--split dev|test|all] [--model DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autoclass.labels import Pages
from autoclass.paragraphs import split_paragraphs
from autoclass.taxonomy import EVENT_TYPES

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = ROOT / "labels" / "real"
CACHE = ROOT / ".cache" / "realpages" / "pages"
SPLITS = ("dev", "test")
REGIONS = frozenset(
    "US Canada UK Europe India China Japan Korea Global Australia Africa".split()
    + ["East Asia", "Southeast Asia", "Latin America", "Middle East"]
)
KINDS = frozenset(
    [
        "trade press",
        "general news",
        "business portal",
        "press-release wire",
        "company newsroom",
        "government notice",
        "stock news",
        "aggregator",
        "blog",
        "forum",
        "tag or section page",
        "other",
    ]
)
TOPICS = frozenset(["automotive", "other-industry", "none"])
_PAGE_FIELDS = ("page_id", "url", "site", "found", "region", "kind", "topic", "short_story", "main_event")


class RealPageError(ValueError):
    """A labeling file or manifest that breaks the format; the message names the file."""


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def split_of(site: str) -> str:
    """``dev`` for about two sites in three, ``test`` for the rest; fixed by the site's name."""
    return "test" if int(sha1(site), 16) % 3 == 2 else "dev"


def _check_labels(name: str, i: int, p: dict[str, Any]) -> None:
    where = f"{name}: paragraph {i}"
    if not isinstance(p.get("relevant"), bool) or not isinstance(p.get("body"), bool):
        raise RealPageError(f"{where}: 'relevant' and 'body' must be true or false")
    if p["relevant"] and not p["body"]:
        raise RealPageError(f"{where}: relevant true needs body true (LABELS.md)")
    event = p.get("event")
    if p["relevant"] and event not in EVENT_TYPES:
        raise RealPageError(f"{where}: a relevant paragraph needs one of the 15 events, got {event!r}")
    if not p["relevant"] and event is not None:
        raise RealPageError(f"{where}: an irrelevant paragraph has event null, got {event!r}")


def check_page(page: dict[str, Any], name: str) -> None:
    """Raise :class:`RealPageError` when a labeling file or manifest breaks the format."""
    missing = [f for f in _PAGE_FIELDS if f not in page]
    if missing:
        raise RealPageError(f"{name}: missing fields {missing}")
    if page["region"] not in REGIONS:
        raise RealPageError(f"{name}: unknown region {page['region']!r}")
    if page["kind"] not in KINDS:
        raise RealPageError(f"{name}: unknown kind {page['kind']!r}")
    if page["topic"] not in TOPICS:
        raise RealPageError(f"{name}: unknown topic {page['topic']!r}")
    paragraphs = page.get("paragraphs")
    if not isinstance(paragraphs, list) or not paragraphs:
        raise RealPageError(f"{name}: 'paragraphs' must be a non-empty list")
    for i, p in enumerate(paragraphs):
        _check_labels(name, i, p)
        if "text" in p:
            text = p["text"]
            if not isinstance(text, str) or split_paragraphs(text) != [text]:
                raise RealPageError(f"{name}: paragraph {i}: text must be one stripped, non-blank line")
        elif not isinstance(p.get("sha1"), str):
            raise RealPageError(f"{name}: paragraph {i}: needs 'text' or 'sha1'")
    relevant = [p for p in paragraphs if p["relevant"]]
    if page["topic"] == "automotive":
        if not relevant:
            raise RealPageError(f"{name}: topic automotive but no relevant paragraph")
        if page["main_event"] not in EVENT_TYPES:
            raise RealPageError(f"{name}: topic automotive needs a main_event")
    elif relevant:
        raise RealPageError(f"{name}: topic {page['topic']} cannot have relevant paragraphs")
    if page["topic"] == "none" and any(p["body"] for p in paragraphs):
        raise RealPageError(f"{name}: topic none (no own story) cannot have body paragraphs")


def to_manifest(page: dict[str, Any]) -> dict[str, Any]:
    """A labeling file's page without its texts: paragraph hashes and labels, and its split."""
    manifest = {f: page[f] for f in _PAGE_FIELDS}
    manifest["split"] = split_of(page["site"])
    manifest["notes"] = page.get("notes", "")
    manifest["paragraphs"] = [
        {"sha1": sha1(p["text"]), "relevant": p["relevant"], "body": p["body"], "event": p["event"]}
        for p in page["paragraphs"]
    ]
    return manifest


def read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RealPageError(f"{path}: {exc}") from None


def manifests(splits: tuple[str, ...] = SPLITS) -> list[dict[str, Any]]:
    """Every committed manifest of ``splits``, sorted by page id."""
    out = []
    for split in splits:
        for path in sorted((MANIFESTS / split).glob("*.json")):
            page = read_json(path)
            check_page(page, str(path))
            out.append(page)
    return sorted(out, key=lambda p: p["page_id"])


def cached_texts(page_id: str, cache: Path = CACHE) -> list[str] | None:
    """The cached paragraphs of a page (labeling file first, else bare text), or None."""
    labeled, bare = cache / f"{page_id}.json", cache / f"{page_id}.txt"
    if labeled.is_file():
        return [p["text"] for p in read_json(labeled)["paragraphs"]]
    if bare.is_file():
        return split_paragraphs(bare.read_text(encoding="utf-8"))
    return None


@dataclass(frozen=True)
class RealSet:
    """Real pages ready to score, and what could not be used."""

    pages: Pages
    body: list[list[bool]]
    meta: list[dict[str, Any]]
    missing: list[dict[str, Any]]
    mismatched: list[tuple[dict[str, Any], str]]


def assemble(splits: tuple[str, ...] = SPLITS, cache: Path = CACHE) -> RealSet:
    """Join manifests with cached texts, checking every paragraph against its hash."""
    ids, sites, texts, relevant, events, body, meta = [], [], [], [], [], [], []
    missing, mismatched = [], []
    for page in manifests(splits):
        cached = cached_texts(page["page_id"], cache)
        if cached is None:
            missing.append(page)
            continue
        hashes = [p["sha1"] for p in page["paragraphs"]]
        if len(cached) != len(hashes):
            mismatched.append((page, f"{len(cached)} paragraphs cached, {len(hashes)} in the manifest"))
            continue
        bad = [i for i, (t, h) in enumerate(zip(cached, hashes)) if sha1(t) != h]
        if bad:
            mismatched.append((page, f"paragraphs {bad[:5]} differ from their hashes"))
            continue
        ids.append(page["page_id"])
        sites.append(page["site"])
        texts.append(cached)
        relevant.append([p["relevant"] for p in page["paragraphs"]])
        events.append([p["event"] for p in page["paragraphs"]])
        body.append([p["body"] for p in page["paragraphs"]])
        meta.append(page)
    return RealSet(Pages(ids, sites, texts, relevant, events, body), body, meta, missing, mismatched)


def describe_missing(missing: list[dict[str, Any]], cache: Path = CACHE) -> str:
    """How to rebuild the cache: each missing page's URL and the search that found it."""
    lines = [
        f"{len(missing)} real pages have no cached text in {cache}.",
        "Their texts are not in the repository. For each page below, run the search it was found with",
        "(the workplace search tool, corpus 'pages'), take the result with this URL, and save its excerpt",
        f"as {cache}/PAGE_ID.txt (one paragraph per line); hashes are checked on use.",
    ]
    for page in missing:
        found = page["found"]
        lines.append(f"  {page['page_id']}\t{page['url']}\tquery: {found.get('query')!r}")
    return "\n".join(lines)


def _cmd_check(args: argparse.Namespace) -> int:
    bad = 0
    for name in args.files:
        try:
            check_page(read_json(Path(name)), name)
        except RealPageError as exc:
            print(f"realpages: {exc}", file=sys.stderr)
            bad += 1
    print(f"checked {len(args.files)} files: {bad} with problems")
    return 1 if bad else 0


def _cmd_manifest(args: argparse.Namespace) -> int:
    pages = [read_json(p) for p in sorted(args.cache.glob("*.json"))]
    for page in pages:
        check_page(page, page.get("page_id", "?"))
    written = Counter()
    for page in pages:
        manifest = to_manifest(page)
        for split in SPLITS:  # a page's split is fixed by its site; drop any stale copy
            (MANIFESTS / split / f"{page['page_id']}.json").unlink(missing_ok=True)
        path = MANIFESTS / manifest["split"] / f"{page['page_id']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written[manifest["split"]] += 1
    sites = {p["site"] for p in pages}
    print(f"{len(pages)} manifests from {len(sites)} sites: {dict(written)}")
    return 0


def _cmd_missing(args: argparse.Namespace) -> int:
    real = assemble(cache=args.cache)
    if real.missing:
        print(describe_missing(real.missing, args.cache))
    for page, why in real.mismatched:
        print(f"  {page['page_id']}: cached text does not match the manifest: {why}")
    print(f"{len(real.pages)} pages ready, {len(real.missing)} missing, {len(real.mismatched)} mismatched")
    return 1 if real.missing or real.mismatched else 0


def _print_errors(real: RealSet, articles: list) -> None:
    """Every wrong paragraph of the pages: gold and predicted labels side by side."""
    pages = real.pages
    for meta, article, relevant, events, body in zip(
        real.meta, articles, pages.relevant, pages.events, real.body
    ):
        rows = []
        for p, r, e, b in zip(article.paragraphs, relevant, events, body):
            if p.relevant != r or (r and p.event != e):
                gold = e if r else ("body" if b else "-")
                pred = p.event if p.relevant else ("body" if p.body >= article.threshold else "-")
                rows.append(
                    f"  [{p.position:>3}] gold {gold:<13} pred {pred:<13} "
                    f"rel {p.relevance:.2f} body {p.body:.2f}  {p.text[:90]}"
                )
        if rows:
            print(f"{meta['page_id']} ({meta['topic']}, main {meta['main_event']}) {meta['url']}")
            print("\n".join(rows))


def _cmd_eval(args: argparse.Namespace) -> int:
    from autoclass.persistence import load_model
    from autoclass.training.evaluate import evaluate_with_predictions, render_markdown, summary_line

    model = load_model(args.model)
    majority = model.metadata.get("majority_event", "corporate")
    splits = SPLITS if args.split == "all" else (args.split,)
    status = 0
    for split in splits:
        real = assemble((split,), cache=args.cache)
        if real.missing or real.mismatched:
            print(describe_missing(real.missing, args.cache), file=sys.stderr)
            for page, why in real.mismatched:
                print(f"  {page['page_id']}: cached text does not match: {why}", file=sys.stderr)
            status = 1
        if not len(real.pages):
            print(f"real {split}: no page with its text cached; nothing to score", file=sys.stderr)
            continue
        results, articles = evaluate_with_predictions(model, real.pages, majority_event=majority)
        name = f"real {split} ({len({m['site'] for m in real.meta})} sites)"
        if args.markdown:
            print(render_markdown({name: results}))
        print(summary_line(name, results))
        if args.errors and split == "dev":
            _print_errors(real, articles)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.realpages", description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"the texts' cache (default {CACHE})")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate labeling files")
    check.add_argument("files", nargs="+")
    check.set_defaults(run=_cmd_check)
    sub.add_parser("manifest", help="write labels/real/ from the cached labeling files").set_defaults(
        run=_cmd_manifest
    )
    sub.add_parser("missing", help="list pages without cached text").set_defaults(run=_cmd_missing)
    ev = sub.add_parser("eval", help="score a model on the real pages")
    ev.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    ev.add_argument("--model", type=Path, default=None)
    ev.add_argument("--errors", action="store_true", help="list every wrong paragraph (dev split only)")
    ev.add_argument("--markdown", action="store_true", help="the full tables, as make eval prints them")
    ev.set_defaults(run=_cmd_eval)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except RealPageError as exc:
        print(f"realpages: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
