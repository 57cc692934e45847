"""Worker processes end with their parent, by the kernel's signal or by the portable watch."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests import processes

ROOT = Path(__file__).resolve().parent.parent

# A process that forks a child, which calls end_with_parent, then exits at once.
ORPHAN = """
import os, sys, time
from autoclass.cli import lifeline
if sys.argv[1] == "watch":
    lifeline._kill_with_parent = lambda: False
parent = os.getpid()
child = os.fork()
if child == 0:
    lifeline.end_with_parent(parent)
    time.sleep(60)
    os._exit(0)
print(child, flush=True)
"""


@pytest.mark.skipif(not (processes.HAS_PROC and hasattr(os, "fork")), reason="needs fork and /proc")
@pytest.mark.parametrize("how", ["kernel", "watch"])
def test_a_worker_ends_when_its_parent_dies(how):
    done = subprocess.run(
        [sys.executable, "-c", ORPHAN, how], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    child = int(done.stdout)
    try:
        assert processes.still_alive_after([child], 5) == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
