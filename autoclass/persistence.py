"""Saving and loading a model directory: artifact, metadata.json, model card; trusted artifacts.

A model directory travels whole: everything prediction needs is inside it.
Loading checks the artifact's sha256 against the metadata (a corruption
check) and the scikit-learn version it was trained with, and says what to do
on a mismatch.

The artifact is one of three formats:

* ``model.npz`` (what training writes, and the model shipped with the
  package): the fitted model's arrays and a JSON structure
  (:mod:`autoclass.serialize`), read with ``numpy.load(allow_pickle=False)``,
  so loading it runs no code from the file.  It also loads fastest.
* ``model.skops`` (the ``skops`` extra): skops builds only the types listed
  in ``SKOPS_TYPES`` besides those it deems safe itself (Python built-ins,
  numpy and scipy arrays, scikit-learn estimators), and refuses a file that
  holds any other, before building anything.
* ``model.joblib``: a pickle.  Unpickling runs whatever code the pickle
  names, and an attacker can write a matching ``metadata.json`` as easily as
  the pickle, so a pickle is only loaded when its sha256 is in the *trust
  store*: a text file of digests, one per line with an optional note, at
  ``$AUTOCLASS_TRUST_STORE``, else ``$XDG_CONFIG_HOME/autoclass/trusted-models``
  (``~/.config/autoclass/trusted-models``).  :func:`save_model` records what
  this machine saved, ``autoclass trust DIR`` (:func:`trust_model`) what the
  user vouches for.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import time
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import joblib
import sklearn

from autoclass import serialize
from autoclass.errors import (
    MissingExtraError,
    ModelLoadError,
    ModelNotFoundError,
    UntrustedModelError,
    pip_install,
)
from autoclass.files import RefusedFileError, read_regular
from autoclass.model import Model
from autoclass.sanity import InsaneModelError, check_model
from autoclass.trust import record_trusted, store_writable_hint, trust_store_path, trusted_digests

ARTIFACT = "model.joblib"
SKOPS_ARTIFACT = "model.skops"
NPZ_ARTIFACT = "model.npz"
ARTIFACTS = {"joblib": ARTIFACT, "skops": SKOPS_ARTIFACT, "npz": NPZ_ARTIFACT}
SAFE_ARTIFACTS = (NPZ_ARTIFACT, SKOPS_ARTIFACT)  # formats that load without running code from the file
METADATA = "metadata.json"
CARD = "README.md"
ENV_VAR = "AUTOCLASS_MODEL"
SHIPPED_MODEL = "default_model"
# Bump when the artifact's structure changes (3: the model's own event types; 4: the body head;
# 5: the HTML classifier beside the text one).
FORMAT_VERSION = 5
# The only classes of ours in an artifact; skops refuses a file holding any other.
SKOPS_TYPES = ("autoclass.classifier.ParagraphClassifier", "autoclass.features.PageFeaturizer")
# Read limits, so that a hostile directory cannot fill the memory: metadata.json
# is a few KB; an artifact is a few MB, and no longer than its metadata says
# (models saved before "artifact_bytes" was recorded get the cap).
METADATA_MAX_BYTES = 16 << 20
ARTIFACT_MAX_BYTES = 2 << 30


def shipped_model_dir() -> Path:
    """Where the package keeps the model it ships (``autoclass/default_model``; built by ``make dist``)."""
    return Path(str(resources.files("autoclass") / SHIPPED_MODEL))


def default_model_dir() -> Path:
    """Where :func:`autoclass.predict` looks for its model.

    ``$AUTOCLASS_MODEL`` when set; else, in a source checkout, the
    ``models/default`` that ``make train`` writes; else the model shipped
    with the package (:func:`shipped_model_dir`).
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()  # "~/models/x", as .env files and unit files write it
    source = Path(__file__).resolve().parent.parent
    checkout = source / "models" / "default"
    if (source / "pyproject.toml").is_file() and (checkout / METADATA).is_file():
        return checkout
    return shipped_model_dir()


def not_found_message(directory: Path, source: str | None, *, cli: bool = False) -> str:
    """Why no model was found and what to do, for the caller's situation.

    Parameters
    ----------
    directory : pathlib.Path
        Where the model was looked for.
    source : {"path", "env", "default"} or None
        Who named the place: the caller (a path given to ``load_model`` or
        ``--model``), ``$AUTOCLASS_MODEL``, or nobody (the default model).
    cli : bool
        Advice for the command line (``--model``) rather than Python (``load_model``).

    Examples
    --------
    >>> print(not_found_message(Path("/x"), "path", cli=True))
    no trained autoclass model in /x: give --model a directory written by `autoclass train LABELS -o DIR`
    """
    hint = _not_found_hint(source, cli=cli)
    if source == "default":
        return f"no default autoclass model: {hint}"
    if directory.name in ARTIFACTS.values() or directory.name == METADATA:
        given = "--model" if cli else "load_model()"
        return f"{directory} is a file of a model: give {given} its folder, {directory.parent}"
    return f"no trained autoclass model in {directory}: {hint}"


def _not_found_hint(source: str | None, *, cli: bool) -> str:
    given = "give --model a directory" if cli else "point load_model() at a directory"
    use = "pass --model DIR" if cli else "call load_model(DIR)"
    if source == "path":
        return f"{given} written by `autoclass train LABELS -o DIR`"
    if source == "env":
        return (
            f"that is where {ENV_VAR} points: point it at a directory written by `autoclass train`, "
            "or unset it to use the default model"
        )
    return (
        "this installation has no default model (a wheel built without `make dist`, or a source "
        f"checkout without `make train`?): set {ENV_VAR}=DIR or {use} for a model you have, or "
        "train one with `autoclass train LABELS -o DIR`; in a source checkout, `make train` makes "
        "the default one and `make dist` a wheel that ships it"
    )


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


def trust_model(path: str | os.PathLike) -> tuple[Path, str, bool]:
    """Mark the model directory at ``path`` as trusted on this machine.

    Checks that the artifact matches its metadata, then records its sha256
    in the trust store (:func:`trust_store_path`).  Only do this for a model
    whose origin you trust: loading a joblib model runs code it holds.

    Parameters
    ----------
    path : str or path-like
        A model directory.

    Returns
    -------
    artifact : pathlib.Path
        The artifact file.
    digest : str
        Its sha256.
    added : bool
        ``False`` if it was trusted already.

    Raises
    ------
    ModelNotFoundError
        If there is no model there.
    ModelLoadError
        If the artifact does not match its metadata.
    """
    directory = Path(path)
    artifact, _, data = _read_artifact(directory, source="trust")
    digest = hashlib.sha256(data).hexdigest()
    added = record_trusted(digest, note=f"trusted {artifact.resolve()}")
    return artifact, digest, added


# ------------------------------------------------------------------ save / load
def save_model(
    model: Model,
    directory: str | os.PathLike,
    *,
    metadata: dict[str, Any],
    card: str = "",
    format: str = "joblib",
) -> Path:
    """Write ``model`` to ``directory`` with its metadata and model card.

    The artifact's name and sha256, the versions, the format and the model's
    event types (``taxonomy.events``) are added to ``metadata``; the rest
    (where the taxonomy came from, config, data hash, metrics) is the
    caller's.  A joblib artifact's sha256 is recorded in the trust store: a
    model trained here is trusted here.

    Parameters
    ----------
    model : Model
        The model to write.
    directory : str or path-like
        Created if needed; an artifact of the other format there is removed.
    metadata : dict
        What ``metadata.json`` holds besides what is added here.
    card : str
        The model card, written to ``README.md`` when not empty.
    format : {"joblib", "npz", "skops"}
        ``"npz"`` (``model.npz``: arrays and JSON, loads fastest and without
        running code, so it needs no trust anywhere; what training writes),
        ``"joblib"`` (``model.joblib``, a pickle: needs trust elsewhere) or
        ``"skops"`` (``model.skops``, loads without trust; needs the
        ``skops`` extra).

    Returns
    -------
    pathlib.Path
        The directory.

    Examples
    --------
    A copy of the default model in the skops format, to share:

    >>> import tempfile
    >>> model = load_model()
    >>> with tempfile.TemporaryDirectory() as shared:
    ...     _ = save_model(model, shared, metadata=model.metadata, format="skops")
    ...     load_model(shared).metadata["artifact"]
    'model.skops'
    """
    if format not in ARTIFACTS:
        raise ValueError(f"unknown model format {format!r}; use one of {', '.join(ARTIFACTS)}")
    if not isinstance(metadata, dict):  # checked before tens of megabytes are written
        raise TypeError(f"metadata must be a dict (model.metadata, or {{}}), not {type(metadata).__name__}")
    try:  # before anything is written
        skops_io = _skops_io() if format == "skops" else None
    except ModelLoadError:
        raise MissingExtraError("saving a model in the skops format", "skops") from None
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    artifact = directory / ARTIFACTS[format]
    payload = {
        "classifier": model.classifier,
        "html_classifier": model.html_classifier,
        "tag_min_share": model.tag_min_share,
    }
    # Written beside the model under temporary names, then renamed into place:
    # a save that fails or is killed midway (tens of megabytes, seconds) leaves
    # the model that was there whole, where writing in place destroyed it.
    staged = {name: directory / f".{name}.{os.getpid()}.tmp" for name in (artifact.name, METADATA)}
    try:
        if format == "npz":
            staged[artifact.name].write_bytes(serialize.dumps(payload))
        elif format == "skops":
            skops_io.dump(payload, staged[artifact.name], compression=_ZIP_DEFLATED)
        else:
            joblib.dump(payload, staged[artifact.name], compress=3)
        digest = sha256_file(staged[artifact.name])
        full = {
            **metadata,
            "taxonomy": {**metadata.get("taxonomy", {}), "events": list(model.event_types)},
            "format_version": FORMAT_VERSION,
            "artifact": artifact.name,
            "artifact_sha256": digest,
            "artifact_bytes": staged[artifact.name].stat().st_size,
            "versions": versions(),
        }
        staged[METADATA].write_text(json.dumps(full, indent=2, sort_keys=True) + "\n")
        os.replace(staged[artifact.name], artifact)
        os.replace(staged[METADATA], directory / METADATA)
    finally:
        for path in staged.values():
            path.unlink(missing_ok=True)
    for other in set(ARTIFACTS.values()) - {artifact.name}:
        (directory / other).unlink(missing_ok=True)
    if card:
        (directory / CARD).write_text(card)
    if format == "joblib":
        try:
            record_trusted(digest, note=f"trained {artifact.resolve()}")
        except (OSError, ModelLoadError) as exc:
            warnings.warn(
                f"{artifact} is saved but could not be recorded as trusted in {trust_store_path()} "
                f"({exc}); load it with load_model(path, trust=True) or run `autoclass trust {directory}`",
                stacklevel=2,
            )
    model.metadata, model.path = full, directory
    return directory


def load_model(path: str | os.PathLike | None = None, *, trust: bool = False) -> Model:
    """Load a trained model directory.

    Parameters
    ----------
    path : str or path-like, optional
        The model directory; :func:`default_model_dir` when omitted.
    trust : bool
        Load a joblib artifact even if its sha256 is not in the trust store
        (without recording it).  Loading a joblib model runs code it holds:
        only for a model whose origin you trust.

    Returns
    -------
    Model
        The loaded model.

    Raises
    ------
    ModelNotFoundError
        If there is no model there; its message says what to do, for where
        the place came from (``path``, ``$AUTOCLASS_MODEL``, the default).
    UntrustedModelError
        If the artifact is a joblib pickle that was neither trained on this
        machine nor marked as trusted, and ``trust`` is false; or a skops
        file that holds types autoclass does not build.
    ModelLoadError
        If the artifact does not match its metadata or was trained with
        another scikit-learn version.
    """
    directory = Path(path).expanduser() if path is not None else default_model_dir()
    source = "path" if path is not None else "env" if os.environ.get(ENV_VAR) else "default"
    artifact, metadata, data = _read_matching(directory, source=source)
    trained_with = metadata.get("versions", {}).get("scikit-learn")
    # An npz model holds arrays and autoclass's own classes, whatever scikit-learn is installed;
    # a pickle or skops file holds scikit-learn's own objects.
    if artifact.name != NPZ_ARTIFACT:
        _check_sklearn(directory, trained_with)
    if artifact.name == NPZ_ARTIFACT:
        built: set[str] = set()
        payload = _load_npz(artifact, data, built)
        if any(name.startswith("sklearn.") for name in built):
            _check_sklearn(directory, trained_with)
    elif artifact.name == SKOPS_ARTIFACT:
        payload = _load_skops(artifact, data)
    else:
        digest = hashlib.sha256(data).hexdigest()
        if not trust and digest not in trusted_digests():
            raise UntrustedModelError(
                f"refusing to load {artifact}: a joblib (pickle) model runs code when it is "
                f"loaded, and this one (sha256 {digest[:16]}...) was neither trained on this "
                f"machine nor marked as trusted in {trust_store_path()}. If you trust where it "
                f"came from: run `autoclass trust {directory}` to record it{store_writable_hint()}, "
                "or load it once with load_model(path, trust=True) or a command's --trust-model option; "
                "or ask for the model in the npz format (model.npz, what `autoclass train` writes) or "
                "the skops format (model.skops), which load without running code from the file"
            )
        try:
            # From the bytes just hashed, so the file cannot change in between.
            payload = joblib.load(io.BytesIO(data))
        except Exception as exc:  # noqa: BLE001 - any unpickling failure means the same to the user
            raise ModelLoadError(
                f"cannot load {artifact} ({exc}); retrain it with `autoclass train`"
            ) from exc
    if not isinstance(payload, dict) or set(payload) != {"classifier", "html_classifier", "tag_min_share"}:
        raise ModelLoadError(
            f"{artifact} does not hold an autoclass model; retrain it with `autoclass train`"
        )
    model = Model(
        payload["classifier"],
        html_classifier=payload["html_classifier"],
        tag_min_share=payload["tag_min_share"],
        metadata=metadata,
        path=directory,
    )
    try:
        check_model(model)
    except InsaneModelError as exc:
        raise ModelLoadError(
            f"{artifact} does not hold a usable model: {exc}; ask for a new copy of the model or retrain it"
        ) from None
    taxonomy = metadata.get("taxonomy")
    recorded = taxonomy.get("events") if isinstance(taxonomy, dict) else None
    if recorded != list(model.event_types):
        raise ModelLoadError(
            f"the event types in {directory / METADATA} are not those of {artifact}; "
            "restore the directory or retrain the model"
        )
    return model


def _check_sklearn(directory: Path, trained_with: object) -> None:
    if trained_with != sklearn.__version__:
        raise ModelLoadError(
            f"model in {directory} was trained with scikit-learn {trained_with}, but "
            f"{sklearn.__version__} is installed: install scikit-learn=={trained_with} "
            "or retrain it with `autoclass train`"
        )


class _MismatchError(ModelLoadError):
    """The artifact and the metadata do not match: corrupt, or caught between a save's two renames."""


# A model saved again meanwhile: save_model renames the new artifact, then the new metadata into
# place, and a load between the two read new bytes against the old sha256 (a third of the loads
# of a folder rewritten in a loop failed as "corrupt"). Read again a moment later, they match.
_READ_AGAIN = (0.05, 0.2, 0.5)


def _read_matching(directory: Path, *, source: str) -> tuple[Path, dict[str, Any], bytes]:
    for wait in _READ_AGAIN:
        try:
            return _read_artifact(directory, source=source)
        except _MismatchError:
            time.sleep(wait)
    return _read_artifact(directory, source=source)


def _read_artifact(directory: Path, *, source: str) -> tuple[Path, dict[str, Any], bytes]:
    """The artifact's path, the metadata and the artifact's bytes, checked against each other."""
    meta_path = directory / METADATA
    # exists(), not is_file(): a FIFO or device in their place is refused below, by name.
    artifacts = [a for a in ARTIFACTS.values() if (directory / a).exists()]
    if not meta_path.exists() or not artifacts:
        if meta_path.exists() or artifacts:  # half a model: say which half is missing
            half = METADATA if artifacts else "model artifact (model.npz, model.skops or model.joblib)"
            message = (
                f"{directory} holds {artifacts[0] if artifacts else METADATA} but no {half}: "
                "copy the whole model directory, or retrain it"
            )
            raise ModelLoadError(message)
        if source == "trust":  # named by the caller: the message is its own, not the default model's
            message = (
                f"no trained autoclass model in {directory}: point `autoclass trust` at a model directory"
            )
            raise ModelNotFoundError(message, directory=directory)
        raise ModelNotFoundError(not_found_message(directory, source), directory=directory, source=source)
    try:
        text = read_regular(meta_path, METADATA_MAX_BYTES)
        if len(text) > METADATA_MAX_BYTES:
            raise ValueError(f"more than {METADATA_MAX_BYTES:,} bytes")
        metadata = json.loads(text)
    except RefusedFileError as exc:
        raise ModelLoadError(f"{exc}: not a model's metadata; retrain the model") from exc
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{meta_path} is not valid JSON ({exc}); retrain the model") from exc
    if not isinstance(metadata, dict) or metadata.get("format_version") != FORMAT_VERSION:
        found = metadata.get("format_version") if isinstance(metadata, dict) else None
        newer = isinstance(found, int) and not isinstance(found, bool) and found > FORMAT_VERSION
        todo = (
            "a newer autoclass wrote it: upgrade autoclass, or retrain the model with this one"
            if newer
            else "retrain it with `autoclass train`"
        )
        raise ModelLoadError(
            f"model in {directory} has format {json.dumps(found)}, this autoclass reads format "
            f"{FORMAT_VERSION}: {todo}"
        )
    name = metadata.get("artifact", ARTIFACT)
    if name not in ARTIFACTS.values():
        raise ModelLoadError(
            f"{meta_path} names the artifact {name!r}; autoclass reads {' or '.join(ARTIFACTS.values())}"
        )
    artifact = directory / name
    size = metadata.get("artifact_bytes")
    limit = size if isinstance(size, int) and 0 <= size <= ARTIFACT_MAX_BYTES else ARTIFACT_MAX_BYTES
    try:
        data = read_regular(artifact, limit)
    except RefusedFileError as exc:
        raise ModelLoadError(f"{exc}: refusing to read it as the model {meta_path} names") from exc
    except OSError as exc:
        raise ModelLoadError(f"cannot read {artifact} ({exc}), which {meta_path} names") from exc
    if len(data) > limit:
        found = (
            f"more than the {limit:,} bytes and so does not match the sha256 in {meta_path}"
            if limit == size
            else f"more than {limit:,} bytes, far more than any autoclass model"
        )
        raise _MismatchError(
            f"{artifact} holds {found} (file changed or corrupt); "
            "retrain it with `autoclass train` or restore the directory"
        )
    if metadata.get("artifact_sha256") != hashlib.sha256(data).hexdigest():
        raise _MismatchError(
            f"{artifact} does not match the sha256 in {meta_path} (file changed or corrupt); "
            "retrain it with `autoclass train` or restore the directory"
        )
    return artifact, metadata, data


def _load_npz(artifact: Path, data: bytes, built: set[str]) -> Any:
    try:
        return serialize.loads(data, built=built)
    except serialize.ContentError as exc:
        raise ModelLoadError(
            f"cannot load {artifact}: {exc}; ask for a new copy of the model, or upgrade autoclass "
            "if a newer one wrote it"
        ) from None


_ZIP_DEFLATED = 8  # zipfile.ZIP_DEFLATED: as small as joblib's compress=3, loads about as fast as stored


def _skops_io() -> Any:
    # Imported on demand: skops takes about 0.7 s to import (it lists every
    # scikit-learn estimator), which the joblib path should not pay.
    try:
        import skops.io
    except ImportError as exc:
        hint = pip_install("skops")
        raise ModelLoadError(f'the skops model format needs the "skops" extra: {hint}') from exc
    return skops.io


def _load_skops(artifact: Path, data: bytes) -> Any:
    sio = _skops_io()
    from skops.io.exceptions import UntrustedTypesFoundException

    try:
        return sio.loads(data, trusted=list(SKOPS_TYPES))
    except UntrustedTypesFoundException:
        unknown = sorted(set(sio.get_untrusted_types(data=data)) - set(SKOPS_TYPES))
        raise UntrustedModelError(
            f"refusing to load {artifact}: it holds types autoclass does not build "
            f"({', '.join(unknown)}); an autoclass model holds only {', '.join(SKOPS_TYPES)}, "
            "numpy arrays and Python built-ins"
        ) from None
    except Exception as exc:  # noqa: BLE001 - any failure to rebuild means the same to the user
        raise ModelLoadError(f"cannot load {artifact} ({exc}); ask for a new copy of the model") from exc
