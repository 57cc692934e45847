"""The label audit: out-of-fold disputes, ranked, with file and line; and its command."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from autoclass.audit import audit_records
from autoclass.classifier import ParagraphClassifier
from autoclass.cli import main
from autoclass.cli.audit import write_disputes
from autoclass.errors import AutoclassError
from autoclass.labels import read_records

LABELS = Path(__file__).resolve().parent.parent / "labels" / "train"
FILES = sorted(LABELS.glob("*.jsonl"), key=lambda p: p.stat().st_size)[:12]  # twelve sites
FAST = ParagraphClassifier(cv_folds=3, random_state=0)


@pytest.fixture(scope="module")
def corrupted(tmp_path_factory):
    """Twelve sites' label files with 24 labels deliberately made wrong; returns (folder, wrong lines)."""
    folder = tmp_path_factory.mktemp("labels")
    wrong: set[tuple[str, int]] = set()
    for path in FILES:
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        body = [i for i, r in enumerate(records) if r["relevant"] and len(r["text"]) > 150]
        menu = [i for i, r in enumerate(records) if not r["relevant"] and len(r["text"]) < 40]
        flips = {body[len(body) // 3]: (False, None), menu[len(menu) // 2]: (True, "sales")}
        for i, (relevant, event) in flips.items():
            records[i]["relevant"], records[i]["event"] = relevant, event
            records[i].pop("body", None)  # the corruption leaves body unknown, as in labels without it
        out = folder / path.name
        out.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        wrong |= {(str(out), i + 1) for i in flips}
    return folder, wrong


@pytest.fixture(scope="module")
def audited(corrupted):
    folder, _ = corrupted
    records = read_records(sorted(folder.glob("*.jsonl")))
    return records, audit_records(records, FAST, folds=3, jobs=2)


def test_deliberate_label_errors_top_the_audit(corrupted, audited):
    _, wrong = corrupted
    records, result = audited
    ranked = [(d.path, d.line) for d in result.disputes]
    # All but two planted errors are disputed. Since each training story is composed in three
    # sites (2026-12-05), the twelve smallest files are other sites, mostly of stories cut to
    # their article; the two missed are body lines flipped to irrelevant (a results figure, a
    # consultant's quote) that the out-of-fold model also reads as irrelevant.
    missed = wrong - set(ranked)
    assert len(missed) <= 2, missed
    ranks = sorted(ranked.index(w) for w in wrong - missed)
    # Planted errors are a tiny share of the corpus but fill the top of the list: half
    # of them in its top seventh, where a ranking by chance puts half in its top half
    # (measured: 42nd of 804 disputes on the corpus of 2026-12-04, 94th of 845 since
    # one composed page in five is cut to its article, which changed the sampled lines;
    # 52nd of 1670 since each story is composed in three sites, an off-topic one in six).
    assert len(result.disputes) > 4 * len(wrong)
    assert ranks[len(ranks) // 2] < len(result.disputes) / 7, ranks
    top = result.disputes[0]
    assert top.suspicion >= result.disputes[-1].suspicion
    assert result.paragraphs == len(records) and result.folds == 3


def test_suspicion_is_the_probability_that_the_label_is_wrong(audited):
    _, result = audited
    for d in result.disputes:
        if d.label == "irrelevant":
            assert d.suspicion == pytest.approx(d.relevance, abs=1e-3)
            assert d.predicted != "irrelevant"
        elif d.predicted == "irrelevant":
            assert d.suspicion >= 1 - d.relevance - 1e-3


def test_audit_needs_two_sites_and_folds(tmp_path):
    records = read_records(FILES[:1])
    one_site = [dict(r, site="same") for r in records]
    with pytest.raises(AutoclassError, match="at least two sites"):
        audit_records(one_site, FAST)
    with pytest.raises(AutoclassError, match="at least 2 folds"):
        audit_records(records, FAST, folds=1)


def test_audit_command_lists_disputes_with_file_and_line(corrupted, audited, tmp_path, capsys):
    folder, wrong = corrupted
    out = tmp_path / "disputes.jsonl"
    args = [
        "audit",
        str(folder),
        "--folds",
        "3",
        "--top",
        "0",
        "-o",  # its suffix gives the format, as for predict
        str(out),
        "-j",
        "2",
    ]
    assert main(args) == 0
    disputes = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # The summary heads a text report; beside a file of records it goes to standard error.
    assert (
        f"disputed out of fold (3 folds by site); {len(disputes):,} most suspicious"
        in capsys.readouterr().err
    )
    listed = {(d["path"], d["line"]) for d in disputes}
    assert len(wrong - listed) <= 2  # as in the test above
    assert {(d.path, d.line) for d in audited[1].disputes} & wrong <= listed
    # The command's models are the default model's settings; the same sites and folds.
    assert len(disputes) == pytest.approx(len(audited[1].disputes), rel=0.5)


def test_audit_text_report_names_file_line_and_labels(audited):
    _, result = audited
    out = io.StringIO()
    write_disputes(out, result, result.disputes[:3], "text")
    text = out.getvalue()
    assert "disputed out of fold (3 folds by site); 3 most suspicious" in text
    fewer = io.StringIO()  # fewer folds than asked, as train says why
    write_disputes(fewer, result, result.disputes[:3], "text", asked=5)
    assert "(3 folds by site, not 5: the pages have 3 site groups); 3 most suspicious" in fewer.getvalue()
    first = result.disputes[0]
    assert f"{first.path}:{first.line}  suspicion {first.suspicion:.2f}  label {first.label} -> model" in text


def test_audit_command_reports_bad_label_files(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"article_id": "a", "position": 0}\n', encoding="utf-8")
    assert main(["audit", str(bad)]) == 1
    assert f"{bad}:1: missing field 'text'" in capsys.readouterr().err
    assert main(["audit", str(tmp_path / "nothing")]) == 2
    assert main(["audit", str(bad), "-j", "0"]) == 2
    assert "--jobs takes a number of processes, or -1 for one per core, not 0" in capsys.readouterr().err


def test_folds_that_do_not_converge_are_said_once_not_by_each_worker(tmp_path, capfd):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    records = read_records(FILES[:3])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        audit_records(records, ParagraphClassifier(cv_folds=2, max_iter=1, random_state=0), folds=3, jobs=2)
    assert [issubclass(w.category, ConvergenceWarning) for w in caught] == [True]
    assert "ConvergenceWarning" not in capfd.readouterr().err  # the worker processes printed theirs


def test_disputes_tied_when_rounded_are_ranked_by_the_unrounded_suspicion(monkeypatch):
    import zlib

    import numpy as np

    from autoclass import audit

    def nearly_sure(text: str) -> float:  # 0.99995 to 0.99999: every one rounds to 1.0
        return 0.99995 + 0.00004 * (zlib.crc32(text.encode()) % 1000) / 1000

    class Stub:
        def predict_proba(self, pages):
            texts = [t for page in pages for t in page]
            events = np.full((len(texts), len(FAST.event_types)), 1 / len(FAST.event_types))
            return np.array([nearly_sure(t) for t in texts]), events

    monkeypatch.setattr(audit, "_fit_fold", lambda *args: (Stub(), False))
    records = read_records(FILES[:2])
    result = audit_records(records, FAST, folds=2)
    # The lines labeled irrelevant are kept at 0.99995 or more: all disputed, all at suspicion 1.0.
    top = [d for d in result.disputes if d.label == "irrelevant"]
    assert top == result.disputes[: len(top)] and {d.suspicion for d in top} == {1.0}
    assert [nearly_sure(d.text) for d in top] == sorted((nearly_sure(d.text) for d in top), reverse=True)
