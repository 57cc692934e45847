"""Soak: runs killed at random points, each resumed, every result byte-identical.

More than a hundred runs of ``autoclass predict`` are stopped at random
points: Ctrl-C (SIGINT to the process group), SIGTERM and SIGKILL of the main
process, SIGKILL of a worker; with ``--jobs 1`` and ``2``, JSON Lines and CSV
output.  Each is resumed with ``--resume`` (with any ``--jobs`` and
``--chunk-size``), and the output must be byte for byte the output of an
uninterrupted run, with no process of the stopped run left behind.  The runs
are forked from a process that has loaded the model (``tests/forked_cli.py``),
so that start-up does not dominate; the random choices come from a fixed seed.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from itertools import product
from pathlib import Path

import pytest

from tests import processes
from tests.test_cli_resume import PAGE

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261204
RECORDS = 360
ROUNDS = 8  # of each way of stopping: 14 ways, 112 runs

#: How a run is stopped: the signal, whom it goes to, and the status the run then ends with.
STOPS = {
    "ctrl-c": (signal.SIGINT, "group", {130}),
    "sigterm": (signal.SIGTERM, "main", {143, -signal.SIGTERM}),  # -15: before the handler is set
    "sigkill": (signal.SIGKILL, "main", {-signal.SIGKILL}),
    "sigkill-worker": (signal.SIGKILL, "worker", {3}),
}


class Server:
    """``tests/forked_cli.py``: runs ``autoclass predict`` forked from a process with the model loaded."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.forked_cli"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def start(self, argv: list[str], stderr: Path) -> int:
        self.proc.stdin.write(json.dumps([["predict", "-q", *argv], str(stderr)]) + "\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def status(self) -> int:
        return int(self.proc.stdout.readline())

    def run(self, argv: list[str], stderr: Path) -> int:
        self.start(argv, stderr)
        return self.status()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _make_input(path: Path) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(RECORDS):
            if i % 37 == 36:
                f.write('{"id": "broken", "text": \n')
            else:
                f.write(json.dumps({"id": f"page-{i}", "text": f"Story {i}\n{PAGE}"}) + "\n")


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def _stop(pid: int, how: str, out: Path, rng: random.Random) -> tuple[bool, list[int]]:
    """Wait for a random point of the run ``pid``, then stop it; (signalled while running, its workers)."""
    sig, target, _ = STOPS[how]
    if target != "worker" and rng.random() < 0.25:
        time.sleep(rng.uniform(0, 0.4))  # early: model, pool, run description
    else:
        goal = rng.randrange(RECORDS - 40)
        deadline = time.monotonic() + 60
        while _lines(out) < goal and processes.alive(pid) and time.monotonic() < deadline:
            time.sleep(0.002)
    workers = processes.workers(pid)
    if target == "worker":
        if not workers:
            return False, []
        victim = rng.choice(workers)
    else:
        victim = pid
    if not processes.alive(pid):
        return False, workers
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig) if target == "group" else os.kill(victim, sig)
    return True, workers


@pytest.mark.slow
@pytest.mark.skipif(not processes.HAS_PROC or not hasattr(os, "fork"), reason="needs fork and /proc")
def test_runs_killed_at_random_points_resume_to_the_uninterrupted_output(tmp_path):
    rng = random.Random(SEED)
    src = tmp_path / "in.jsonl"
    _make_input(src)
    server = Server()
    started = time.monotonic()
    try:
        reference = {}
        for fmt in ("jsonl", "csv"):
            out = tmp_path / f"reference.{fmt}"
            assert server.run([str(src), "-j", "1", "-o", str(out)], tmp_path / "err") == 1
            reference[fmt] = out.read_bytes()
        ways = [
            (jobs, fmt, how)
            for jobs, fmt, how in product((1, 2), ("jsonl", "csv"), STOPS)
            if jobs == 2 or how != "sigkill-worker"
        ]
        plan = ways * ROUNDS
        rng.shuffle(plan)
        stopped = {}
        for n, (jobs, fmt, how) in enumerate(plan):
            out, err = tmp_path / f"run{n}.{fmt}", tmp_path / f"run{n}.err"
            chunk = str(rng.choice((1, 3, 8)))
            pid = server.start([str(src), "-j", str(jobs), "--chunk-size", chunk, "-o", str(out)], err)
            signalled, workers = _stop(pid, how, out, rng)
            status = server.status()
            context = f"run {n}: --jobs {jobs} --chunk-size {chunk} {fmt}, {how}, status {status}"
            assert processes.still_alive_after(workers, 10) == [], f"{context}: workers left behind"
            if signalled and status in STOPS[how][2]:
                stopped[how] = stopped.get(how, 0) + 1
            else:
                assert status in (0, 1), f"{context}: {err.read_text()}"
            written = out.read_bytes() if out.exists() else b""
            assert reference[fmt].startswith(written[: written.rfind(b"\n") + 1]), context
            resume = [str(src), "-j", str(rng.choice((1, 2))), "--chunk-size", str(rng.choice((2, 5)))]
            status = server.run([*resume, "-o", str(out), "--resume"], err)
            assert status in (0, 1), f"{context}; resumed: status {status}: {err.read_text()}"
            assert out.read_bytes() == reference[fmt], f"{context}; resumed output differs"
            out.unlink()
    finally:
        server.close()
    elapsed = time.monotonic() - started
    total = sum(stopped.values())
    print(f"\nsoak: {total} runs stopped mid-run ({stopped}) of {len(plan)}, all resumed, {elapsed:.0f} s")
    assert total >= 100, stopped
    assert all(stopped.get(how, 0) >= 12 for how in STOPS), stopped
