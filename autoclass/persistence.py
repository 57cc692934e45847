"""Saving and loading a model directory: joblib artifact, metadata.json, model card.

A model directory travels whole: everything prediction needs is inside it.
Loading checks the artifact's sha256 against the metadata and the
scikit-learn version it was trained with, and says what to do on a mismatch.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from pathlib import Path
from typing import Any

import joblib
import sklearn

from autoclass.errors import ModelLoadError, ModelNotFoundError
from autoclass.model import Model

ARTIFACT = "model.joblib"
METADATA = "metadata.json"
CARD = "README.md"
ENV_VAR = "AUTOCLASS_MODEL"
FORMAT_VERSION = 2  # bump when the artifact's structure changes


def default_model_dir() -> Path:
    """Where :func:`autoclass.predict` looks for its model.

    ``$AUTOCLASS_MODEL`` when set; else ``models/default`` of the source
    checkout ``make train`` wrote to; else ``./models/default``.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parent.parent / "models" / "default"
    if checkout.exists():
        return checkout
    return Path.cwd() / "models" / "default"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def versions() -> dict[str, str]:
    from autoclass import __version__

    return {
        "autoclass": __version__,
        "scikit-learn": sklearn.__version__,
        "python": platform.python_version(),
    }


def save_model(
    model: Model, directory: str | os.PathLike, *, metadata: dict[str, Any], card: str = ""
) -> Path:
    """Write ``model`` to ``directory`` with its metadata and model card.

    The artifact's sha256, the versions and the format are added to
    ``metadata``; the rest (taxonomy, config, data hash, metrics) is the
    caller's.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    artifact = directory / ARTIFACT
    joblib.dump(
        {"classifier": model.classifier, "tag_min_share": model.tag_min_share},
        artifact,
        compress=3,
    )
    full = {
        **metadata,
        "format_version": FORMAT_VERSION,
        "artifact": ARTIFACT,
        "artifact_sha256": sha256_file(artifact),
        "versions": versions(),
    }
    (directory / METADATA).write_text(json.dumps(full, indent=2, sort_keys=True) + "\n")
    if card:
        (directory / CARD).write_text(card)
    model.metadata, model.path = full, directory
    return directory


def load_model(path: str | os.PathLike | None = None) -> Model:
    """Load a trained model directory.

    Parameters
    ----------
    path : str or path-like, optional
        The model directory; :func:`default_model_dir` when omitted.

    Returns
    -------
    Model
        The loaded model.

    Raises
    ------
    ModelNotFoundError
        If there is no model there (run ``make train`` to make the default one).
    ModelLoadError
        If the artifact does not match its metadata or was trained with
        another scikit-learn version.
    """
    directory = Path(path) if path is not None else default_model_dir()
    meta_path, artifact = directory / METADATA, directory / ARTIFACT
    if not meta_path.is_file() or not artifact.is_file():
        hint = (
            "run `make train` to train the default model"
            if path is None
            else f"point {ENV_VAR} or load_model() at a directory written by training"
        )
        raise ModelNotFoundError(f"no trained autoclass model in {directory}: {hint}")
    try:
        metadata = json.loads(meta_path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{meta_path} is not valid JSON ({exc}); retrain the model") from exc
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ModelLoadError(
            f"model in {directory} has format {metadata.get('format_version')}, this autoclass "
            f"reads format {FORMAT_VERSION}: retrain with `make train`"
        )
    expected = metadata.get("artifact_sha256")
    actual = sha256_file(artifact)
    if expected != actual:
        raise ModelLoadError(
            f"{artifact} does not match the sha256 in {meta_path} (file changed or corrupt); "
            "retrain with `make train` or restore the directory"
        )
    trained_with = metadata.get("versions", {}).get("scikit-learn")
    if trained_with != sklearn.__version__:
        raise ModelLoadError(
            f"model in {directory} was trained with scikit-learn {trained_with}, but "
            f"{sklearn.__version__} is installed: install scikit-learn=={trained_with} "
            "or retrain with `make train`"
        )
    try:
        payload = joblib.load(artifact)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means the same to the user
        raise ModelLoadError(f"cannot load {artifact} ({exc}); retrain with `make train`") from exc
    return Model(
        payload["classifier"],
        tag_min_share=payload["tag_min_share"],
        metadata=metadata,
        path=directory,
    )
