"""Ablations: what each feature choice adds, measured on held-out pages and seeds.

Trains the default configuration and variants of it on ``labels/train`` and
prints, for each, held-out relevance F1, event macro-F1 and accuracy, seed
relevance macro-F1 and event accuracy, training time and prediction speed
(one core, batches of 256 pages).  Nothing is saved.

Usage: ``python -m training.ablate`` (about two minutes).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

from threadpoolctl import threadpool_limits

from autoclass.training.config import TrainConfig
from autoclass.training.data import load_pages
from autoclass.training.evaluate import evaluate
from autoclass.training.train import fit
from training import LABELS, SEEDS

VARIANTS: dict[str, dict] = {
    "default": {},
    "words only (no word pairs)": {"ngram_range": (1, 1)},
    "event head: no context": {"event_contexts": ()},
    "event head: page only": {"event_contexts": ("page",)},
    "event head: page + neighbours + headline": {"event_contexts": ("page", "neighbours", "headline")},
    "relevance: no pairwise products in stage 2": {"relevance_interactions": False},
    "relevance: no second stage": {"relevance_context": False},
}


def _speed(model, pages: list[list[str]]) -> float:  # noqa: ANN001 - a fitted Model
    n = sum(map(len, pages))
    times = []
    with threadpool_limits(limits=1):
        for _ in range(3):
            start = time.perf_counter()
            for i in range(0, len(pages), 256):
                model.classifier.predict_proba(pages[i : i + 256])
            times.append(time.perf_counter() - start)
    return n / statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    base = TrainConfig.from_toml()
    train, heldout = load_pages(LABELS / "train"), load_pages(LABELS / "heldout")
    seeds = load_pages(SEEDS) if SEEDS.is_file() else None
    print(f"{len(train)} training pages, {len(heldout)} held-out pages\n")
    print(
        "| variant | held-out relevance F1 | held-out event macro-F1 | held-out event acc. "
        "| seeds relevance macro-F1 | seeds event acc. | fit s | paragraphs/s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, change in VARIANTS.items():
        config = dataclasses.replace(base, **change)
        start = time.perf_counter()
        model = fit(train, config)
        seconds = time.perf_counter() - start
        h = evaluate(model, heldout, majority_event="sales")["model"]
        s = evaluate(model, seeds, majority_event="sales")["model"] if seeds else None
        seed_cells = f"{s['relevance']['macro_f1']:.3f} | {s['event']['accuracy']:.3f}" if s else "- | -"
        print(
            f"| {name} | {h['relevance']['f1']:.3f} | {h['event']['macro_f1']:.3f} | "
            f"{h['event']['accuracy']:.3f} | {seed_cells} | {seconds:.0f} | "
            f"{_speed(model, heldout.texts * 5):,.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
