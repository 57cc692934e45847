"""A server of ``autoclass predict`` runs, each forked from one process that is ready to run.

For the soak test, which interrupts more than a hundred runs: a run that
starts as ``python -m autoclass`` spends a second or two importing and
loading the model before it reads anything.  Here that is done once; each
run is ``os.fork()`` then :func:`autoclass.cli.main`, as the command does.

Protocol, one JSON line per run on standard input: ``[argv, stderr_path]``.
The server answers with the run's pid when it starts, then its exit status
when it ends (negative: killed by that signal), one line each.  Each run
leads its own process group, as a shell makes a command, so that a Ctrl-C
can be sent to it and its workers at once (``os.killpg``).
"""

from __future__ import annotations

import json
import os
import sys


def _run(argv: list[str], stderr_path: str) -> int:
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.dup2(os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
    from autoclass.cli import main

    try:
        return main(argv)
    except KeyboardInterrupt:  # Ctrl-C before the command could catch it
        return 130
    finally:
        sys.stderr.flush()


def serve() -> None:
    from autoclass.cli.engines import cached_model

    cached_model(None)  # loaded once: every run is forked with it
    for line in sys.stdin:
        argv, stderr_path = json.loads(line)
        pid = os.fork()
        if pid == 0:
            os.setpgid(0, 0)
            status = 1
            try:
                status = _run(argv, stderr_path)
            finally:
                os._exit(status)
        try:
            os.setpgid(pid, pid)  # here too, so that the group exists when the pid is read
        except OSError:  # the run has ended already
            pass
        print(pid, flush=True)
        _, wait_status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(wait_status), flush=True)


if __name__ == "__main__":
    serve()
