"""`autoclass predict`: interrupted runs leave complete records, and --resume carries on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autoclass.cli import main

ROOT = Path(__file__).resolve().parent.parent

PAGE = "\n".join(
    [
        "Home | News | Autos | Contact",
        "Nio delivers 20,000 cars in May, a monthly record",
        "Published: 01 June 2024",
        "Nio delivered 20,000 vehicles in May, up 40 percent from a year earlier.",
        "Deliveries of its smaller Onvo brand reached 6,000 units in the month.",
        "The company expects deliveries of up to 24,000 vehicles in June.",
        "Its shares rose 5 percent in Hong Kong after the figures were released.",
        "Share this article",
        "Subscribe to our newsletter",
        "Related news",
        "Tesla recalls 120,000 Model Y cars over seat belt fault",
        "Toyota and Panasonic sign battery supply agreement",
        "Leave a Reply",
        "Cheap football jerseys on sale",
    ]
)


def make_input(path: Path, n: int, *, bad_every: int = 0) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            if bad_every and i % bad_every == bad_every - 1:
                f.write('{"id": "broken", \n')
            else:
                f.write(json.dumps({"id": f"page-{i}", "text": f"Story {i}\n{PAGE}"}) + "\n")
    return path


def predict(*args: str) -> int:
    return main(["predict", "--jobs", "1", "--quiet", *args])


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """30 records (every 7th broken) and their uninterrupted JSON Lines and CSV output."""
    root = tmp_path_factory.mktemp("small")
    src = make_input(root / "in.jsonl", 30, bad_every=7)
    for suffix in ("jsonl", "csv"):
        assert predict(str(src), "--chunk-size", "4", "-o", str(root / f"full.{suffix}")) == 1
    return src, root


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
@pytest.mark.parametrize("keep", [0, 11, 29])
def test_resume_after_a_cut_mid_record_equals_an_uninterrupted_run(small, tmp_path, suffix, keep):
    src, root = small
    full = (root / f"full.{suffix}").read_bytes()
    lines = full.splitlines(keepends=True)
    header = 1 if suffix == "csv" else 0
    cut = b"".join(lines[: header + keep]) + lines[header + keep][:9]
    out = tmp_path / f"out.{suffix}"
    out.write_bytes(cut)
    errors_left = keep < 28  # the last broken record is the 28th (index 27)
    assert predict(str(src), "--chunk-size", "4", "--resume", "-o", str(out)) == int(errors_left)
    assert out.read_bytes() == full


def test_resume_on_a_complete_output_adds_nothing(small, tmp_path, capsys):
    src, root = small
    out = tmp_path / "out.jsonl"
    out.write_bytes((root / "full.jsonl").read_bytes())
    assert main(["predict", "-j", "1", str(src), "--resume", "-o", str(out)]) == 0
    assert out.read_bytes() == (root / "full.jsonl").read_bytes()
    assert "0 pages, 0 paragraphs, 0.0% kept, 0 errors" in capsys.readouterr().err


def test_resume_refuses_an_output_longer_than_the_input(small, tmp_path, capsys):
    src, root = small
    out = tmp_path / "out.jsonl"
    out.write_bytes((root / "full.jsonl").read_bytes() * 2)
    assert predict(str(src), "--resume", "-o", str(out)) == 2
    assert "already holds 60 records but the input has only 30" in capsys.readouterr().err


# ---------------------------------------------------------------- real interruptions


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """1,500 pages of 15 paragraphs and their uninterrupted output."""
    root = tmp_path_factory.mktemp("big")
    src = make_input(root / "in.jsonl", 1500)
    assert predict(str(src), "--chunk-size", "8", "-o", str(root / "full.jsonl")) == 0
    return src, (root / "full.jsonl").read_bytes()


def _start(src: Path, out: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "autoclass", "predict", str(src), "-o", str(out), "--chunk-size", "8", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for_records(proc: subprocess.Popen, out: Path, n: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.exists() and out.read_bytes().count(b"\n") >= n:
            return
        assert proc.poll() is None, "the run ended before it could be interrupted"
        time.sleep(0.02)
    raise AssertionError("no output after 60 s")


def _workers(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    return [int(c) for c in children if Path(f"/proc/{c}/cmdline").read_bytes() == cmdline]


def _check_stopped_then_resume(proc, out, src, full, *, status, message, jobs):
    _, err = proc.communicate(timeout=60)
    err = err.decode()
    assert proc.returncode == status, err
    assert message in err
    data = out.read_bytes()
    assert data.endswith(b"\n") and full.startswith(data)
    records = data.count(b"\n")
    assert 3 <= records < 1500
    assert f"holds {records:,} complete records; run again with --resume" in err
    assert predict(str(src), "--chunk-size", "8", "--jobs", jobs, "--resume", "-o", str(out)) == 0
    assert out.read_bytes() == full


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    ("sig", "status", "message", "jobs"),
    [(signal.SIGINT, 130, "interrupted", "2"), (signal.SIGTERM, 143, "terminated", "1")],
)
def test_signal_leaves_complete_records_and_resume_finishes(big, tmp_path, sig, status, message, jobs):
    src, full = big
    out = tmp_path / "out.jsonl"
    proc = _start(src, out, "--jobs", jobs)
    _wait_for_records(proc, out, 3)
    proc.send_signal(sig)
    _check_stopped_then_resume(proc, out, src, full, status=status, message=message, jobs="1")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc to find worker processes")
def test_killed_worker_stops_the_run_without_hanging_and_resume_finishes(big, tmp_path):
    src, full = big
    out = tmp_path / "out.jsonl"
    proc = _start(src, out, "--jobs", "2")
    _wait_for_records(proc, out, 3)
    workers = _workers(proc.pid)
    assert len(workers) == 2
    os.kill(workers[0], signal.SIGKILL)
    _check_stopped_then_resume(
        proc, out, src, full, status=3, message="a worker process died (killed, or out of memory)", jobs="2"
    )
