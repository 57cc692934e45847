"""Benchmark of the core package: speed of prediction, loading and training.

Measures, in one run and on one core (BLAS threads pinned to 1):

* batch prediction with both heads (``Model.predict_pages`` on pages already
  split, and ``Model.predict_many`` on raw page texts), paragraphs per second;
* the reference: a plain ``TfidfVectorizer + LogisticRegression`` pipeline,
  trained on the same training paragraphs (relevance only), predicting the
  same paragraphs;
* single-page latency of ``predict`` (one page at a time);
* model load time, and training time on ``labels/train``.

Every figure is the median of several repeats.  Usage: ``python -m benchmarks.bench``
(``make bench``); writes ``bench-results/core.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from autoclass.persistence import default_model_dir, load_model

ROOT = Path(__file__).resolve().parent.parent


def median_time(fn, repeats: int) -> float:  # noqa: ANN001 - any zero-argument callable
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=50_000, help="paragraphs per batch run")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-training", action="store_true")
    args = parser.parse_args(argv)

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from autoclass.training.config import TrainConfig
    from autoclass.training.data import load_pages
    from autoclass.training.train import fit
    from training import LABELS

    train = load_pages(LABELS / "train")
    heldout = load_pages(LABELS / "heldout")
    pages = []
    while sum(map(len, pages)) < args.paragraphs:
        pages.extend(heldout.texts)
    n_par = sum(map(len, pages))
    texts = ["\n".join(p) for p in pages]
    flat = [p for page in pages for p in page]

    results: dict[str, float | int | str] = {
        "paragraphs": n_par,
        "pages": len(pages),
        "cpu_count": os.cpu_count(),
    }
    with threadpool_limits(limits=1):
        results["model_load_s"] = median_time(lambda: load_model(), args.repeats)
        model = load_model()
        model.predict_pages(pages[:50])  # warm-up
        t = median_time(lambda: model.predict_pages(pages), args.repeats)
        results["autoclass_pages_paragraphs_per_s"] = n_par / t
        t = median_time(lambda: list(model.predict_many(texts)), args.repeats)
        results["autoclass_texts_paragraphs_per_s"] = n_par / t

        single = texts[:200]
        latencies = []
        for text in single:
            start = time.perf_counter()
            model.predict(text)
            latencies.append(time.perf_counter() - start)
        results["single_page_latency_ms_median"] = 1000 * statistics.median(latencies)
        results["single_page_paragraphs_median"] = statistics.median(len(p) for p in pages[:200])

        train_flat = [p for page in train.texts for p in page]
        train_y = [r for page in train.relevant for r in page]
        reference = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)).fit(
            train_flat, train_y
        )
        reference.predict_proba(flat[:1000])
        t = median_time(lambda: reference.predict_proba(flat), args.repeats)
        results["reference_paragraphs_per_s"] = n_par / t
        results["speed_ratio_vs_reference"] = (
            results["autoclass_texts_paragraphs_per_s"] / results["reference_paragraphs_per_s"]
        )
        if not args.skip_training:
            config = TrainConfig.from_toml()
            results["training_s"] = median_time(lambda: fit(train, config), 3)
            results["training_paragraphs"] = train.n_paragraphs
    results["model_size_mb"] = sum(f.stat().st_size for f in default_model_dir().iterdir()) / 1e6

    rows = [
        (
            "batch prediction, both heads, raw page texts (predict_many)",
            "autoclass_texts_paragraphs_per_s",
            "paragraphs/s",
        ),
        (
            "batch prediction, both heads, pages already split",
            "autoclass_pages_paragraphs_per_s",
            "paragraphs/s",
        ),
        ("reference TfidfVectorizer + LogisticRegression", "reference_paragraphs_per_s", "paragraphs/s"),
        ("ratio autoclass (raw texts) / reference", "speed_ratio_vs_reference", "x"),
        ("single-page latency (median page)", "single_page_latency_ms_median", "ms"),
        ("model load", "model_load_s", "s"),
        ("training on labels/train", "training_s", "s"),
        ("model directory size", "model_size_mb", "MB"),
    ]
    print(f"# Core benchmark: {n_par} paragraphs in {len(pages)} pages, one core, median of {args.repeats}\n")
    print("| measure | value | unit |\n|---|---|---|")
    for name, key, unit in rows:
        if key in results:
            value = results[key]
            print(
                f"| {name} | {value:,.0f} | {unit} |"
                if value >= 100
                else f"| {name} | {value:.2f} | {unit} |"
            )
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "core.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
