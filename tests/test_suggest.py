"""What to label next: ``autoclass suggest``, :mod:`autoclass.labeling.suggest`, the experiment."""

from __future__ import annotations

import numpy as np
import pytest

from autoclass.cli import main
from autoclass.labeling.drafts import read_drafts
from autoclass.labeling.suggest import event_uncertainty, relevance_uncertainty, suggest
from tests.conftest import CLI_PAGES, TINY_PAGES
from tests.test_cli_predict import read_jsonl, write_jsonl


def test_uncertainty_scores():
    assert relevance_uncertainty(np.array([0.5, 0.5, 1.0, 0.0])) == pytest.approx(2.0)
    assert relevance_uncertainty(np.array([])) == 0.0
    events = np.array([[0.4, 0.4, 0.2], [0.9, 0.05, 0.05]])
    assert event_uncertainty(events, np.array([1.0, 1.0])) == pytest.approx(1.0 + 0.15)
    assert event_uncertainty(events, np.array([0.0, 1.0])) == pytest.approx(
        0.15
    )  # irrelevant lines count less


def _pool():
    texts = [[t for t, _, _ in page] for page in TINY_PAGES]
    return [*texts, texts[0], texts[1]]  # two exact copies at the end


def test_suggest_never_picks_near_duplicates_nor_copies_of_labeled_pages(tiny_model):
    pool = _pool()
    chosen = suggest(tiny_model, pool, n=len(pool))
    picked = [c.index for c in chosen]
    assert len(picked) == len(TINY_PAGES)  # each of the twins once: the pool runs out
    assert len({tuple(pool[i]) for i in picked}) == len(picked)
    assert [c.priority for c in chosen] and all(0 <= c.priority <= 1 for c in chosen)

    from autoclass.labels import Pages

    labeled = Pages(["x"], ["s"], [pool[0]], [[False] * len(pool[0])], [[None] * len(pool[0])], None)
    again = [c.index for c in suggest(tiny_model, pool, n=len(pool), labeled=labeled)]
    assert 0 not in again and 6 not in again


def test_suggest_keeps_one_site_from_flooding_the_list(tiny_model):
    pool = [[t for t, _, _ in page] for page in TINY_PAGES]
    sites = ["big"] * 5 + ["small"]
    chosen = suggest(tiny_model, pool, n=2, sites=sites, max_per_site=1)
    assert sorted(sites[c.index] for c in chosen) == ["big", "small"]
    # When only one site's pages remain, they are still chosen.
    assert len(suggest(tiny_model, pool, n=6, sites=sites, max_per_site=1)) == 6


def test_suggest_command_writes_the_chosen_pages_as_drafts(tmp_path, capsys):
    records = [{"id": f"p{i}", "site": f"s{i % 2}", "text": t} for i, t in enumerate(CLI_PAGES)]
    pages = tmp_path / "pool.jsonl"
    write_jsonl(pages, records)
    labeled = tmp_path / "labeled.jsonl"
    assert main(["draft", str(pages), "-o", str(labeled), "--quiet"]) == 0
    # Page p0 is labeled already: it must not come back.
    write_jsonl(labeled, [r for r in read_jsonl(labeled) if r["article_id"] == "p0"])
    out = tmp_path / "next.jsonl"
    assert main(["suggest", str(pages), "--n", "2", "-o", str(out), "--labeled", str(labeled)]) == 0
    err = capsys.readouterr().err
    chosen = [p.article_id for p in read_drafts(out)]
    assert len(chosen) == 2 and "p0" not in chosen
    assert "2 of 3 unlabeled pages chosen" in err
    assert all(f" {aid}\n" in err for aid in chosen)  # the ranking names them
    assert "  1 page left out: its article id is labeled already" in err
    # Every page labeled under other ids: none is chosen, and the summary says why.
    every = tmp_path / "every.jsonl"
    assert main(["draft", str(pages), "-o", str(every), "--quiet"]) == 0
    copies = tmp_path / "copies.jsonl"
    write_jsonl(copies, [{**r, "id": f"copy-{r['id']}"} for r in records])
    assert main(["suggest", str(copies), "--n", "2", "-o", str(out), "--labeled", str(every)]) == 0
    err = capsys.readouterr().err
    assert "0 of 4 unlabeled pages chosen" in err
    assert "  fewer than 2: the other 4 pages are near duplicates of pages labeled or chosen" in err


def test_learning_curve_experiment_runs_small(tiny_model):
    from benchmarks.bench_suggest import experiment, table
    from tests.conftest import tiny_corpus

    texts, relevant, events = tiny_corpus()
    from autoclass.labels import Pages

    pool = Pages([f"p{i}" for i in range(6)], [f"s{i % 3}" for i in range(6)], texts, relevant, events, None)
    result = experiment(tiny_model.classifier, pool, pool, seeds=[0], start=4, step=1, rounds=1)
    assert [p["pages"] for p in result["mean"]["suggest"]] == [4, 5]
    assert result["runs"]["random"][0][0] == result["runs"]["suggest"][0][0]  # same start
    assert "| 1 | 5 / 5 |" in table(result)
    lines = experiment(
        tiny_model.classifier, pool, pool, seeds=[0], start=4, step=4, rounds=1, unit="paragraphs"
    )
    first, after = lines["runs"]["suggest"][0]
    assert after["paragraphs"] >= first["paragraphs"] + 4


def test_suggest_before_anything_is_labeled_takes_a_missing_or_empty_labels_folder(tmp_path, capsys):
    pages = tmp_path / "pool.jsonl"
    write_jsonl(pages, [{"id": f"p{i}", "text": t} for i, t in enumerate(CLI_PAGES)])
    (tmp_path / "empty").mkdir()
    for labeled in (tmp_path / "my-labels", tmp_path / "empty"):
        out = tmp_path / "next.jsonl"
        assert main(["suggest", str(pages), "--n", "2", "-o", str(out), "--labeled", str(labeled)]) == 0
        err = capsys.readouterr().err
        assert f"no labels in {labeled} yet: every page is a candidate" in err
        assert len(read_drafts(out)) == 2
