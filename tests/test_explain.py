"""Explanations: exact decompositions of the model's scores, in Python and on the command line."""

from __future__ import annotations

import dataclasses
import gzip
import json
import pickle

import numpy as np
import pytest

from autoclass import AutoclassError, Paragraph, predict
from autoclass.cli import main
from autoclass.explain import explain_page, top_event_terms
from autoclass.taxonomy import EVENT_TYPES
from tests.archives import ARTICLE

PAGE = [
    "Home | Autos | Business",
    "Tesla recalls 120,000 Model Y cars",
    "Tesla is recalling 120,000 Model Y vehicles because a seat belt may not latch, the regulator said.",
    "Share this article",
    "Related: Ford opens new plant in Mexico",
]
EVERYTHING = 10**6  # a `top` that keeps every contribution


def test_contributions_add_up_to_the_scores(default_model):
    clf = default_model.classifier
    state = clf.forward([PAGE])
    for why, logit_d, scores in zip(
        explain_page(default_model, PAGE, top=EVERYTHING), state.content_score, state.event_scores
    ):
        logit = why.relevance_intercept + sum(c.effect for c in why.relevance_reasons)
        assert 1 / (1 + np.exp(-logit)) == pytest.approx(why.relevance, abs=1e-9)
        by_source = why.relevance_intercept + sum(why.relevance_by_source.values())
        assert by_source == pytest.approx(logit, abs=1e-9)
        assert {"line content", "page topic", "body similarity", "layout"} <= set(why.relevance_by_source)
        content = why.content_intercept + sum(c.effect for c in why.content_reasons)
        assert content == pytest.approx(logit_d, abs=1e-9) == pytest.approx(why.content_score)
        assert why.content_intercept == clf.relevance1_intercept_
        # The event's log-odds against the average type: its intercept and its inputs.
        best = EVENT_TYPES.index(why.event)
        assert why.event_score == pytest.approx(scores[best] - scores.mean(), abs=1e-9)
        event = why.event_intercept + sum(c.effect for c in why.event_reasons)
        assert event == pytest.approx(why.event_score, abs=1e-9)
        assert why.event_probability == pytest.approx(np.exp(scores[best]) / np.exp(scores).sum(), abs=1e-9)


def test_reasons_are_the_largest_and_name_their_features(default_model):
    full = explain_page(default_model, PAGE, top=EVERYTHING)[2]
    short = explain_page(default_model, PAGE, top=3)[2]
    assert short.event_reasons == full.event_reasons[:3]
    effects = [abs(c.effect) for c in full.content_reasons]
    assert effects == sorted(effects, reverse=True)
    features = {c.feature for c in full.content_reasons + full.event_reasons}
    assert "word 'recalling'" in features
    assert any(f.startswith("layout ") for f in features)
    assert any(f.startswith("page share of ") for f in features)
    assert why_text_mentions(short)


def why_text_mentions(why) -> bool:
    text = str(why)
    return why.event in text and "relevance" in text and why.text[:40] in text


def test_paragraph_explain_matches_the_page_explanation(default_model):
    article = predict("\n".join(PAGE))
    for p in article.paragraphs:
        assert p.explain(top=4) == explain_page(default_model, PAGE, top=4)[p.position]
    assert article.paragraphs[2].explain().event == "recall"


def test_a_pickled_paragraph_leaves_the_model_behind(default_model):
    paragraph = predict("\n".join(PAGE)).paragraphs[2]
    data = pickle.dumps(paragraph)
    assert len(data) < 2_000
    copy = pickle.loads(data)
    assert copy == paragraph and copy.origin is None
    with pytest.raises(AutoclassError, match="predict the page again"):
        copy.explain()
    with pytest.raises(AutoclassError):
        Paragraph("text", 0, True, 0.9, "sales", (1 / 15,) * 15).explain()


def test_an_article_as_a_dataclass_dict_holds_no_model(default_model):
    # dataclasses.asdict (and FastAPI's encoder, built on it) deep-copied the model once per
    # paragraph through its origin (70 MB each), then could not encode it.
    article = predict("\n".join(PAGE))
    as_dict = dataclasses.asdict(article)
    assert json.loads(json.dumps(as_dict))["paragraphs"][2]["event"] == "recall"
    assert "origin" not in as_dict["paragraphs"][2]
    assert article.paragraphs[2].origin is not None  # still explained
    assert article.paragraphs[2].explain(top=2).event == "recall"


def test_explain_rejects_a_bad_top(default_model):
    with pytest.raises(ValueError, match="top"):
        explain_page(default_model, PAGE, top=0)


def test_top_event_terms_are_the_types_own_words(default_model):
    terms = top_event_terms(default_model.classifier, k=10)
    assert set(terms) == set(EVENT_TYPES)
    words = {event: " ".join(name for name, _ in pairs) for event, pairs in terms.items()}
    assert "recall" in words["recall"]
    assert "sales" in words["sales"] or "sold" in words["sales"]
    assert all(w > 0 for pairs in terms.values() for _, w in pairs)


def test_cli_explains_a_page_in_text_and_json(tmp_path, capsys, default_model):
    page = tmp_path / "page.txt"
    page.write_text("\n".join(PAGE) + "\n", encoding="utf-8")
    assert main(["explain", str(page), "--top", "2", "-p", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[2] relevant") and "event recall" in out
    assert main(["explain", str(page), "--json", "--relevant"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["position"] for r in records] == [1, 2]
    assert all(r["relevant"] and len(r["event_reasons"]) == 8 for r in records)


def test_cli_explain_reads_html_on_standard_input_when_told_and_warns_when_not(
    tmp_path, capsys, default_model, monkeypatch
):
    # HTML piped in was read as text, tags and all, without a word, and there was no way to say it is HTML.
    import io
    import warnings

    from autoclass import HtmlAsTextWarning

    html = b"<!DOCTYPE html><html><body><h1>Ford recalls SUVs</h1><p>Ford is recalling 1,000 SUVs.</p>"
    for flags, first in [([], "<!DOCTYPE html>"), (["--stdin-format", "html"], "Ford recalls SUVs")]:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(html)))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert main(["explain", "-", "-p", "0", *flags]) == 0
        assert capsys.readouterr().out.splitlines()[1].strip().startswith(first)
        said = [str(w.message) for w in caught if issubclass(w.category, HtmlAsTextWarning)]
        assert bool(said) == (not flags) and all("--stdin-format html" in m for m in said)


def test_cli_explain_says_json_lines_piped_in_are_read_as_text(capsys, default_model, monkeypatch):
    # `cat pages.jsonl | autoclass explain` explained each record's raw JSON as a paragraph, without a word.
    import io
    import warnings

    lines = b'{"id": "a", "text": "Ford recalls SUVs"}\n{"id": "b", "text": "Nio sells cars"}\n'
    for flags, first in [([], '{"id": "a"'), (["--stdin-format", "jsonl"], "Ford recalls SUVs")]:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(lines)))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert main(["explain", "-", "-p", "0", *flags]) == 0
        assert capsys.readouterr().out.splitlines()[1].strip().startswith(first)
        said = [str(w.message) for w in caught if "JSON object" in str(w.message)]
        assert bool(said) == (not flags) and all("--stdin-format jsonl" in m for m in said)


def test_cli_explain_warns_that_stdin_format_is_not_for_a_named_file(tmp_path, capsys, default_model):
    page = tmp_path / "page.txt"
    page.write_text("<p>Ford recalls SUVs</p>\n", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"^--stdin-format html applies to standard input \(-\) only"):
        assert main(["explain", str(page), "--stdin-format", "html"]) == 0
    assert "<p>Ford recalls SUVs</p>" in capsys.readouterr().out  # read as its name says: text


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"one line\n", ["-p", "3"], "no paragraph 3: the page has 1"),
        (b"caf\xe9\n", [], "page.txt: not UTF-8: undecodable byte 0xe9 at offset 3"),
        (b"one line\n", ["--top", "0"], "--top must be at least 1"),
        (b"", [], "page.txt: empty page: only white space or control characters"),
        (b" \n\t\n", ["--json"], "page.txt: empty page"),
    ],
)
def test_cli_explain_usage_errors(tmp_path, capsys, content, args, message):
    page = tmp_path / "page.txt"
    page.write_bytes(content)
    assert main(["explain", str(page), *args]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"{bad\n",
            "pages.jsonl:1: invalid JSON: Expecting property name enclosed in double quotes (column 2)\n",
        ),
        (b'\n{"id": "a", "text": 5}\n', "pages.jsonl:2: text field 'text' is not a string (got number)\n"),
    ],
)
def test_cli_explain_names_a_bad_json_lines_record_by_its_file_and_line(tmp_path, capsys, content, message):
    page = tmp_path / "pages.jsonl"
    page.write_bytes(content)
    assert main(["explain", str(page)]) == 2
    assert capsys.readouterr().err.endswith(f"cannot explain {tmp_path}/{message}")


def _explained(capsys, *args: str) -> list[dict]:
    assert main(["explain", "--json", "--top", "3", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def _expected(paragraphs) -> list[dict]:
    return [json.loads(json.dumps(p.explain(top=3).to_dict())) for p in paragraphs]


def test_cli_explains_html_as_predict_html_splits_it(tmp_path, capsys, default_model):
    html = ARTICLE.format(i=3)
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    (tmp_path / "page.htm.gz").write_bytes(gzip.compress(html.encode()))
    paragraphs = default_model.predict_html(html).paragraphs
    assert _explained(capsys, str(tmp_path / "page.html")) == _expected(paragraphs)
    assert _explained(capsys, str(tmp_path / "page.htm.gz"), "-p", "2") == _expected(paragraphs[2:3])
    assert paragraphs[2].text == "Nio delivers 3 cars in May"
    # Where each block sat, as predict_html gives it (explanations of HTML did not say).
    explained = _explained(capsys, str(tmp_path / "page.html"))
    assert [e["path"] for e in explained] == [p.path for p in paragraphs] and paragraphs[2].path
    assert f"    in {paragraphs[2].path}" in str(paragraphs[2].explain())
    assert "path" not in explain_page(default_model, PAGE)[0].to_dict()  # a line of text has none


def test_cli_explains_the_first_record_of_json_lines_and_gzip_text(tmp_path, capsys, default_model):
    records = [{"id": "a", "text": "\n".join(PAGE)}, {"id": "b", "text": "Other page"}]
    (tmp_path / "pages.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (tmp_path / "page.txt.gz").write_bytes(gzip.compress("\n".join(PAGE).encode()))
    expected = _expected(default_model.predict("\n".join(PAGE)).paragraphs)
    with pytest.warns(UserWarning, match=r"pages.jsonl holds more than one JSON Lines record: .* its first"):
        assert _explained(capsys, str(tmp_path / "pages.jsonl")) == expected
    assert _explained(capsys, str(tmp_path / "page.txt.gz")) == expected


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("crawl.warc", b"", "crawl.warc is a WARC archive of many pages: explain reads one page"),
        ("pages.jsonl", b"\n\n", "pages.jsonl holds no JSON Lines record"),
        ("pages.jsonl", b'{"id": "a"}\n', "pages.jsonl:1: missing text field 'text' or html field 'html'"),
        ("page.html", b"<script>x()</script>", "page.html: empty page: no text in the HTML"),
    ],
)
def test_cli_explain_refuses_what_is_not_one_page(tmp_path, capsys, name, content, message):
    (tmp_path / name).write_bytes(content)
    assert main(["explain", str(tmp_path / name)]) == 2
    assert message in capsys.readouterr().err
    assert main(["explain", str(tmp_path)]) == 2
    assert "is a directory: explain reads one page" in capsys.readouterr().err


def test_a_page_given_as_one_str_or_a_top_that_is_no_int_is_a_type_error(default_model):
    from autoclass.explain import explain_page

    # A position out of the page explained nothing, or paragraph -1 as "position -1".
    for positions, error, message in [
        ([-1], IndexError, "no paragraph -1: the page has 1"),
        ([3], IndexError, "no paragraph 3"),
        ([True], TypeError, "positions must be ints, not bool"),
        (["0"], TypeError, "positions must be ints, not str"),
    ]:
        with pytest.raises(error, match=message):
            explain_page(default_model, ["Ford recalls trucks"], positions=positions)

    with pytest.raises(TypeError, match="not one str: split it with split_paragraphs"):
        explain_page(default_model, "Ford recalls trucks")
    for top in (2.5, None):
        with pytest.raises(TypeError, match="top must be an int"):
            explain_page(default_model, ["Ford recalls trucks"], top=top)
    with pytest.raises(TypeError, match=r"pages\[1\] must be a list of paragraphs .* not str; split it"):
        default_model.predict_pages([["Ford recalls trucks"], "Ford recalls trucks"])
    with pytest.raises(TypeError, match=r"pages\[0\] must be a list of paragraphs .* not NoneType"):
        default_model.predict_pages([None])
    assert len(default_model.predict_pages(iter([["Ford recalls 2,000 trucks"]]))) == 1
    # A paragraph that is no str was an error deep in the features, naming no page.
    for paragraph in (None, b"bytes"):
        with pytest.raises(TypeError, match=r"pages\[1\]\[1\] must be a paragraph \(str\), not "):
            default_model.predict_pages([["Ford recalls trucks"], ["Ford recalls trucks", paragraph]])
    with pytest.raises(ValueError, match="batch_size must be a positive int, not 0"):
        default_model.predict_pages([["Ford recalls trucks"]], batch_size=0)


def test_copies_of_a_predicted_paragraph_are_explained_as_it_is(default_model):
    import copy

    page = "Ford recalls 2,000 trucks\nFord is recalling 2,000 trucks over bad brakes."
    article = default_model.predict(page)
    again = copy.deepcopy(article)
    assert again == article and again.paragraphs is not article.paragraphs
    assert copy.copy(article.paragraphs[1]).explain(top=2).event == "recall"
    assert again.paragraphs[1].explain(top=2).event == "recall"


def test_a_pages_paragraphs_explained_one_by_one_read_the_page_once(default_model, monkeypatch):
    from autoclass.explain import PageExplainer, explain_page

    page = "Ford recalls 2,000 trucks\nFord is recalling 2,000 trucks over bad brakes.\nShare"
    article = default_model.predict(page)
    reads = []
    forward = type(default_model.classifier).forward
    monkeypatch.setattr(
        type(default_model.classifier), "forward", lambda *a, **k: reads.append(1) or forward(*a, **k)
    )
    one_by_one = [p.explain(top=3) for p in article.paragraphs]
    assert len(reads) == 1
    assert one_by_one == explain_page(default_model, article.paragraphs[0].origin.paragraphs, top=3)
    assert isinstance(article.paragraphs[0].origin.explainer[0], PageExplainer)


def test_cli_explain_on_an_ascii_terminal_writes_escapes_not_a_traceback(tmp_path, default_model):
    import os
    import subprocess
    import sys

    page = tmp_path / "page.txt"
    page.write_text("ŠKODA recalls 1,000 cars\nThe recall covers 2024 models.\n", encoding="utf-8")
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    env.pop("PYTHONIOENCODING", None)
    done = subprocess.run(
        [sys.executable, "-m", "autoclass", "explain", str(page), "--model", str(default_model.path)],
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")
    assert b"\\u0160KODA recalls 1,000 cars" in done.stdout


def test_a_probability_next_to_the_threshold_is_shown_with_the_digits_that_tell_them_apart(default_model):
    # "relevance 0.40 (threshold 0.40)" for a line dropped at 0.3969 read as a contradiction.
    why = dataclasses.replace(explain_page(default_model, PAGE, positions=[3])[0], relevant=False)
    for probability, shown in [(0.3969, "0.397"), (0.39996, "0.4000"), (0.35, "0.35"), (0.4, "0.4000")]:
        text = str(dataclasses.replace(why, relevance=probability, threshold=0.4))
        assert f"relevance {shown}," in text.splitlines()[0]
