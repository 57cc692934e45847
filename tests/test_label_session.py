"""Labeling sessions and the server behind ``autoclass label`` (the browser test: test_label_browser)."""

from __future__ import annotations

import gzip
import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from autoclass.errors import LabelDataError
from autoclass.labeling.drafts import (
    DraftPage,
    PageInput,
    draft_pages,
    drafted_event_types,
    group_pages,
    read_drafts,
)
from autoclass.labeling.server import TOKEN_HEADER, LabelServer
from autoclass.labeling.session import EVENT_KEYS, LabelingError, LabelSession, event_keys
from autoclass.labels import read_records
from autoclass.taxonomy import EVENT_TYPES
from tests.conftest import CLI_PAGES, CUSTOM_TYPES, custom_model
from tests.test_cli_predict import read_jsonl


def _drafts(tmp_path: Path, model) -> list[DraftPage]:
    pages = [PageInput(f"p{i}", t, {"site": "wire"}) for i, t in enumerate(CLI_PAGES[:3])]
    return list(draft_pages(model, pages))


def _labels(page: DraftPage) -> list[dict]:
    return [{"relevant": r["relevant"], "event": r["event"], "body": r["body"]} for r in page.records]


def test_event_keys_cover_a_taxonomy_in_order():
    assert event_keys(EVENT_TYPES)["0"] == "recall"
    assert event_keys(EVENT_TYPES)["t"] == "other"
    assert "b" not in EVENT_KEYS and "n" not in EVENT_KEYS  # commands


def test_session_appends_accepted_pages_and_resumes(tmp_path, default_model):
    drafts = _drafts(tmp_path, default_model)
    out = tmp_path / "out.jsonl"
    session = LabelSession(drafts, out, event_types=EVENT_TYPES)
    assert session.state()["page"]["article_id"] == "p0"
    labels = _labels(drafts[0])
    labels[0] = {"relevant": False, "event": None, "body": None}
    state = session.accept("p0", labels)
    assert state["done"] == 1 and state["page"]["article_id"] == "p1"
    written = read_jsonl(out)
    assert [r["article_id"] for r in written] == ["p0"] * len(drafts[0].records)
    assert "body" not in written[0] and all("model" not in r for r in written)
    assert written[0]["site"] == "wire"
    session.skip("p1")
    assert session.state()["page"]["article_id"] == "p2"
    with pytest.raises(LabelingError, match="done already"):
        session.accept("p0", labels)

    again = LabelSession(drafts, out, event_types=EVENT_TYPES)  # the skipped page comes back
    assert again.state()["page"]["article_id"] == "p1" and again.state()["done"] == 1
    again.accept("p1", _labels(drafts[1]))
    again.accept("p2", _labels(drafts[2]))
    assert again.finished and again.state()["page"] is None
    assert len(read_records([out])) == sum(len(p.records) for p in drafts)


@pytest.mark.parametrize(
    ("labels", "problem"),
    [
        ([], "send one label each"),
        ([{"relevant": True, "event": "nonsense", "body": True}], "needs one of the event types"),
        ([{"relevant": False, "event": "sales", "body": None}], "has no event"),
        ([{"relevant": "yes", "event": None, "body": None}], "true or false"),
        ([{"relevant": True, "event": "sales", "body": False}], "a relevant line is body"),
    ],
)
def test_session_refuses_invalid_labels(tmp_path, default_model, labels, problem):
    drafts = _drafts(tmp_path, default_model)
    session = LabelSession(drafts, tmp_path / "out.jsonl", event_types=EVENT_TYPES)
    full = _labels(drafts[0])
    sent = labels + full[len(labels) :] if labels else labels
    with pytest.raises(LabelingError, match=problem):
        session.accept("p0", sent)
    assert not (tmp_path / "out.jsonl").exists()


def test_session_removes_a_page_cut_short_by_a_crash(tmp_path, default_model):
    drafts = _drafts(tmp_path, default_model)
    out = tmp_path / "out.jsonl"
    LabelSession(drafts, out, event_types=EVENT_TYPES).accept("p0", _labels(drafts[0]))
    whole = out.read_bytes()
    lines = LabelSession(drafts, tmp_path / "p1.jsonl", event_types=EVENT_TYPES)
    lines.accept("p1", _labels(drafts[1]))
    page1 = (tmp_path / "p1.jsonl").read_bytes()
    out.write_bytes(whole + page1[: page1.index(b"\n") + 1] + page1[page1.index(b"\n") + 1 :][:20])
    session = LabelSession(drafts, out, event_types=EVENT_TYPES)
    assert out.read_bytes() == whole and session.recovered_bytes > 0
    assert session.state()["page"]["article_id"] == "p1"


def test_session_keeps_a_whole_last_record_without_its_line_end(tmp_path, default_model):
    drafts = _drafts(tmp_path, default_model)
    out = tmp_path / "out.jsonl"
    LabelSession(drafts, out, event_types=EVENT_TYPES).accept("p0", _labels(drafts[0]))
    whole = out.read_bytes()
    out.write_bytes(whole.rstrip(b"\n"))  # as an editor that drops the last line end saves it
    session = LabelSession(drafts, out, event_types=EVENT_TYPES)
    assert out.read_bytes() == whole and session.recovered_bytes == 0
    assert session.state()["done"] == 1


def test_session_refuses_the_output_of_other_drafts(tmp_path, default_model):
    drafts = _drafts(tmp_path, default_model)
    out = tmp_path / "out.jsonl"
    LabelSession(drafts, out, event_types=EVENT_TYPES).accept("p0", _labels(drafts[0]))
    other = [DraftPage("p0", [{**r, "text": r["text"] + " (edited)"} for r in drafts[0].records])]
    with pytest.raises(LabelDataError, match="other lines than in the drafts"):
        LabelSession(other, out, event_types=EVENT_TYPES)


def test_session_with_a_custom_taxonomy(tmp_path, tiny_model):
    custom = custom_model(tiny_model)
    drafts = list(draft_pages(custom, [PageInput("p0", CLI_PAGES[0])]))
    path = tmp_path / "drafts.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in drafts[0].records), encoding="utf-8")
    types = drafted_event_types(path)
    assert types == CUSTOM_TYPES
    session = LabelSession(read_drafts(path, event_types=types), tmp_path / "out.jsonl", event_types=types)
    state = session.state()
    assert state["event_types"] == list(CUSTOM_TYPES) and state["keys"]["1"] == "kind-0"
    labels = _labels(drafts[0])
    labels[0] = {"relevant": True, "event": "kind-14", "body": True}
    session.accept("p0", labels)
    assert read_records([tmp_path / "out.jsonl"], events=CUSTOM_TYPES)[0]["event"] == "kind-14"
    with pytest.raises(LabelDataError, match="unknown event"):
        read_records([tmp_path / "out.jsonl"])  # not the default taxonomy


def test_server_answers_only_its_own_page_on_loopback(tmp_path, default_model):
    drafts = _drafts(tmp_path, default_model)
    server = LabelServer(LabelSession(drafts, tmp_path / "out.jsonl", event_types=EVENT_TYPES))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.port}"

    def get(path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict]:
        request = urllib.request.Request(base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), dict(exc.headers)

    try:
        assert server.server_address[0] == "127.0.0.1"
        status, body, headers = get("/")
        assert status == 200 and b"/static/label.js" in body
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert get("/static/label.js")[0] == 200 and get("/static/label.css")[0] == 200
        assert get("/api/state")[0] == 403  # no token
        assert get("/", {"Host": "attacker.example"})[0] == 403  # DNS rebinding
        assert get("/../labels")[0] == 404
        status, body, _ = get("/api/state", {TOKEN_HEADER: server.token})
        assert status == 200 and json.loads(body)["page"]["article_id"] == "p0"
        # A request that is not a JSON object is a bad request; labels refused are a conflict.
        for sent, code in [(b"{not json", 400), (b"[1, 2]", 400), (b'{"article_id": "nope"}', 409)]:
            request = urllib.request.Request(
                base + "/api/skip",
                data=sent,
                headers={TOKEN_HEADER: server.token, "Content-Type": "application/json"},
            )
            try:
                urllib.request.urlopen(request, timeout=30)
                status = 200
            except urllib.error.HTTPError as exc:
                status, reply = exc.code, json.loads(exc.read())
            assert (status, bool(reply["error"])) == (code, True), sent
        assert server.url.endswith(f"#token={server.token}")
    finally:
        server.shutdown()
        server.server_close()


def test_an_output_that_is_not_this_sessions_labels_is_refused_as_it_is(tmp_path, default_model):
    drafts = _drafts(tmp_path, default_model)
    out = tmp_path / "out.jsonl"
    LabelSession(drafts, out, event_types=EVENT_TYPES).accept("p0", _labels(drafts[0]))
    whole = out.read_bytes()
    # A hand-edited last line of a page of one's own (not a draft's), mistyped: named, not cut.
    mine = b'{"article_id": "mine", "position": 0, "text": "Share", "relevant": false, "event": null,}'
    out.write_bytes(whole + mine)
    with pytest.raises(LabelDataError, match=r"out.jsonl:\d+: invalid JSON"):
        LabelSession(drafts, out, event_types=EVENT_TYPES)
    assert out.read_bytes() == whole + mine
    # Notes, and a gzip file: refused as they are.
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"my notes line 1\nmy important notes line 2")
    with pytest.raises(LabelDataError, match="invalid JSON"):
        LabelSession(drafts, notes, event_types=EVENT_TYPES)
    assert notes.read_bytes() == b"my notes line 1\nmy important notes line 2"
    packed = tmp_path / "b.jsonl.gz"
    packed.write_bytes(gzip.compress(whole))
    with pytest.raises(LabelDataError, match="is gzip-compressed"):
        LabelSession(drafts, packed, event_types=EVENT_TYPES)
    with pytest.raises(LabelDataError, match="is gzip-compressed"):
        LabelSession(drafts, tmp_path / "new.jsonl.gz", event_types=EVENT_TYPES)
    with pytest.raises(LabelDataError, match="is a folder"):
        LabelSession(drafts, tmp_path, event_types=EVENT_TYPES)


def test_the_first_lines_of_a_draft_page_are_moved_aside_not_destroyed(tmp_path, default_model):
    drafts = _drafts(tmp_path, default_model)
    out = tmp_path / "out.jsonl"
    LabelSession(drafts, out, event_types=EVENT_TYPES).accept("p0", _labels(drafts[0]))
    whole = out.read_bytes()
    start = whole[: whole.index(b"\n") + 1]  # the first line of page p0 alone: a crash mid-write
    out.write_bytes(start)
    session = LabelSession(drafts, out, event_types=EVENT_TYPES)
    assert out.read_bytes() == b"" and session.recovered_bytes == len(start)
    assert (tmp_path / "out.jsonl.removed").read_bytes() == start
    assert session.state()["page"]["article_id"] == "p0"


def test_two_sessions_on_one_output_never_save_a_page_twice(tmp_path, default_model):
    drafts = _drafts(tmp_path, default_model)
    out = tmp_path / "out.jsonl"
    first = LabelSession(drafts, out, event_types=EVENT_TYPES)
    second = LabelSession(drafts, out, event_types=EVENT_TYPES)
    first.accept("p0", _labels(drafts[0]))
    with pytest.raises(LabelingError, match="'p0' was saved meanwhile by another session"):
        second.accept("p0", _labels(drafts[0]))
    assert second.state()["page"]["article_id"] == "p1"
    second.accept("p1", _labels(drafts[1]))
    first.accept("p2", _labels(drafts[2]))
    assert [p.article_id for p in group_pages(read_records([out]))] == ["p0", "p1", "p2"]


@pytest.fixture
def drafted(tmp_path, capsys):
    """A drafts file of one page, written by `autoclass draft`."""
    from autoclass.cli import main

    pages = tmp_path / "pages.txt"
    pages.write_text("Nio delivers 20,000 cars in May\nShare this story\n")
    drafts = tmp_path / "drafts.jsonl"
    assert main(["draft", str(pages), "-o", str(drafts), "--quiet"]) == 0
    capsys.readouterr()
    return drafts


def test_label_refuses_an_output_in_a_missing_folder_or_a_folder_before_it_serves(drafted, tmp_path, capsys):
    from autoclass.cli import main

    drafts = drafted
    assert main(["label", str(drafts), "-o", str(tmp_path / "nodir" / "out.jsonl"), "--no-browser"]) == 2
    assert f"no folder {tmp_path / 'nodir'} for the output" in capsys.readouterr().err
    assert main(["label", str(drafts), "-o", str(tmp_path), "--no-browser"]) == 1
    assert f"{tmp_path}: is a folder: the output is a JSON Lines file" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/proc/version").is_file(), reason="needs Linux's /proc, which no one writes")
def test_label_refuses_an_output_it_cannot_write_before_it_serves(drafted, capsys):
    # Served anyway, the first page accepted was lost to "cannot write the output" (HTTP 500).
    from autoclass.cli import main

    for output in ("/proc/version", "/proc/autoclass-labeled.jsonl"):  # there, and not there yet
        assert main(["label", str(drafted), "-o", output, "--no-browser"]) == 2
        assert "cannot write" in capsys.readouterr().err


def test_label_reads_the_taxonomy_beside_the_labels(tmp_path, capsys, monkeypatch):
    # labels check, convert and train read taxonomy.json beside the labels; label said "unknown event".
    from autoclass.cli import label, main

    folder = tmp_path / "own" / "train"
    folder.mkdir(parents=True)
    (tmp_path / "own" / "taxonomy.json").write_text(json.dumps({"events": ["funding", "launch"]}))
    lines = [("Startup raises $50 million for EV chargers", True, "funding"), ("Share", False, None)]
    labeled = folder / "a.jsonl"
    labeled.write_text(
        "".join(
            json.dumps({"article_id": "a", "position": i, "text": t, "relevant": r, "event": e}) + "\n"
            for i, (t, r, e) in enumerate(lines)
        )
    )

    class NoServer:  # the command got as far as serving
        def __init__(self, session, port):
            assert session.event_types == ("funding", "launch")
            raise OSError(98, "Address already in use")

    monkeypatch.setattr(label, "LabelServer", NoServer)
    assert main(["label", str(labeled), "-o", str(tmp_path / "out.jsonl"), "--no-browser"]) == 2
    assert "cannot listen on 127.0.0.1:0: Address already in use" in capsys.readouterr().err
