"""Sort a model's errors into the failure classes real pages show.

The real-pages issue names eight classes of errors seen on pages nobody on
the team reads (the whole article lost, other industries' news kept, banners
of other stories kept, captions kept, sub-headings dropped, other stories'
headlines kept, short pages dropped, event types confused). This module
counts each class on labeled pages, so that a change can be measured per
class, before and after, on the real development pages (or any labeled
pages with ``body`` labels).

The classes are decided by rules on the gold labels and the line's shape,
not by a reader, so they are approximate: a kept line of four words after
the article is counted as another story's headline whether it is one or a
tag. Each wrong line falls in exactly one class, the first that fits:

- dropped lines (relevant, not kept): on a page whose article is lost
  entirely, ``article lost`` (or ``short page`` when the article has at most
  three lines); else ``short page`` when it has at most three lines, or when
  the line is its first (the headline); else ``cut-off last line`` when it
  is the page's last and ends mid-sentence (real pages are scraped to a
  length); else ``table or list row`` (pipes, a bullet, mostly figures);
  else ``sub-heading`` when the line has at most eight words and no end of
  sentence; else ``article prose``;
- kept lines (not relevant): ``other industry`` when the line is the page's
  own story (gold ``body``); else ``caption or label`` when it has at most
  three words or reads as a credit ("Photo:", "courtesy of", "via"...);
  else ``banner above the article`` when it comes before the article's
  first line; else ``other story's headline`` when it is shaped as a
  headline (four words or more, no end of sentence); else ``boilerplate``;
- event types (relevant lines, the most likely type wrong): the issue's
  named confusions, and ``other event``.

Usage::

    python -m training.failures [--model DIR] [--split dev|test|all|none] [--labels PATH...] [--lines]

``--lines`` lists every wrong line with its class (never those of the real
test pages, whose errors are not read); ``make eval-real`` prints the table.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autoclass.article import Article
from autoclass.labels import Pages

SHORT_ARTICLE = 3  # relevant lines of a short story (the issue: a headline and one to three lines)
SUBHEADING_WORDS = 8
CAPTION_WORDS = 3
HEADLINE_WORDS = 4

DROPPED = (
    "article lost",
    "short page",
    "cut-off last line",
    "table or list row",
    "sub-heading",
    "article prose",
)
KEPT = (
    "other industry",
    "caption or label",
    "banner above the article",
    "other story's headline",
    "boilerplate",
)
# The confusions the issue names (gold -> predicted).
NAMED_CONFUSIONS = {
    ("legal", "corporate"): "legal typed corporate",
    ("corporate", "partnership"): "corporate typed partnership or technology",
    ("corporate", "technology"): "corporate typed partnership or technology",
    ("manufacturing", "labor"): "manufacturing and labor",
    ("labor", "manufacturing"): "manufacturing and labor",
}
EVENTS = (*dict.fromkeys(NAMED_CONFUSIONS.values()), "other event")
CLASSES = DROPPED + KEPT + EVENTS

_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*\s*$")
_BULLETS = ("|", "•", "-", "*", "–", "·")
_CREDIT = re.compile(
    r"\b(photo|photograph|image|picture|credit|courtesy|via|file|illustration|source|getty|reuters|afp"
    r"|shutterstock|pressclub|press club|caption)\b|©",
    re.IGNORECASE,
)


def _words(text: str) -> int:
    return len(text.split())


def _ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


def _is_row(text: str) -> bool:
    """A row of a table or an item of a list: pipes, a bullet, or mostly figures."""
    tokens = text.split()
    figures = sum(any(c.isdigit() for c in t) for t in tokens)
    mostly_figures = bool(tokens) and figures * 2 >= len(tokens)
    return text.lstrip().startswith(_BULLETS) or " | " in text or mostly_figures


def dropped_class(text: str, *, index: int, first: int, last: int, n_gold: int, page_lost: bool) -> str:
    """The class of a relevant line the model dropped (``first``, ``last``: the page's first
    relevant line and its last line)."""
    if page_lost:
        return "short page" if n_gold <= SHORT_ARTICLE else "article lost"
    if n_gold <= SHORT_ARTICLE or index == first:
        return "short page"
    if index == last and not _ends_sentence(text):  # real pages are scraped to a length, mid-line
        return "cut-off last line"
    if _is_row(text):
        return "table or list row"
    if _words(text) <= SUBHEADING_WORDS and not _ends_sentence(text):
        return "sub-heading"
    return "article prose"


def kept_class(text: str, *, index: int, body: bool | None, first_body: int) -> str:
    """The class of a line kept that is not relevant."""
    if body:
        return "other industry"
    if _words(text) <= CAPTION_WORDS or _CREDIT.search(text):
        return "caption or label"
    if index < first_body:
        return "banner above the article"
    if _words(text) >= HEADLINE_WORDS and not _ends_sentence(text):
        return "other story's headline"
    return "boilerplate"


def event_class(gold: str, predicted: str) -> str:
    """The class of a relevant line whose most likely event type is wrong."""
    return NAMED_CONFUSIONS.get((gold, predicted), "other event")


@dataclass
class Failures:
    """Wrong lines per class, pages with at least one per class, and the event confusions."""

    lines: Counter = field(default_factory=Counter)
    pages: Counter = field(default_factory=Counter)
    confusions: Counter = field(default_factory=Counter)  # (gold, predicted) -> lines
    examples: list[tuple[str, str, str]] = field(default_factory=list)  # (class, page id, line)


def failure_counts(pages: Pages, articles: Sequence[Article]) -> Failures:
    """Count the failure classes of ``articles`` predicted for labeled ``pages``."""
    out = Failures()
    bodies = pages.body or [[None] * len(t) for t in pages.texts]
    for page_id, article, texts, relevant, events, body in zip(
        pages.ids, articles, pages.texts, pages.relevant, pages.events, bodies
    ):
        gold_lines = [i for i, r in enumerate(relevant) if r]
        body_lines = [i for i, (r, b) in enumerate(zip(relevant, body)) if r or b]
        first = gold_lines[0] if gold_lines else len(texts)
        first_body = body_lines[0] if body_lines else len(texts)
        kept = [p.relevant for p in article.paragraphs]
        lost = bool(gold_lines) and not any(kept[i] for i in gold_lines)
        here = Counter()
        for i, (p, text, r, e, b) in enumerate(zip(article.paragraphs, texts, relevant, events, body)):
            wrong = []
            if r and not p.relevant:
                wrong.append(
                    dropped_class(
                        text,
                        index=i,
                        first=first,
                        last=len(texts) - 1,
                        n_gold=len(gold_lines),
                        page_lost=lost,
                    )
                )
            elif p.relevant and not r:
                wrong.append(kept_class(text, index=i, body=b, first_body=first_body))
            if r:
                predicted = max(p.event_scores, key=p.event_scores.get)
                if predicted != e:
                    wrong.append(event_class(e, predicted))
                    out.confusions[e, predicted] += 1
            here.update(wrong)
            out.examples.extend((name, page_id, text) for name in wrong)
        out.lines.update(here)
        out.pages.update(here.keys())
    return out


def render(columns: dict[str, Failures], *, confusions: int = 5) -> str:
    """A Markdown table, one row per class (lines, and pages in brackets, per set),
    then each set's most frequent event confusions."""
    names = list(columns)
    out = [
        "| class | " + " | ".join(f"{n}: lines (pages)" for n in names) + " |",
        "|---" * (len(names) + 1) + "|",
    ]
    for name in CLASSES:
        cells = [f"{f.lines[name]} ({f.pages[name]})" for f in columns.values()]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    for name, f in columns.items():
        top = ", ".join(f"{g} typed {p} {n}" for (g, p), n in f.confusions.most_common(confusions))
        out.append(f"\n{name}, most frequent event confusions (lines): {top or 'none'}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    from autoclass.persistence import load_model
    from autoclass.training.data import load_pages
    from training.realpages import SPLITS, assemble, describe_missing

    parser = argparse.ArgumentParser(prog="python -m training.failures", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", type=Path, default=None, help="the model directory (default: the default model)"
    )
    parser.add_argument(
        "--split", choices=(*SPLITS, "all", "none"), default="dev", help="real pages to count on"
    )
    parser.add_argument(
        "--labels", nargs="*", default=[], help="labeled page files or folders to count on too"
    )
    parser.add_argument(
        "--lines",
        action="store_true",
        help="also list every wrong line with its class (not for the real test pages)",
    )
    args = parser.parse_args(argv)
    model = load_model(args.model)
    sets: dict[str, Pages] = {}
    for split in {"all": SPLITS, "none": ()}.get(args.split, (args.split,)):
        real = assemble((split,))
        if real.missing or real.mismatched:
            print(describe_missing(real.missing), file=sys.stderr)
        if len(real.pages):
            sets[f"real {split}"] = real.pages
        else:
            print(f"real {split}: no page with its text cached; skipped", file=sys.stderr)
    for path in args.labels:
        sets[path] = load_pages(path, events=model.event_types)
    if not sets:
        print("nothing to count on", file=sys.stderr)
        return 1
    columns = {name: failure_counts(pages, model.predict_pages(pages.texts)) for name, pages in sets.items()}
    print(render(columns))
    if args.lines:
        for name, failures in columns.items():
            if name == "real test":  # its errors are not read: only its summary figures
                continue
            for cls, page_id, text in sorted(failures.examples, key=lambda x: CLASSES.index(x[0])):
                print(f"{name}\t{cls}\t{page_id}\t{text[:100]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
