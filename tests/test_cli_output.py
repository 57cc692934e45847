"""`autoclass predict` output: never over an input, pipes work, failures are one line and a status."""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from autoclass.cli import main
from tests.conftest import CLI_PAGES

ROOT = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"autoclass predict: [\d,]+ pages, ")


def run_cli(
    *args: str, stdin=None, env: dict | None = None, limits=None, timeout: float = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autoclass", "predict", "-j", "1", *args],
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        preexec_fn=limits,
    )


def one_line_error(done: subprocess.CompletedProcess, status: int) -> str:
    """The one stderr line of a failed run, checked to be no traceback."""
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if not SUMMARY.match(line)]
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """40 JSON Lines pages and their uninterrupted output."""
    root = tmp_path_factory.mktemp("output")
    src = root / "pages.jsonl"
    src.write_text(
        "".join(json.dumps({"id": f"p{i}", "text": CLI_PAGES[i % 4]}) + "\n" for i in range(40)),
        encoding="utf-8",
    )
    assert main(["predict", "-q", "-j", "1", str(src), "-o", str(root / "full.jsonl")]) == 0
    return src, (root / "full.jsonl").read_bytes()


# ---------------------------------------------------------------- the output is never an input


@pytest.mark.parametrize("link", ["same", "symlink", "hardlink"])
def test_an_output_that_is_an_input_is_a_usage_error_and_the_input_is_untouched(
    pages, tmp_path, link, capsys
):
    src, _ = pages
    given = tmp_path / "p.jsonl"
    given.write_bytes(src.read_bytes())
    output = {"same": given, "symlink": tmp_path / "link.jsonl", "hardlink": tmp_path / "hard.jsonl"}[link]
    if link == "symlink":
        output.symlink_to(given)
    elif link == "hardlink":
        os.link(given, output)
    for resume in ([], ["--resume"]):
        assert main(["predict", "-q", "-j", "1", str(given), "-o", str(output), *resume]) == 2
        err = capsys.readouterr().err
        assert f"the output {output} is also an input ({given}); write the output elsewhere" in err
    assert given.read_bytes() == src.read_bytes()


def test_standard_input_redirected_from_the_output_is_a_usage_error(pages, tmp_path):
    src, _ = pages
    given = tmp_path / "p.jsonl"
    given.write_bytes(src.read_bytes())
    with open(given, "rb") as stdin:
        done = run_cli("-o", str(given), stdin=stdin)
    assert "is also an input (standard input)" in one_line_error(done, 2)
    assert given.read_bytes() == src.read_bytes()


def test_an_earlier_output_inside_an_input_folder_is_skipped_not_read(pages, tmp_path):
    src, _ = pages
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "pages.jsonl").write_bytes(src.read_bytes())
    out = tmp_path / "in" / "tagged.jsonl"
    for _ in range(2):  # the second run finds the first run's output in the folder
        assert main(["predict", "-q", "-j", "1", str(tmp_path / "in"), "-o", str(out)]) == 0
        assert out.read_bytes().count(b"\n") == 40


def test_only_this_runs_output_is_left_out_of_an_input_folder(pages, tmp_path):
    # As docs/batch.md says: an earlier output under another name is an input like any other file.
    src, _ = pages
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "pages.jsonl").write_bytes(src.read_bytes())
    first, second = tmp_path / "in" / "first.jsonl", tmp_path / "in" / "second.jsonl"
    assert main(["predict", "-q", "-j", "1", str(tmp_path / "in"), "-o", str(first)]) == 0
    main(["predict", "-q", "-j", "1", str(tmp_path / "in"), "-o", str(second)])  # kept texts can be empty
    records = [json.loads(line) for line in second.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [f"p{i}" for i in range(40)] * 2  # first.jsonl, then pages.jsonl


def test_a_file_in_an_input_folder_that_autoclass_did_not_write_is_never_overwritten(pages, tmp_path, capsys):
    src, _ = pages
    (tmp_path / "in").mkdir()
    page = tmp_path / "in" / "pages.jsonl"
    page.write_bytes(src.read_bytes())
    assert main(["predict", "-q", "-j", "1", str(tmp_path / "in"), "-o", str(page)]) == 2
    assert f"the output {page} is also an input ({page})" in capsys.readouterr().err
    assert page.read_bytes() == src.read_bytes()


# ---------------------------------------------------------------- pipes and devices


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_a_working_output(pages, tmp_path):
    src, full = pages
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got = bytearray()

    def drain() -> None:
        with open(fifo, "rb") as f:
            got.extend(f.read())

    reader = threading.Thread(target=drain)
    reader.start()
    done = run_cli(str(src), "-o", str(fifo), "--format", "jsonl")
    reader.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert bytes(got) == full


def test_dev_stdout_into_a_pipe_works_as_with_process_substitution(pages):
    src, full = pages
    done = subprocess.run(
        [sys.executable, "-m", "autoclass", "predict", "-j", "1", "-q", str(src), "-o", "/dev/stdout"],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == full


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="needs /dev/stdout")
def test_dev_stdout_onto_a_file_is_written_through_the_descriptor(pages, tmp_path):
    # Opened anew, /dev/stdout emptied the file a shell redirected it to (">> log" too), and a
    # run description was written beside it, at /dev/stdout.run.json.
    src, full = pages
    log = tmp_path / "app.log"
    log.write_bytes(b"line 1\n")
    command = [sys.executable, "-m", "autoclass", "predict", "-j", "1", "-q", str(src), "-o", "/dev/stdout"]
    with open(log, "ab") as appended:
        done = subprocess.run(command, stdout=appended, stderr=subprocess.PIPE, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert log.read_bytes() == b"line 1\n" + full
    assert not Path("/dev/stdout.run.json").exists()
    with open(log, "ab") as appended:
        done = subprocess.run(
            [*command, "--resume"], stdout=appended, stderr=subprocess.PIPE, cwd=ROOT, timeout=120
        )
    assert done.returncode == 2 and b"--resume needs a regular file" in done.stderr


def test_an_output_whose_run_description_cannot_be_written_is_left_as_it_was(
    pages, tmp_path, capsys, monkeypatch
):
    # A writable file in a read-only folder was emptied, then the run failed on OUT.run.json.
    src, _ = pages
    out = tmp_path / "out.csv"
    out.write_text("earlier\n")
    real_open = os.open

    def read_only_folder(path, flags, *args):
        if str(path).startswith(f"{out}.run.json") and flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", read_only_folder)
    assert main(["predict", "-q", "-j", "1", str(src), "-o", str(out)]) == 2
    problem = f"cannot write {out}.run.json, the run description beside the output: Permission denied"
    assert problem in capsys.readouterr().err
    assert out.read_text() == "earlier\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_parquet_onto_a_pipe_is_a_usage_error(pages, tmp_path):
    src, _ = pages
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    done = run_cli(str(src), "-o", str(fifo), "--format", "parquet", timeout=30)
    problem = f"Parquet output needs a regular file, and {fifo} is a named pipe"
    assert one_line_error(done, 2).endswith(problem)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_resume_onto_a_named_pipe_is_a_usage_error(pages, tmp_path):
    src, _ = pages
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    try:
        done = run_cli(str(src), "-o", str(fifo), "--resume", timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("--resume onto a named pipe hangs")
    assert one_line_error(done, 2).endswith(f"--resume needs a regular file, and {fifo} is a named pipe")


# ---------------------------------------------------------------- failures: one line, the right status


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("where", ["-o", "stdout"])
def test_a_full_device_is_one_line_and_status_4(pages, where):
    src, _ = pages
    if where == "-o":
        done = run_cli(str(src), "-o", "/dev/full")
        name = "/dev/full"
    else:
        with open("/dev/full", "wb") as full:
            done = subprocess.run(
                [sys.executable, "-m", "autoclass", "predict", "-j", "1", str(src)],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
                timeout=120,
            )
        name = "standard output"
    assert one_line_error(done, 4) == (
        f"autoclass predict: cannot write {name}: No space left on device; 0 records written to {name}"
    )


def test_a_file_size_limit_mid_run_leaves_complete_records_and_resume_finishes(pages, tmp_path):
    src, full = pages
    out = tmp_path / "out.jsonl"
    cap = len(full) // 3

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (cap, cap))

    done = run_cli(str(src), "-o", str(out), "--chunk-size", "4", limits=limit_file_size)
    records = out.read_bytes().count(b"\n")
    assert one_line_error(done, 4) == (
        f"autoclass predict: cannot write {out}: File too large; "
        f"{out} holds {records} complete records; run again with --resume to go on"
    )
    assert 0 < records < 40 and full.startswith(out.read_bytes())
    assert main(["predict", "-q", "-j", "1", str(src), "-o", str(out), "--chunk-size", "4", "--resume"]) == 0
    assert out.read_bytes() == full


@pytest.mark.parametrize(
    ("output", "problem"),
    [
        ("{tmp}/missing/out.jsonl", "cannot write {tmp}/missing/out.jsonl: No such file or directory"),
        ("{tmp}", "cannot write {tmp}: it is a directory; give a file name"),
        ("/sys/autoclass-out.jsonl", "cannot write /sys/autoclass-out.jsonl: "),
        ("{tmp}/missing/out.parquet", "cannot write {tmp}/missing/out.parquet: "),
        # Written plain under a .gz name (JSON Lines under .csv.gz), it read back as "Not a gzipped file".
        (
            "{tmp}/out.jsonl.gz",
            "cannot write gzip output ({tmp}/out.jsonl.gz): write {tmp}/out.jsonl and compress",
        ),
        ("{tmp}/out.CSV.GZ", "cannot write gzip output ({tmp}/out.CSV.GZ): write {tmp}/out.CSV and compress"),
    ],
)
def test_an_output_that_cannot_be_written_is_a_usage_error(pages, tmp_path, capsys, output, problem):
    src, _ = pages
    output = output.format(tmp=tmp_path)
    assert main(["predict", "-q", "-j", "1", str(src), "-o", output]) == 2
    assert f"autoclass predict: error: {problem.format(tmp=tmp_path)}" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.gz"))


def test_a_negative_count_is_named_as_out_of_range(pages, capsys):
    src, _ = pages
    for value in ("-5", "0"):  # 0 was refused later, without the usage line
        with pytest.raises(SystemExit):
            main(["predict", "-q", str(src), "--max-chars", value])
        assert f"argument --max-chars: must be at least 1, not {value}" in capsys.readouterr().err


def test_an_unreachable_dask_scheduler_is_one_line_and_status_5(pages):
    pytest.importorskip("distributed")
    src, _ = pages
    done = run_cli(
        str(src),
        "--engine",
        "dask",
        "--scheduler",
        "tcp://127.0.0.1:9",
        env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"},
    )
    assert one_line_error(done, 5).startswith(
        "autoclass predict: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9 ("
    )
    assert done.stderr.rstrip().endswith("check the address and that the scheduler is running")


@pytest.mark.parametrize("suffix", ["txt", "jsonl"])
def test_a_huge_max_chars_means_no_practical_limit(tmp_path, suffix):
    page = tmp_path / f"page.{suffix}"
    page.write_text(CLI_PAGES[1] if suffix == "txt" else json.dumps({"text": CLI_PAGES[1]}) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["predict", "-q", "-j", "1", str(page), "-o", str(out), "--max-chars", str(10**18)]) == 0
    assert json.loads(out.read_text())["main_event"] == "recall"
