"""Text output of the commands that write one file: a named file, or standard output."""

from __future__ import annotations

import os
import sys
from typing import IO


def open_text_output(path: str | None) -> IO[str]:
    """``path`` opened for writing UTF-8 text, or standard output (left open on close) for ``None``."""
    if path is None:
        return os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", newline="")
    return open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - the caller closes it
