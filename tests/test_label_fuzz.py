"""Hostile label files: every problem is a LabelDataError naming file and line, never a crash.

The table gives each kind of broken file and the exact message the user sees;
the property tests throw arbitrary bytes and mutated valid files at the
reader; the last test reads a 1 GB file in bounded memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autoclass import EVENT_TYPES, LabelDataError
from autoclass.cli import main
from autoclass.labels import MAX_LINE_BYTES, read_records
from training import ROOT

RECORD = {
    "article_id": "a",
    "position": 0,
    "text": "Nio sells 20,000 cars",
    "relevant": True,
    "event": "sales",
}
SECOND = {"article_id": "a", "position": 1, "text": "Share", "relevant": False, "event": None}
LINE = json.dumps(RECORD).encode()
LINE2 = json.dumps(SECOND).encode()
GOOD = LINE + b"\n" + LINE2 + b"\n"


def swap(old: str, new: str, line: bytes = LINE) -> bytes:
    assert old.encode() in line
    return line.replace(old.encode(), new.encode(), 1)


# (case, file content, line named by the error or None for the whole file, problem as shown)
BAD_FILES = [
    pytest.param(
        "truncated line",
        LINE + b"\n" + LINE2[:40] + b"\n",
        2,
        "invalid JSON (Unterminated string starting at column 36); the line ends too early (cut off?)",
        id="truncated",
    ),
    pytest.param(
        "truncated inside a UTF-8 character",
        LINE + b"\n" + swap("Share", "Share \u2014 now", LINE2)[:52],
        2,
        "not UTF-8: byte 0xe2 at byte offset 154 of the file (byte 51 of the line) is not valid UTF-8 "
        "(unexpected end of data); save the file as UTF-8",
        id="truncated-utf8",
    ),
    pytest.param(
        "wrong type (string for bool)",
        swap("true", '"yes"'),
        1,
        "field 'relevant' must be true or false, got 'yes'",
        id="type-bool",
    ),
    pytest.param(
        "wrong type (string for integer)",
        swap('"position": 0', '"position": "0"'),
        1,
        "field 'position' must be an integer, got '0'",
        id="type-int",
    ),
    pytest.param(
        "wrong type (true for integer)",
        swap('"position": 0', '"position": true'),
        1,
        "field 'position' must be an integer, got True",
        id="type-bool-int",
    ),
    pytest.param(
        "wrong type (number for event)",
        swap('"event": "sales"', '"event": 3'),
        1,
        "unknown event 3; expected one of " + ", ".join(EVENT_TYPES),
        id="type-event",
    ),
    pytest.param(
        "wrong type (list for optional site)",
        swap('"event": "sales"', '"event": "sales", "site": ["x"]'),
        1,
        "field 'site' must be a string or null, got ['x']",
        id="type-site",
    ),
    pytest.param(
        "a megabyte value is cut short in the message",
        swap("true", '"' + "y" * 500_000 + '"'),
        1,
        "field 'relevant' must be true or false, got '" + "y" * 56 + "...",
        id="huge-value",
    ),
    pytest.param(
        "byte-order mark at the start of line 2 (two files joined)",
        LINE + b"\n\xef\xbb\xbf" + LINE2 + b"\n",
        2,
        "byte-order mark (EF BB BF) at byte offset 104 of the file: it is allowed only at the very "
        "start of a file (were two files joined?)",
        id="bom-line2",
    ),
    pytest.param(
        "byte-order mark inside a line",
        swap("Nio", "\ufeffNio"),
        1,
        "byte-order mark (EF BB BF) at byte offset 44 of the file: it is allowed only at the very "
        "start of a file (were two files joined?)",
        id="bom-inside",
    ),
    pytest.param(
        "two byte-order marks at the start",
        b"\xef\xbb\xbf\xef\xbb\xbf" + GOOD,
        1,
        "byte-order mark (EF BB BF) at byte offset 3 of the file: it is allowed only at the very "
        "start of a file (were two files joined?)",
        id="bom-twice",
    ),
    pytest.param(
        "UTF-16 file",
        GOOD.decode().encode("utf-16"),
        None,
        "not UTF-8: the file starts with a UTF-16 byte-order mark; save it as UTF-8",
        id="utf16",
    ),
    pytest.param(
        "duplicate key",
        swap('"event": "sales"', '"event": "sales", "event": null'),
        1,
        "duplicate key 'event' in one JSON object",
        id="duplicate-key",
    ),
    pytest.param(
        "duplicate key in a nested object",
        swap('"event": "sales"', '"event": "sales", "extra": {"k": 1, "k": 2}'),
        1,
        "duplicate key 'k' in one JSON object",
        id="duplicate-nested-key",
    ),
    pytest.param(
        "invalid UTF-8 (Latin-1 text)",
        LINE + b"\n" + swap("Share", "Sh\u00e9re", LINE2).decode().encode("latin-1") + b"\n",
        2,
        "not UTF-8: byte 0xe9 at byte offset 150 of the file (byte 47 of the line) is not valid UTF-8 "
        "(invalid continuation byte); save the file as UTF-8",
        id="latin1",
    ),
    pytest.param(
        "invalid UTF-8 (lone continuation byte)",
        GOOD + b'{"x": "\x80"}\n',
        3,
        "not UTF-8: byte 0x80 at byte offset 197 of the file (byte 8 of the line) is not valid UTF-8 "
        "(invalid start byte); save the file as UTF-8",
        id="continuation-byte",
    ),
    pytest.param(
        "NaN",
        swap('"position": 0', '"position": NaN'),
        1,
        "NaN is not valid JSON (JSON has no NaN or Infinity; use null)",
        id="nan",
    ),
    pytest.param(
        "-Infinity",
        swap('"position": 0', '"position": -Infinity'),
        1,
        "-Infinity is not valid JSON (JSON has no NaN or Infinity; use null)",
        id="infinity",
    ),
    pytest.param(
        "a number of 5,000 digits",
        swap('"position": 0', '"position": ' + "9" * 5000),
        1,
        "a number of 5,000 digits: too long for any field",
        id="huge-integer",
    ),
    pytest.param(
        "deeply nested JSON",
        b"[" * 100_000,
        1,
        "invalid JSON: nested too deeply for the parser",
        id="deep-list",
    ),
    pytest.param(
        "deeply nested object inside a record",
        swap('"event": "sales"', '"event": "sales", "x": ' + '{"a": ' * 20_000 + "1" + "}" * 20_000),
        1,
        "invalid JSON: nested too deeply for the parser",
        id="deep-object",
    ),
    pytest.param(
        "unpaired surrogate escape",
        swap("Nio", "\\ud800Nio"),
        1,
        "string '\\ud800Nio sells 20,000 cars' holds an unpaired surrogate escape: not valid Unicode text",
        id="surrogate",
    ),
    pytest.param(
        "non-object JSON (list)",
        GOOD + b"[1, 2]\n",
        3,
        "expected a JSON object {...} with the fields of the labeling guide, got a list",
        id="list",
    ),
    pytest.param(
        "non-object JSON (string)",
        b'"text"\n',
        1,
        "expected a JSON object {...} with the fields of the labeling guide, got a string",
        id="string",
    ),
    pytest.param(
        "non-object JSON (null)",
        b"null\n",
        1,
        "expected a JSON object {...} with the fields of the labeling guide, got null",
        id="null",
    ),
    pytest.param(
        "non-object JSON (number)",
        b"3.5\n",
        1,
        "expected a JSON object {...} with the fields of the labeling guide, got a number",
        id="number",
    ),
    pytest.param(
        "two records on one line",
        LINE + b" " + LINE2 + b"\n",
        1,
        "invalid JSON (Extra data at column 105); one record per line: is a line break missing?",
        id="two-records",
    ),
    pytest.param(
        "bare carriage returns as line ends (old Mac)",
        LINE + b"\r" + LINE2 + b"\r",
        1,
        "invalid JSON (Extra data at column 105); the line holds a bare carriage return: "
        "end lines with \\n or \\r\\n",
        id="bare-cr",
    ),
    pytest.param(
        "NUL bytes",
        b"\x00" * 100,
        1,
        "invalid JSON (Expecting value at column 1); the line holds NUL bytes: is this a binary file?",
        id="nul",
    ),
    pytest.param(
        "line longer than MAX_LINE_BYTES",
        LINE + b"\n" + b" " * (MAX_LINE_BYTES + 1) + b"\n",
        2,
        "line longer than 1,048,576 bytes: a labeled paragraph is one short line",
        id="long-line",
    ),
    pytest.param(
        "empty file",
        b"",
        None,
        "no labeled paragraphs: the file is empty or holds only blank lines",
        id="empty",
    ),
    pytest.param(
        "only blank lines and a byte-order mark",
        b"\xef\xbb\xbf\r\n  \n\t\n",
        None,
        "no labeled paragraphs: the file is empty or holds only blank lines",
        id="blank",
    ),
]


def where(path, line: int | None) -> str:
    return f"{path}:{line}" if line is not None else str(path)


@pytest.mark.parametrize(("case", "content", "line", "problem"), BAD_FILES)
def test_bad_file_gives_the_exact_message(tmp_path, case, content, line, problem):
    path = tmp_path / "labels.jsonl"
    path.write_bytes(content)
    with pytest.raises(LabelDataError) as info:
        read_records([path])
    assert (info.value.path, info.value.line, info.value.problem) == (str(path), line, problem), case
    assert str(info.value) == f"{where(path, line)}: {problem}"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\xef\xbb\xbf" + GOOD, id="bom"),
        pytest.param(GOOD.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(b"\xef\xbb\xbf" + GOOD.replace(b"\n", b"\r\n").rstrip(), id="bom-crlf-no-final-newline"),
        pytest.param(b"\n\n" + LINE + b"\n \t\n" + LINE2, id="blank-lines"),
    ],
)
def test_windows_files_and_blank_lines_are_read(tmp_path, content):
    path = tmp_path / "labels.jsonl"
    path.write_bytes(content)
    records = read_records([path])
    assert [r["text"] for r in records] == ["Nio sells 20,000 cars", "Share"]
    expected_lines = [3, 5] if content.startswith(b"\n") else [1, 2]
    assert [r["line"] for r in records] == expected_lines


def test_line_of_exactly_max_bytes_is_read(tmp_path):
    for end in (b"\n", b"\r\n", b""):
        padded = LINE + b" " * (MAX_LINE_BYTES - len(LINE))
        path = tmp_path / "labels.jsonl"
        path.write_bytes(padded + end)
        assert len(read_records([path])) == 1
        path.write_bytes(padded + b" " + end)
        with pytest.raises(LabelDataError, match=r":1: line longer than 1,048,576 bytes"):
            read_records([path])


def test_folder_missing_and_unreadable_paths(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_bytes(GOOD)
    with pytest.raises(LabelDataError) as info:
        read_records([good, tmp_path / "." / "good.jsonl"])
    assert str(info.value) == f"{tmp_path / 'good.jsonl'}: given twice (also as {good}): read each file once"
    with pytest.raises(LabelDataError) as info:
        read_records([tmp_path])
    assert str(info.value) == f"{tmp_path}: is a folder, not a JSON Lines file"
    with pytest.raises(LabelDataError) as info:
        read_records([tmp_path / "missing.jsonl"])
    assert str(info.value) == f"{tmp_path / 'missing.jsonl'}: no such file"
    with pytest.raises(LabelDataError) as info:
        read_records(["bad\0name.jsonl"])
    assert str(info.value) == "bad\0name.jsonl: not a usable path (embedded null byte)"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    path = tmp_path / "locked.jsonl"
    path.write_bytes(GOOD)
    path.chmod(0)
    with pytest.raises(LabelDataError) as info:
        read_records([path])
    assert str(info.value) == f"{path}: cannot read: permission denied"


def test_labels_check_prints_the_message_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(LINE + b"\n" + b"[" * 100_000)
    run = subprocess.run(
        [sys.executable, "-m", "autoclass", "labels", "check", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    lines = run.stderr.splitlines()
    assert lines[0] == f"{bad}:2: invalid JSON: nested too deeply for the parser"
    assert lines[1].startswith("autoclass labels check: 1 problem in 1 file; see the labeling guide")
    assert len(lines) == 2 and "Traceback" not in run.stdout + run.stderr


def test_labels_check_takes_files_and_folders(tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "one.jsonl").write_bytes(GOOD)
    other = tmp_path / "other.jsonl"
    other.write_bytes(swap('"a"', '"b"', LINE) + b"\n")
    # A file named again inside a folder given is read once.
    argv = [
        "labels",
        "check",
        "--quiet",
        str(tmp_path / "sub" / "one.jsonl"),
        str(tmp_path / "sub"),
        str(other),
    ]
    assert main(argv) == 0
    assert capsys.readouterr().out == (
        "autoclass labels check: 2 pages, 3 paragraphs in 2 file(s), 15 event types "
        "(default (the 15 types of the labeling guide)): OK\n"
    )
    (tmp_path / "split.jsonl").write_bytes(swap('"position": 1', '"position": 2', LINE2) + b"\n")
    for argv, message in [
        ([str(tmp_path / "none")], f"{tmp_path / 'none'}: no such file or folder"),
        (
            [str(tmp_path / "sub"), str(tmp_path / "split.jsonl")],
            "split.jsonl:1: article 'a' also appears in",
        ),
    ]:
        assert main(["labels", "check", *argv]) == 1
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err


def test_labels_check_lists_every_problem_up_to_a_cap_and_counts_the_rest(tmp_path, capsys):
    weather = swap('"sales"', '"weather"', swap('"position": 0', '"position": 1'))
    (tmp_path / "a.jsonl").write_bytes(b"\n".join([LINE, b"{", weather, LINE]) + b"\n")
    (tmp_path / "b.jsonl").write_bytes(b"[1]\n" * 60)
    assert main(["labels", "check", str(tmp_path / "a.jsonl")]) == 1
    err = capsys.readouterr().err.splitlines()
    a = tmp_path / "a.jsonl"
    assert err[0].startswith(f"{a}:2: invalid JSON")
    assert err[1].startswith(f"{a}:3: unknown event 'weather'")
    assert err[2].startswith(f"{a}:4: duplicate position 0 in article 'a' (first at line 1)")
    assert err[3].startswith("autoclass labels check: 3 problems in 1 file; see the labeling guide")
    assert err[4].startswith(
        "autoclass labels check: the event types checked against are the labeling guide's"
    )
    assert main(["labels", "check", "--max-problems", "5", str(tmp_path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 5 + 3 and err[5] == "... and 58 more problems not listed"
    assert err[6].startswith("autoclass labels check: 63 problems in 2 files")
    assert err[7].startswith("autoclass labels check: the event types checked against are")


# --- property tests ----------------------------------------------------------

FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_clean_error(error: LabelDataError, path, n_lines: int) -> None:
    """The message starts with the path, then the line when the problem is one line's."""
    assert str(error).startswith(f"{where(path, error.line)}: ")
    assert error.problem and "Traceback" not in error.problem
    if error.line is not None:
        assert 1 <= error.line <= n_lines


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
record_like = st.fixed_dictionaries(
    {},
    optional={
        "article_id": st.sampled_from(["a", "b", ""]) | json_values,
        "position": st.integers(-1, 3) | json_values,
        "text": st.sampled_from(["Nio sells cars", " pad ", "two\nlines"]) | json_values,
        "relevant": st.booleans() | json_values,
        "event": st.sampled_from([*EVENT_TYPES[:3], None, "weather"]),
        "site": json_values,
    },
)
hostile_line = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    record_like.map(lambda r: json.dumps(r, ensure_ascii=False).encode()),
    st.sampled_from([LINE, LINE2, b"", b"\xef\xbb\xbf", b"NaN", b"[" * 3000, b"\r"]),
)
hostile_file = st.one_of(
    st.binary(max_size=2000),
    st.tuples(st.lists(hostile_line, max_size=8), st.sampled_from([b"\n", b"\r\n"])).map(
        lambda parts: parts[1].join(parts[0])
    ),
)


@pytest.mark.slow
@FUZZ
@given(content=hostile_file)
def test_arbitrary_bytes_give_records_or_a_clean_error(tmp_path, content):
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(content)
    try:
        records = read_records([path])
    except LabelDataError as error:
        assert_clean_error(error, path, content.count(b"\n") + 1)
    else:
        assert records and all(r["source_file"] == str(path) for r in records)


text_line = (
    st.text(
        st.characters(blacklist_categories=["Cs"], blacklist_characters="\ufeff"), min_size=1, max_size=40
    )
    .map(str.strip)
    .filter(lambda t: t and len(t.splitlines()) == 1)
)
paragraph = st.tuples(text_line, st.none() | st.sampled_from(EVENT_TYPES))
# Article ids of one length, so that inserting a byte into one never yields another.
valid_file = st.lists(st.lists(paragraph, min_size=1, max_size=5), min_size=1, max_size=4).map(
    lambda pages: [
        {"article_id": f"page-{i}", "position": p, "text": t, "relevant": e is not None, "event": e}
        | ({"site": f"site-{i % 2}"} if i % 3 else {})
        for i, page in enumerate(pages)
        for p, (t, e) in enumerate(page)
    ]
)
OTHER_TYPES = [1, -1, 2.5, "0", True, None, [], {}, ["sales"], {"a": 1}]


@st.composite
def mutated_file(draw):
    records = draw(valid_file)
    k = draw(st.integers(0, len(records) - 1))
    record = dict(records[k])
    lines = [json.dumps(r, ensure_ascii=draw(st.booleans())).encode() for r in records]
    kind = draw(st.sampled_from(["drop", "swap", "truncate", "insert"]))
    if kind == "drop":
        del record[draw(st.sampled_from(sorted(record)))]
        lines[k] = json.dumps(record).encode()
    elif kind == "swap":
        key = draw(st.sampled_from(sorted(record)))
        record[key] = draw(st.sampled_from([v for v in OTHER_TYPES if type(v) is not type(record[key])]))
        lines[k] = json.dumps(record).encode()
    elif kind == "truncate":
        lines[k] = lines[k][: draw(st.integers(1, len(lines[k]) - 1))]
    else:
        at = draw(st.integers(0, len(lines[k])))
        lines[k] = lines[k][:at] + bytes([draw(st.integers(0, 255))]) + lines[k][at:]
    end = draw(st.sampled_from([b"\n", b"\r\n"]))
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return bom + end.join(lines) + end, k + 1, records[k]["article_id"]


@pytest.mark.slow
@FUZZ
@given(case=mutated_file())
def test_a_mutated_line_is_the_line_the_error_names(tmp_path, case):
    content, mutated, article = case
    path = tmp_path / "mutated.jsonl"
    path.write_bytes(content)
    try:
        read_records([path])
    except LabelDataError as error:
        assert_clean_error(error, path, content.count(b"\n") + 1)
        # Problems between records are reported at one of them: a duplicate
        # position or a second site at the later line (naming the first), a
        # missing position at the article's first position past its end (the
        # mutated line may have left the article, its id changed).
        assert (
            error.line == mutated
            or f"(first at line {mutated})" in error.problem
            or (f"article {article!r} has " in error.problem and f" on its line {mutated}: " in error.problem)
            or f"of article {article!r}: its positions are not " in error.problem
        ), (error, mutated)


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads peak memory from /proc")
def test_a_1gb_file_is_refused_in_bounded_memory(tmp_path):
    nul = tmp_path / "nul.jsonl"
    with open(nul, "wb") as f:
        f.truncate(1 << 30)
    record_then_nul = tmp_path / "record-then-nul.jsonl"
    with open(record_then_nul, "wb") as f:
        f.write(LINE + b"\n")
        f.truncate(1 << 30)
    script = textwrap.dedent(
        """
        import json, sys

        def peak_kb():
            # VmHWM: this process's own peak; ru_maxrss would carry over pytest's.
            with open("/proc/self/status") as f:
                return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))

        from autoclass.errors import LabelDataError
        from autoclass.labels import read_records
        before = peak_kb()
        messages = []
        for path in sys.argv[1:]:
            try:
                read_records([path])
            except LabelDataError as exc:
                messages.append(str(exc))
        after = peak_kb()
        print(json.dumps({"messages": messages, "grown_kb": after - before}))
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(nul), str(record_then_nul)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["grown_kb"] < 200 * 1024
    too_long = "line longer than 1,048,576 bytes: a labeled paragraph is one short line"
    assert result["messages"] == [f"{nul}:1: {too_long}", f"{record_then_nul}:2: {too_long}"]
