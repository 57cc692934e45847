"""`autoclass predict` engines: worker processes and Dask give the in-process output, byte for byte."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autoclass import MissingExtraError  # exported: a caller of train_model may catch it
from autoclass.cli import main
from autoclass.cli.engines import cached_model, run_dask
from autoclass.cli.records import RecordOptions
from tests.conftest import CLI_PAGES

ROOT = Path(__file__).resolve().parent.parent

PAGES = CLI_PAGES[:3]


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    """41 records (a few broken, in known places) and their in-process output."""
    root = tmp_path_factory.mktemp("engines")
    src = root / "in.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        for i in range(41):
            if i in (5, 17, 40):
                f.write('{"id": "broken"\n')
            else:
                f.write(json.dumps({"id": f"p{i:02d}", "text": f"Report {i}\n{PAGES[i % 3]}"}) + "\n")
    reference = root / "reference.jsonl"
    assert main(["predict", "-q", "-j", "1", "--paragraphs", str(src), "-o", str(reference)]) == 1
    return src, reference.read_bytes()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autoclass", "predict", "-q", "--paragraphs", *args],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )


def test_reference_output_has_one_record_per_input_in_order(job):
    src, reference = job
    records = [json.loads(line) for line in reference.splitlines()]
    assert [r["id"] for r in records] == [
        f"{src}:{i + 1}" if i in (5, 17, 40) else f"p{i:02d}" for i in range(41)
    ]
    assert [i for i, r in enumerate(records) if "error" in r] == [5, 17, 40]


def test_two_worker_processes_keep_input_order(job, tmp_path):
    src, reference = job
    out = tmp_path / "out.jsonl"
    done = run_cli(str(src), "--jobs", "2", "--chunk-size", "3", "-o", str(out))
    assert done.returncode == 1, done.stderr.decode()
    assert out.read_bytes() == reference


def test_dask_local_cluster_gives_the_local_output(job, tmp_path):
    pytest.importorskip("distributed")
    src, reference = job
    started = time.monotonic()
    done = run_cli(str(src), "--engine", "dask", "--jobs", "2", "--chunk-size", "4")
    assert done.returncode == 1, done.stderr.decode()
    assert done.stdout == reference
    assert time.monotonic() - started < 60


def test_dask_engine_without_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingExtraError, match=r'pip install "autoclass-news\[dask\]"'):
        next(run_dask(iter([]), options=RecordOptions()))


def test_the_model_is_loaded_once_per_process():
    assert cached_model(None) is cached_model(None)


def test_distributeds_cancel_before_start_is_kept_off_stderr_and_other_errors_are_not():
    import logging

    from autoclass.cli.engines import _not_a_cancel_before_start

    def sync():  # distributed.utils.sync's shape: a cancel callback over a future not made yet
        future: object

        def cancel() -> object:
            return future  # noqa: F821 - unbound on purpose, as in distributed

        return cancel

    def record(error: BaseException) -> logging.LogRecord:
        return logging.LogRecord(
            "tornado.application",
            logging.ERROR,
            "",
            0,
            "Exception in callback",
            (),
            (type(error), error, None),
        )

    try:
        sync()()
    except NameError as exc:
        assert not _not_a_cancel_before_start(record(exc))
    assert _not_a_cancel_before_start(record(NameError("name 'x' is not defined")))
    assert _not_a_cancel_before_start(logging.LogRecord("t", logging.ERROR, "", 0, "no traceback", (), None))
