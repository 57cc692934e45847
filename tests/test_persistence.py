from __future__ import annotations

import json

import numpy as np
import pytest

from autoclass import ModelLoadError, ModelNotFoundError, load_model
from autoclass.persistence import ENV_VAR, default_model_dir, save_model

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
    with pytest.raises(ModelLoadError, match=r"scikit-learn==0\.18\.0|make train"):
        load_model(tmp_path)


def test_missing_model_says_what_to_do(tmp_path, monkeypatch):
    with pytest.raises(ModelNotFoundError, match="no trained autoclass model"):
        load_model(tmp_path / "nowhere")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere"))
    assert default_model_dir() == tmp_path / "nowhere"
    with pytest.raises(ModelNotFoundError, match="make train"):
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
    with pytest.raises(ModelLoadError, match="has format 1.*retrain with `make train`"):
        load_model(tmp_path)
