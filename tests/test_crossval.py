"""Cross-validation by site and the learning curve, on a few small label files."""

from __future__ import annotations

import dataclasses
import json
import shutil
import statistics
from pathlib import Path

import pytest

from autoclass.errors import AutoclassError
from autoclass.training.config import TrainConfig
from autoclass.training.crossval import (
    CACHE,
    HEADLINE,
    cached_learning_curve,
    cross_validate,
    crossval_summary_line,
    headline_metrics,
    learning_curve,
    site_folds,
    subset,
)
from autoclass.training.data import load_dataset, load_pages, to_pages
from autoclass.training.evaluate import evaluate
from autoclass.training.train import fit, majority_event
from training import LABELS

# Three of the smallest training sites (~15 pages each) and one held-out site.
TRAIN_FILES = ["r2-mexico-news-en.jsonl", "market-ticker-news.jsonl", "q1-podcast-transcript.jsonl"]
CONFIG = TrainConfig(cv_folds=2, crossval_folds=3, learning_curve=(0.4, 0.7))


@pytest.fixture(scope="module")
def small_pages():
    return to_pages(load_dataset([LABELS / "train" / f for f in TRAIN_FILES]))


@pytest.fixture(scope="module")
def small_cv(small_pages):
    return cross_validate(small_pages, CONFIG)


def test_folds_partition_the_pages_and_keep_sites_apart(small_pages):
    folds = site_folds(small_pages, 3)
    assert len(folds) == 3
    tested = sorted(i for _, test in folds for i in test)
    assert tested == list(range(len(small_pages)))  # every page tested exactly once
    for train, test in folds:
        train_sites = {small_pages.sites[i] for i in train}
        test_sites = {small_pages.sites[i] for i in test}
        assert test_sites and not train_sites & test_sites
        assert len(train) + len(test) == len(small_pages)


def test_too_many_folds_is_an_error(small_pages):
    with pytest.raises(ValueError, match="2 to 3 folds"):
        site_folds(small_pages, 4)
    with pytest.raises(ValueError, match="2 to 3 folds"):
        site_folds(small_pages, 1)


def test_mean_and_std_of_every_metric(small_cv, small_pages):
    assert small_cv["folds"] == 3 and small_cv["grouped_by"] == "site"
    assert set(small_cv["metrics"]) == {name for name, _ in HEADLINE}
    for m in small_cv["metrics"].values():
        assert len(m["folds"]) == 3
        assert m["mean"] == pytest.approx(sum(m["folds"]) / 3)
        assert m["std"] == pytest.approx(statistics.stdev(m["folds"]))
        assert all(0.0 <= v <= 1.0 for v in m["folds"])
    assert sum(s["pages"] for s in small_cv["fold_sizes"]) == len(small_pages)
    assert [s["sites"] for s in small_cv["fold_sizes"]] == [1, 1, 1]
    json.dumps(small_cv)  # goes into metadata.json as it is


def test_a_fold_is_a_plain_fit_and_evaluate_on_the_other_sites(small_cv, small_pages):
    train_idx, test_idx = site_folds(small_pages, 3)[0]
    train, test = subset(small_pages, train_idx), subset(small_pages, test_idx)
    res = evaluate(fit(train, CONFIG), test, majority_event=majority_event(train))
    for name, value in headline_metrics(res).items():
        assert small_cv["metrics"][name]["folds"][0] == pytest.approx(value)


def test_summary_line_shows_mean_and_std(small_cv):
    line = crossval_summary_line(small_cv)
    f1 = small_cv["metrics"]["event_macro_f1"]
    assert line.startswith("cross-validation (3 folds by site): ")
    assert f"event macro-F1 {f1['mean']:.3f} ± {f1['std']:.3f}" in line


def test_learning_curve_fits_nested_shares(small_pages):
    heldout = load_pages(LABELS / "heldout" / "korea-news-agency-en.jsonl")
    points = learning_curve(small_pages, heldout, CONFIG, fractions=(0.7, 0.4))
    n = len(small_pages)
    assert [p["fraction"] for p in points] == [0.4, 0.7]
    assert [p["pages"] for p in points] == [round(0.4 * n), round(0.7 * n)]
    assert all(0.0 <= p["event_macro_f1"] <= 1.0 for p in points)
    with pytest.raises(ValueError, match="fractions"):
        learning_curve(small_pages, heldout, CONFIG, fractions=(0.0,))


def test_learning_curve_is_cached_until_the_data_changes(tmp_path, small_pages, monkeypatch):
    labels = tmp_path / "labels"
    for split, files in (("train", TRAIN_FILES), ("heldout", ["korea-news-agency-en.jsonl"])):
        (labels / split).mkdir(parents=True)
        for f in files:
            shutil.copy(LABELS / split / f, labels / split / f)
    calls = []

    def fake_curve(train, heldout, config, *, fractions, skipped=None):
        calls.append(fractions)
        return [{"fraction": f, "pages": round(f * len(train)), "event_macro_f1": 0.5} for f in fractions]

    monkeypatch.setattr("autoclass.training.crossval.learning_curve", fake_curve)
    model = fit(small_pages, CONFIG)
    model.metadata = {"config": CONFIG.to_dict(), "training_data": {"sha256": "x", "pages": len(small_pages)}}
    cache = tmp_path / "evaluation"
    heldout_files = sorted((labels / "heldout").glob("*.jsonl"))
    heldout = load_pages(heldout_files)
    res = evaluate(model, heldout, majority_event="sales")

    def run():
        return cached_learning_curve(
            model,
            heldout,
            train_files=sorted((labels / "train").glob("*.jsonl")),
            heldout_files=heldout_files,
            fractions=(0.4, 0.7),
            heldout_results=res,
            cache_dir=cache,
        )

    first = run()
    assert not first["cached"] and len(calls) == 1 and (cache / CACHE).is_file()
    assert [p["fraction"] for p in first["points"]] == [0.4, 0.7, 1.0]
    assert first["points"][-1]["shipped"] and first["points"][-1]["pages"] == len(small_pages)
    second = run()
    assert second["cached"] and len(calls) == 1 and second["points"] == first["points"]
    with open(labels / "heldout" / "korea-news-agency-en.jsonl", "a") as f:
        f.write("\n")  # any change of the held-out files' bytes
    assert not run()["cached"] and len(calls) == 2


def test_the_training_files_found_from_another_folder_are_the_same_data(tmp_path, small_pages, monkeypatch):
    # Their hash took the names relative to the working directory: from any other folder the curve
    # warned that the training files differ, and refitted what its cache held.
    from autoclass.training.crossval import model_learning_curve
    from autoclass.training.evaluate import evaluate_sets
    from autoclass.training.provenance import display_path, sha256_files

    (tmp_path / "labels").mkdir()
    for f in TRAIN_FILES:
        shutil.copy(LABELS / "train" / f, tmp_path / "labels" / f)
    monkeypatch.chdir(tmp_path)
    train = sorted(Path("labels").glob("*.jsonl"))
    recorded = {"sha256": sha256_files(train), "files": [display_path(f) for f in train], "pages": 1}
    monkeypatch.setattr(
        "autoclass.training.crossval.learning_curve",
        lambda train, heldout, config, *, fractions, skipped=None: [
            {"fraction": f, "pages": 1, "event_macro_f1": 0.5} for f in fractions
        ],
    )
    model = fit(small_pages, CONFIG)
    model.metadata = {
        "config": CONFIG.to_dict(),
        "training_data": recorded,
        "provenance": {"cwd": str(tmp_path)},
    }
    heldout = next(
        iter(evaluate_sets(model, {"held-out": [LABELS / "heldout" / "korea-news-agency-en.jsonl"]}).values())
    )
    said: list[str] = []
    monkeypatch.chdir("/")
    assert model_learning_curve(model, heldout, say=said.append) is not None
    assert not [line for line in said if "differ" in line]


def test_a_share_too_small_to_train_on_is_skipped_with_the_reason():
    from autoclass.labels import Pages
    from tests.conftest import tiny_corpus

    texts, relevant, events = tiny_corpus()
    keep = [0, 1, 2]  # one event type per page: a single page cannot train the event head
    pages = Pages(
        [f"p{i}" for i in keep], [f"s{i}" for i in keep], [texts[i] for i in keep],
        [relevant[i] for i in keep], [events[i] for i in keep],
    )  # fmt: skip
    config = TrainConfig(min_df=1, cv_folds=2)
    skipped: list[str] = []
    points = learning_curve(pages, pages, config, fractions=(0.3, 1.0), skipped=skipped)
    assert [p["fraction"] for p in points] == [1.0]
    assert skipped == [
        "30% of the training pages (1 pages): training needs relevant paragraphs of at least two event types"
    ]
    with pytest.raises(AutoclassError, match="at least two event types"):
        learning_curve(pages, pages, config, fractions=(0.3,))


def test_train_stores_the_cross_validation_in_metadata_and_card(tmp_path):
    from autoclass.cli import main

    labels = tmp_path / "labels"
    (labels / "train").mkdir(parents=True)
    (labels / "heldout").mkdir()
    for f in TRAIN_FILES:
        shutil.copy(LABELS / "train" / f, labels / "train" / f)
    shutil.copy(LABELS / "heldout" / "korea-news-agency-en.jsonl", labels / "heldout")
    config = tmp_path / "config.toml"
    config.write_text("[training]\ncv_folds = 2\n")
    argv = ["train", str(labels / "train"), "--heldout", str(labels / "heldout")]
    assert main([*argv, "-o", str(tmp_path / "model"), "--config", str(config)]) == 0
    meta = json.loads((tmp_path / "model" / "metadata.json").read_text())
    assert meta["config"]["cv_folds"] == 2
    cv = meta["cross_validation"]
    assert cv["folds"] == 3  # config asks for 5, the labels have 3 sites
    assert cv["grouped_by"] == "site"
    assert set(cv["metrics"]["relevance_f1"]) == {"mean", "std", "folds"}
    card = (tmp_path / "model" / "README.md").read_text()
    assert "Cross-validated on the training pages (3 folds by site" in card


def test_folds_fitted_in_parallel_give_the_same_figures(small_cv, small_pages):
    parallel = cross_validate(small_pages, CONFIG, jobs=2)
    assert parallel["metrics"] == small_cv["metrics"]
    assert parallel["fold_sizes"] == small_cv["fold_sizes"]


def test_the_html_classifier_learns_beside_its_renderings_only_their_own_text_pages(small_pages):
    from autoclass.labels import subset
    from autoclass.training.train import rendered_text

    ids = small_pages.ids
    html = subset(small_pages, [0, 2, 2])
    html = dataclasses.replace(html, ids=[f"{ids[0]}#html", f"{ids[2]}#html", f"{ids[2]}#html-unknown"])
    assert rendered_text(small_pages, html).ids == [ids[0], ids[2]]
    # HTML pages that render none of the text pages: the HTML classifier learns from every text page.
    other = dataclasses.replace(html, ids=["elsewhere#html"] * 3)
    assert rendered_text(small_pages, other).ids == ids
