"""Does ``autoclass suggest`` pick better pages to label than chance?  A learning-curve experiment.

The pool is the training corpus (``labels/train``) with its labels hidden;
the test set is the held-out corpus (``labels/heldout``: other sites, other
article bodies).  For each seed, both strategies start from the same
``--start`` random pages; then, for ``--rounds`` rounds, ``--step`` more
pages (or, with ``--unit paragraphs``, pages holding ``--step`` more
paragraphs) are labeled, their labels revealed, chosen either by
:func:`autoclass.labeling.suggest.suggest` with a model fitted on the pages
labeled so far (``per_line`` for a budget of paragraphs), or at random.
After each round a model fitted on the labeled pages (the default model's
settings) is scored on the held-out pages: relevance F1 and event
macro-F1, defined as in ``make eval``.

Usage::

    python -m benchmarks.bench_suggest --jobs 2                     # 5 seeds, 40 + 4 x 40 pages
    python -m benchmarks.bench_suggest --jobs 2 --unit paragraphs   # 40 pages + 4 x 1,000 paragraphs

Writes ``bench-results/suggest.json`` (``-o``) and prints the mean curves.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import f1_score
from threadpoolctl import threadpool_limits

from autoclass.labeling.drafts import model_event_types
from autoclass.labeling.suggest import suggest
from autoclass.labels import Pages, label_files, pages_from_records, read_records
from autoclass.model import Model
from autoclass.persistence import load_model
from autoclass.training.crossval import subset

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results" / "suggest.json"
STRATEGIES = ("suggest", "random")


def load_pages(folder: Path) -> Pages:
    """Every labeled page under ``folder``."""
    return pages_from_records(read_records(label_files(folder)))


def fit(template: Any, pages: Pages) -> Model:
    """A model with ``template``'s settings fitted on ``pages``."""
    classifier = clone(template).fit(
        pages.texts, pages.relevant, pages.events, body=pages.body, groups=pages.sites
    )
    return Model(classifier)


def score(model: Model, pages: Pages) -> dict[str, float]:
    """Relevance F1 and event macro-F1 (over the gold types of relevant lines), as ``make eval``."""
    articles = model.predict_pages(pages.texts)
    types = model_event_types(model)
    gold_rel, pred_rel, gold_ev, pred_ev = [], [], [], []
    for article, relevant, events in zip(articles, pages.relevant, pages.events):
        for p, r, e in zip(article.paragraphs, relevant, events):
            gold_rel.append(r)
            pred_rel.append(p.relevant)
            if r:
                gold_ev.append(e)
                pred_ev.append(types[int(np.argmax(p.scores))])
    present = sorted(set(gold_ev))
    return {
        "relevance_f1": float(f1_score(gold_rel, pred_rel, zero_division=0)),
        "event_macro_f1": float(
            np.mean(f1_score(gold_ev, pred_ev, labels=present, average=None, zero_division=0))
        ),
    }


def _size(pool: Pages, index: list[int], unit: str) -> int:
    return len(index) if unit == "pages" else sum(len(pool.texts[i]) for i in index)


def _next_pages(
    model: Model,
    pool: Pages,
    part: Pages,
    rest: list[int],
    n: int,
    *,
    strategy: str,
    order: np.ndarray,
    unit: str,
) -> list[int]:
    """The pool indices a strategy labels next, best first (``n`` of them, or enough for ``n`` lines)."""
    if strategy == "random":
        taken = set(range(len(pool))) - set(rest)
        return [int(i) for i in order if i not in taken]
    if unit == "pages":
        want = n
    else:  # enough pages for n lines, whatever their length
        want = min(len(rest), 3 * math.ceil(n * len(pool) / pool.n_paragraphs) + 1)
    chosen = suggest(
        model,
        [pool.texts[i] for i in rest],
        n=want,
        sites=[pool.sites[i] for i in rest],
        labeled=part,
        per_line=unit == "paragraphs",
    )
    return [rest[c.index] for c in chosen]


def curve(
    template: Any,
    pool: Pages,
    heldout: Pages,
    *,
    strategy: str,
    seed: int,
    start: int,
    step: int,
    rounds: int,
    unit: str = "pages",
) -> list[dict[str, Any]]:
    """Held-out scores after each round of one strategy and seed (one BLAS thread: reproducible).

    Round ``k`` labels pages until ``k * step`` pages (or paragraphs, ``unit``) more than the
    ``start`` random pages hold are labeled.
    """
    order = np.random.default_rng(seed).permutation(len(pool))
    labeled = [int(i) for i in order[:start]]
    first = _size(pool, labeled, unit)
    points = []
    # Models of a few dozen pages may stop short of convergence; the figures are what they are.
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for k in range(rounds + 1):
            part = subset(pool, labeled)
            model = fit(template, part)
            points.append({"pages": len(part), "paragraphs": part.n_paragraphs, **score(model, heldout)})
            if k == rounds:
                return points
            target = first + (k + 1) * step
            taken = set(labeled)
            rest = [i for i in range(len(pool)) if i not in taken]
            need = target - _size(pool, labeled, unit)
            for i in _next_pages(model, pool, part, rest, need, strategy=strategy, order=order, unit=unit):
                if _size(pool, labeled, unit) >= target:
                    break
                labeled.append(i)
    return points


def experiment(
    template: Any,
    pool: Pages,
    heldout: Pages,
    *,
    seeds: Sequence[int],
    start: int,
    step: int,
    rounds: int,
    unit: str = "pages",
    jobs: int = 1,
) -> dict[str, Any]:
    """Both strategies' curves for every seed, and their means after each round.

    Returns
    -------
    dict
        ``{"settings": {...}, "runs": {strategy: {seed: [points]}},
        "mean": {strategy: [{"pages", "paragraphs", "relevance_f1", "event_macro_f1"}]}}``.
    """
    tasks = [(strategy, seed) for seed in seeds for strategy in STRATEGIES]
    results = Parallel(n_jobs=jobs)(
        delayed(curve)(
            template,
            pool,
            heldout,
            strategy=strategy,
            seed=seed,
            start=start,
            step=step,
            rounds=rounds,
            unit=unit,
        )
        for strategy, seed in tasks
    )
    runs: dict[str, dict[int, list[dict[str, Any]]]] = {s: {} for s in STRATEGIES}
    for (strategy, seed), points in zip(tasks, results):
        runs[strategy][seed] = points
    mean = {
        strategy: [
            {
                key: statistics.fmean(run[k][key] for run in by_seed.values())
                for key in ("pages", "paragraphs", "relevance_f1", "event_macro_f1")
            }
            for k in range(rounds + 1)
        ]
        for strategy, by_seed in runs.items()
    }
    wins = {
        head: sum(
            runs["suggest"][seed][k][head] > runs["random"][seed][k][head]
            for seed in seeds
            for k in range(1, rounds + 1)
        )
        for head in ("relevance_f1", "event_macro_f1")
    }
    settings = {"seeds": list(seeds), "start": start, "step": step, "rounds": rounds, "unit": unit}
    return {
        "settings": settings,
        "runs": runs,
        "mean": mean,
        "wins": wins,
        "comparisons": len(seeds) * rounds,
    }


def table(result: dict[str, Any]) -> str:
    """The mean curves side by side, as Markdown."""
    lines = [
        "| round | pages: suggest / random | paragraphs: suggest / random "
        "| relevance F1: suggest / random | event macro-F1: suggest / random |",
        "|---|---|---|---|---|",
    ]
    for k, (s, r) in enumerate(zip(result["mean"]["suggest"], result["mean"]["random"])):
        lines.append(
            f"| {k} | {s['pages']:.0f} / {r['pages']:.0f} | {s['paragraphs']:,.0f} / {r['paragraphs']:,.0f} "
            f"| {s['relevance_f1']:.3f} / {r['relevance_f1']:.3f} "
            f"| {s['event_macro_f1']:.3f} / {r['event_macro_f1']:.3f} |"
        )
    w, n = result["wins"], result["comparisons"]
    lines.append(
        f"\nsuggest ahead of random in {w['relevance_f1']} of {n} (seed, round) pairs for relevance F1, "
        f"{w['event_macro_f1']} of {n} for event macro-F1"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument("--start", type=int, default=40, help="random pages to start from (default 40)")
    parser.add_argument(
        "--unit",
        choices=("pages", "paragraphs"),
        default="pages",
        help="labeling budget in pages (suggest as `autoclass suggest`), or in paragraphs "
        "(`autoclass suggest --per-line`)",
    )
    parser.add_argument("--step", type=int, help="budget added per round (default 40 pages, 1000 paragraphs)")
    parser.add_argument("--rounds", type=int, default=4, help="rounds after the start (default 4)")
    parser.add_argument("--jobs", type=int, default=1, help="runs in parallel (default 1)")
    parser.add_argument("--model", help="model whose settings to fit (default: the default model)")
    parser.add_argument(
        "-o", "--output", type=Path, default=RESULTS, help=f"results (default {RESULTS.name})"
    )
    args = parser.parse_args(argv)
    step = args.step or (40 if args.unit == "pages" else 1000)
    template = load_model(args.model).classifier
    pool, heldout = load_pages(ROOT / "labels" / "train"), load_pages(ROOT / "labels" / "heldout")
    began = time.perf_counter()
    result = experiment(
        template,
        pool,
        heldout,
        seeds=range(args.seeds),
        start=args.start,
        step=step,
        rounds=args.rounds,
        unit=args.unit,
        jobs=args.jobs,
    )
    result["seconds"] = round(time.perf_counter() - began, 1)
    result["pool"] = {"pages": len(pool), "paragraphs": pool.n_paragraphs}
    result["heldout"] = {"pages": len(heldout), "paragraphs": heldout.n_paragraphs}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(
        f"pool {len(pool):,} pages (labels/train), held out {len(heldout):,} pages (labels/heldout); "
        f"budget in {args.unit}: {args.start} random pages, then {args.rounds} rounds of {step}; "
        f"seeds {list(range(args.seeds))}; {result['seconds']:.0f} s"
    )
    print(table(result))
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
