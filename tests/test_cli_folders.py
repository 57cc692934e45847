"""`autoclass predict` over folders that hold traps: named pipes, dangling links, unlistable folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autoclass.cli import main
from tests.conftest import CLI_PAGES

ROOT = Path(__file__).resolve().parent.parent


def predict(*args: str) -> int:
    return main(["predict", "--jobs", "1", "--quiet", *args])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def folder(tmp_path):
    """A folder of two pages, a.txt and c.jsonl."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_text(CLI_PAGES[0], encoding="utf-8")
    (data / "c.jsonl").write_text(json.dumps({"id": "c", "text": CLI_PAGES[1]}) + "\n", encoding="utf-8")
    return data


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize(
    ("name", "record"),
    [("b.jsonl", "b.jsonl:1"), ("b.warc", "b.warc"), ("b.html.gz", "b.html.gz")],
    ids=["jsonl", "warc", "html"],
)
def test_a_named_pipe_in_a_folder_gives_an_error_record_and_the_rest_is_processed(
    folder, tmp_path, name, record
):
    os.mkfifo(folder / name)
    out = tmp_path / "out.jsonl"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "autoclass", "predict", "-j", "1", str(folder), "-o", str(out)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=30,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"a named pipe called {name} in an input folder hangs the run")
    assert done.returncode == 1, done.stderr
    records = read_jsonl(out)
    assert [r["id"] for r in records] == [f"{folder}/a.txt", f"{folder}/{record}", "c"]
    assert records[1]["error"] == f"cannot read: {folder}/{name} is not a regular file (a named pipe)"
    assert "error" not in records[0] and "error" not in records[2]


def test_a_pipe_given_by_name_is_still_read(tmp_path):
    done = subprocess.run(
        ["bash", "-c", f'{sys.executable} -m autoclass predict -j 1 -q <(printf "%s" "$PAGE")'],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={**os.environ, "PAGE": CLI_PAGES[1]},
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["id"].startswith("/dev/fd/") and record["main_event"] == "recall"


def test_a_dangling_link_in_a_folder_gives_an_error_record_on_every_run_and_resume(folder, tmp_path):
    (folder / "b.txt").symlink_to(tmp_path / "gone.txt")
    out = tmp_path / "out.jsonl"
    assert predict(str(folder), "-o", str(out)) == 1
    first = out.read_bytes()
    assert predict(str(folder), "-o", str(out)) == 1  # a rerun, with the output now there
    assert out.read_bytes() == first
    out.write_bytes(first.split(b"\n", 1)[0] + b"\n")
    assert predict(str(folder), "-o", str(out), "--resume") == 1
    assert out.read_bytes() == first
    assert read_jsonl(out)[1]["error"].startswith("cannot read: [Errno 2] No such file or directory")


def _deep_folder(top: Path, depth: int) -> None:
    """Folders nested below ``top`` past PATH_MAX, with a page at the bottom (made via dir_fd)."""
    fd = os.open(top, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d" * 250, dir_fd=fd)
            below = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = below
        page = os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(page, CLI_PAGES[2].encode())
        os.close(page)
    finally:
        os.close(fd)


def test_a_folder_too_deep_to_list_gives_a_cannot_read_record(folder, tmp_path):
    _deep_folder(folder, 20)
    out = tmp_path / "out.jsonl"
    assert predict(str(folder), "-o", str(out)) == 1
    records = read_jsonl(out)
    assert [r.get("error", "").split(":")[0] for r in records] == ["", "", "cannot read"]
    assert "File name too long" in records[2]["error"]
    assert len(records[2]["id"]) > 4096 and records[2]["id"].startswith(f"{folder}/ddd")


def test_an_unlistable_folder_gives_a_cannot_read_record_in_its_place(folder, tmp_path, monkeypatch):
    (folder / "b").mkdir()
    (folder / "b" / "page.txt").write_text(CLI_PAGES[3])
    listable = os.scandir

    def scandir(path="."):
        if os.fspath(path) == f"{folder}/b":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return listable(path)

    monkeypatch.setattr(os, "scandir", scandir)
    out = tmp_path / "out.jsonl"
    assert predict(str(folder), "-o", str(out)) == 1
    assert read_jsonl(out)[2] == {
        "id": f"{folder}/b",
        "error": f"cannot read: [Errno 13] Permission denied: '{folder}/b'",
    }


def test_links_to_folders_are_followed_once_and_a_loop_ends(folder, tmp_path):
    # A linked-in folder of a crawl was skipped in silence: its pages were not read.
    elsewhere = tmp_path / "elsewhere" / "sub"
    elsewhere.mkdir(parents=True)
    (elsewhere / "d.txt").write_text(CLI_PAGES[2], encoding="utf-8")
    (folder / "linked").symlink_to(elsewhere, target_is_directory=True)
    (folder / "linked-again").symlink_to(elsewhere, target_is_directory=True)  # read once
    (elsewhere / "loop").symlink_to(folder, target_is_directory=True)  # back to the top: not again
    out = tmp_path / "out.jsonl"
    assert predict(str(folder), "-o", str(out)) == 0
    assert [r["id"] for r in read_jsonl(out)] == [f"{folder}/a.txt", "c", f"{folder}/linked/d.txt"]


@pytest.mark.skipif(sys.getfilesystemencoding() != "utf-8", reason="needs a UTF-8 file system encoding")
@pytest.mark.parametrize("output_format", ["jsonl", "csv"])
def test_a_file_name_not_in_utf8_is_written_with_a_replacement_character(folder, tmp_path, output_format):
    # One such name in a crawl's folder was a traceback that ended the run (and left no run description).
    name = os.fsdecode(b"b-caf\xe9.txt")  # a lone surrogate in Python
    try:
        (folder / name).write_text(CLI_PAGES[2], encoding="utf-8")
    except OSError:
        pytest.skip("the file system refuses names that are not UTF-8")
    (folder / os.fsdecode(b"d-\xff.jsonl")).write_bytes(b"{not json\n")
    out = tmp_path / f"out.{output_format}"
    assert predict(str(folder), "-o", str(out), "--format", output_format) == 1
    whole = out.read_text(encoding="utf-8")
    assert f"{folder}/b-caf\ufffd.txt" in whole and f"{folder}/d-\ufffd.jsonl:1" in whole
    lines = whole.splitlines(keepends=True)
    out.write_text("".join(lines[:-2]), encoding="utf-8")
    assert predict(str(folder), "-o", str(out), "--format", output_format, "--resume") == 1
    assert out.read_text(encoding="utf-8") == whole
