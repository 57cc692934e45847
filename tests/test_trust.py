"""Untrusted model files: a joblib pickle is loaded only when its sha256 is trusted."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import sklearn

from autoclass import ModelLoadError, UntrustedModelError, load_model
from autoclass.cli import engines, main
from autoclass.cli.records import Chunk, RecordOptions
from autoclass.persistence import FORMAT_VERSION, save_model, trust_model
from autoclass.trust import TRUST_STORE_ENV, trust_store_path, trusted_digests
from tests.conftest import CLI_PAGES

ROOT = Path(__file__).resolve().parent.parent
PAGE = CLI_PAGES[1]


class _CreatesMarker:
    """Unpickling this creates a file: what a malicious model would do, harmlessly."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # noqa: ANN204 - pickle protocol
        return (open, (str(self.marker), "w"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _malicious_model(directory: Path, marker: Path) -> Path:
    """A model directory that is consistent (sha256 matches) but whose pickle runs code."""
    directory.mkdir()
    (directory / "model.joblib").write_bytes(pickle.dumps(_CreatesMarker(marker)))
    metadata = {
        "format_version": FORMAT_VERSION,
        "artifact": "model.joblib",
        "artifact_sha256": _digest(directory / "model.joblib"),
        "versions": {"scikit-learn": sklearn.__version__},
    }
    (directory / "metadata.json").write_text(json.dumps(metadata))
    return directory


def _model_from_elsewhere(tiny_model, directory: Path, store: Path) -> Path:
    """A model saved here, then forgotten by the trust store: as if copied from another machine."""
    before = store.read_text()
    save_model(tiny_model, directory, metadata={})
    store.write_text(before)
    return directory


# ---------------------------------------------------------------- refusal


def test_untrusted_pickle_is_refused_before_it_is_unpickled(tmp_path):
    marker = tmp_path / "code-ran"
    model = _malicious_model(tmp_path / "m", marker)
    with pytest.raises(UntrustedModelError) as refused:
        load_model(model)
    assert not marker.exists()
    message = str(refused.value)
    for advice in ("runs code", "trust=True", "--trust-model", f"autoclass trust {model}", "skops"):
        assert advice in message
    assert str(trust_store_path()) in message
    assert isinstance(refused.value, ModelLoadError)  # callers catching ModelLoadError still do
    # The same file does run code once trusted: the refusal above is what kept it from running.
    with pytest.raises(ModelLoadError, match="does not hold an autoclass model"):
        load_model(model, trust=True)
    assert marker.exists()


def test_autoclass_trust_refuses_an_inconsistent_directory(tmp_path, trust_store, capsys):
    model = _malicious_model(tmp_path / "m", tmp_path / "code-ran")
    (model / "model.joblib").write_bytes(b"changed after the metadata was written")
    before = trust_store.read_text()
    assert main(["trust", str(model)]) == 1
    assert "does not match the sha256" in capsys.readouterr().err
    assert trust_store.read_text() == before


def test_model_from_elsewhere_is_refused_and_trust_true_loads_it_without_recording(
    tiny_model, tmp_path, trust_store
):
    model = _model_from_elsewhere(tiny_model, tmp_path / "m", trust_store)
    with pytest.raises(UntrustedModelError, match="neither trained on this machine nor marked as trusted"):
        load_model(model)
    before = trust_store.read_text()
    assert load_model(model, trust=True).predict(PAGE) == tiny_model.predict(PAGE)
    assert trust_store.read_text() == before
    with pytest.raises(UntrustedModelError):
        load_model(model)


def test_the_refusal_says_where_to_keep_trust_when_the_store_cannot_be_written(
    tiny_model, tmp_path, trust_store, monkeypatch
):
    # With a read-only home, it advised `autoclass trust`, which then failed.
    from autoclass import trust

    model = _model_from_elsewhere(tiny_model, tmp_path / "m", trust_store)
    monkeypatch.setattr(trust.os, "access", lambda path, mode: False)  # (root writes anywhere)
    with pytest.raises(UntrustedModelError, match="cannot be written here: set AUTOCLASS_TRUST_STORE to a"):
        load_model(model)


# ---------------------------------------------------------------- opting in


def test_a_model_trained_here_is_trusted_here(tiny_model, tmp_path, trust_store):
    save_model(tiny_model, tmp_path / "m", metadata={})
    digest = _digest(tmp_path / "m" / "model.joblib")
    assert digest in trusted_digests()
    line = trust_store.read_text().splitlines()[-1]
    assert line.startswith(f"{digest}  ") and "trained" in line
    assert load_model(tmp_path / "m").predict(PAGE) == tiny_model.predict(PAGE)
    save_model(tiny_model, tmp_path / "again", metadata={})  # same bytes: one line, not two
    assert trust_store.read_text().count(digest) == 1


def test_autoclass_trust_records_the_model_then_it_loads(tiny_model, tmp_path, trust_store, capsys):
    model = _model_from_elsewhere(tiny_model, tmp_path / "m", trust_store)
    digest = _digest(model / "model.joblib")
    assert main(["trust", str(model)]) == 0
    out = capsys.readouterr().out
    assert f"recorded {model / 'model.joblib'} (sha256 {digest}) as trusted in {trust_store}" in out
    assert digest in trust_store.read_text()
    assert load_model(model).predict(PAGE) == tiny_model.predict(PAGE)
    assert main(["trust", str(model)]) == 0
    assert "already trusted" in capsys.readouterr().out
    assert trust_store.read_text().count(digest) == 1


def test_autoclass_trust_names_a_missing_model_and_a_store_it_cannot_write(
    tiny_model, tmp_path, trust_store, capsys, monkeypatch
):
    # A missing folder got the default model's advice ("set AUTOCLASS_MODEL=DIR or pass --model");
    # a store that cannot be written (HOME=/nonexistent, a service account's) was a traceback.
    assert main(["trust", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert f"no trained autoclass model in {tmp_path / 'nowhere'}: point `autoclass trust` at a model" in err
    assert "--model" not in err and "AUTOCLASS_MODEL" not in err
    model = _model_from_elsewhere(tiny_model, tmp_path / "m", trust_store)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("autoclass.persistence.record_trusted", denied)
    assert main(["trust", str(model)]) == 1
    err = capsys.readouterr().err
    assert f"cannot write the trust store {trust_store}: Permission denied; set AUTOCLASS_TRUST_STORE" in err


def test_half_a_model_directory_names_the_missing_half(tiny_model, tmp_path):
    save_model(tiny_model, tmp_path / "m", metadata={}, format="npz")
    (tmp_path / "m" / "metadata.json").unlink()
    with pytest.raises(ModelLoadError, match=r"holds model.npz but no metadata.json: copy the whole model"):
        load_model(tmp_path / "m")


def test_trust_model_returns_the_artifact_and_digest(tiny_model, tmp_path, trust_store):
    model = _model_from_elsewhere(tiny_model, tmp_path / "m", trust_store)
    assert trust_model(model) == (model / "model.joblib", _digest(model / "model.joblib"), True)
    assert trust_model(model)[2] is False


# ---------------------------------------------------------------- the store


def test_store_location_follows_the_environment(tmp_path, monkeypatch):
    assert trust_store_path() == Path(os.environ[TRUST_STORE_ENV])
    monkeypatch.delenv(TRUST_STORE_ENV)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert trust_store_path() == tmp_path / "xdg" / "autoclass" / "trusted-models"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert trust_store_path() == tmp_path / "home" / ".config" / "autoclass" / "trusted-models"


def test_store_lines_are_digests_with_notes(trust_store):
    a, b = "a" * 64, "0123456789abcdef" * 4
    trust_store.write_text(
        f"# models this team uses\n\n{a}  from the model registry, 2024-06-01\n"
        f"{b.upper()}\nnot-a-digest {a[:-1]}b\n{a[:-1]}\n"
    )
    assert trusted_digests() == {a, b}


def test_recording_after_a_hand_edited_last_line_without_newline(tiny_model, tmp_path, trust_store):
    trust_store.write_text("# added by hand, no newline at the end")
    save_model(tiny_model, tmp_path / "m", metadata={})
    lines = trust_store.read_text().splitlines()
    assert lines[0] == "# added by hand, no newline at the end"
    assert lines[1].startswith(_digest(tmp_path / "m" / "model.joblib"))


def test_missing_store_trusts_nothing_and_saving_creates_it(tiny_model, tmp_path, monkeypatch):
    store = tmp_path / "new" / "dir" / "trusted-models"
    monkeypatch.setenv(TRUST_STORE_ENV, str(store))
    assert trusted_digests() == set()
    save_model(tiny_model, tmp_path / "m", metadata={})
    assert store.is_file() and trusted_digests() == {_digest(tmp_path / "m" / "model.joblib")}


def test_unwritable_store_warns_and_the_model_is_still_saved(tiny_model, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(TRUST_STORE_ENV, str(blocker / "trusted-models"))  # a file as parent dir
    with pytest.warns(UserWarning, match="could not be recorded as trusted.*autoclass trust"):
        save_model(tiny_model, tmp_path / "m", metadata={})
    assert load_model(tmp_path / "m", trust=True).predict(PAGE) == tiny_model.predict(PAGE)


# ---------------------------------------------------------------- the predict command


def _run_predict(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autoclass", "predict", "-q", *args],
        capture_output=True,
        cwd=ROOT,
        timeout=180,
    )


@pytest.fixture
def pages_file(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"p{i}", "text": t}) + "\n" for i, t in enumerate(CLI_PAGES)))
    return src


def test_predict_refuses_an_untrusted_model_and_trust_model_opts_in(
    tiny_model, tmp_path, trust_store, pages_file
):
    model = _model_from_elsewhere(tiny_model, tmp_path / "m", trust_store)
    refused = _run_predict(str(pages_file), "--model", str(model), "-j", "1")
    assert refused.returncode == 5  # the run failed as a whole
    assert b"autoclass predict: error: refusing to load" in refused.stderr
    assert b"--trust-model" in refused.stderr
    for jobs in ("1", "2"):
        done = _run_predict(
            str(pages_file), "--model", str(model), "--trust-model", "-j", jobs, "--chunk-size", "1"
        )
        assert done.returncode == 0, done.stderr.decode()
        ids = [json.loads(line)["id"] for line in done.stdout.splitlines()]
        assert ids == [f"p{i}" for i in range(len(CLI_PAGES))]
    assert _digest(model / "model.joblib") not in trust_store.read_text()


def test_spawned_worker_processes_load_the_model_with_the_runs_trust(
    tiny_model, tmp_path, trust_store, monkeypatch
):
    # Spawned workers load the model themselves (forked ones inherit the parent's copy):
    # a worker that did not get the trust would fail to start and the pool would break.
    model = str(_model_from_elsewhere(tiny_model, tmp_path / "m", trust_store))
    monkeypatch.setattr(engines, "_context", lambda: multiprocessing.get_context("spawn"))
    monkeypatch.setattr(engines, "_models", {})
    chunks = [Chunk(i, [(False, f"p{i}", text.encode(), None)]) for i, text in enumerate(CLI_PAGES)]
    options = RecordOptions()
    with pytest.raises(UntrustedModelError):
        next(engines.run_local(iter(chunks), model_path=model, options=options, jobs=2))
    results = list(engines.run_local(iter(chunks), model_path=model, options=options, jobs=2, trust=True))
    assert [r.n_records for r in results] == [1] * len(CLI_PAGES)
    assert not any(r.errors for r in results)


def test_cached_model_keeps_trusted_and_untrusted_loads_apart(tiny_model, tmp_path, trust_store, monkeypatch):
    model = str(_model_from_elsewhere(tiny_model, tmp_path / "m", trust_store))
    monkeypatch.setattr(engines, "_models", {})
    assert engines.cached_model(model, trust=True) is engines.cached_model(model, trust=True)
    with pytest.raises(UntrustedModelError):
        engines.cached_model(model)


def test_dask_workers_check_their_trust_store_and_trust_model_opts_in(
    tiny_model, tmp_path, trust_store, pages_file
):
    pytest.importorskip("distributed")
    model = _model_from_elsewhere(tiny_model, tmp_path / "m", trust_store)
    args = (str(pages_file), "--model", str(model), "--engine", "dask", "-j", "1", "--chunk-size", "2")
    refused = _run_predict(*args)
    assert refused.returncode == 5
    assert b"refusing to load" in refused.stderr
    done = _run_predict(*args, "--trust-model")
    assert done.returncode == 0, done.stderr.decode()
    assert len(done.stdout.splitlines()) == len(CLI_PAGES)
