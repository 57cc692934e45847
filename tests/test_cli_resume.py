"""`autoclass predict`: interrupted runs leave complete records, and --resume carries on."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autoclass.cli import main
from tests import processes

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


def copy_output(output: Path, to: Path) -> Path:
    """A copy of an output file and its run description."""
    to.write_bytes(output.read_bytes())
    Path(f"{to}.run.json").write_bytes(Path(f"{output}.run.json").read_bytes())
    return to


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
    out = copy_output(root / f"full.{suffix}", tmp_path / f"out.{suffix}")
    out.write_bytes(cut)
    errors_left = keep < 28  # the last broken record is the 28th (index 27)
    assert predict(str(src), "--chunk-size", "4", "--resume", "-o", str(out)) == int(errors_left)
    assert out.read_bytes() == full


def test_resume_on_a_complete_output_adds_nothing(small, tmp_path, capsys):
    src, root = small
    out = copy_output(root / "full.jsonl", tmp_path / "out.jsonl")
    assert main(["predict", "-j", "1", str(src), "--resume", "-o", str(out)]) == 0
    assert out.read_bytes() == (root / "full.jsonl").read_bytes()
    assert "0 pages, 0 paragraphs, 0.0% kept, 0 errors" in capsys.readouterr().err


def test_resume_refuses_an_output_longer_than_the_input(small, tmp_path, capsys):
    src, root = small
    out = copy_output(root / "full.jsonl", tmp_path / "out.jsonl")
    out.write_bytes((root / "full.jsonl").read_bytes() * 2)
    assert predict(str(src), "--resume", "-o", str(out)) == 2
    assert "already holds 60 records but the input has only 30" in capsys.readouterr().err


def test_csv_resume_counts_rows_with_a_field_over_the_csv_modules_limit(tmp_path):
    from autoclass.cli.outputs import complete_records

    src = tmp_path / "in.jsonl"
    ids = ["a", "b,\n" + "x" * 200_000, "c", '"d"' + "y" * 140_000, "e", "f"]
    src.write_text("".join(json.dumps({"id": i, "text": f"Story\n{PAGE}"}) + "\n" for i in ids))
    full = tmp_path / "full.csv"
    assert predict(str(src), "--chunk-size", "2", "-o", str(full)) == 0
    assert complete_records(full, "csv") == 6
    out = copy_output(full, tmp_path / "out.csv")
    for keep in range(1, len(full.read_bytes()), 150_001):
        out.write_bytes(full.read_bytes()[:keep])
        assert predict(str(src), "--chunk-size", "2", "-o", str(out), "--resume") == 0
        assert out.read_bytes() == full.read_bytes()


# ---------------------------------------------------------------- only the same run is resumed


def interrupted(tmp_path: Path, src: Path, *args: str, keep: int = 10, name: str = "out.jsonl") -> Path:
    """The output of a run over ``src`` cut after ``keep`` records and into the next one."""
    out = tmp_path / name
    assert predict(str(src), "-o", str(out), *args) in (0, 1)
    data = out.read_bytes()
    header = 1 if name.endswith(".csv") else 0
    lines = data.splitlines(keepends=True)
    out.write_bytes(b"".join(lines[: header + keep]) + lines[header + keep][:5])
    return out


def refused(capsys, src: Path, out: Path, *args: str) -> str:
    before = out.read_bytes()
    assert predict(str(src), "-o", str(out), "--resume", *args) == 2
    assert out.read_bytes() == before  # not even the partial record is cut
    err = capsys.readouterr().err
    assert f"autoclass predict: error: cannot resume: {out} holds 10 records of another run (" in err
    assert err.rstrip().endswith(
        "); run without --resume to start over, or resume with the inputs and options of that run"
    )
    return err


def test_resume_refuses_the_output_of_another_input(small, tmp_path, capsys):
    src, _ = small
    other = make_input(tmp_path / "other.jsonl", 40)
    out = interrupted(tmp_path, src)
    assert f"input {src} then, {other} now" in refused(capsys, other, out)


def test_resume_refuses_an_input_that_changed_since(small, tmp_path, capsys):
    src, _ = small
    copy = tmp_path / "in.jsonl"
    copy.write_bytes(src.read_bytes())
    out = interrupted(tmp_path, copy)
    late = b'{"id": "late", "text": "Nio delivers cars"}\n'
    with open(copy, "ab") as f:
        f.write(late)
    size = len(src.read_bytes())
    assert f"{copy} changed since (size {size:,} then, {size + len(late):,} now)" in refused(
        capsys, copy, out
    )


def test_resume_refuses_other_options_and_names_them(small, tmp_path, capsys):
    src, _ = small
    out = interrupted(tmp_path, src)
    assert "--paragraphs off then, on now" in refused(capsys, src, out, "--paragraphs")
    err = refused(capsys, src, out, "--text-field", "body", "--max-chars", "500")
    assert "--text-field 'text' then, 'body' now; --max-chars 1000000 then, 500 now" in err
    # The HTML and URL fields too: resumed with another --html-field, the rest of the
    # records were read from another field than the first ones.
    err = refused(capsys, src, out, "--html-field", "content", "--url-field", "link")
    assert "--html-field 'html' then, 'content' now; --url-field 'url' then, 'link' now" in err


def test_a_description_written_before_the_html_fields_were_recorded_resumes_with_their_defaults(
    small, tmp_path, capsys
):
    src, root = small
    out = interrupted(tmp_path, src)
    described = Path(f"{out}.run.json")
    old = json.loads(described.read_text())
    for name in ("html_field", "url_field"):
        del old["options"][name]
    described.write_text(json.dumps(old))
    assert "--html-field 'html' then, 'content' now" in refused(capsys, src, out, "--html-field", "content")
    assert predict(str(src), "--chunk-size", "4", "-o", str(out), "--resume") == 1  # every 7th record is bad
    assert out.read_bytes() == (root / "full.jsonl").read_bytes()


def test_resume_refuses_another_format(small, tmp_path, capsys):
    src, _ = small
    out = interrupted(tmp_path, src, keep=10, name="out.txt")
    assert "--format jsonl then, csv now" in refused(capsys, src, out, "--format", "csv")


def test_resume_refuses_another_model(small, tmp_path, capsys, tiny_model):
    from autoclass.persistence import save_model

    src, _ = small
    out = interrupted(tmp_path, src)
    save_model(tiny_model, tmp_path / "tiny", metadata={})
    err = refused(capsys, src, out, "--model", str(tmp_path / "tiny"))
    assert re.search(r"the model sha256 [0-9a-f]{12}\.\.\. then, sha256 [0-9a-f]{12}\.\.\. now", err)


@pytest.mark.parametrize("resume", [False, True])
def test_a_model_that_cannot_load_stops_the_run_before_the_output_is_touched(small, tmp_path, capsys, resume):
    # A mistyped --model used to empty the output of the earlier run (and, on
    # --resume, to call its records "another run's").
    src, root = small
    out = copy_output(root / "full.jsonl", tmp_path / "out.jsonl")
    before, described = out.read_bytes(), Path(f"{out}.run.json").read_bytes()
    flags = ("--resume",) if resume else ()
    assert predict(str(src), "-o", str(out), "--model", str(tmp_path / "nowhere"), *flags) == 5
    assert "no trained autoclass model in" in capsys.readouterr().err
    assert out.read_bytes() == before and Path(f"{out}.run.json").read_bytes() == described


def test_resume_refuses_an_output_without_its_run_description(small, tmp_path, capsys):
    src, _ = small
    out = interrupted(tmp_path, src)
    Path(f"{out}.run.json").unlink()
    before = out.read_bytes()
    assert predict(str(src), "-o", str(out), "--resume") == 2
    assert out.read_bytes() == before
    assert f"cannot resume: {out} has no run description ({out}.run.json)" in capsys.readouterr().err


def test_resume_of_an_empty_output_starts_afresh_whatever_ran_before(small, tmp_path):
    src, root = small
    out = interrupted(tmp_path, src, "--paragraphs")
    out.write_bytes(b"")
    assert predict(str(src), "-o", str(out), "--resume", "--chunk-size", "4") == 1
    assert out.read_bytes() == (root / "full.jsonl").read_bytes()


def _from_stdin(data: bytes, out: Path, *args: str) -> int:
    from autoclass.cli.batch import BatchJob, run_batch

    job = BatchJob(output=str(out), quiet=True, **dict(args))
    return run_batch(job, stdin=io.BufferedReader(io.BytesIO(data)), stdout=None, stderr=io.StringIO())


def test_resume_checks_standard_input_by_its_first_record(small, tmp_path):
    from autoclass.cli.errors import UsageError

    src, _ = small
    data = src.read_bytes()
    out = tmp_path / "out.jsonl"
    assert _from_stdin(data, out) == 1
    full = out.read_bytes()
    out.write_bytes(b"".join(full.splitlines(keepends=True)[:10]))
    other = data.replace(b"page-0", b"page-X", 1)
    with pytest.raises(UsageError, match="standard input is not the one the interrupted run read"):
        _from_stdin(other, out, ("resume", True))
    assert _from_stdin(data, out, ("resume", True)) == 1
    assert out.read_bytes() == full


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


@pytest.mark.skipif(not processes.HAS_PROC, reason="needs /proc to find worker processes")
def test_killed_worker_stops_the_run_without_hanging_and_resume_finishes(big, tmp_path):
    src, full = big
    out = tmp_path / "out.jsonl"
    proc = _start(src, out, "--jobs", "2")
    _wait_for_records(proc, out, 3)
    workers = processes.workers(proc.pid)
    assert len(workers) == 2
    os.kill(workers[0], signal.SIGKILL)
    _check_stopped_then_resume(
        proc, out, src, full, status=3, message="a worker process died (killed, or out of memory)", jobs="2"
    )


@pytest.mark.skipif(not processes.HAS_PROC, reason="needs /proc to find worker processes")
def test_workers_end_when_the_main_process_is_killed_and_the_pipe_closes(big):
    src, full = big
    proc = subprocess.Popen(
        [sys.executable, "-m", "autoclass", "predict", str(src), "--chunk-size", "8", "--jobs", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    found: list[int] = []
    try:
        for _ in range(3):
            assert proc.stdout.readline()
        found = processes.workers(proc.pid)
        assert len(found) == 2
        proc.kill()  # kill -9: the main process cannot tell its workers anything
        proc.wait(timeout=10)
        drained = threading.Thread(target=proc.stdout.read, daemon=True)
        drained.start()
        drained.join(timeout=20)
        assert not drained.is_alive(), "the output pipe stays open: a worker still holds it"
        assert processes.still_alive_after(found, 10) == [], "workers outlive the main process"
    finally:
        for pid in found:  # on failure, leave nothing behind
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.stdout.close()
