"""Same data and config, same model: identical probabilities and metrics, in and across processes.

Trains small models on the three smallest files of ``labels/train`` (a few
seconds each) and compares them on the two smallest held-out files. The
data hash, and the provenance recorded with a model, are tested here too.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import autoclass
from autoclass.training.config import TrainConfig
from autoclass.training.data import load_dataset, to_pages
from autoclass.training.evaluate import evaluate
from autoclass.training.provenance import provenance, sha256_files
from autoclass.training.train import fit, majority_event
from training import LABELS, ROOT


def smallest(folder: Path, n: int) -> list[Path]:
    return sorted(sorted(folder.glob("*.jsonl")), key=lambda p: p.stat().st_size)[:n]


TRAIN_FILES = smallest(LABELS / "train", 3)
TEST_FILES = smallest(LABELS / "heldout", 2)

# Trains and prints probabilities and metrics as JSON, for a run in a fresh process.
TRAIN_SCRIPT = """
import dataclasses, json, sys
from pathlib import Path
from autoclass.training.config import TrainConfig
from autoclass.training.data import load_dataset, to_pages
from autoclass.training.evaluate import evaluate
from autoclass.training.train import fit, majority_event
paths = json.loads(sys.argv[1])
train = to_pages(load_dataset([Path(p) for p in paths["train"]]))
test = to_pages(load_dataset([Path(p) for p in paths["test"]]))
model = fit(train, dataclasses.replace(TrainConfig.from_toml(), cv_folds=3))
relevance, events = model.classifier.predict_proba(test.texts)
metrics = evaluate(model, test, majority_event=majority_event(train))
print(json.dumps({"relevance": relevance.tolist(), "events": events.tolist(), "metrics": metrics}))
"""


def config() -> TrainConfig:
    # Three files hold three sites: three folds grouped by site.
    return dataclasses.replace(TrainConfig.from_toml(), cv_folds=3)


@pytest.fixture(scope="module")
def data():
    return to_pages(load_dataset(TRAIN_FILES)), to_pages(load_dataset(TEST_FILES))


@pytest.fixture(scope="module")
def first_run(data):
    train, test = data
    model = fit(train, config())
    relevance, events = model.classifier.predict_proba(test.texts)
    metrics = evaluate(model, test, majority_event=majority_event(train))
    return relevance, events, metrics


def test_two_trainings_give_identical_probabilities_and_metrics(data, first_run):
    train, test = data
    model = fit(train, config())
    relevance, events = model.classifier.predict_proba(test.texts)
    assert np.array_equal(relevance, first_run[0])
    assert np.array_equal(events, first_run[1])
    assert evaluate(model, test, majority_event=majority_event(train)) == first_run[2]


def test_identical_in_a_fresh_process_with_another_hash_seed(first_run):
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    paths = json.dumps({"train": [str(p) for p in TRAIN_FILES], "test": [str(p) for p in TEST_FILES]})
    run = subprocess.run(
        [sys.executable, "-c", TRAIN_SCRIPT, paths],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    other = json.loads(run.stdout)
    # JSON round-trips floats exactly (repr), so equality here is bit equality.
    assert np.array_equal(np.array(other["relevance"]), first_run[0])
    assert np.array_equal(np.array(other["events"]), first_run[1])
    assert other["metrics"] == json.loads(json.dumps(first_run[2]))


def test_the_fit_does_not_depend_on_the_blas_thread_count(data):
    # On three files the dense products are too small for BLAS to split them; on ten they are not.
    train = to_pages(load_dataset(smallest(LABELS / "train", 10)))
    probabilities = []
    for threads in (1, 2):
        with threadpool_limits(threads):
            if threads > 1 and not any(lib["num_threads"] > 1 for lib in threadpool_info()):
                pytest.skip("BLAS cannot use two threads on this machine")
            model = fit(train, config())
        probabilities.append(model.classifier.predict_proba(data[1].texts))
    assert np.array_equal(probabilities[0][0], probabilities[1][0])
    assert np.array_equal(probabilities[0][1], probabilities[1][1])


def test_one_changed_character_changes_the_data_hash(tmp_path):
    files = []
    for path in TRAIN_FILES:
        shutil.copy(path, tmp_path / path.name)
        files.append(tmp_path / path.name)
    before = sha256_files(files)
    assert sha256_files(list(reversed(files))) == before
    content = files[1].read_text(encoding="utf-8")
    at = content.index('"text": "') + len('"text": "')
    changed = content[:at] + ("X" if content[at] != "X" else "Y") + content[at + 1 :]
    files[1].write_text(changed, encoding="utf-8")
    assert sha256_files(files) != before
    files[1].write_text(content, encoding="utf-8")
    assert sha256_files(files) == before


def test_provenance_records_versions_platform_git_and_command():
    info = provenance()
    assert json.loads(json.dumps(info)) == info
    versions = info["versions"]
    assert versions["autoclass"] == autoclass.__version__
    assert versions["python"] == ".".join(map(str, sys.version_info[:3]))
    assert versions["numpy"] == np.__version__
    assert set(versions) == {"autoclass", "python", "numpy", "scipy", "scikit-learn", "joblib", "datasets"}
    assert all(isinstance(v, str) for v in versions.values())
    assert info["platform"]["machine"] and info["platform"]["system"]
    assert shlex.split(info["command"]) == sys.orig_argv
    assert info["cwd"] == os.getcwd()
    git = info["git"]
    if shutil.which("git") and (ROOT / ".git").exists():
        assert re.fullmatch(r"[0-9a-f]{40}", git["commit"])
        assert isinstance(git["dirty"], bool)


def test_provenance_without_a_repository_or_git(tmp_path, monkeypatch):
    assert provenance(root=tmp_path)["git"] == {"commit": None, "dirty": None}
    monkeypatch.setenv("PATH", str(tmp_path))  # no git executable on the PATH
    assert provenance()["git"] == {"commit": None, "dirty": None}


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_provenance_sees_uncommitted_changes(tmp_path):
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "a.txt").write_text("one\n")
    git("add", "a.txt")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "one")
    clean = provenance(root=tmp_path)["git"]
    assert re.fullmatch(r"[0-9a-f]{40}", clean["commit"]) and clean["dirty"] is False
    (tmp_path / "a.txt").write_text("two\n")
    assert provenance(root=tmp_path)["git"] == {"commit": clean["commit"], "dirty": True}
