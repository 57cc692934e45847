"""Finding and waiting for processes in tests, through /proc (Linux)."""

from __future__ import annotations

import time
from pathlib import Path

HAS_PROC = Path("/proc/self/task").exists()


def workers(pid: int) -> list[int]:
    """The worker processes ``pid`` forked: its children running its own command line."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return []
    found = []
    for child in children:
        try:
            if Path(f"/proc/{child}/cmdline").read_bytes() == cmdline:
                found.append(int(child))
        except (FileNotFoundError, ProcessLookupError):
            pass
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by its new parent, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def still_alive_after(pids: list[int], seconds: float) -> list[int]:
    """Those of ``pids`` still running after waiting up to ``seconds`` for them all to end."""
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [pid for pid in pids if alive(pid)]
