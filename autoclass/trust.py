"""The trust store: sha256 digests of the model artifacts this machine trusts.

Loading a pickle runs code it holds, so :func:`autoclass.load_model` loads a
joblib artifact only when its digest is here.  The store is a text file, one
digest per line with an optional note of where it came from, at
``$AUTOCLASS_TRUST_STORE``, else ``$XDG_CONFIG_HOME/autoclass/trusted-models``
(``~/.config/autoclass/trusted-models``).  Training records what it saves;
``autoclass trust DIR`` records what the user vouches for.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

from autoclass.errors import ModelLoadError

TRUST_STORE_ENV = "AUTOCLASS_TRUST_STORE"
_DIGEST = re.compile(r"[0-9a-f]{64}")


def trust_store_path() -> Path:
    """The trust store: ``$AUTOCLASS_TRUST_STORE``, else ``autoclass/trusted-models`` in the config home."""
    env = os.environ.get(TRUST_STORE_ENV)
    if env:
        return Path(env)
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config) / "autoclass" / "trusted-models"


def store_writable_hint() -> str:
    """A hint when the trust store cannot be written here (a read-only home): where to put it instead."""
    folder = trust_store_path().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if os.access(folder, os.W_OK):
        return ""
    store = trust_store_path()
    return f" ({store} cannot be written here: set {TRUST_STORE_ENV} to a file you can write first)"


def trusted_digests() -> set[str]:
    """The sha256 digests in the trust store (none when it does not exist).

    A line is a digest, then optionally whitespace and a note; blank lines,
    ``#`` comments and lines that do not start with a digest are skipped.
    """
    try:
        lines = trust_store_path().read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return set()
    except OSError as exc:
        raise ModelLoadError(f"cannot read the trust store {trust_store_path()} ({exc})") from exc
    words = (line.split(maxsplit=1) for line in lines)
    return {w[0].lower() for w in words if w and _DIGEST.fullmatch(w[0].lower())}


def record_trusted(digest: str, *, note: str = "") -> bool:
    """Add ``digest`` to the trust store, with ``note`` saying where it came from.

    Returns
    -------
    bool
        ``True`` if it was added, ``False`` if it was there already.
    """
    if not _DIGEST.fullmatch(digest):
        raise ValueError(f"not a sha256 hex digest: {digest!r}")
    if digest in trusted_digests():
        return False
    store = trust_store_path()
    store.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    line = f"{digest}  {stamp} {' '.join(note.split())}".rstrip() + "\n"
    # One short append: concurrent trainings each add their line whole.
    with open(store, "a+", encoding="utf-8") as f:
        if f.tell() and not _ends_with_newline(store):  # a hand-edited last line
            line = "\n" + line
        f.write(line)
    return True


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"
