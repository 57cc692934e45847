"""Evaluation on labeled held-out articles, beside simple baselines.

Relevance: precision, recall and F1 of the relevant class, and macro-F1 over
both classes.  Event type: per-class precision/recall/F1, macro-F1, accuracy
and the confusion matrix over the model's own event types, on the paragraphs
that are relevant in the gold labels (so the event head is judged apart from
the relevance head).  Article tags: micro precision and recall of predicted
tags against gold tags, where an event is a gold tag when it covers at least
``tag_min_share`` of the article's relevant paragraphs.

Baselines: keep-everything for relevance, the majority training event for
events, and that one event as the only tag of every article.

Each metric is one small function here; :func:`evaluate` gathers them.
:func:`evaluate_model` is ``autoclass evaluate``: it reads label files and
folders of any layout, prints the figures and writes ``evaluation.json``,
``evaluation.md`` and the HTML report (:mod:`autoclass.training.report`, with
a learning curve from :mod:`autoclass.training.crossval` when asked) where it
is told, never into the model's directory unless told so.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from autoclass.article import Article
from autoclass.errors import MissingExtraError
from autoclass.labels import Pages, checked_records, label_paths, pages_from_records, scan_article_ids
from autoclass.model import Model
from autoclass.training.provenance import display_path, recorded_training_files


def gold_tags(relevant: list[bool], events: list[str | None], min_share: float) -> set[str]:
    kept = [e for r, e in zip(relevant, events) if r and e]
    if not kept:
        return set()
    counts = Counter(kept)
    return {e for e, c in counts.items() if c / len(kept) >= min_share}


def _relevance_metrics(gold: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    p, r, f, _ = precision_recall_fscore_support(gold, pred, average="binary", zero_division=0)
    return {
        "precision": float(p),
        "recall": float(r),
        "f1": float(f),
        "macro_f1": float(f1_score(gold, pred, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(gold, pred)),
    }


def _calibration(gold: np.ndarray, prob: np.ndarray, bins: int = 10) -> dict[str, Any]:
    """Reliability of the relevance probability: per bin, mean probability vs. share relevant."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(prob, edges) - 1, 0, bins - 1)
    table, ece = [], 0.0
    for k in range(bins):
        inside = which == k
        if inside.any():
            mean_p, share = float(prob[inside].mean()), float(gold[inside].mean())
            ece += inside.mean() * abs(mean_p - share)
            table.append(
                {
                    "bin": f"{edges[k]:.1f}-{edges[k + 1]:.1f}",
                    "n": int(inside.sum()),
                    "mean_probability": mean_p,
                    "share_relevant": share,
                }
            )
    return {"expected_calibration_error": float(ece), "bins": table}


def _event_metrics(gold: list[str], pred: list[str], labels: Sequence[str]) -> dict[str, Any]:
    """Event metrics over the types in ``labels`` (the model's taxonomy), on gold-relevant paragraphs.

    The macro-F1 is the mean over the types the gold labels hold (a type no
    line holds has no recall to measure); ``per_class`` also lists, with
    support 0, the types only predicted: their precision is 0.  Pages with no
    relevant line (off-topic pages alone) have no event to score: accuracy and
    macro-F1 are ``None``.
    """
    if not gold:
        return {
            "accuracy": None,
            "macro_f1": None,
            "per_class": {},
            "confusion": {"labels": list(labels), "matrix": []},
        }
    present = [e for e in labels if e in set(gold)]
    listed = [e for e in labels if e in set(gold) | set(pred)]
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=listed, zero_division=0)
    return {
        "accuracy": float(accuracy_score(gold, pred)),
        "macro_f1": float(np.mean([f[listed.index(e)] for e in present])),
        "per_class": {
            e: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
            for i, e in enumerate(listed)
        },
        "confusion": {
            "labels": list(labels),
            "matrix": confusion_matrix(gold, pred, labels=list(labels)).tolist(),
        },
    }


def _tag_metrics(gold: list[set[str]], pred: list[list[str]]) -> dict[str, float]:
    """Micro precision/recall of tags; ``pred`` lists each article's tags, main one first."""
    tp = sum(len(g & set(p)) for g, p in zip(gold, pred))
    n_pred, n_gold = sum(map(len, pred)), sum(map(len, gold))
    main_hits = [bool(p) and p[0] in g for g, p in zip(gold, pred) if g]
    return {
        "precision": tp / n_pred if n_pred else 0.0,
        "recall": tp / n_gold if n_gold else 0.0,
        "main_event_in_gold_tags": float(np.mean(main_hits)) if main_hits else 0.0,
    }


def _body_metrics(pages: Pages, articles: list[Article]) -> dict[str, float] | None:
    """Relevance metrics of the ``body`` output, on the lines whose gold ``body`` is known."""
    if pages.body is None:
        return None
    gold, pred = [], []
    for a, body in zip(articles, pages.body):
        for p, b in zip(a.paragraphs, body):
            if b is not None:
                gold.append(b)
                pred.append(p.relevant or p.body >= a.threshold)
    # Labels without the field still know body for their relevant lines (relevant implies body):
    # with no line known to be outside the body, the F1 would be recall alone, named F1.
    if all(gold):
        return None
    return {**_relevance_metrics(np.array(gold), np.array(pred)), "paragraphs": len(gold)}


def page_metrics(pages: Pages, articles: list[Article]) -> dict[str, float]:
    """What a user sees per page: the article lost, the page clean, the main event right.

    - ``article_lost``: share of pages with an automotive story whose every
      relevant line was dropped;
    - ``clean``: share of all pages with at least 90% of the relevant lines
      kept and no line kept that is not relevant (a page without a story:
      nothing kept);
    - ``main_event_right``: share of pages with a story whose predicted main
      event is the most frequent gold event (any of them, on a tie);
    - ``offtopic_empty`` of ``offtopic_pages``: pages without an automotive
      story on which nothing is kept.
    """
    lost, clean, main_right, empty, n_story, n_off = 0, 0, 0, 0, 0, 0
    for a, relevant, events in zip(articles, pages.relevant, pages.events):
        kept = [p.relevant for p in a.paragraphs]
        hits = sum(k and r for k, r in zip(kept, relevant))
        extra = sum(k and not r for k, r in zip(kept, relevant))
        n_gold = sum(relevant)
        if n_gold:
            n_story += 1
            lost += hits == 0
            clean += hits >= 0.9 * n_gold and extra == 0
            counts = Counter(e for e in events if e)
            top = max(counts.values())
            main_right += counts.get(a.main_event, 0) == top
        else:
            n_off += 1
            empty += not any(kept)
            clean += not any(kept)
    n = len(pages)
    return {
        "article_lost": lost / n_story if n_story else 0.0,
        "clean": clean / n if n else 0.0,
        "main_event_right": main_right / n_story if n_story else 0.0,
        "offtopic_empty": empty,
        "offtopic_pages": n_off,
        "story_pages": n_story,
    }


def evaluate(model: Model, pages: Pages, *, majority_event: str) -> dict[str, Any]:
    """Metrics of ``model`` and of the baselines on labeled ``pages``."""
    return evaluate_with_predictions(model, pages, majority_event=majority_event)[0]


def evaluate_with_predictions(
    model: Model, pages: Pages, *, majority_event: str
) -> tuple[dict[str, Any], list[Article]]:
    """Like :func:`evaluate`, and also the predicted articles, one per page (for the report)."""
    articles = model.predict_pages(pages.texts)
    gold_rel = np.array([r for page in pages.relevant for r in page], dtype=bool)
    pred_rel = np.array([p.relevant for a in articles for p in a.paragraphs], dtype=bool)
    prob_rel = np.array([p.relevance for a in articles for p in a.paragraphs], dtype=float)
    gold_ev, pred_ev = [], []
    for a, rel, evs in zip(articles, pages.relevant, pages.events):
        for p, r, e in zip(a.paragraphs, rel, evs):
            if r:
                gold_ev.append(e)
                pred_ev.append(max(p.event_scores, key=p.event_scores.get))
    share = model.tag_min_share
    g_tags = [gold_tags(r, e, share) for r, e in zip(pages.relevant, pages.events)]
    # The main event first: the tags are ordered by weight, and the main event (the headline and
    # lead weighed more) is not always the largest.
    p_tags = [sorted(a.tags, key=lambda tag, main=a.main_event: tag != main) for a in articles]
    results = {
        "pages": len(pages),
        "paragraphs": pages.n_paragraphs,
        "relevant_paragraphs": int(gold_rel.sum()),
        "model": {
            "relevance": _relevance_metrics(gold_rel, pred_rel),
            "calibration": _calibration(gold_rel, prob_rel),
            "event": _event_metrics(gold_ev, pred_ev, model.event_types),
            "tags": _tag_metrics(g_tags, p_tags),
            "pages": page_metrics(pages, articles),
            "body": _body_metrics(pages, articles),
        },
        "baseline": {
            "relevance": _relevance_metrics(gold_rel, np.ones_like(gold_rel)),
            "event": _event_metrics(gold_ev, [majority_event] * len(gold_ev), model.event_types),
            "tags": _tag_metrics(g_tags, [[majority_event] for _ in g_tags]),
        },
    }
    return results, articles


@dataclass(frozen=True)
class EvaluatedSet:
    """One labeled set with the model's predicted articles and the metrics.

    Attributes
    ----------
    pages : Pages
        The gold labels.
    articles : list of Article
        The model's reading of each page, in the order of ``pages``.
    results : dict
        What :func:`evaluate` returns for these pages.
    source : list of pathlib.Path
        The label files the pages were read from.
    """

    pages: Pages
    articles: list[Article]
    results: dict[str, Any]
    source: list[Path]


def render_markdown(results: dict[str, dict[str, Any]]) -> str:
    """A Markdown report of one or more evaluations (held-out, seeds)."""
    out = []
    for name, res in results.items():
        m, b = res["model"], res["baseline"]
        out.append(
            f"### {name}: {res['pages']} pages, {res['paragraphs']} paragraphs "
            f"({res['relevant_paragraphs']} relevant)\n"
        )
        if res.get("pages_trained_on"):
            out.append(f"**Not held-out:** {trained_on_note(name, res)}.\n")
        out.append("| metric | autoclass | baseline |")
        out.append("|---|---|---|")
        rows = [
            ("relevance precision", m["relevance"]["precision"], b["relevance"]["precision"]),
            ("relevance recall", m["relevance"]["recall"], b["relevance"]["recall"]),
            ("relevance F1", m["relevance"]["f1"], b["relevance"]["f1"]),
            ("relevance macro-F1", m["relevance"]["macro_f1"], b["relevance"]["macro_f1"]),
            ("event accuracy", m["event"]["accuracy"], b["event"]["accuracy"]),
            ("event macro-F1", m["event"]["macro_f1"], b["event"]["macro_f1"]),
            ("tag precision", m["tags"]["precision"], b["tags"]["precision"]),
            ("tag recall", m["tags"]["recall"], b["tags"]["recall"]),
            (
                "main event in gold tags",
                m["tags"]["main_event_in_gold_tags"],
                b["tags"]["main_event_in_gold_tags"],
            ),
        ]
        out += [f"| {k} | {score(v)} | {score(w)} |" for k, v, w in rows]
        pm = m["pages"]
        out.append(f"| pages: article lost entirely | {pm['article_lost']:.3f} | |")
        out.append(f"| pages: clean (>= 90% kept, nothing extra) | {pm['clean']:.3f} | |")
        out.append(f"| pages: main event right | {pm['main_event_right']:.3f} | |")
        out.append(
            f"| pages without a story left empty | {pm['offtopic_empty']} of {pm['offtopic_pages']} | |"
        )
        if m.get("body"):
            out.append(
                f"| body F1 ({m['body']['paragraphs']} lines with a gold body) | {m['body']['f1']:.3f} | |"
            )
        out.append("\nBaseline: keep every paragraph; majority training event; that event as the only tag.\n")
        cal = m["calibration"]
        out.append(
            f"Relevance calibration: expected calibration error {cal['expected_calibration_error']:.3f}\n"
        )
        out.append("| probability | paragraphs | mean probability | share relevant |")
        out.append("|---|---|---|---|")
        out += [
            f"| {b['bin']} | {b['n']} | {b['mean_probability']:.3f} | {b['share_relevant']:.3f} |"
            for b in cal["bins"]
        ]
        out.append("")
        out.append("| event | precision | recall | F1 | support |")
        out.append("|---|---|---|---|---|")
        for e, s in m["event"]["per_class"].items():
            out.append(f"| {e} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} |")
        conf = m["event"]["confusion"]
        if conf["matrix"]:
            short = column_names(conf["labels"])
            out.append("\nConfusion (rows gold, columns predicted):\n")
            out.append("| gold \\ pred | " + " | ".join(short) + " |")
            out.append("|---" * (len(short) + 1) + "|")
            for e, row in zip(conf["labels"], conf["matrix"]):
                out.append(f"| {e} | " + " | ".join(str(x) for x in row) + " |")
        out.append("")
    return "\n".join(out)


def score(value: float | None) -> str:
    """A figure as printed: three decimals, or "n/a" where it has nothing to measure (``None``)."""
    return "n/a" if value is None else f"{value:.3f}"


def column_names(labels: Sequence[str], shortest: int = 5) -> list[str]:
    """The labels cut to one length, at least ``shortest``, at which they still differ.

    Examples
    --------
    >>> column_names(["partnership", "investment", "other"])
    ['partn', 'inves', 'other']
    >>> column_names(["plant_open", "plant_close", "earnings"])
    ['plant_o', 'plant_c', 'earning']
    """
    n = shortest
    while len({label[:n] for label in labels}) < len(set(labels)):
        n += 1
    return [label[:n] for label in labels]


def summary_line(name: str, res: dict[str, Any]) -> str:
    m = res["model"]
    return (
        f"{name}: relevance F1 {m['relevance']['f1']:.3f} (macro {m['relevance']['macro_f1']:.3f}), "
        f"event macro-F1 {score(m['event']['macro_f1'])}, event accuracy {score(m['event']['accuracy'])}, "
        f"tags P/R {m['tags']['precision']:.3f}/{m['tags']['recall']:.3f}; "
        + page_summary(m)
        + f" [{res['pages']} pages, {res['paragraphs']} paragraphs]"
    )


def page_summary(m: dict[str, Any]) -> str:
    """The page-level figures of a model's metrics in one phrase."""
    pm = m.get("pages")
    if not pm:
        return ""
    body = f", body F1 {m['body']['f1']:.3f}" if m.get("body") else ""
    return (
        f"pages: lost {pm['article_lost']:.3f}, clean {pm['clean']:.3f}, "
        f"main event {pm['main_event_right']:.3f}, empty {pm['offtopic_empty']}/{pm['offtopic_pages']}" + body
    )


def read_pages(
    paths: Sequence[str | Path], *, events: Sequence[str], against: str = ""
) -> tuple[Pages, list[Path]]:
    """Labeled pages from files and folders of any layout, checked against the taxonomy ``events``."""
    files = label_paths(paths)
    return pages_from_records(
        checked_records(files, events=events, against=against), event_types=events
    ), files


def evaluate_sets(model: Model, sets: dict[str, Sequence[str | Path] | Pages]) -> dict[str, EvaluatedSet]:
    """Each named set of label files and folders (or of pages already read), evaluated, with predictions."""
    majority = model.metadata.get("majority_event") or model.event_types[0]
    out = {}
    for name, paths in sets.items():
        if isinstance(paths, Pages):  # pages built in memory (HTML renderings): no files
            pages, files = paths, []
        else:
            own = "the model's own: labels of other types need a model trained on them (autoclass train)"
            pages, files = read_pages(paths, events=model.event_types, against=own)
        results, articles = evaluate_with_predictions(model, pages, majority_event=majority)
        out[name] = EvaluatedSet(pages, articles, results, files)
    return out


def trained_on(model: Model, evaluated: dict[str, EvaluatedSet]) -> dict[str, int]:
    """Per evaluated set, how many of its pages the model was trained on, where any.

    Read off the model's training files when they are at hand (the metadata
    names them); `autoclass train --heldout` refuses such pages, `evaluate`
    names them.
    """
    files = [f for f in recorded_training_files(model.metadata) if f.is_file()]
    if not files:
        return {}
    trained = scan_article_ids(files)
    counts = {name: sum(i in trained for i in s.pages.ids) for name, s in evaluated.items() if s.source}
    return {name: n for name, n in counts.items() if n}


def trained_on_note(name: str, results: dict[str, Any]) -> str:
    """What a set's ``pages_trained_on`` says, for the terminal, ``evaluation.md`` and the report."""
    return (
        f"{results['pages_trained_on']} of the {results['pages']} pages of '{name}' are pages the model "
        "was trained on (the same article ids as its training files)"
    )


def _shipped(model: Model) -> bool:
    from autoclass.persistence import shipped_model_dir

    return model.path is not None and Path(model.path).resolve() == shipped_model_dir().resolve()


def evaluate_all(model: Model, sets: dict[str, Sequence[str | Path] | Pages]) -> dict[str, dict[str, Any]]:
    """The metrics of each named set of label files and folders."""
    return {name: s.results for name, s in evaluate_sets(model, sets).items()}


# What an evaluation writes into a folder (a model's, with --force or by `autoclass train`).
EVALUATION_JSON = "evaluation.json"
EVALUATION_MD = "evaluation.md"
REPORT = "report.html"
#: Results of an article-extraction benchmark on HTML pages, in the model's directory.
HTML_BENCHMARK = "html-benchmark.json"


def write_reports(out_dir: Path, results: dict[str, dict[str, Any]], *, heading: str = "") -> None:
    """``evaluation.json`` and ``evaluation.md`` in ``out_dir``; ``heading`` follows the title."""
    (out_dir / EVALUATION_JSON).write_text(json.dumps(results, indent=2) + "\n")
    (out_dir / EVALUATION_MD).write_text("# Evaluation\n\n" + heading + render_markdown(results))


def with_sources(model: Model, evaluated: dict[str, EvaluatedSet]) -> tuple[dict[str, dict[str, Any]], str]:
    """The results, each with what was evaluated on what (``source``), and the same as Markdown.

    An evaluation folder written by ``autoclass evaluate`` names the model and
    the label files: two evaluations compared side by side say which is which.
    """
    sha = model.metadata.get("artifact_sha256")
    about = {"model": str(model.path) if model.path else None, "model_sha256": sha}
    named = f"`{about['model']}`" if model.path else "not saved to a folder"
    results, lines = {}, [f"Model {named} (artifact sha256 {sha or 'unknown'})."]
    for name, s in evaluated.items():
        labels = [display_path(p) for p in s.source]
        results[name] = {**s.results, "source": {**about, "labels": labels}}
        if labels:
            lines.append(f"Labels of '{name}': " + ", ".join(f"`{label}`" for label in labels) + ".")
    return results, "\n\n".join(lines) + "\n\n"


def evaluate_model(
    model: Model,
    sets: dict[str, Sequence[str | Path] | Pages],
    *,
    out_dir: Path | None = None,
    report: bool = True,
    learning_curve: bool = False,
    say: Callable[[str], None] = print,
) -> dict[str, EvaluatedSet]:
    """What ``autoclass evaluate`` does: metrics of ``model`` on labeled sets, and where told, the reports.

    Parameters
    ----------
    model : Model
        The model to evaluate.
    sets : dict of str to sequence of path
        Named sets of label files and folders; the first is the main one
        (the report's figures and error analysis, the learning curve).
    out_dir : pathlib.Path, optional
        Where ``evaluation.json``, ``evaluation.md`` and ``report.html`` go
        (created if needed); nothing is written without it.
    report : bool
        Write ``report.html`` (needs the ``report`` extra; skipped with a
        line saying so without it).
    learning_curve : bool
        Refit the model's config on shares of its training data and score
        each on the main set (cached in ``out_dir``); skipped with a line
        saying why when the training files are gone or too few.
    say : callable
        Where progress and figures are printed.

    Returns
    -------
    dict of str to EvaluatedSet
    """
    evaluated = evaluate_sets(model, sets)
    results = {name: s.results for name, s in evaluated.items()}
    recorded = recorded_training_files(model.metadata)
    if any(not f.is_file() for f in recorded) and not _shipped(model):
        # The shipped model's training pages are ours: a user's labels cannot hold them.
        say(
            "note: the model's training files are not all here, so pages it was trained on cannot be "
            "named: make sure the sets evaluated hold none"
        )
    for name, shared in trained_on(model, evaluated).items():
        # In the results too: the files written are what is shared, not this terminal's lines.
        evaluated[name].results["pages_trained_on"] = shared
        say(f"warning: {trained_on_note(name, evaluated[name].results)}: its figures are not held-out")
    say(render_markdown(results))
    for name, res in results.items():
        say(summary_line(name, res))
    main = next(iter(evaluated.values()))
    curve = None
    if learning_curve:
        from autoclass.training.crossval import model_learning_curve

        curve = model_learning_curve(model, main, cache_dir=out_dir, say=say)
    if out_dir is None:
        return evaluated
    out_dir.mkdir(parents=True, exist_ok=True)
    written, heading = with_sources(model, evaluated)
    write_reports(out_dir, written, heading=heading)
    say(f"wrote {out_dir / 'evaluation.md'} and {out_dir / 'evaluation.json'}")
    build_report = None
    if report:
        try:
            from autoclass.training.report import build_report
        except ImportError:
            say(f"no report.html: {MissingExtraError('the HTML report', 'report')}")
    stale = out_dir / REPORT
    if build_report is None and stale.is_file():
        # An earlier evaluation's report beside this one's figures read as theirs.
        stale.unlink()
        say(f"removed {stale}: an earlier evaluation's report")
    if build_report is not None:
        name, others = next(iter(evaluated)), dict(list(evaluated.items())[1:])
        cv = model.metadata.get("cross_validation")
        path = build_report(
            main, model=model, out_dir=out_dir, name=name, others=others, curve=curve, cross_validation=cv
        )
        say(f"report: {path}\n        {path.as_uri()}")
    return evaluated
