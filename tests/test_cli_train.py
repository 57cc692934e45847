"""`autoclass train`, `evaluate`, `labels`: a small corpus with 4 event types of its own."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from autoclass import load_model
from autoclass.cli import main
from tests.conftest import ROOT
from tests.corpus import PAGE, TYPES, write_four_type_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_four_type_corpus(tmp_path_factory.mktemp("corpus") / "my-labels")


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory):
    """The model trained on the corpus by `autoclass train`, and what the command printed."""
    out = tmp_path_factory.mktemp("trained") / "my-model"
    # A learning curve from a single page: a share too small to train on, as on any small corpus.
    config = out.parent / "config.toml"
    config.write_text("[evaluation]\nlearning_curve = [0.05, 0.5]\n")
    argv = ["train", str(corpus / "train"), "--heldout", str(corpus / "heldout"), "-o", str(out)]
    argv += ["--config", str(config)]
    with pytest.MonkeyPatch.context() as mp:
        lines: list[str] = []
        mp.setattr("builtins.print", lambda *a, **k: lines.append(" ".join(map(str, a))))
        assert main(argv) == 0
    return out, "\n".join(lines)


def test_train_writes_a_model_with_its_own_taxonomy(trained, corpus):
    out, printed = trained
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md",
        "evaluation.json",
        "evaluation.md",
        "metadata.json",
        "model.npz",
    ]
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["taxonomy"]["events"] == list(TYPES)
    assert meta["taxonomy"]["source"] == str(corpus / "taxonomy.json")
    assert meta["training_data"]["pages"] == 20
    assert (
        f"taxonomy: 4 event types from {corpus / 'taxonomy.json'}: funding, launch, lawsuit, other" in printed
    )
    card = (out / "README.md").read_text()
    assert "- Event types (4): funding, launch, lawsuit, other; from" in card
    evaluation = json.loads((out / "evaluation.json").read_text())
    assert evaluation["held-out"]["pages"] == 6
    assert evaluation["held-out"]["model"]["event"]["confusion"]["labels"] == list(TYPES)
    # Named as `autoclass evaluate -o` names them (train's did not say which model, on which files).
    assert evaluation["held-out"]["source"]["model_sha256"] == meta["artifact_sha256"]
    heading = f"Model `{out}` (artifact sha256 {meta['artifact_sha256']})."
    assert heading in (out / "evaluation.md").read_text()
    # Four sites: cross-validation is computed, or skipped with the reason; never a crash.
    assert "cross-validation (" in printed or "cross-validation skipped: " in printed


def test_the_trained_model_predicts_only_its_types(trained, tmp_path, capsys):
    model = load_model(trained[0])
    article = model.predict(PAGE)
    assert article.main_event == "funding"
    assert all(tuple(p.event_scores) == TYPES for p in article.paragraphs)
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    assert main(["predict", "-q", "-j", "1", "--paragraphs", "--model", str(trained[0]), str(page)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert set(record["tags"]) <= set(TYPES)
    for p in record["paragraphs"]:
        assert p["event"] in (*TYPES, None) and list(p["event_scores"]) == list(TYPES)
    assert main(["explain", "--json", "--model", str(trained[0]), str(page)]) == 0
    for line in capsys.readouterr().out.splitlines():
        why = json.loads(line)
        assert why["event"] in TYPES and why["runner_up"] in TYPES


def test_evaluate_writes_where_told_and_never_into_the_model(trained, corpus, tmp_path, capsys):
    model_dir = trained[0]
    before = {p.name: p.read_bytes() for p in model_dir.iterdir()}
    out = tmp_path / "my-eval"
    argv = [
        "evaluate",
        str(model_dir),
        str(corpus / "heldout" / "tech-digest.jsonl"),
        str(corpus / "heldout"),
    ]
    assert main([*argv, "-o", str(out), "--learning-curve"]) == 0
    printed = capsys.readouterr().out
    assert {"evaluation.json", "evaluation.md", "report.html"} <= {p.name for p in out.iterdir()}
    results = json.loads((out / "evaluation.json").read_text())
    assert results["held-out"]["pages"] == 6  # a file named again inside a folder given is read once
    assert results["held-out"]["model"]["event"]["confusion"]["labels"] == list(TYPES)
    # One page cannot train a model: skipped with the reason, the rest of the curve computed.
    assert "learning curve: skipped 5% of the training pages (1 pages): training needs" in printed
    assert "learning curve (event macro-F1 by training pages, computed in" in printed
    assert "Event types: funding, launch, lawsuit, other." in (out / "report.html").read_text()
    assert {p.name: p.read_bytes() for p in model_dir.iterdir()} == before
    # Writing into the model's directory needs --force.
    assert main([*argv, "-o", str(model_dir)]) == 2
    assert "is a model's directory" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in model_dir.iterdir()} == before
    # The folder names what was evaluated on what; evaluated again without a report, the earlier
    # report is not left beside the new figures (it read as theirs).
    sha = json.loads((model_dir / "metadata.json").read_text())["artifact_sha256"]
    assert results["held-out"]["source"]["model_sha256"] == sha
    assert any(
        label.endswith("heldout/tech-digest.jsonl") for label in results["held-out"]["source"]["labels"]
    )
    assert f"Model `{model_dir}` (artifact sha256 {sha})." in (out / "evaluation.md").read_text()
    assert main([*argv, "-o", str(out), "--no-report"]) == 0
    assert not (out / "report.html").exists() and "an earlier evaluation's report" in capsys.readouterr().out


def test_evaluate_says_when_it_cannot_name_the_pages_trained_on(trained, corpus, tmp_path, capsys):
    # Training files moved away: the training pages were evaluated as held-out without a word.
    model_dir = tmp_path / "moved-model"
    shutil.copytree(trained[0], model_dir)
    meta = json.loads((model_dir / "metadata.json").read_text())
    meta["training_data"]["files"] = [str(tmp_path / "gone" / "train.jsonl")]
    (model_dir / "metadata.json").write_text(json.dumps(meta))
    assert main(["evaluate", str(model_dir), str(corpus / "train")]) == 0
    assert (
        "note: the model's training files are not all here, so pages it was trained on cannot be named"
        in (capsys.readouterr().out)
    )
    assert main(["evaluate", str(trained[0]), str(corpus / "heldout")]) == 0
    assert "note: the model's training files" not in capsys.readouterr().out


def test_evaluate_default_says_when_autoclass_model_names_it(trained, corpus, capsys, monkeypatch):
    # README's comparison of "the default one and yours" compared one's own model with itself.
    from autoclass import api

    monkeypatch.setenv("AUTOCLASS_MODEL", str(trained[0]))
    monkeypatch.setattr(api, "_default", None)
    assert main(["evaluate", "default", str(corpus / "heldout" / "tech-digest.jsonl")]) == 0
    assert f"default is the model $AUTOCLASS_MODEL names: {trained[0]}" in capsys.readouterr().err
    monkeypatch.setattr(api, "_default", None)


def test_evaluate_without_output_writes_nothing(trained, corpus, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["evaluate", str(trained[0]), str(corpus / "heldout" / "tech-digest.jsonl")]) == 0
    assert "event macro-F1" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_labels_of_another_taxonomy_are_refused_by_evaluate(trained, tmp_path, capsys):
    other = tmp_path / "x.jsonl"
    record = {"article_id": "a", "position": 0, "text": "Nio sells cars", "relevant": True, "event": "sales"}
    other.write_text(
        json.dumps(record) + "\n" + json.dumps({**record, "position": 1, "event": "policy"}) + "\n"
    )
    assert main(["evaluate", str(trained[0]), str(other)]) == 1
    err = capsys.readouterr().err
    # Every problem, as labels check lists them, not the first alone.
    assert f"{other}:1: unknown event 'sales'; expected one of funding, launch, lawsuit, other" in err
    assert f"{other}:2: unknown event 'policy'" in err
    # Where those types come from, which the lines alone did not say (another taxonomy, most often).
    assert err.rstrip().endswith("the event types checked against are the model's own: labels of other "
                                 "types need a model trained on them (autoclass train)")  # fmt: skip


def test_labels_check_reads_the_taxonomy_beside_the_labels(corpus, capsys):
    # Labels of a taxonomy not found (too deep below it) are checked against the guide's: said.
    deep = corpus.parent / "deep" / "a" / "b"
    deep.mkdir(parents=True, exist_ok=True)
    shutil.copy(next((corpus / "train").glob("*.jsonl")), deep)
    assert main(["labels", "check", str(deep)]) == 1
    assert (
        capsys.readouterr()
        .err.rstrip()
        .endswith(
            "the event types checked against are the labeling guide's 15 (no taxonomy.json beside the labels "
            "or one folder up, and no --taxonomy)"
        )
    )
    assert main(["labels", "check", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "| funding |" in out and "| sales |" not in out
    assert out.rstrip().endswith(f"26 pages, {_paragraphs(corpus)} paragraphs in 6 file(s), 4 event types "
                                 f"({corpus / 'taxonomy.json'}): OK")  # fmt: skip


def _paragraphs(corpus) -> int:
    return sum(len(p.read_text().splitlines()) for p in corpus.rglob("*.jsonl"))


def test_the_audit_reads_the_taxonomy_of_the_labels(corpus, tmp_path, capsys):
    out = tmp_path / "disputes.jsonl"
    argv = ["audit", str(corpus / "train"), "--folds", "2", "--top", "0", "--format", "jsonl", "-o", str(out)]
    assert main(argv) == 0
    assert f"4 event types ({corpus / 'taxonomy.json'})" in capsys.readouterr().err
    disputes = [json.loads(line) for line in out.read_text().splitlines()]
    assert {d["predicted"] for d in disputes} <= {*TYPES, "irrelevant"}
    assert {d["label"] for d in disputes} <= {*TYPES, "irrelevant"}


def test_labels_guide_prints_the_guide(capsys):
    assert main(["labels", "guide"]) == 0
    assert capsys.readouterr().out == (ROOT / "autoclass" / "GUIDE.md").read_text()


def test_train_on_invalid_labels_lists_every_problem_without_a_traceback(corpus, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "taxonomy.json").write_text((corpus / "taxonomy.json").read_text())
    lines = (corpus / "train" / "motor-wire.jsonl").read_text().splitlines()
    lines[1] = lines[1].replace('"position": 1', '"position": "1"')
    lines[3] = lines[3][:20]
    lines[5] = lines[5].replace('"text": "', '"text": " ')
    (bad / "a.jsonl").write_text("\n".join(lines) + "\n")
    run = subprocess.run(
        [sys.executable, "-m", "autoclass", "train", str(bad), "-o", str(tmp_path / "m")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    err = run.stderr.splitlines()
    assert [line.split(": ", 1)[0] for line in err[:3]] == [f"{bad / 'a.jsonl'}:{n}" for n in (2, 4, 6)]
    assert err[3].startswith("autoclass train: 3 problems in 1 file; see the labeling guide")
    assert not (tmp_path / "m").exists()


def test_train_refuses_a_bad_config_and_an_output_that_is_no_model_folder(corpus, tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text("[relevance]\nthreshhold = 0.6\n")
    argv = ["train", str(corpus / "train"), "-o", str(tmp_path / "m")]
    assert main([*argv, "--config", str(config)]) == 1
    assert "unknown setting 'relevance.threshhold'" in capsys.readouterr().err
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("x")
    assert main(["train", str(corpus / "train"), "-o", str(tmp_path / "notes")]) == 1
    assert "is not a model directory" in capsys.readouterr().err
    # A metadata.json of one's own is no model's: its folder's README.md was replaced, evaluation.md deleted.
    (tmp_path / "notes" / "metadata.json").write_text('{"crawl": "2024-q3"}')
    (tmp_path / "notes" / "evaluation.md").write_text("notes")
    assert main(["train", str(corpus / "train"), "-o", str(tmp_path / "notes")]) == 1
    assert "is not a model directory" in capsys.readouterr().err
    assert (tmp_path / "notes" / "evaluation.md").read_text() == "notes"


def test_an_output_that_cannot_be_written_stops_train_and_evaluate_before_they_start(
    corpus, trained, tmp_path, capsys
):
    # Found out after training, it was a traceback (OSError) and the training was lost.
    (tmp_path / "file").write_text("x")
    for out, why in [
        (tmp_path / "file", "it is a file, not a folder"),
        (tmp_path / "file" / "m", f"{tmp_path / 'file'} is a file, not a folder"),
    ]:
        assert main(["train", str(corpus / "train"), "-o", str(out)]) == 2
        err = capsys.readouterr()
        assert f"cannot write into {out}: {why}" in err.err and "training on" not in err.out
        assert main(["evaluate", str(trained[0]), str(corpus / "heldout"), "-o", str(out)]) == 2
        assert f"cannot write into {out}: {why}" in capsys.readouterr().err


def test_html_pages_train_an_html_classifier_that_evaluate_reports_too(corpus, tmp_path):
    out = tmp_path / "with-html"
    spec = "tests.corpus:four_type_html_pages"
    argv = ["train", str(corpus / "train"), "--heldout", str(corpus / "heldout"), "-o", str(out)]
    assert main([*argv, "--no-crossval", "--html-pages", spec]) == 0
    model = load_model(out)
    assert model.html_classifier is not None and model.html_classifier.event_types_ == TYPES
    meta = json.loads((out / "metadata.json").read_text())["training_data"]
    assert (meta["html_pages"], meta["html_source"]) == (20, spec)
    assert json.loads((out / "evaluation.json").read_text())["held-out html"]["pages"] == 6
    article = model.predict_html(
        "<nav><a href='/'>Home</a></nav><article><p>Voltra raises $40m.</p></article>"
    )
    assert article.paragraphs[1].path == "body>article>p"
    assert (
        main(["evaluate", str(out), str(corpus / "heldout"), "--html-pages", spec, "-o", str(tmp_path / "e")])
        == 0
    )
    assert set(json.loads((tmp_path / "e" / "evaluation.json").read_text())) == {"held-out", "held-out html"}


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ("tests.corpus", "takes MODULE:FUNCTION"),
        ("no_such_module:f", "cannot import it"),
        ("tests.corpus:TYPES", "not a function"),
        ("json:dumps", "json:dumps: it returned str, not labeled pages"),
        ("os:getcwd", "os:getcwd: calling it with 'train' failed"),
    ],
)
def test_a_bad_html_pages_spec_is_named(corpus, tmp_path, capsys, spec, why):
    argv = ["train", str(corpus / "train"), "-o", str(tmp_path / "m"), "--no-crossval", "--html-pages", spec]
    assert main(argv) != 0
    assert why in capsys.readouterr().err


def test_a_taxonomy_type_without_a_training_paragraph_is_named(corpus, tmp_path):
    labels = tmp_path / "labels"
    (labels / "train").mkdir(parents=True)
    for f in (corpus / "train").iterdir():
        (labels / "train" / f.name).write_bytes(f.read_bytes())
    taxonomy = json.loads((corpus / "taxonomy.json").read_text())
    (labels / "taxonomy.json").write_text(json.dumps({"events": [*taxonomy["events"], "ghost"]}))
    lines: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("builtins.print", lambda *a, **k: lines.append(" ".join(map(str, a))))
        assert main(["train", str(labels / "train"), "-o", str(tmp_path / "m"), "--no-crossval"]) == 0
    assert any(
        line.startswith("warning: no training paragraph has the event type ghost of the taxonomy")
        for line in lines
    )


def test_train_with_no_processes_is_a_usage_error(corpus, tmp_path, capsys):
    assert main(["train", str(corpus / "train"), "-o", str(tmp_path / "m"), "--jobs", "0"]) == 2
    assert "--jobs takes a number of processes, or -1 for one per core, not 0" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_a_model_trained_into_an_earlier_models_folder_drops_that_models_figures(trained, corpus, tmp_path):
    earlier, _ = trained
    out = tmp_path / "my-model"
    out.mkdir()
    for item in earlier.iterdir():
        (out / item.name).write_bytes(item.read_bytes())
    (out / "report.html").write_text("<p>the earlier model</p>")
    (out / "html-benchmark.json").write_text("{}")
    assert main(["train", str(corpus / "train"), "-o", str(out), "--no-crossval"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "metadata.json", "model.npz"]


def test_evaluate_on_the_models_own_training_pages_says_they_are_not_held_out(
    trained, corpus, capsys, tmp_path
):
    out, _ = trained
    assert main(["evaluate", str(out), str(corpus / "train"), "-o", str(tmp_path / "eval")]) == 0
    printed = capsys.readouterr().out
    said = "20 of the 20 pages of 'held-out' are pages the model was trained on"
    assert f"warning: {said}" in printed
    # In the files written too, which are what gets shared (the terminal alone said it).
    assert f"**Not held-out:** {said}" in (tmp_path / "eval" / "evaluation.md").read_text()
    assert (
        json.loads((tmp_path / "eval" / "evaluation.json").read_text())["held-out"]["pages_trained_on"] == 20
    )
    report = tmp_path / "eval" / "report.html"
    assert "<b>Not held-out:</b> 20 of the 20 pages of &#x27;held-out&#x27;" in report.read_text()
    assert main(["evaluate", str(out), str(corpus / "heldout"), "-o", str(tmp_path / "eval2")]) == 0
    assert "warning:" not in capsys.readouterr().out
    assert "pages_trained_on" not in (tmp_path / "eval2" / "evaluation.json").read_text()


def test_labels_of_ones_own_taxonomy_check_and_convert_without_a_model(trained, corpus, tmp_path, capsys):
    out, _ = trained
    labels = corpus / "heldout" / "tech-digest.jsonl"
    # A taxonomy.json one folder up, as for check, train and audit.
    converted = tmp_path / "tasks.json"
    assert main(["labels", "convert", str(labels), "-o", str(converted), "--to", "label-studio"]) == 0
    assert '"funding"' in converted.read_text()
    # Drafts of a model with types of its own check against that model's types.
    pages = tmp_path / "pages.txt"
    pages.write_text("Voltra raises $40m in a Series B round\nShare this story\n")
    drafts = tmp_path / "drafts.jsonl"
    assert main(["draft", str(pages), "-o", str(drafts), "--model", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["labels", "check", str(drafts), "--quiet"]) == 0
    assert f"4 event types (the model that drafted {drafts}): OK" in capsys.readouterr().out
