"""What each group of markup features adds: the model refitted without it, on HTML pages.

For the default configuration, the configuration without any markup feature,
and without each group of ``autoclass.markup.MARKUP_GROUPS`` in turn, fits a
model on ``labels/train`` (text and HTML pages, as ``make train`` does: the
variant changes the HTML classifier) and prints the held-out relevance F1
(text pages and HTML pages) and, when the
benchmark is present, the benchmark's article-body F1 on its dev and test
halves and the relevance F1 on its car pages (:mod:`training.eval_html`).
Nothing is saved.  Variants can be run apart (``--variants``) and in
parallel processes; each prints its row as soon as it is measured.

Usage: ``python -m training.ablate_html [--variants NAME ...]`` (minutes per variant).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Callable

from autoclass.markup import MARKUP_GROUPS
from autoclass.training.config import TrainConfig
from autoclass.training.data import load_pages
from autoclass.training.evaluate import evaluate
from autoclass.training.train import fit
from training import LABELS
from training.eval_html import BENCHMARK, autoclass_outputs, benchmark_f1, load_benchmark, page_scores
from training.html_styles import html_pages

VARIANTS: dict[str, tuple[str, ...]] = {
    "default (all markup)": tuple(MARKUP_GROUPS),
    "no markup (text features only)": (),
    **{f"without {group}": tuple(g for g in MARKUP_GROUPS if g != group) for group in MARKUP_GROUPS},
}


def _f1(bench: list[dict], outputs: list[tuple[str, str]], keep: Callable[[dict], bool], which: int) -> float:
    """The benchmark's F1 on the pages ``keep`` chooses: of the body (``which`` 0) or relevant text (1)."""
    chosen = [i for i, p in enumerate(bench) if keep(p)]
    return benchmark_f1([page_scores(bench[i]["truth"], outputs[i][which]) for i in chosen])["f1"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="*", choices=list(VARIANTS), help="default: all of them")
    args = parser.parse_args(argv)
    base = TrainConfig.from_toml()
    train, train_html = load_pages(LABELS / "train"), html_pages("train")
    heldout, heldout_html = load_pages(LABELS / "heldout"), html_pages("heldout")
    bench = load_benchmark() if (BENCHMARK / "ground-truth.json").is_file() else []
    print(
        "| variant | held-out rel. F1 (text) | held-out rel. F1 (HTML) | benchmark body F1 dev | test "
        "| car pages rel. F1 | fit s |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in args.variants or VARIANTS:
        config = dataclasses.replace(base, markup=VARIANTS[name])
        start = time.perf_counter()
        model = fit(train, config, html=train_html)
        seconds = time.perf_counter() - start
        text = evaluate(model, heldout, majority_event="sales")["model"]["relevance"]["f1"]
        html = evaluate(model, heldout_html, majority_event="sales")["model"]["relevance"]["f1"]
        cells = "- | - | -"
        if bench:
            outputs = autoclass_outputs(model, bench)
            cells = (
                f"{_f1(bench, outputs, lambda p: p['split'] == 'dev', 0):.3f} | "
                f"{_f1(bench, outputs, lambda p: p['split'] == 'test', 0):.3f} | "
                f"{_f1(bench, outputs, lambda p: p['car'], 1):.3f}"
            )
        print(f"| {name} | {text:.3f} | {html:.3f} | {cells} | {seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
