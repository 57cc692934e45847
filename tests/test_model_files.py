"""Hostile model directories: loading reads only regular files, no more bytes than the
metadata gives, and checks what it loaded before a page is predicted."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from autoclass import ModelLoadError, load_model
from autoclass.persistence import save_model

ROOT = Path(__file__).resolve().parent.parent


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
