"""Worker processes end with the process that started them.

A worker of ``--jobs N`` waits for chunks from the main process.  When the
main process dies without a word (``kill -9``, the out-of-memory killer),
nothing tells its workers: they would wait forever, holding the output file
and an output pipe open (``autoclass predict ... | wc -l`` would never end).
:func:`end_with_parent`, called as a worker starts, makes it end with its
parent.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_POLL_SECONDS = 0.5


def _kill_with_parent() -> bool:
    # Linux's PR_SET_PDEATHSIG has the kernel send SIGKILL the moment the
    # parent dies: nothing to run in the worker, so it works even when the
    # worker is busy in a C loop holding the GIL, and SIGKILL cannot be caught
    # or ignored. (It fires when the *thread* that forked the worker ends; that
    # is the thread running the pool, which lives as long as the run.)
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_POLL_SECONDS)
    os._exit(1)


def end_with_parent(parent: int) -> None:
    """End this process when the process ``parent`` dies.

    Call it first thing in a new worker process, with the parent's pid as the
    parent saw it (``os.getpid()`` there, before the worker started): a
    parent that already died by then is noticed too.

    Parameters
    ----------
    parent : int
        The pid of the process that started this one.
    """
    if not _kill_with_parent():
        # Elsewhere, a thread polls: an orphan is adopted by another process,
        # so its parent pid changes. It ends the worker within half a second.
        threading.Thread(target=_watch, args=(parent,), name="autoclass-parent-watch", daemon=True).start()
    if os.getppid() != parent:  # died before the kernel was asked to tell
        os._exit(1)
