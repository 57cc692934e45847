"""Where a model comes from: the code, libraries, machine and command that trained it.

Together with the training config and the sha256 of the training data
(:func:`sha256_files`; both in ``metadata.json``), this is what it takes to rebuild a model: the
same data, config, code and library versions give the same predictions, on
any number of threads and under any ``PYTHONHASHSEED``
(``tests/test_reproducible.py``).
"""

from __future__ import annotations

import hashlib
import os
import platform
import shlex
import subprocess
import sys
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import autoclass

# The source checkout autoclass runs from (an editable install), whose commit is the code's
# version; an installed package has none (site-packages may sit inside some other repository).
_SOURCE = Path(autoclass.__file__).resolve().parent.parent
ROOT: Path | None = (
    _SOURCE if (_SOURCE / "pyproject.toml").is_file() and (_SOURCE / ".git").exists() else None
)
DISTRIBUTIONS = ("numpy", "scipy", "scikit-learn", "joblib", "datasets")


def display_path(path: str | Path) -> str:
    """``path`` relative to the working directory when inside it (so hashes and metadata travel)."""
    path = Path(path)
    cwd = Path.cwd()
    absolute = path if path.is_absolute() else cwd / path
    return absolute.relative_to(cwd).as_posix() if absolute.is_relative_to(cwd) else absolute.as_posix()


def recorded_training_files(metadata: dict[str, Any]) -> list[Path]:
    """The training files a model's metadata names, found from here or from the folder training ran in.

    Paths are recorded as they were given (:func:`display_path`: relative to
    the working directory of the training run when under it).
    """
    data = metadata.get("training_data", {})
    recorded = data.get("files") or []
    ran_in = metadata.get("provenance", {}).get("cwd")
    files = []
    for name in recorded:
        path = Path(name)
        if not path.is_absolute() and not path.is_file() and ran_in and (Path(ran_in) / path).is_file():
            path = Path(ran_in) / path
        files.append(path)
    if ran_in:
        # Files of the same names here may be other files (a copy, edited): those of the training
        # run's folder are taken when they are the ones trained on (a learning curve refitted on
        # the copy's labels mixed two data sets, the last point being the real model).
        there = [Path(ran_in) / name for name in recorded]  # (an absolute name stays itself)
        if any(_other_file(f, t) for f, t in zip(files, there)) and all(t.is_file() for t in there):
            sha256 = data.get("sha256")
            if sha256 and _data_sha256(there, recorded) == sha256 != _data_sha256(files, recorded):
                return there
    return files


def _other_file(a: Path, b: Path) -> bool:
    try:
        return not a.samefile(b)
    except OSError:
        return True


def _data_sha256(paths: list[Path], names: list[str]) -> str | None:
    try:
        return sha256_files(paths, names=names)
    except OSError:
        return None


def sha256_files(paths: Iterable[str | Path], *, names: Iterable[str] | None = None) -> str:
    """One sha256 over the files' names and bytes, in sorted order.

    The names are :func:`display_path`'s, or ``names`` (one per path): a
    model's training files found again from another folder hash under the
    names its metadata recorded, as they did when it was trained.
    """
    paths = list(map(Path, paths))
    shown = [display_path(p) for p in paths] if names is None else list(names)
    digest = hashlib.sha256()
    for name, path in sorted(zip(shown, paths), key=lambda pair: Path(pair[0])):
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _version(distribution: str) -> str | None:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def _git(root: Path, *args: str) -> str | None:
    """Output of a git command in ``root``; None without git, outside a repository, or on error."""
    try:
        run = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return run.stdout if run.returncode == 0 else None


def _native_libraries() -> list[dict[str, Any]]:
    """BLAS and OpenMP libraries loaded in this process (their versions can change the last bits)."""
    import numpy  # noqa: F401 - loads the BLAS that training uses, so that it is listed

    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    found = [
        {"api": lib.get("internal_api"), "version": lib.get("version"), "threads": lib.get("num_threads")}
        for lib in threadpool_info()
    ]
    # In a fixed order: in the order loaded, two trainings of one model wrote two metadata.json.
    return sorted(found, key=lambda lib: tuple(str(v) for v in lib.values()))


def provenance(*, root: str | Path | None = ROOT) -> dict[str, Any]:
    """Everything besides data and config needed to rebuild a model, JSON-ready.

    Parameters
    ----------
    root : str or Path, optional
        The repository whose commit is recorded; by default the source
        checkout autoclass is imported from, none for an installed package.

    Returns
    -------
    dict
        ``versions`` (autoclass, Python and the libraries of ``DISTRIBUTIONS``;
        ``None`` when one is not installed), ``platform`` (machine, system,
        release), ``native_libraries`` (BLAS/OpenMP loaded now), ``git``
        (``commit`` and ``dirty``, whether the work tree had uncommitted
        changes; both ``None`` without git or outside a repository),
        ``command`` (the exact command line, shell-quoted) and ``cwd``.

    Examples
    --------
    >>> info = provenance()
    >>> sorted(info)
    ['command', 'cwd', 'git', 'native_libraries', 'platform', 'versions']
    >>> info["versions"]["python"] == platform.python_version()
    True
    """
    commit = _git(Path(root), "rev-parse", "HEAD") if root is not None else None
    status = _git(Path(root), "status", "--porcelain") if commit is not None else None
    return {
        "versions": {
            "autoclass": autoclass.__version__,  # the code imported, even if not reinstalled
            "python": platform.python_version(),
            **{name: _version(name) for name in DISTRIBUTIONS},
        },
        "platform": {
            "machine": platform.machine(),
            "system": platform.system(),
            "release": platform.release(),
        },
        "native_libraries": _native_libraries(),
        "git": {
            "commit": commit.strip() if commit is not None else None,
            "dirty": bool(status.strip()) if status is not None else None,
        },
        "command": shlex.join(getattr(sys, "orig_argv", sys.argv)),
        "cwd": os.getcwd(),
    }
