"""Hostile model directories: loading reads only regular files, no more bytes than the
metadata gives, and checks what it loaded before a page is predicted."""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from autoclass import ModelLoadError, load_model
from autoclass.classifier import ParagraphClassifier
from autoclass.model import Model
from autoclass.persistence import save_model

ROOT = Path(__file__).resolve().parent.parent

PAGE = "Menu\nTesla recalls 120,000 Model Y cars\nTesla is recalling cars over a seat belt fault.\nShare"


def _load_in_child(directory: Path) -> subprocess.CompletedProcess:
    """load_model(directory, trust=True) in a process that may use 6 GB and 30 s at most."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))

    code = (
        "import sys\nfrom autoclass import load_model, AutoclassError\n"
        "try:\n    load_model(sys.argv[1], trust=True)\n"
        "except AutoclassError as exc:\n    print(type(exc).__name__, exc)\n    sys.exit(1)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(directory)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
        preexec_fn=limit_memory,
    )


@pytest.fixture
def model_dir(tiny_model, tmp_path):
    """The tiny model in the joblib format, with a regular model.skops beside it."""
    directory = tmp_path / "m"
    save_model(tiny_model, directory, metadata={})
    (directory / "model.skops").write_bytes(b"PK not a model")
    return directory


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_artifact_linked_to_dev_zero_is_refused_without_reading_it(model_dir):
    (model_dir / "model.joblib").unlink()
    (model_dir / "model.joblib").symlink_to("/dev/zero")
    done = _load_in_child(model_dir)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "ModelLoadError" in done.stdout
    assert "is not a regular file (a character device)" in done.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_an_artifact_that_is_a_named_pipe_is_refused_without_waiting(model_dir):
    (model_dir / "model.joblib").unlink()
    os.mkfifo(model_dir / "model.joblib")
    try:
        done = _load_in_child(model_dir)
    except subprocess.TimeoutExpired:
        pytest.fail("loading a model whose artifact is a named pipe hangs")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "is not a regular file (a named pipe)" in done.stdout


def test_an_artifact_longer_than_the_metadata_says_is_refused_without_reading_it(model_dir):
    artifact = model_dir / "model.joblib"
    size = artifact.stat().st_size
    os.truncate(artifact, 64 << 30)  # sparse: 64 GiB that take no disk space
    done = _load_in_child(model_dir)
    assert done.returncode == 1, done.stderr[-2000:]
    assert f"holds more than the {size:,} bytes" in done.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_metadata_that_is_a_named_pipe_is_refused(model_dir):
    (model_dir / "metadata.json").unlink()
    os.mkfifo(model_dir / "metadata.json")
    with pytest.raises(ModelLoadError, match=r"metadata\.json is not a regular file \(a named pipe\)"):
        load_model(model_dir, trust=True)


# ---------------------------------------------------------------- contents


def _shared(model: Model, directory: Path) -> Path:
    pytest.importorskip("skops")
    return save_model(model, directory, metadata={}, format="skops")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (math.nan, "tag_min_share is nan; it must be a number from 0 to 1"),
        (1.5, "tag_min_share is 1.5; it must be a number from 0 to 1"),
        ("0.2", "tag_min_share is '0.2'; it must be a number from 0 to 1"),
    ],
)
def test_a_shared_model_with_an_insane_tag_share_is_refused(tiny_model, tmp_path, value, problem):
    directory = _shared(Model(tiny_model.classifier, tag_min_share=value), tmp_path / "m")
    with pytest.raises(ModelLoadError, match="model.skops does not hold a usable model") as error:
        load_model(directory)
    assert problem in str(error.value)


@pytest.mark.parametrize("value", [math.nan, -0.1, "0.5", None])
def test_a_shared_model_with_an_insane_relevance_threshold_is_refused(tiny_model, tmp_path, value):
    classifier = ParagraphClassifier(**{**tiny_model.classifier.get_params(), "relevance_threshold": value})
    classifier.__dict__.update({k: v for k, v in vars(tiny_model.classifier).items() if k.endswith("_")})
    directory = _shared(Model(classifier), tmp_path / "m")
    with pytest.raises(ModelLoadError, match=r"relevance_threshold is .*; it must be a number from 0 to 1"):
        load_model(directory)


def test_a_shared_model_with_an_unfitted_classifier_is_refused(tmp_path):
    directory = _shared(Model(ParagraphClassifier()), tmp_path / "m")
    with pytest.raises(ModelLoadError, match="model.skops does not hold a usable model: .*not fitted"):
        load_model(directory)


def test_a_shared_model_whose_weights_give_nan_is_refused(tiny_model, tmp_path):
    classifier = ParagraphClassifier(**tiny_model.classifier.get_params())
    classifier.__dict__.update({k: v for k, v in vars(tiny_model.classifier).items() if k.endswith("_")})
    classifier.relevance2_intercept_ = math.nan
    directory = _shared(Model(classifier), tmp_path / "m")
    with pytest.raises(ModelLoadError, match="relevance probabilities that are not numbers from 0 to 1"):
        load_model(directory)


def test_a_shared_model_holding_another_estimator_is_refused(tmp_path):
    from sklearn.linear_model import LogisticRegression

    directory = _shared(Model(LogisticRegression().fit([[0.0], [1.0]], [0, 1])), tmp_path / "m")
    with pytest.raises(ModelLoadError, match="not an autoclass ParagraphClassifier"):
        load_model(directory)


def test_a_sane_shared_model_still_loads_and_predicts_the_same(tiny_model, tmp_path):
    loaded = load_model(_shared(tiny_model, tmp_path / "m"))
    assert loaded.predict(PAGE) == tiny_model.predict(PAGE)
    assert json.loads((tmp_path / "m" / "metadata.json").read_text())["artifact"] == "model.skops"


def test_a_shared_model_whose_html_classifier_gives_nan_is_refused(tiny_model, tmp_path):
    # The sample HTML page must reach the HTML classifier (a flat page would go to the text one).
    html = ParagraphClassifier(**tiny_model.classifier.get_params())
    html.__dict__.update({k: v for k, v in vars(tiny_model.classifier).items() if k.endswith("_")})
    html.relevance2_intercept_ = math.nan
    directory = _shared(Model(tiny_model.classifier, html_classifier=html), tmp_path / "m")
    with pytest.raises(ModelLoadError, match="relevance probabilities that are not numbers from 0 to 1"):
        load_model(directory)


def test_a_two_type_model_from_before_its_types_were_told_apart_is_refused(tmp_path):
    import numpy as np

    from tests.conftest import tiny_corpus

    pages, relevant, events = tiny_corpus()
    two = [[(e if e in (None, "recall") else "sales") for e in page] for page in events]
    clf = ParagraphClassifier(min_df=1, cv_folds=3, random_state=0).fit(pages, relevant, two)
    assert load_model(_shared(Model(clf), tmp_path / "good")).predict(PAGE)
    # What the old event head stored: the regression's one row of weights for both types.
    k, seen = len(clf.event_types_), np.flatnonzero(np.isfinite(clf.event1_intercept_))
    columns = 3 + seen
    clf.text_weights_[:, columns[0]] = clf.text_weights_[:, columns[1]]
    clf.event1_intercept_[seen[0]] = clf.event1_intercept_[seen[1]]
    assert k == 15 and len(seen) == 2
    with pytest.raises(ModelLoadError, match=r"scores its two event types alike .* retrain it"):
        load_model(_shared(Model(clf), tmp_path / "old"))
