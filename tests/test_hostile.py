"""Hostile text from the open web never crashes predict, predict_many or ``autoclass predict``.

Generated pages mix every newline convention, control characters, lone
surrogates, HTML and ``<script>`` fragments, right-to-left text and bidi
controls, CJK, emoji and ZWJ sequences, combining marks and arbitrary
Unicode; the command line also gets arbitrary bytes as a text file, as JSON
Lines records and on standard input.  The slow tests generate 1,000 cases
each (``make test-fast`` skips them).
"""

from __future__ import annotations

import csv
import io
import json
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from autoclass import EVENT_TYPES, Article, PageTooLargeError, TextAsHtmlWarning, predict, predict_many
from autoclass.cli import main
from autoclass.cli.writers import CSV_COLUMNS
from autoclass.paragraphs import DEFAULT_MAX_CHARS

MANY = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NEWLINES = ("\n", "\r\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
FRAGMENTS = (
    "<script>alert('x')</script>",
    "<div class='nav'><a href='/'>Home</a> | <a href='/autos'>Autos</a></div>",
    "</p><p>",
    "<!-- ad slot -->",
    "&amp;&lt;&#x202e;&nbsp;",
    "BYD opens a plant in Hungary.",
    "Tesla recalls 120,000 Model Y cars over seat belts",
    "Share this article",
    "مرحبا، تسلا تستدعي السيارات",
    "טסלה מחזירה מכוניות",
    "\u202eevil.exe\u202c",
    "\u200f\u200e\u2066\u2069\u061c",
    "比亚迪汽车宣布在匈牙利建厂，新工厂将于2025年投产。",
    "トヨタ自動車の販売台数",
    "현대자동차 판매",
    "\U0001f697\U0001f4a8",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\U0001f1fa\U0001f1f8\U0001f3f3\ufe0f\u200d\U0001f308",
    "e\u0301\u0308\u20dd",
    "Z\u0351\u0364\u0315a\u0350l\u0357g\u0336o",
    "\ufeff",
    "\u00a0\u3000\u2000\t ",
    "\x1b[31mred\x1b[0m",
    "\uffff\ufffe\U0010ffff",
)
SURROGATES = st.integers(0xD800, 0xDFFF).map(chr)
CONTROLS = st.one_of(st.integers(0, 0x1F).map(chr), st.just("\x7f"))
PIECES = st.one_of(
    st.sampled_from(NEWLINES),
    st.sampled_from(FRAGMENTS),
    CONTROLS,
    SURROGATES,
    st.sampled_from(
        ["\ufeff", "\u200b", "\u200c", "\u200d", "\u2060", "\u200f", "\u00ad", "\u202e"]
    ),  # invisible
    st.text(st.characters(codec=None), max_size=20),
)
HOSTILE_TEXT = st.lists(PIECES, max_size=30).map("".join)

# Characters split_paragraphs drops (C0 and C1 control characters that are not line breaks,
# byte-order marks); U+001C-U+001E and U+0085 break lines.
_DROPPED = frozenset(
    map(chr, [*range(0x00, 0x09), *range(0x0E, 0x1C), 0x1F, *range(0x7F, 0x85), *range(0x86, 0xA0), 0xFEFF])
)
# Stripped at a line's ends with white space: zero-width spaces and joiners, direction marks and
# bidi controls, the soft hyphen, blank fillers.
_ZERO_WIDTH = (
    "\u200b\u200c\u200d\u2060\u200e\u200f\u061c\u00ad\u2061\u2062\u2063\u2064"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u180e\u115f\u1160\u3164\uffa0\u2800"
)


def _stripped(line: str) -> str:
    while line != (shorter := line.strip().strip(_ZERO_WIDTH)):
        line = shorter
    return line


def expected_paragraphs(text: str) -> list[str]:
    """The contract of the labeling guide: each non-blank line by str.splitlines(), stripped.

    Written independently of autoclass.paragraphs: dropped characters removed
    and lone surrogates read as U+FFFD first; zero-width characters at a
    line's ends are stripped as white space is.
    """
    cleaned = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text if c not in _DROPPED)
    return [_stripped(line) for line in cleaned.splitlines() if _stripped(line)]


def check_article(article: Article, text: str) -> None:
    assert [p.text for p in article.paragraphs] == expected_paragraphs(text)
    assert [p.position for p in article.paragraphs] == list(range(len(article.paragraphs)))
    for p in article.paragraphs:
        assert 0.0 <= p.relevance <= 1.0
        assert (p.event is not None) == p.relevant
        assert list(p.event_scores) == list(EVENT_TYPES)
        assert all(0.0 <= s <= 1.0 for s in p.scores)
        assert abs(sum(p.scores) - 1.0) < 1e-3
    assert (article.main_event is None) == (not any(p.relevant for p in article.paragraphs))
    # Whatever came in, the result can be written out as UTF-8 JSON.
    json.dumps(article.to_dict(), ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------- the library


@pytest.mark.slow
@MANY
@given(text=HOSTILE_TEXT)
def test_predict_reads_any_text(default_model, text):
    check_article(predict(text), text)


@pytest.mark.slow
@MANY
@given(data=st.binary(max_size=400), decoding=st.sampled_from(["replace", "surrogateescape", "latin-1"]))
def test_predict_reads_arbitrary_bytes_however_decoded(default_model, data, decoding):
    text = data.decode("latin-1") if decoding == "latin-1" else data.decode("utf-8", decoding)
    check_article(predict(text), text)


@pytest.mark.slow
@MANY
@given(texts=st.lists(HOSTILE_TEXT, max_size=6), batch_size=st.integers(1, 4))
def test_predict_many_equals_predict_one_by_one(default_model, texts, batch_size):
    assert list(predict_many(iter(texts), batch_size=batch_size)) == [predict(t) for t in texts]


@pytest.mark.parametrize("bad", [b"Nio delivers cars", bytearray(b"x"), None, 42, ["a page"]])
def test_a_page_that_is_not_a_str_is_a_type_error(default_model, bad):
    with pytest.raises(TypeError, match=f"page text must be str, not {type(bad).__name__}"):
        predict(bad)
    with pytest.raises(TypeError, match=rf"texts\[1\] must be str, not {type(bad).__name__}"):
        list(predict_many(["Nio delivers cars", bad]))


def test_bytes_get_a_hint_to_decode_them(default_model):
    with pytest.raises(TypeError, match="decode it first"):
        predict(b"\xff\xfe page")


@pytest.mark.parametrize("texts", ["Nio delivers cars", b"Nio delivers cars"])
def test_predict_many_refuses_one_string_at_once(default_model, texts):
    # Iterating a str would read every character as a page of its own.
    with pytest.raises(TypeError, match="iterable of str, not one"):
        predict_many(texts)


def test_lone_surrogates_become_replacement_characters(default_model):
    article = predict("Tesla\ud800 recalls cars\n\udcff\nCaf\udce9 owners")
    assert [p.text for p in article.paragraphs] == ["Tesla\ufffd recalls cars", "\ufffd", "Caf\ufffd owners"]


def test_a_page_just_over_the_limit_is_refused_with_advice(default_model):
    page = "Nio delivers cars.\n" * (DEFAULT_MAX_CHARS // 19) + "x" * (DEFAULT_MAX_CHARS % 19)
    assert len(page) == DEFAULT_MAX_CHARS
    assert len(predict(page).paragraphs) == DEFAULT_MAX_CHARS // 19 + 1
    with pytest.raises(PageTooLargeError) as caught:
        predict(page + "y")
    error = caught.value
    assert (error.size, error.limit, error.index) == (DEFAULT_MAX_CHARS + 1, DEFAULT_MAX_CHARS, None)
    assert str(error) == (
        "page has 1,000,001 characters, more than max_chars=1,000,000; "
        "pass a larger max_chars, or max_chars=None for no limit, to read it"
    )
    assert isinstance(error, ValueError)
    assert len(predict(page + "y", max_chars=None).paragraphs) == DEFAULT_MAX_CHARS // 19 + 1
    assert len(predict(page + "y", max_chars=DEFAULT_MAX_CHARS + 1).paragraphs) == DEFAULT_MAX_CHARS // 19 + 1


def test_predict_many_names_the_page_too_large_and_yields_those_before(default_model):
    texts = ["Nio delivers cars", "Tesla recalls cars", "x" * 21, "BYD sells cars"]
    articles = predict_many(texts, max_chars=20)
    assert [a.paragraphs[0].text for a in (next(articles), next(articles))] == texts[:2]
    too_large = r"^texts\[2\] has 21 characters, more than max_chars=20;"
    with pytest.raises(PageTooLargeError, match=too_large) as e:
        next(articles)
    assert e.value.index == 2
    assert len(list(predict_many(texts, max_chars=None))) == 4


def _ten_pages_then(error: Exception):
    for i in range(10):
        yield f"Nio delivers {i},000 cars in May"
    raise error


@pytest.mark.parametrize("batch_size", [1, 3, 64])
def test_predict_many_yields_the_pages_taken_before_its_input_raises(default_model, batch_size):
    articles = predict_many(_ten_pages_then(ValueError("feed broke")), batch_size=batch_size)
    got = []
    with pytest.raises(ValueError, match="feed broke"):
        for article in articles:
            got.append(article)
    assert [a.paragraphs[0].text for a in got] == [f"Nio delivers {i},000 cars in May" for i in range(10)]


@pytest.mark.parametrize("bad", [0, -1, 1.5, "100", True])
def test_max_chars_must_be_a_positive_int_or_none(default_model, bad):
    with pytest.raises(ValueError, match="max_chars must be a positive int or None"):
        predict("Nio", max_chars=bad)
    with pytest.raises(ValueError, match="max_chars must be a positive int or None"):
        predict_many(["Nio"], max_chars=bad)


@pytest.mark.slow
def test_one_ten_megabyte_line(default_model):
    text = "Toyota sold 10,000 cars in Japan. " * 300_000
    assert len(text) > 10_000_000
    article = predict(text, max_chars=None)
    assert [p.text for p in article.paragraphs] == [text.strip()]


@pytest.mark.slow
def test_a_million_one_character_lines(default_model):
    article = predict("x\n" * 1_000_000, max_chars=None)
    assert len(article.paragraphs) == 1_000_000
    assert article.paragraphs[-1].text == "x" and article.paragraphs[-1].position == 999_999


# ---------------------------------------------------------------- the command line


@contextmanager
def _std_streams(stdin: bytes):
    out = io.BytesIO()
    saved = sys.stdin, sys.stdout
    # A buffered reader, as real standard input is: it can peek for the gzip magic.
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(stdin)))
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8")
    try:
        yield out
    finally:
        sys.stdout.flush()
        sys.stdin, sys.stdout = saved


def cli(*args: str, stdin: bytes = b"") -> tuple[int, bytes]:
    """``autoclass predict`` in this process; (exit status, standard output)."""
    with _std_streams(stdin) as out, warnings.catch_warnings():
        # Hostile records' html fields hold plain text too: warned of, as they should be.
        warnings.simplefilter("ignore", TextAsHtmlWarning)
        status = main(["predict", "--jobs", "1", "--quiet", *args])
        sys.stdout.flush()
        return status, out.getvalue()


def jsonl_records(output: bytes) -> list[dict]:
    text = output.decode("utf-8")  # strict: the output is valid UTF-8
    assert text == "" or text.endswith("\n")
    # Records end at "\n" only: U+2028 and U+0085 inside strings are not escaped.
    return [json.loads(line) for line in text.split("\n")[:-1]]


def csv_records(output: bytes) -> list[dict]:
    rows = list(csv.reader(io.StringIO(output.decode("utf-8"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    return [dict(zip(CSV_COLUMNS, row)) for row in rows[1:]]


def check_status(status: int, records: list[dict]) -> None:
    assert status == (1 if any(r.get("error") for r in records) else 0)


def check_page_record(record: dict, text: str | None, where: str | None = None) -> None:
    """A record for a page whose decoded text is ``text`` (``None``: undecodable).

    ``where``: the file:line an error names, for a record keyed by an id of its own.
    """
    if text is None:
        assert record["error"].startswith("not UTF-8: undecodable byte")
    elif not expected_paragraphs(text):
        empty = "empty page: only white space or control characters"
        assert record["error"] == (empty if where is None else f"{empty} ({where})")
    else:
        assert "error" not in record
        assert [p["text"] for p in record["paragraphs"]] == expected_paragraphs(text)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


def _decoded(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text.removeprefix("\ufeff")


PAGE_BYTES = st.one_of(
    st.binary(max_size=400),
    HOSTILE_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),  # surrogates: not UTF-8
)


@pytest.mark.slow
@MANY
@given(data=PAGE_BYTES)
def test_cli_text_file_of_any_bytes_gives_one_record(workdir, data):
    page = workdir / "page.txt"
    page.write_bytes(data)
    status, output = cli("--paragraphs", str(page))
    records = jsonl_records(output)
    assert len(records) == 1 and records[0]["id"] == str(page)
    check_page_record(records[0], _decoded(data))
    check_status(status, records)


@pytest.mark.slow
@MANY
@given(data=PAGE_BYTES)
def test_cli_stdin_text_of_any_bytes_gives_one_record(data):
    status, output = cli("--paragraphs", "--stdin-format", "text", stdin=data)
    records = jsonl_records(output)
    assert len(records) == 1 and records[0]["id"] == "<stdin>"
    if not data.startswith(b"\x1f\x8b"):  # else read as gzip: a "cannot read" error record
        check_page_record(records[0], _decoded(data))
    check_status(status, records)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE_TEXT,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids, max_size=3),
    max_leaves=8,
)


@st.composite
def jsonl_line(draw) -> tuple[bytes, str | None, str | None]:
    """(line without its newline, the page text when it is a valid record read as text, its id)."""
    kind = draw(st.sampled_from(["record", "record", "record", "value", "bytes", "blank"]))
    if kind == "record":
        text = draw(HOSTILE_TEXT)
        record_id = draw(st.none() | HOSTILE_TEXT)
        record = {"text": text} if record_id is None else {"id": record_id, "text": text}
        extra = st.dictionaries(st.sampled_from(["url", "html", "meta"]), _JSON_VALUES, max_size=2)
        record.update(draw(extra))
        raw = json.dumps(record, ensure_ascii=True).encode()
        # As the command reads it: json.loads joins "\ud800\udc00" into one character.
        decoded = json.loads(raw)
        if not expected_paragraphs(decoded["text"]) and decoded.get("html") is not None:
            # Read from its HTML, or an error that names the html field: one record, its text not checked.
            return raw, None, decoded.get("id")
        return raw, decoded["text"], decoded.get("id")
    if kind == "value":
        value = draw(_JSON_VALUES)
        return json.dumps(value, ensure_ascii=True).encode(), None, None
    if kind == "bytes":
        return draw(st.binary(max_size=80)).replace(b"\n", b""), None, None
    return draw(st.sampled_from([b"", b" ", b"\t\r", b"\x0b\x0c  "])), None, None


def _kept_lines(
    lines: list[tuple[bytes, str | None, str | None]],
) -> list[tuple[str | None, str | None, int]]:
    """The lines that are records, with their line numbers: blank ones (ASCII white space) are skipped,
    after a leading BOM."""
    kept = []
    for i, (raw, text, record_id) in enumerate(lines):
        if (raw.removeprefix(b"\xef\xbb\xbf") if i == 0 else raw).strip():
            kept.append((text, record_id, i + 1))
    return kept


def _check_jsonl_run(status, output, lines, output_format, source):
    kept = _kept_lines(lines)
    records = jsonl_records(output) if output_format == "jsonl" else csv_records(output)
    assert len(records) == len(kept)
    for record, (text, record_id, line) in zip(records, kept):
        if record_id is not None:
            assert record["id"] == "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in record_id)
        if text is not None and output_format == "jsonl":
            check_page_record(record, text, None if record_id is None else f"{source}:{line}")
    check_status(status, records)


@pytest.mark.slow
@MANY
@given(lines=st.lists(jsonl_line(), max_size=10), output_format=st.sampled_from(["jsonl", "csv"]))
def test_cli_jsonl_file_gives_one_record_per_line(workdir, lines, output_format):
    src = workdir / "in.jsonl"
    src.write_bytes(b"\n".join(raw for raw, _, _ in lines))
    status, output = cli("--paragraphs", "--format", output_format, str(src))
    _check_jsonl_run(status, output, lines, output_format, src)


@pytest.mark.slow
@MANY
@given(lines=st.lists(jsonl_line(), max_size=10), chunk_size=st.integers(1, 4))
def test_cli_jsonl_stdin_gives_one_record_per_line(lines, chunk_size):
    data = b"\n".join(raw for raw, _, _ in lines)
    assume(not data.startswith(b"\x1f\x8b"))  # that is a gzip stream
    status, output = cli("--paragraphs", "--chunk-size", str(chunk_size), stdin=data)
    _check_jsonl_run(status, output, lines, "jsonl", "<stdin>")


BAD_RECORDS = [
    (b'{"id": "broken", ', "invalid JSON: "),
    (b"[1, 2]", "invalid record: a JSON array, not an object"),
    (b'"just a string"', "invalid record: a JSON string, not an object"),
    (b'{"url": "no-text"}', "missing text field 'text' or html field 'html'"),
    (b'{"text": null}', "text field 'text' is not a string (got null)"),
    (b'{"text": ["a", "b"]}', "text field 'text' is not a string (got array)"),
    (b'{"text": "\xff\xfe bad bytes"}', "not UTF-8: undecodable byte 0xff"),
    (b'{"text": " \\u0000\\t\\u2028 "}', "empty page: only white space or control characters"),
    (b'{"text": "' + b"x" * 5000 + b'"}', "page too long: 5000 characters > --max-chars 4000"),
    (b"[" * 100_000 + b"]" * 100_000, "invalid JSON: arrays or objects nested too deeply"),
    (b'{"text": "x", "id": ' + b"9" * 5000 + b"}", "invalid JSON: a number too long to convert"),
]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_bad_records_among_good_ones_lose_nothing(workdir, default_model, jobs):
    good = ["Tesla recalls 120,000 Model Y cars\nShare this article", "BYD opens a plant\u2028in Hungary"]
    lines, want = [], []
    for i, (raw, reason) in enumerate(BAD_RECORDS):
        lines.append(json.dumps({"id": f"good-{i}", "text": good[i % 2]}).encode())
        want.append((f"good-{i}", default_model.predict(good[i % 2])))
        lines.append(raw)
        want.append((f"{workdir / 'mixed.jsonl'}:{len(lines)}", reason))
    src = workdir / "mixed.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    args = ("--max-chars", "4000", "--chunk-size", "3", "--jobs", jobs, str(src))
    status, output = cli(*args)
    records = jsonl_records(output)
    assert status == 1
    assert [r["id"] for r in records] == [record_id for record_id, _ in want]
    for record, (_, outcome) in zip(records, want):
        if isinstance(outcome, str):
            assert record["error"].startswith(outcome), record
        else:
            assert (record["main_event"], record["tags"], record["text"]) == (
                outcome.main_event,
                outcome.tags,
                outcome.text,
            )


def test_cli_lone_surrogates_in_json_are_written_as_replacement_characters():
    data = b'{"id": "\\udc80-1", "text": "Tesla\\ud800 recalls cars"}\n{"id": {"\\ud800": 1}, "text": "x"}\n'
    status, output = cli("--paragraphs", stdin=data)
    records = jsonl_records(output)
    assert status == 0
    assert [r["id"] for r in records] == ["\ufffd-1", '{"\ufffd":1}']
    assert records[0]["paragraphs"][0]["text"] == "Tesla\ufffd recalls cars"


def test_cli_max_chars_above_the_library_default_is_honoured(workdir):
    page = workdir / "long.txt"
    page.write_text("Nio delivers cars in May.\n" * 50_000, encoding="utf-8")  # 1,300,000 characters
    status, output = cli(str(page))
    assert status == 1
    assert jsonl_records(output)[0]["error"].startswith("page too long: 1300000 characters")
    status, output = cli("--max-chars", "2000000", str(page))
    assert status == 0 and "error" not in jsonl_records(output)[0]


def test_cli_gzip_garbage_on_stdin_gives_one_error_record():
    status, output = cli(stdin=b"\x1f\x8b\x08\x00garbage")
    records = jsonl_records(output)
    assert status == 1
    assert [r["id"] for r in records] == ["<stdin>:1"]
    assert records[0]["error"].startswith("cannot read: ")


def test_cli_csv_quotes_an_id_with_a_carriage_return():
    status, output = cli("--format", "csv", stdin=b'{"id": "a\\rb", "text": "Nio delivers cars"}\n')
    assert status == 0
    assert [r["id"] for r in csv_records(output)] == ["a\rb"]


# VmHWM, the peak memory of this process's own address space: ru_maxrss would
# carry over the peak of the parent (pytest) that forked it.
_PEAK_MEMORY = """
import sys
from autoclass.cli import main
status = main(sys.argv[1:])
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(status, peak_kb // 1024)
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads peak memory from /proc")
@pytest.mark.parametrize("suffix", [".txt", ".jsonl"])
def test_a_huge_page_is_refused_without_being_read_whole(tmp_path, suffix):
    import subprocess

    big = tmp_path / f"huge{suffix}"
    with open(big, "wb") as f:
        if suffix == ".jsonl":
            f.write(b'{"id": "small", "text": "Nio delivers 20,000 cars in May"}\n{"id": "huge", "text": "')
        f.truncate(2 << 30)  # 2 GiB, sparse: cheap to make, costly to hold
    if suffix == ".jsonl":
        with open(big, "ab") as f:
            f.write(b'"}\n{"id": "after", "text": "Tesla recalls 120,000 cars"}\n')
    out = tmp_path / "out.jsonl"
    run = subprocess.run(
        [sys.executable, "-c", _PEAK_MEMORY, "predict", str(big), "-o", str(out), "-j", "1", "-q"],
        capture_output=True,
        text=True,
        check=True,
    )
    status, peak_mb = map(int, run.stdout.split())
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert status == 1
    huge = [r for r in records if r.get("error")]
    assert len(huge) == 1 and huge[0]["error"].startswith("page too long: ")
    assert "--max-chars" in huge[0]["error"]  # the option that would read it
    assert len(records) == (3 if suffix == ".jsonl" else 1)
    assert peak_mb < 800, f"peak {peak_mb} MB: the page was read whole"
