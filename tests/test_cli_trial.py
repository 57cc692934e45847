"""What a user's trial of the command line found: each case as the user met it.

Closed pipes, unknown options, Ctrl-C on the Dask engine, directories of
files it does not read, no input on a terminal, a missing --model directory,
a JSON string cut short.  (Label problems and the packaging cases are in
test_label_fuzz.py, test_cli_train.py and test_install.py.)
"""

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
from autoclass.cli.records import RecordOptions, parse_entry
from tests.conftest import CLI_PAGES, ROOT


def autoclass(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "autoclass", *args], cwd=ROOT, **kwargs)


@pytest.mark.parametrize("fmt", [[], ["--json"]], ids=["text", "json"])
def test_explain_into_a_pipe_closed_early_stops_quietly(tmp_path, fmt):
    page = tmp_path / "page.txt"
    page.write_text("\n".join(CLI_PAGES[1].splitlines() * 100))  # far more than a pipe holds
    proc = autoclass("explain", *fmt, str(page), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = [proc.stdout.readline() for _ in range(3)]  # `autoclass explain page.txt | head -3`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert all(head)
    assert proc.returncode == 141
    assert err == ""


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["predict", "--bogus", "x.txt"], "usage: autoclass predict "),
        (["explain", "--bogus"], "usage: autoclass explain "),
        (["labels", "check", "--bogus", "x.jsonl"], "usage: autoclass labels check "),
        (["train", "x", "-o", "m", "--bogus"], "usage: autoclass train "),
    ],
)
def test_an_unknown_option_shows_the_usage_of_the_command_typed(argv, usage, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage)
    assert err.rstrip().endswith("error: unrecognized arguments: --bogus")


def _records(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")
def test_ctrl_c_on_the_dask_engine_stops_without_worker_tracebacks_and_resumes(tmp_path):
    pytest.importorskip("distributed")
    src = tmp_path / "in.jsonl"
    page = "\n".join(["Menu", *CLI_PAGES[1].splitlines() * 5])
    src.write_text("".join(json.dumps({"id": f"p{i}", "text": page}) + "\n" for i in range(2000)))
    reference = tmp_path / "reference.jsonl"
    assert main(["predict", "-q", "-j", "1", str(src), "-o", str(reference)]) == 0
    out = tmp_path / "out.jsonl"
    args = ["predict", str(src), "-o", str(out), "--engine", "dask", "--jobs", "2", "--chunk-size", "8"]
    # A process group of its own, as a terminal makes for a command: Ctrl-C reaches every process of it.
    proc = autoclass(*args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while _records(out) < 10:
        assert proc.poll() is None and time.monotonic() < deadline, "no output to interrupt"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    lines = err.decode().splitlines()
    assert proc.returncode == 130
    assert "Traceback" not in err.decode()
    assert len(lines) == 2 and lines[0].startswith("autoclass predict: interrupted; ")
    assert main(["predict", "-q", "-j", "1", "--resume", str(src), "-o", str(out)]) == 0
    assert out.read_bytes() == reference.read_bytes()


def test_a_directory_of_files_it_does_not_read_is_named_not_passed_over(tmp_path, capsys):
    (tmp_path / "pdfs").mkdir()
    (tmp_path / "pdfs" / "a.pdf").write_bytes(b"%PDF")
    (tmp_path / "pdfs" / "b.docx").write_bytes(b"PK")
    assert main(["predict", "-j", "1", str(tmp_path / "pdfs")]) == 2
    err = capsys.readouterr().err
    assert f"no input files in {tmp_path / 'pdfs'}: it holds 2 file(s) of other types, e.g. " in err
    assert "*.txt" in err and "*.warc.gz" in err
    (tmp_path / "mixed").mkdir()
    (tmp_path / "mixed" / "page.txt").write_text(CLI_PAGES[0])
    (tmp_path / "mixed" / "notes.md").write_text("notes")
    assert main(["predict", "-j", "1", str(tmp_path / "mixed")]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["id"] == str(tmp_path / "mixed" / "page.txt")
    assert f"skipped 1 file(s) of other types: {tmp_path / 'mixed' / 'notes.md'}" in captured.err


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("command", ["predict", "explain"])
def test_no_input_on_a_terminal_is_a_usage_error_not_a_silent_wait(command):
    terminal, user_side = os.openpty()
    try:
        run = subprocess.run(
            [sys.executable, "-m", "autoclass", command],
            stdin=user_side,
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
    finally:
        os.close(terminal)
        os.close(user_side)
    assert run.returncode == 2
    assert run.stderr.startswith(f"autoclass {command}: error: no input: give ")


@pytest.mark.parametrize(
    ("argv", "advice"),
    [
        (["predict", "-j", "1", "PAGE"], "give --model a directory written by `autoclass train"),
        (["explain", "PAGE"], "give --model a directory written by `autoclass train"),
        (["evaluate", "MODEL", "LABELS"], "MODEL is a directory written by `autoclass train"),
    ],
    ids=["predict", "explain", "evaluate"],
)
def test_a_missing_model_directory_names_the_model_option(argv, advice, tmp_path, capsys):
    page = tmp_path / "page.txt"
    page.write_text(CLI_PAGES[0])
    labels = tmp_path / "labels.jsonl"
    record = {"article_id": "a", "position": 0, "text": "Nio sells cars", "relevant": True, "event": "sales"}
    labels.write_text(json.dumps(record) + "\n")
    missing = str(tmp_path / "no" / "such" / "dir")
    argv = [{"PAGE": str(page), "LABELS": str(labels), "MODEL": missing}.get(a, a) for a in argv]
    if argv[0] != "evaluate":
        argv += ["--model", missing]
    assert main(argv) == (5 if argv[0] == "predict" else 1)  # predict keeps 1 for records that failed
    err = capsys.readouterr().err
    assert f"no trained autoclass model in {missing}: {advice}" in err
    assert "load_model" not in err and "AUTOCLASS_MODEL" not in err


def test_a_json_string_cut_short_is_reported_as_unterminated():
    for end in (b"\n", b"\r\n", b""):
        entry = (True, "in.jsonl:1", b'{"id": "a", "text": "Tesla recalls' + end, None)
        assert (
            parse_entry(entry, RecordOptions())[2]
            == "invalid JSON: Unterminated string starting at column 21"
        )


def test_ctrl_c_while_the_libraries_and_the_model_load_is_one_line_not_a_traceback(
    tmp_path, monkeypatch, capsys
):
    # The command imported scikit-learn (over a second) before it could catch a Ctrl-C: a 40-line
    # traceback. The package imports it on first use now, and main() takes a Ctrl-C from the start.
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, autoclass.cli; print(sorted({'sklearn', 'numpy'} & set(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert imported.stdout.strip() == "[]", imported.stderr

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("autoclass.cli.engines.cached_model", interrupted)  # the model, loading
    page = tmp_path / "page.txt"
    page.write_text(CLI_PAGES[1])
    assert main(["predict", "-q", "-j", "1", str(page), "-o", str(tmp_path / "out.jsonl")]) == 130
    assert capsys.readouterr().err == "autoclass: interrupted\n"
