"""Resampled evaluations: k-fold cross-validation by site, and the learning curve.

One held-out split gives one figure per metric, which may be a lucky (or
unlucky) draw of sites.  :func:`cross_validate` refits the model ``k`` times
on the training pages, each time holding out a group of whole sites (and so
whole articles), and reports the mean and standard deviation of every
headline metric.  :func:`learning_curve` refits on growing random shares of
the training pages and evaluates each on the held-out pages, to show whether
more labeled pages would still help.

Usage: ``autoclass train`` stores the cross-validation in ``metadata.json``;
``autoclass evaluate --learning-curve`` computes (and caches) the learning
curve for the report.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import GroupKFold

from autoclass.classifier import unconverged
from autoclass.errors import AutoclassError
from autoclass.folds import fold_groups
from autoclass.labels import Pages, pages_from_records, read_records, subset
from autoclass.model import Model
from autoclass.training.config import TrainConfig
from autoclass.training.evaluate import EvaluatedSet, evaluate, score
from autoclass.training.provenance import recorded_training_files, sha256_files
from autoclass.training.train import fit, majority_event

CACHE = "learning_curve.json"

# (name, path in the results of autoclass.training.evaluate.evaluate)
HEADLINE: tuple[tuple[str, tuple[str, str]], ...] = (
    ("relevance_precision", ("relevance", "precision")),
    ("relevance_recall", ("relevance", "recall")),
    ("relevance_f1", ("relevance", "f1")),
    ("relevance_macro_f1", ("relevance", "macro_f1")),
    ("event_accuracy", ("event", "accuracy")),
    ("event_macro_f1", ("event", "macro_f1")),
    ("tag_precision", ("tags", "precision")),
    ("tag_recall", ("tags", "recall")),
)


def headline_metrics(results: dict[str, Any]) -> dict[str, float | None]:
    """The model's headline metrics from an evaluation, flat and named as in ``metadata.json``.

    ``None`` where the pages have nothing to measure (event figures of pages with no relevant line).
    """
    m = results["model"]
    return {name: None if m[head][key] is None else float(m[head][key]) for name, (head, key) in HEADLINE}


def site_folds(pages: Pages, folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) page indices of ``folds`` folds grouped by site (sites that share a story together).

    Raises
    ------
    ValueError
        When there are fewer sites than folds, or fewer than two folds.
    """
    groups = np.asarray(fold_groups(pages))
    n_sites = len(np.unique(groups))
    if folds < 2 or folds > n_sites:
        raise ValueError(f"cross-validation needs 2 to {n_sites} folds (a site or more each), not {folds}")
    return list(GroupKFold(n_splits=folds).split(np.zeros(len(pages)), groups=groups))


def _mean_std(values: list[float | None]) -> dict[str, Any]:
    # Sample standard deviation (n - 1): the folds are a sample of possible splits. A fold
    # with nothing to measure (its sites' pages all off-topic: no event) is left out of both.
    measured = [v for v in values if v is not None]
    return {
        "mean": statistics.fmean(measured) if measured else None,
        "std": statistics.stdev(measured) if len(measured) > 1 else 0.0 if measured else None,
        "folds": values,
    }


def cross_validate(
    pages: Pages, config: TrainConfig, *, folds: int | None = None, jobs: int = 1
) -> dict[str, Any]:
    """k-fold cross-validation of ``config`` on ``pages``, folds grouped by site.

    Parameters
    ----------
    pages : Pages
        Training pages; ``pages.sites`` defines the groups.
    config : TrainConfig
        The configuration fitted in every fold.
    folds : int, optional
        Number of folds (default: ``config.crossval_folds``).
    jobs : int
        Folds fitted in parallel (processes; -1: one per core).  The figures
        do not depend on it.

    Returns
    -------
    dict
        ``{"folds": k, "grouped_by": "site", "std": "sample (n - 1)", "seconds": ...,
        "fold_sizes": [{"pages", "paragraphs", "sites"}, ...],
        "metrics": {name: {"mean", "std", "folds": [...]}}}``.

    Raises
    ------
    ValueError
        When there are fewer sites than folds.
    """
    k = config.crossval_folds if folds is None else folds
    start = time.perf_counter()
    splits = site_folds(pages, k)
    per_fold = Parallel(n_jobs=jobs)(delayed(_fold_metrics)(pages, config, *split) for split in splits)
    sizes = [
        {
            "pages": len(test_idx),
            "paragraphs": sum(len(pages.texts[i]) for i in test_idx),
            "sites": len({pages.sites[i] for i in test_idx}),
        }
        for _, test_idx in splits
    ]
    metrics = {name: _mean_std([f[name] for f in per_fold]) for name, _ in HEADLINE}
    return {
        "folds": k,
        "grouped_by": "site",
        "std": "sample (n - 1)",
        "seconds": round(time.perf_counter() - start, 1),
        "fold_sizes": sizes,
        "metrics": metrics,
    }


def _fold_metrics(
    pages: Pages, config: TrainConfig, train_idx: np.ndarray, test_idx: np.ndarray
) -> dict[str, float]:
    train, test = subset(pages, train_idx), subset(pages, test_idx)
    with unconverged():  # the model's own fit says it, once
        model = fit(train, config)
    return headline_metrics(evaluate(model, test, majority_event=majority_event(train)))


def crossval_summary_line(cv: dict[str, Any]) -> str:
    """One line of the cross-validated headline metrics, mean ± std."""

    def f(name: str) -> str:
        m = cv["metrics"][name]
        return "n/a" if m["mean"] is None else f"{m['mean']:.3f} ± {m['std']:.3f}"

    return (
        f"cross-validation ({cv['folds']} folds by {cv['grouped_by']}): "
        f"relevance F1 {f('relevance_f1')} (macro {f('relevance_macro_f1')}), "
        f"event macro-F1 {f('event_macro_f1')}, event accuracy {f('event_accuracy')}, "
        f"tags P/R {f('tag_precision')}/{f('tag_recall')} [{cv['seconds']:.0f} s]"
    )


def learning_curve(
    train: Pages,
    heldout: Pages,
    config: TrainConfig,
    *,
    fractions: tuple[float, ...],
    skipped: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Held-out metrics of models fitted on growing random shares of ``train``.

    The shares are nested (each subset contains the smaller ones), drawn with
    ``config.seed``.  A share too small to train on (a single event type, no
    irrelevant paragraph) raises, or with ``skipped`` is left out and noted
    there.

    Returns
    -------
    list of dict
        One point per fraction, smallest first: ``fraction``, ``pages``,
        ``paragraphs``, ``seconds`` and the headline metrics.
    """
    order = np.random.default_rng(config.seed).permutation(len(train))
    points = []
    for fraction in sorted(fractions):
        if not 0 < fraction <= 1:
            raise ValueError(f"learning-curve fractions must be in (0, 1], not {fraction}")
        part = subset(train, np.sort(order[: max(1, round(fraction * len(train)))]))
        start = time.perf_counter()
        try:
            with unconverged():  # a diagnostic's small fits; the model's own fit says it
                model = fit(part, config)
        except AutoclassError as exc:
            if skipped is None:
                raise
            skipped.append(f"{fraction:.0%} of the training pages ({len(part)} pages): {exc}")
            continue
        seconds = time.perf_counter() - start
        res = evaluate(model, heldout, majority_event=majority_event(part))
        points.append(
            {
                "fraction": fraction,
                "pages": len(part),
                "paragraphs": part.n_paragraphs,
                "seconds": round(seconds, 1),
                **headline_metrics(res),
            }
        )
    return points


def cached_learning_curve(
    model: Model,
    heldout: Pages,
    *,
    train_files: Sequence[Path],
    recorded: bool = False,
    heldout_files: Sequence[Path],
    fractions: tuple[float, ...],
    heldout_results: dict[str, Any],
    cache_dir: Path | None = None,
    skipped: list[str] | None = None,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """The learning curve of ``model``'s config, cached in ``cache_dir``.

    ``recorded``: ``train_files`` are those the model's metadata names
    (hashed under their recorded names, wherever this runs).

    The refitted points are kept in ``learning_curve.json`` and reused while
    the training data (sha256 in the model's metadata and of ``train_files``
    now), the held-out data, the config and the fractions are unchanged.  The
    model itself is the last point (share 1.0), from ``heldout_results``; it
    is not refitted.

    Returns
    -------
    dict
        ``{"key": {...}, "cached": bool, "points": [...]}``.
    """
    config = TrainConfig.from_dict(model.metadata.get("config", {}))
    data = model.metadata.get("training_data", {})
    key = {
        "training_sha256": data.get("sha256"),
        "train_files_sha256": sha256_files(train_files, names=data.get("files") if recorded else None),
        "heldout_sha256": sha256_files(heldout_files),
        "config": config.model_settings(),
        "fractions": sorted(float(f) for f in fractions if f < 1),
    }
    path = Path(cache_dir) / CACHE if cache_dir is not None else None
    cached = None
    if path is not None and path.is_file():
        try:
            cached = json.loads(path.read_text())
        except json.JSONDecodeError:
            cached = None
    hit = isinstance(cached, dict) and cached.get("key") == json.loads(json.dumps(key))
    if hit:
        points = cached["points"]
    else:
        if key["training_sha256"] != key["train_files_sha256"]:
            say(
                "warning: the training files differ from the data this model was trained on; "
                "the learning curve refits on the current files"
            )
        train = pages_from_records(
            read_records(train_files, events=model.event_types), event_types=model.event_types
        )
        points = learning_curve(train, heldout, config, fractions=tuple(key["fractions"]), skipped=skipped)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"key": key, "points": points}, indent=2) + "\n")
    shipped = {
        "fraction": 1.0,
        "pages": data.get("pages"),
        "paragraphs": data.get("paragraphs"),
        "shipped": True,
        **headline_metrics(heldout_results),
    }
    return {"key": key, "cached": hit, "points": [*points, shipped]}


def model_learning_curve(
    model: Model, heldout: EvaluatedSet, *, cache_dir: Path | None = None, say: Callable[[str], None] = print
) -> dict[str, Any] | None:
    """The learning curve of a model on an evaluated set; ``None``, with a line why, when it cannot be.

    The training files are those recorded in the model's metadata
    (:func:`~autoclass.training.provenance.recorded_training_files`); the
    fractions are its config's ``learning_curve``.
    """
    files = recorded_training_files(model.metadata)
    missing = [f for f in files if not f.is_file()]
    if not files or missing:
        why = f"{missing[0]} is not found here" if missing else "the model's metadata names no training files"
        say(f"learning curve skipped: it refits on the model's training data, and {why}")
        return None
    config = TrainConfig.from_dict(model.metadata.get("config", {}))
    start = time.perf_counter()
    skipped: list[str] = []
    curve = cached_learning_curve(
        model,
        heldout.pages,
        train_files=files,
        recorded=True,
        heldout_files=heldout.source,
        fractions=config.learning_curve,
        heldout_results=heldout.results,
        cache_dir=cache_dir,
        skipped=skipped,
        say=say,
    )
    for note in skipped:
        say(f"learning curve: skipped {note}")
    if len(curve["points"]) < 2:
        say("learning curve skipped: no share of the training pages could be trained on")
        return None
    state = "cached" if curve["cached"] else f"computed in {time.perf_counter() - start:.0f} s"
    say(
        f"learning curve (event macro-F1 by training pages, {state}): "
        + ", ".join(f"{p['pages']}: {score(p['event_macro_f1'])}" for p in curve["points"])
    )
    return curve
