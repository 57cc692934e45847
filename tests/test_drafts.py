"""Drafts: ``autoclass draft`` and :mod:`autoclass.labeling.drafts`."""

from __future__ import annotations

import gzip
import json

from autoclass.cli import main
from autoclass.labeling.drafts import PageInput, draft_pages, drafted_event_types, read_drafts
from autoclass.labels import read_records
from autoclass.taxonomy import EVENT_TYPES
from tests.conftest import CLI_PAGES, CUSTOM_TYPES, custom_model
from tests.test_cli_predict import read_jsonl, write_jsonl


def test_drafts_hold_the_model_labels_and_probabilities_and_are_valid_labels(tmp_path, default_model):
    pages = tmp_path / "pages.jsonl"
    write_jsonl(pages, [{"id": "nio", "site": "wire", "text": CLI_PAGES[0]}])
    out = tmp_path / "drafts.jsonl"
    assert main(["draft", str(pages), "-o", str(out), "--quiet"]) == 0
    records = read_jsonl(out)
    article = default_model.predict(CLI_PAGES[0])
    assert [r["text"] for r in records] == [p.text for p in article.paragraphs]
    for r, p in zip(records, article.paragraphs):
        assert (r["relevant"], r["event"], r["site"]) == (p.relevant, p.event, "wire")
        assert r["body"] is (p.relevant or p.body >= default_model.threshold)
        assert r["model"]["relevance"] == p.relevance and r["model"]["body"] == p.body
        assert r["model"]["event_scores"] == p.event_scores
    assert len(read_records([out])) == len(records)  # validation ignores the model's field
    assert drafted_event_types(out) == EVENT_TYPES


def test_draft_reads_every_input_predict_reads(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "crawl"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(CLI_PAGES[0], encoding="utf-8")
    with gzip.open(folder / "sub" / "b.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps({"id": "b1", "url": "https://www.wire.example/b1", "text": CLI_PAGES[1]}) + "\n")
        f.write(json.dumps({"id": "a", "text": ""}) + "\n")  # empty: skipped, reported
    single = tmp_path / "c.txt"
    single.write_text(CLI_PAGES[2], encoding="utf-8")
    out = tmp_path / "drafts.jsonl"
    assert main(["draft", str(folder), str(single), str(single), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "skipped a: empty page" in err and "3 pages" not in err and "4 pages" in err
    pages = read_drafts(out)
    ids = [p.article_id for p in pages]
    assert ids == [f"{folder}/a.txt", "b1", str(single), f"{single}#2"]  # a repeated input gets its own id
    assert pages[1].site == "wire.example"  # the host of its url
    assert pages[1].records[0]["url"] == "https://www.wire.example/b1"

    monkeypatch.setattr("sys.stdin", type("In", (), {"buffer": open(single, "rb")})())
    stdin_out = tmp_path / "stdin.jsonl"
    assert main(["draft", "-", "--stdin-format", "text", "-o", str(stdin_out), "--quiet"]) == 0
    assert [p.article_id for p in read_drafts(stdin_out)] == ["<stdin>"]


def test_html_pages_given_to_draft_are_reported_once_and_counted(tmp_path, capsys, default_model):
    # A crawl of HTML pages gave one line of stderr per page.
    pages = tmp_path / "pages.jsonl"
    html = [{"id": f"h{i}", "html": "<p>Nio sells cars</p>"} for i in range(4)]
    text = [{"id": f"t{i}", "text": CLI_PAGES[i]} for i in range(2)]
    write_jsonl(pages, [html[0], {"id": "e", "text": ""}, text[0], *html[1:], text[1]])
    assert main(["draft", str(pages), "-o", str(tmp_path / "drafts.jsonl")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "autoclass draft: skipped h0: an HTML page: give its text, one paragraph per line "
        "(further HTML pages are counted, not listed)",
        f"autoclass draft: skipped e: empty page: only white space or control characters ({pages}:2)",
        "autoclass draft: skipped 4 HTML pages in all",
        f"autoclass draft: 2 pages, {len(read_jsonl(tmp_path / 'drafts.jsonl'))} paragraphs to "
        f"{tmp_path / 'drafts.jsonl'}; 5 records skipped",
    ]


def test_drafts_use_the_model_taxonomy(tiny_model):
    custom = custom_model(tiny_model)
    draft = next(draft_pages(custom, [PageInput("p", CLI_PAGES[1])]))
    events = {r["event"] for r in draft.records if r["relevant"]}
    assert events and events <= set(CUSTOM_TYPES)
    assert list(draft.records[0]["model"]["event_scores"]) == list(CUSTOM_TYPES)


def test_draft_refuses_to_write_over_an_input(tmp_path, capsys):
    pages = tmp_path / "pages.jsonl"
    write_jsonl(pages, [{"id": "a", "text": CLI_PAGES[0]}])
    before = pages.read_bytes()
    assert main(["draft", str(pages), "-o", str(pages)]) == 2
    assert "is also an input" in capsys.readouterr().err
    assert pages.read_bytes() == before


def test_a_repeated_id_gets_the_first_suffix_no_input_took(tmp_path, capsys):
    pages = tmp_path / "collide.jsonl"
    records = [
        {"id": i, "text": f"Nio delivers {n},000 cars"} for n, i in enumerate(["x", "x", "x#2", "x#2", "x"])
    ]
    pages.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "drafts.jsonl"
    assert main(["draft", str(pages), "-o", str(out), "--quiet"]) == 0
    assert [p.article_id for p in read_drafts(out)] == ["x", "x#2", "x#2#2", "x#2#3", "x#3"]
    assert main(["labels", "check", str(out), "--quiet"]) == 0
