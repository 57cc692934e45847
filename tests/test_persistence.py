from __future__ import annotations

import copy
import hashlib
import json
import sys

import numpy as np
import pytest

from autoclass import MissingExtraError, ModelLoadError, ModelNotFoundError, UntrustedModelError, load_model
from autoclass.persistence import ENV_VAR, FORMAT_VERSION, default_model_dir, save_model

PAGE = "Menu\nTesla recalls 120,000 Model Y cars\nTesla is recalling cars over a seat belt fault.\nShare"


def test_round_trip_gives_identical_predictions_and_metadata(tiny_model, tmp_path):
    save_model(tiny_model, tmp_path / "m", metadata={"note": "tiny"}, card="# tiny\n")
    loaded = load_model(tmp_path / "m")
    assert loaded.predict(PAGE) == tiny_model.predict(PAGE)
    assert loaded.metadata == json.loads((tmp_path / "m" / "metadata.json").read_text())
    assert loaded.metadata["note"] == "tiny"
    assert set(loaded.metadata["versions"]) == {"autoclass", "scikit-learn", "python"}
    assert (tmp_path / "m" / "README.md").read_text() == "# tiny\n"
    r1, p1 = tiny_model.classifier.predict_proba([PAGE.splitlines()])
    r2, p2 = loaded.classifier.predict_proba([PAGE.splitlines()])
    assert np.array_equal(r1, r2) and np.array_equal(p1, p2)


def test_tampered_artifact_is_refused(tiny_model, tmp_path):
    save_model(tiny_model, tmp_path, metadata={})
    with open(tmp_path / "model.joblib", "ab") as f:
        f.write(b"x")
    with pytest.raises(ModelLoadError, match="sha256"):
        load_model(tmp_path)


def test_other_sklearn_version_is_refused_with_advice(tiny_model, tmp_path):
    save_model(tiny_model, tmp_path, metadata={})
    meta = json.loads((tmp_path / "metadata.json").read_text())
    meta["versions"]["scikit-learn"] = "0.18.0"
    (tmp_path / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(
        ModelLoadError, match=r"install scikit-learn==0\.18\.0 or retrain it with `autoclass train`"
    ):
        load_model(tmp_path)


def test_an_npz_model_does_not_depend_on_the_scikit_learn_version(tiny_model, tmp_path):
    save_model(tiny_model, tmp_path, metadata={}, format="npz")
    meta = json.loads((tmp_path / "metadata.json").read_text())
    meta["versions"]["scikit-learn"] = "0.18.0"
    (tmp_path / "metadata.json").write_text(json.dumps(meta))
    assert load_model(tmp_path).predict(PAGE) == tiny_model.predict(PAGE)


def test_missing_model_says_what_to_do_where_it_was_looked_for(tmp_path, monkeypatch):
    with pytest.raises(
        ModelNotFoundError, match="point load_model\\(\\) at a directory written by `autoclass train"
    ):
        load_model(tmp_path / "nowhere")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere"))
    assert default_model_dir() == tmp_path / "nowhere"
    with pytest.raises(ModelNotFoundError, match="where AUTOCLASS_MODEL points: .* or unset it") as info:
        load_model()
    assert (info.value.directory, info.value.source) == (tmp_path / "nowhere", "env")


def test_without_a_model_in_reach_the_default_is_the_shipped_one(tmp_path, monkeypatch):
    import autoclass.persistence as persistence

    monkeypatch.delenv(ENV_VAR, raising=False)
    # As installed from a wheel: no source checkout beside the package.
    monkeypatch.setattr(
        persistence, "__file__", str(tmp_path / "site-packages" / "autoclass" / "persistence.py")
    )
    assert default_model_dir() == persistence.shipped_model_dir()
    assert default_model_dir().parts[-2:] == ("autoclass", "default_model")
    monkeypatch.setattr(persistence, "shipped_model_dir", lambda: tmp_path / "none")
    with pytest.raises(
        ModelNotFoundError, match="no default autoclass model: .*`autoclass train LABELS -o DIR`"
    ):
        load_model()


def test_env_var_points_predict_elsewhere(tiny_model, tmp_path, monkeypatch):
    import autoclass.api as api

    save_model(tiny_model, tmp_path, metadata={})
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    monkeypatch.setattr(api, "_default", None)
    assert api.default_model().path == tmp_path
    assert api.default_model() is api.default_model()  # cached
    monkeypatch.setattr(api, "_default", None)


def test_other_artifact_format_is_refused(tiny_model, tmp_path):
    save_model(tiny_model, tmp_path, metadata={})
    meta = json.loads((tmp_path / "metadata.json").read_text())
    meta["format_version"] = 1
    (tmp_path / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="has format 1.*retrain it with `autoclass train`"):
        load_model(tmp_path)
    meta["format_version"] = FORMAT_VERSION + 1  # written by a newer autoclass: retraining is not the cure
    (tmp_path / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(
        ModelLoadError, match=f"has format {FORMAT_VERSION + 1}.*a newer autoclass wrote it: upgrade"
    ):
        load_model(tmp_path)
    meta["format_version"] = str(FORMAT_VERSION)  # the right number as a string is not the format
    (tmp_path / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(
        ModelLoadError, match=f'has format "{FORMAT_VERSION}", this autoclass reads format {FORMAT_VERSION}:'
    ):
        load_model(tmp_path)


# ---------------------------------------------------------------- skops


class Intruder:
    """A type no autoclass model holds."""


def test_skops_round_trip_gives_identical_predictions_without_trust(tiny_model, tmp_path, trust_store):
    pytest.importorskip("skops")
    before = trust_store.read_text()
    save_model(tiny_model, tmp_path / "m", metadata={"note": "tiny"}, card="# tiny\n", format="skops")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["README.md", "metadata.json", "model.skops"]
    assert trust_store.read_text() == before  # nothing to trust: skops does not run the file's code
    trust_store.write_text("")
    loaded = load_model(tmp_path / "m")
    assert loaded.metadata["artifact"] == "model.skops"
    assert loaded.predict(PAGE) == tiny_model.predict(PAGE)
    r1, p1 = tiny_model.classifier.predict_proba([PAGE.splitlines()])
    r2, p2 = loaded.classifier.predict_proba([PAGE.splitlines()])
    assert np.array_equal(r1, r2) and np.array_equal(p1, p2)


def test_the_shipped_model_round_trips_through_skops(default_model, tmp_path):
    pytest.importorskip("skops")
    import skops.io

    from autoclass.persistence import SKOPS_TYPES

    # A copy: save_model points the model it saves at its new home, and the
    # session's default model must stay where it is (the wheel is staged from it).
    save_model(copy.copy(default_model), tmp_path, metadata=default_model.metadata, format="skops")
    assert sorted(skops.io.get_untrusted_types(file=tmp_path / "model.skops")) == sorted(SKOPS_TYPES)
    loaded = load_model(tmp_path)
    pages = [page.splitlines() for page in (PAGE, "Home\nFord recalls pickups over brake defect\nShare")]
    r1, p1 = default_model.classifier.predict_proba(pages)
    r2, p2 = loaded.classifier.predict_proba(pages)
    assert np.array_equal(r1, r2) and np.array_equal(p1, p2)
    assert loaded.metadata["training_data"] == default_model.metadata["training_data"]


def test_saving_in_another_format_replaces_the_artifact(tiny_model, tmp_path):
    pytest.importorskip("skops")
    save_model(tiny_model, tmp_path, metadata={}, format="skops")
    save_model(tiny_model, tmp_path, metadata={})
    assert not (tmp_path / "model.skops").exists()
    assert load_model(tmp_path).metadata["artifact"] == "model.joblib"
    save_model(tiny_model, tmp_path, metadata={}, format="skops")
    assert not (tmp_path / "model.joblib").exists()
    with pytest.raises(ValueError, match="unknown model format 'pickle'"):
        save_model(tiny_model, tmp_path, metadata={}, format="pickle")


def test_a_save_that_fails_midway_leaves_the_model_that_was_there(tiny_model, tmp_path, monkeypatch):
    # The artifact was written in place: a save killed or failing after it left a new
    # model.npz beside the old metadata.json, and the old model would not load.
    import autoclass.persistence as persistence

    save_model(tiny_model, tmp_path, metadata={"run": "old"}, format="npz")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def fail(path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(persistence, "sha256_file", fail)
    bigger = copy.deepcopy(tiny_model)
    bigger.tag_min_share = 0.5  # another model
    with pytest.raises(OSError, match="No space left"):
        save_model(bigger, tmp_path, metadata={"run": "new"}, format="npz")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing staged is left
    monkeypatch.undo()
    assert load_model(tmp_path).metadata["run"] == "old"


def _replace_artifact(directory, data: bytes) -> None:
    meta = json.loads((directory / "metadata.json").read_text())
    (directory / meta["artifact"]).write_bytes(data)
    meta["artifact_sha256"] = hashlib.sha256(data).hexdigest()
    meta["artifact_bytes"] = len(data)
    (directory / "metadata.json").write_text(json.dumps(meta))


def test_skops_file_with_a_type_autoclass_does_not_build_is_refused(tiny_model, tmp_path):
    skops_io = pytest.importorskip("skops.io")
    save_model(tiny_model, tmp_path, metadata={}, format="skops")
    payload = {"classifier": tiny_model.classifier, "tag_min_share": Intruder()}
    _replace_artifact(tmp_path, skops_io.dumps(payload))
    with pytest.raises(UntrustedModelError, match=r"holds types autoclass does not build \(.*Intruder\)"):
        load_model(tmp_path)
    with pytest.raises(UntrustedModelError):  # trust is for pickles; it does not widen the skops types
        load_model(tmp_path, trust=True)


def test_metadata_naming_another_artifact_is_refused(tiny_model, tmp_path):
    save_model(tiny_model, tmp_path, metadata={})
    meta = json.loads((tmp_path / "metadata.json").read_text())
    meta["artifact"] = "../elsewhere.pkl"
    (tmp_path / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="names the artifact '../elsewhere.pkl'"):
        load_model(tmp_path)


def test_skops_model_without_skops_names_the_extra(tiny_model, tmp_path, monkeypatch):
    pytest.importorskip("skops")
    save_model(tiny_model, tmp_path, metadata={}, format="skops")
    monkeypatch.setitem(sys.modules, "skops", None)
    monkeypatch.setitem(sys.modules, "skops.io", None)
    with pytest.raises(ModelLoadError, match=r'pip install "autoclass-news\[skops\]"'):
        load_model(tmp_path)
    # Saving names the extra too (it said the model could not be *loaded*), and writes nothing.
    with pytest.raises(MissingExtraError, match=r'saving a model in the skops format needs the "skops"'):
        save_model(tiny_model, tmp_path / "new", metadata={}, format="skops")
    assert not (tmp_path / "new").exists()


def test_a_models_file_given_for_its_folder_and_metadata_that_is_no_dict_are_named(tmp_path):
    from autoclass import ModelNotFoundError, load_model
    from autoclass.api import default_model
    from autoclass.persistence import save_model

    with pytest.raises(
        ModelNotFoundError, match=r"model.npz is a file of a model: give load_model\(\) its folder"
    ):
        load_model(tmp_path / "m" / "model.npz")
    with pytest.raises(TypeError, match="metadata must be a dict"):
        save_model(default_model(), tmp_path / "m", metadata=None, format="npz")  # type: ignore[arg-type]
    assert not (tmp_path / "m").exists()


def test_a_home_relative_model_path_is_expanded(tiny_model, tmp_path, monkeypatch):
    # "~/models/m" was looked for under a folder named "~" (AUTOCLASS_MODEL in a .env file too).
    save_model(tiny_model, tmp_path / "models" / "m", metadata={}, format="npz")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert load_model("~/models/m").event_types == tiny_model.event_types
    monkeypatch.setenv(ENV_VAR, "~/models/m")
    assert default_model_dir() == tmp_path / "models" / "m"


def test_a_model_caught_between_a_saves_two_renames_is_read_again(tiny_model, tmp_path):
    # save_model renames the new artifact, then the new metadata: a load between the two failed
    # as "file changed or corrupt" (a third of the loads of a folder rewritten in a loop).
    import threading
    import time

    save_model(tiny_model, tmp_path, metadata={})
    meta_path = tmp_path / "metadata.json"
    whole = meta_path.read_text()
    meta = json.loads(whole)
    meta["artifact_sha256"] = "0" * 64  # the old model's metadata, for a moment
    meta_path.write_text(json.dumps(meta))

    def second_rename():
        time.sleep(0.02)
        meta_path.write_text(whole)

    renamer = threading.Thread(target=second_rename)
    renamer.start()
    try:
        assert load_model(tmp_path).event_types == tiny_model.event_types
    finally:
        renamer.join()
    meta_path.write_text(json.dumps(meta))  # and corrupt it stays: said so after a second or so
    with pytest.raises(ModelLoadError, match="does not match the sha256"):
        load_model(tmp_path)
