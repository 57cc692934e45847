"""A small labeled corpus with a taxonomy of its own: 4 event types, 20 training and 6 held-out pages.

What a user with their own types writes: ``taxonomy.json`` (funding, launch,
lawsuit, other) one folder above ``train/`` and ``heldout/``, pages from
sites of their own, a few off-topic pages.  Generated from templates with a
fixed seed, so every run writes the same files.
"""

from __future__ import annotations

import html
import json
import random
from pathlib import Path

from autoclass.html import parse_html
from autoclass.labels import Pages

TYPES = ("funding", "launch", "lawsuit", "other")

COMPANIES = [
    "Voltra",
    "Plugly",
    "Arcmotive",
    "Kestrel EV",
    "Nordwheel",
    "Brightaxle",
    "Carvana Labs",
    "Moveon",
]
PRODUCTS = ["EV3 crossover", "Aero sedan", "Trail pickup", "Metro van", "Nova hatchback", "Summit SUV"]
PLACES = ["Berlin", "Detroit", "Shanghai", "Pune", "Lyon", "Austin"]

STORIES: dict[str, tuple[list[str], list[str]]] = {
    "funding": (
        ["{c} raises ${n} million in a funding round", "{c} secures ${n} million from investors"],
        [
            "{c} raised ${n} million in a Series B funding round led by a growth fund.",
            "The investors valued the startup at ${m} million after the round.",
            "{c} will use the funding to hire engineers and expand its charging business.",
            "Existing investors also joined the round, the company said.",
            "The new capital brings the total raised by {c} to ${m} million.",
        ],
    ),
    "launch": (
        ["{c} launches the {p} in {w}", "{c} unveils its new {p}"],
        [
            "{c} unveiled the {p} at an event in {w}, with sales starting next month.",
            "The new {p} comes with two battery sizes and a longer range.",
            "Prices for the {p} start at {n},000 dollars, the carmaker said.",
            "Dealers will take orders for the new model from June.",
            "The launch of the {p} follows a year of testing on public roads.",
        ],
    ),
    "lawsuit": (
        ["Owners sue {c} over faulty software", "{c} settles lawsuit with former supplier"],
        [
            "A group of owners filed a lawsuit against {c} in a federal court in {w}.",
            "The lawsuit claims that a software update disabled features of the cars.",
            "{c} agreed to pay ${n} million to settle the case, court papers show.",
            "A judge will hear the case in the autumn, lawyers for the plaintiffs said.",
            "The court rejected a motion by {c} to dismiss the lawsuit.",
        ],
    ),
    "other": (
        ["Classic car clubs gather in {w} for a summer meet", "Drivers in {w} share their road trip stories"],
        [
            "Hundreds of drivers brought restored cars to the annual meet in {w}.",
            "Members of the club said they drive their old models every weekend.",
            "The meet ended with a parade of vintage cars through the old town.",
            "Road trips by car remain popular with young drivers, organisers said.",
        ],
    ),
}
OFFTOPIC = (
    "Local team wins the cup final in {w}",
    [
        "The striker scored twice in the second half to win the cup.",
        "Fans celebrated in the city centre until late at night.",
        "The coach praised the defence after a difficult season.",
    ],
)
SITES = {
    "startup-daily": (
        ["Home | Startups | Funding | Contact"],
        ["Share this article", "Subscribe to our newsletter"],
    ),
    "motor-wire": (["Menu | Cars | Reviews | Video"], ["Related news", "Leave a Reply"]),
    "court-reporter": (["Courts | Business | Opinion"], ["Print this page", "Cookie settings"]),
    "city-news": (
        ["City News | Sports | Culture | Motoring"],
        ["Most read today", "Follow us on social media"],
    ),
    "tech-digest": (["Tech Digest | Mobility | Energy"], ["Share on social media", "Sign up for alerts"]),
    "regional-herald": (["The Herald | Local | Business"], ["Read more stories", "All rights reserved"]),
}
TRAIN_SITES = ["startup-daily", "motor-wire", "court-reporter", "city-news"]
HELDOUT_SITES = ["tech-digest", "regional-herald"]


def _page(rng: random.Random, kind: str | None, site: str) -> list[tuple[str, bool, str | None]]:
    fill = {
        "c": rng.choice(COMPANIES),
        "p": rng.choice(PRODUCTS),
        "w": rng.choice(PLACES),
        "n": rng.randint(10, 90),
        "m": rng.randint(100, 900),
    }
    top, bottom = SITES[site]
    lines: list[tuple[str, bool, str | None]] = [(t, False, None) for t in top]
    if kind is None:
        headline, body = OFFTOPIC
        lines.append((headline.format(**fill), False, None))
        lines += [(t.format(**fill), False, None) for t in body]
    else:
        headlines, body = STORIES[kind]
        lines.append((rng.choice(headlines).format(**fill), True, kind))
        lines.append((f"Published: {rng.randint(1, 28):02d} June 2024", False, None))
        lines += [(t.format(**fill), True, kind) for t in rng.sample(body, 3)]
    lines += [(t, False, None) for t in bottom]
    return lines


def write_four_type_corpus(root: Path, *, seed: int = 0) -> Path:
    """Write ``root/taxonomy.json``, ``root/train/`` (20 pages) and ``root/heldout/`` (6 pages)."""
    rng = random.Random(seed)
    (root / "train").mkdir(parents=True, exist_ok=True)
    (root / "heldout").mkdir(exist_ok=True)
    (root / "taxonomy.json").write_text(
        json.dumps({"events": list(TYPES), "descriptions": {t: f"{t} stories" for t in TYPES}}) + "\n"
    )
    plans = {
        # Every site carries every type: a type must not be learned as a site's template.
        "train": [(TYPES[k % 4] if k not in (7, 14) else None, TRAIN_SITES[(k // 4) % 4]) for k in range(20)],
        "heldout": [(kind, HELDOUT_SITES[k % 2]) for k, kind in enumerate([*TYPES, "funding", None])],
    }
    for split, plan in plans.items():
        by_site: dict[str, list[str]] = {}
        for k, (kind, site) in enumerate(plan):
            for i, (text, relevant, event) in enumerate(_page(rng, kind, site)):
                record = {
                    "article_id": f"{split}-{k:02d}",
                    "position": i,
                    "text": text,
                    "relevant": relevant,
                    "event": event,
                    "site": site,
                }
                by_site.setdefault(site, []).append(json.dumps(record))
        for site, lines in by_site.items():
            (root / split / f"{site}.jsonl").write_text("\n".join(lines) + "\n")
    return root


# A page to predict with a model trained on the corpus.
PAGE = (
    "Tech Digest | Mobility | Energy\n"
    "Nordwheel raises $40 million in a funding round\n"
    "Published: 12 June 2024\n"
    "Nordwheel raised $40 million in a funding round led by a growth fund.\n"
    "The investors valued the startup at $300 million after the round.\n"
    "Nordwheel will use the funding to hire engineers and expand its charging business.\n"
    "Share on social media\n"
    "Sign up for alerts\n"
)


def four_type_html_pages(split: str) -> Pages:
    """The pages of :func:`write_four_type_corpus` as HTML (``autoclass train --html-pages``).

    Article lines are paragraphs of an ``<article>``, the rest links of a ``<nav>``;
    each line is one parsed block, with its labels.
    """
    plan = {"train": (20, TRAIN_SITES), "heldout": (6, HELDOUT_SITES)}[split]
    rng = random.Random(f"html-{split}")
    kinds = [*TYPES, None]
    pages, relevant, events = [], [], []
    for k in range(plan[0]):
        lines = _page(rng, kinds[k % len(kinds)], plan[1][k % len(plan[1])])
        markup = "".join(
            f"<article><p>{html.escape(t)}</p></article>"
            if rel
            else f"<nav><a href='/'>{html.escape(t)}</a></nav>"
            for t, rel, _ in lines
        )
        page = parse_html(f"<html><body>{markup}</body></html>")
        assert list(page) == [t for t, _, _ in lines]
        pages.append(page)
        relevant.append([rel for _, rel, _ in lines])
        events.append([ev for _, _, ev in lines])
    ids = [f"{split}-{k:02d}#html" for k in range(len(pages))]
    sites = [plan[1][k % len(plan[1])] for k in range(len(pages))]
    return Pages(ids, sites, pages, relevant, events, event_types=TYPES)
