"""The evaluation report: one self-contained HTML file with its figures embedded.

``autoclass evaluate MODEL LABELS -o DIR`` writes ``report.html`` into
``DIR``: a summary table (held-out and any other sets, baselines,
cross-validation), the confusion matrix of the model's event types
of event types, per-class scores beside the baseline's, the relevance
precision-recall curve and calibration, the learning curve, the most
confused pairs of types with example paragraphs, and the worst held-out
articles paragraph by paragraph.  When the model's directory holds an
HTML benchmark's results (``html-benchmark.json``, which the repository's
``make eval-html`` writes), they are shown beside the summary.

Figures are drawn with matplotlib's Agg canvas (no display, no pyplot
state) and embedded as ``data:`` PNG URIs; the page is plain HTML with
inline CSS, so it opens from disk in any browser, without a server or
JavaScript.  Every piece of page text is escaped: it is scraped web text.

matplotlib is the optional ``report`` extra; only ``training`` imports it,
never the prediction path.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from sklearn.metrics import precision_recall_curve

from autoclass.labels import read_records
from autoclass.model import Model
from autoclass.training.evaluate import HTML_BENCHMARK, REPORT, EvaluatedSet, score, trained_on_note
from autoclass.training.provenance import display_path

ERROR_BG = "#fbd5d5"
MODEL_COLOUR, BASELINE_COLOUR = "#1f5fa8", "#b9b9b9"


@dataclass(frozen=True)
class Row:
    """One held-out paragraph with its gold labels and the model's reading."""

    page: int
    position: int
    text: str
    location: str
    gold_relevant: bool
    gold_event: str | None
    relevance: float
    predicted_relevant: bool
    predicted_event: str
    scores: dict[str, float]

    @property
    def relevance_error(self) -> bool:
        return self.gold_relevant != self.predicted_relevant

    @property
    def event_error(self) -> bool:
        # As in the event metrics: judged on gold-relevant paragraphs, whatever the relevance head says.
        return self.gold_relevant and self.predicted_event != self.gold_event

    @property
    def error(self) -> bool:
        return self.relevance_error or self.event_error


def paragraph_locations(files: list[Path], events: tuple[str, ...]) -> dict[str, list[str]]:
    """``file:line`` of every labeled paragraph, by article id, in position order."""
    out: dict[str, dict[int, str]] = {}
    for r in read_records(files, events=events):
        out.setdefault(r["article_id"], {})[r["position"]] = (
            f"{display_path(Path(r['source_file']))}:{r['line']}"
        )
    return {aid: [where[i] for i in sorted(where)] for aid, where in out.items()}


def paragraph_rows(
    evaluated: EvaluatedSet, *, locations: dict[str, list[str]] | None = None
) -> list[list[Row]]:
    """Gold and predicted labels of every paragraph, page by page."""
    locations = locations or {}
    pages = evaluated.pages
    out = []
    for k, (aid, article) in enumerate(zip(pages.ids, evaluated.articles)):
        where = locations.get(aid, [])
        rows = []
        for p, rel, ev in zip(article.paragraphs, pages.relevant[k], pages.events[k]):
            scores = p.event_scores
            rows.append(
                Row(
                    page=k,
                    position=p.position,
                    text=p.text,
                    location=where[p.position] if p.position < len(where) else "",
                    gold_relevant=rel,
                    gold_event=ev,
                    relevance=p.relevance,
                    predicted_relevant=p.relevant,
                    predicted_event=max(scores, key=scores.get),
                    scores=scores,
                )
            )
        out.append(rows)
    return out


def confused_pairs(
    rows: list[list[Row]], *, top: int = 8, examples: int = 3
) -> list[tuple[str, str, int, list[Row]]]:
    """The ``top`` most frequent (gold, predicted) event confusions with example paragraphs.

    Examples are the paragraphs the model was surest of the wrong type about.
    """
    wrong = [r for page in rows for r in page if r.event_error]
    counts = Counter((r.gold_event, r.predicted_event) for r in wrong)
    out = []
    for (gold, pred), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        cases = [r for r in wrong if (r.gold_event, r.predicted_event) == (gold, pred)]
        cases.sort(key=lambda r: -r.scores[pred])
        distinct: dict[str, Row] = {}  # pages repeat lines: show each text once
        for r in cases:
            distinct.setdefault(r.text, r)
        out.append((gold, pred, n, list(distinct.values())[:examples]))
    return out


def worst_articles(rows: list[list[Row]], *, top: int = 5, min_paragraphs: int = 8) -> list[list[Row]]:
    """The pages with the highest share of wrong paragraphs (ties: more errors first)."""
    sized = [page for page in rows if len(page) >= min_paragraphs] or rows
    scored = [(sum(r.error for r in page), len(page), page) for page in sized]
    scored = [s for s in scored if s[0]]
    scored.sort(key=lambda s: (-s[0] / s[1], -s[0], s[2][0].page if s[2] else 0))
    return [page for _, _, page in scored[:top]]


# Figures ----------------------------------------------------------------


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def confusion_figure(results: dict[str, Any]) -> bytes:
    conf = results["model"]["event"]["confusion"]
    labels, matrix = conf["labels"], np.asarray(conf["matrix"], dtype=float)
    keep = matrix.sum(axis=1) > 0
    gold_labels = [lab for lab, k in zip(labels, keep) if k]
    norm = matrix[keep] / matrix[keep].sum(axis=1, keepdims=True)
    fig = Figure(figsize=(9, 0.42 * len(gold_labels) + 2.2))
    ax = fig.add_subplot()
    im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i in range(norm.shape[0]):
        for j in range(norm.shape[1]):
            if norm[i, j] >= 0.005:
                ax.text(
                    j,
                    i,
                    f"{norm[i, j]:.2f}".lstrip("0") if norm[i, j] < 1 else "1",
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if norm[i, j] > 0.55 else "black",
                )
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=9)
    ax.set_yticks(range(len(gold_labels)), gold_labels, fontsize=9)
    ax.set_xlabel("predicted event")
    ax.set_ylabel("gold event")
    ax.set_title("Event types on gold-relevant held-out paragraphs (each row sums to 1)", fontsize=10)
    fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02, label="share of the gold row")
    return _png(fig)


def per_class_figure(results: dict[str, Any]) -> bytes:
    model, base = results["model"]["event"]["per_class"], results["baseline"]["event"]["per_class"]
    events = list(model)
    y = np.arange(len(events))
    fig = Figure(figsize=(11, 0.34 * len(events) + 1.8))
    axes = fig.subplots(1, 3, sharey=True)
    for ax, metric in zip(axes, ("precision", "recall", "f1")):
        ax.barh(y - 0.2, [model[e][metric] for e in events], 0.4, color=MODEL_COLOUR, label="autoclass")
        # A type only the model predicts is not in the baseline's list: nothing to draw there.
        ax.barh(
            y + 0.2,
            [base.get(e, {}).get(metric, 0.0) for e in events],
            0.4,
            color=BASELINE_COLOUR,
            label="baseline",
        )
        ax.set_xlim(0, 1)
        ax.set_title(metric.replace("f1", "F1"), fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0].invert_yaxis()  # shared: the first event on top, in every panel
    axes[0].set_yticks(y, [f"{e} ({model[e]['support']})" for e in events], fontsize=9)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.96), ncols=2, fontsize=9)
    fig.suptitle("Per-class scores on held-out paragraphs (support in brackets)", fontsize=10, y=1.0)
    return _png(fig)


def pr_figure(rows: list[list[Row]], *, threshold: float) -> bytes:
    gold = np.array([r.gold_relevant for page in rows for r in page], dtype=int)
    prob = np.array([r.relevance for page in rows for r in page])
    if gold.any():
        precision, recall, _ = precision_recall_curve(gold, prob)
    else:  # off-topic pages alone: no recall to trace (scikit-learn would warn and draw a line at 1)
        precision, recall = np.array([0.0]), np.array([np.nan])
    kept = prob >= threshold
    p_at = float(gold[kept].mean()) if kept.any() else 0.0
    r_at = float(kept[gold == 1].mean()) if gold.any() else 0.0
    fig = Figure(figsize=(6.5, 5))
    ax = fig.add_subplot()
    ax.plot(recall, precision, color=MODEL_COLOUR, lw=1.8, label="autoclass")
    ax.plot([r_at], [p_at], "o", color="#c0392b", ms=8, label=f"threshold {threshold:.2f}")
    ax.annotate(
        f"threshold {threshold:.2f}\nP {p_at:.3f}, R {r_at:.3f}",
        (r_at, p_at),
        xytext=(-120, -55),
        textcoords="offset points",
        arrowprops={"arrowstyle": "->", "color": "#555"},
        fontsize=9,
    )
    ax.plot([1], [gold.mean()], "s", color=BASELINE_COLOUR, ms=7, label="keep everything")
    ax.set_xlabel("recall (relevant paragraphs kept)")
    ax.set_ylabel("precision (kept paragraphs that are relevant)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(max(0.0, min(precision.min(), gold.mean()) - 0.05), 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=9)
    ax.set_title("Relevance precision-recall curve, held-out paragraphs", fontsize=10)
    return _png(fig)


def calibration_figure(results: dict[str, Any]) -> bytes:
    cal = results["model"]["calibration"]
    bins = cal["bins"]
    fig = Figure(figsize=(6.5, 5))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], ls="--", color="#888", lw=1, label="perfect calibration")
    x = [b["mean_probability"] for b in bins]
    y = [b["share_relevant"] for b in bins]
    sizes = [20 + 300 * b["n"] / max(b2["n"] for b2 in bins) for b in bins]
    ax.plot(x, y, color=MODEL_COLOUR, lw=1)
    ax.scatter(x, y, s=sizes, color=MODEL_COLOUR, alpha=0.7, label="bins (area: paragraphs)")
    for b, xi, yi in zip(bins, x, y):
        ax.annotate(str(b["n"]), (xi, yi), xytext=(6, -12), textcoords="offset points", fontsize=7.5)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("mean predicted relevance probability")
    ax.set_ylabel("share actually relevant")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    ax.set_title(
        f"Relevance calibration (expected calibration error {cal['expected_calibration_error']:.3f})",
        fontsize=10,
    )
    return _png(fig)


def learning_curve_figure(curve: dict[str, Any], cross_validation: dict[str, Any] | None) -> bytes:
    points = curve["points"]
    pages = [p["pages"] for p in points]
    fig = Figure(figsize=(7.5, 4.6))
    ax = fig.add_subplot()
    for name, label, colour in (
        ("event_macro_f1", "event macro-F1", MODEL_COLOUR),
        ("relevance_f1", "relevance F1", "#d35400"),
    ):
        ys = [np.nan if p[name] is None else p[name] for p in points]  # None: nothing to measure
        ax.plot(pages, ys, "o-", color=colour, label=f"{label}, held-out")
        if cross_validation and cross_validation["metrics"][name]["mean"] is not None:
            m = cross_validation["metrics"][name]
            k = cross_validation["folds"]
            x = pages[-1] * (k - 1) / k
            ax.errorbar(
                [x], [m["mean"]], yerr=[m["std"]], fmt="D", color=colour, mfc="white", capsize=4,
                label=f"{label}, {k}-fold CV on train (mean ± std)",
            )  # fmt: skip
    ax.set_xticks(pages, [f"{p}\n({pt['fraction']:.0%})" for p, pt in zip(pages, points)], fontsize=8)
    ax.set_xlabel("training pages (share of the training data); the last point is the model itself")
    ax.set_ylabel("score")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Learning curve", fontsize=10)
    return _png(fig)


def crossval_figure(cross_validation: dict[str, Any]) -> bytes:
    metrics = cross_validation["metrics"]
    # metadata.json sorts its keys: back to the summary table's order.
    rows = [(label, key) for label, _, key in SUMMARY_ROWS if key in metrics]
    fig = Figure(figsize=(8, 4.2))
    ax = fig.add_subplot()
    for i, (_, name) in enumerate(rows):
        m = metrics[name]
        measured = [v for v in m["folds"] if v is not None]  # a fold of off-topic pages: no event
        ax.scatter([i] * len(measured), measured, color=BASELINE_COLOUR, s=18, zorder=2)
        if m["mean"] is not None:
            ax.errorbar([i], [m["mean"]], yerr=[m["std"]], fmt="o", color=MODEL_COLOUR, capsize=5, zorder=3)
    ax.set_xticks(range(len(rows)), [label for label, _ in rows], rotation=30, ha="right", fontsize=9)
    ax.set_ylabel("score")
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(
        f"{cross_validation['folds']}-fold cross-validation by {cross_validation['grouped_by']} "
        "on the training pages: folds (grey), mean ± std (blue)",
        fontsize=10,
    )
    return _png(fig)


# HTML -------------------------------------------------------------------

CSS = (
    """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       max-width: 1150px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05em; margin-bottom: 0.3em; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #d8d8d8; padding: 3px 7px; vertical-align: top; text-align: left; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.err td { background: """
    + ERROR_BG
    + """; }
td.mark { font-weight: bold; white-space: nowrap; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.88em; color: #555; }
.pair { display: flex; gap: 1em; align-items: flex-start; } .pair figure { flex: 1 1 0; min-width: 0; }
table.article { width: 100%; }
.muted { color: #666; } .text { max-width: 560px; word-wrap: break-word; }
blockquote { margin: 0.4em 0 0.8em; padding: 0.3em 0.8em; border-left: 3px solid #ccc; background: #fafafa; }
"""
)

SUMMARY_ROWS = (
    ("relevance precision", ("relevance", "precision"), "relevance_precision"),
    ("relevance recall", ("relevance", "recall"), "relevance_recall"),
    ("relevance F1", ("relevance", "f1"), "relevance_f1"),
    ("relevance macro-F1", ("relevance", "macro_f1"), "relevance_macro_f1"),
    ("event accuracy", ("event", "accuracy"), "event_accuracy"),
    ("event macro-F1", ("event", "macro_f1"), "event_macro_f1"),
    ("tag precision", ("tags", "precision"), "tag_precision"),
    ("tag recall", ("tags", "recall"), "tag_recall"),
)


def esc(value: object) -> str:
    """``value`` as HTML text (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def _figure(png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _summary_table(sets: dict[str, EvaluatedSet], cross_validation: dict[str, Any] | None) -> str:
    head = "".join(
        f"<th>{esc(name)}: autoclass</th><th>{esc(name)}: baseline</th>" for name in sets
    )  # fmt: skip
    if cross_validation:
        head += f"<th>{cross_validation['folds']}-fold CV on train (mean ± std)</th>"
    body = []
    for label, (head_key, key), cv_key in SUMMARY_ROWS:
        cells = ""
        for s in sets.values():
            m, b = s.results["model"][head_key][key], s.results["baseline"][head_key][key]
            cells += f'<td class="num">{score(m)}</td><td class="num muted">{score(b)}</td>'
        if cross_validation:
            c = cross_validation["metrics"][cv_key]
            mean = "n/a" if c["mean"] is None else f"{c['mean']:.3f} ± {c['std']:.3f}"
            cells += f'<td class="num">{mean}</td>'
        body.append(f"<tr><th>{esc(label)}</th>{cells}</tr>")
    sizes = "; ".join(
        f"{esc(name)}: {_counted(s.results['pages'], 'page')}, "
        f"{_counted(s.results['paragraphs'], 'paragraph')} ({s.results['relevant_paragraphs']} relevant), "
        f"{_counted(len(set(s.pages.sites)), 'site')}"
        for name, s in sets.items()
    )
    return f"<table><tr><th>metric</th>{head}</tr>{''.join(body)}</table><p class='muted'>{sizes}.</p>"


def _html_benchmark_html(bench: dict[str, Any]) -> str:
    """The benchmark's body F1 per split, beside the other tool it was measured with, and speeds."""

    def cell(m: dict[str, float]) -> str:
        return f'<td class="num">{m["f1"]:.3f} ({m["precision"]:.3f} / {m["recall"]:.3f})</td>'

    def as_labeled(row: dict[str, Any]) -> dict[str, float]:
        # Files written before captions were left out name the same figure "autoclass_with_headline".
        return row.get("autoclass_as_labeled") or row["autoclass_with_headline"]

    rows = "".join(
        f"<tr><th>{esc(split)} ({esc(row['autoclass']['pages'])} pages)</th>{cell(row['autoclass'])}"
        f"{cell(as_labeled(row))}{cell(row['trafilatura'])}</tr>"
        for split, row in bench["body"].items()
    )
    speed = bench["pages_per_second"]
    return (
        "<h2>HTML benchmark: article body</h2>"
        "<table><tr><th>pages</th><th>autoclass F1 (P / R)</th><th>as labeled (headline, captions)</th>"
        f"<th>trafilatura F1 (P / R)</th></tr>{rows}</table>"
        "<p class='muted'>4-gram shingles of the extracted body against the benchmark's, precision and "
        "recall averaged over pages; autoclass's body without its headline and figure captions, as "
        "the benchmark's bodies are written. Pages per second on one core: "
        f"autoclass {esc(speed['autoclass'])}, trafilatura "
        f"{esc(speed['trafilatura'])} (ratio {esc(speed['ratio'])}).</p>"
    )


def _pairs_html(pairs: list[tuple[str, str, int, list[Row]]], gold_support: Counter[str]) -> str:
    if not pairs:
        return "<p>No event confusions on the held-out paragraphs.</p>"
    out = ["<table><tr><th>gold</th><th>predicted</th><th>paragraphs</th><th>share of gold</th></tr>"]
    for gold, pred, n, _ in pairs:
        out.append(
            f"<tr><td>{esc(gold)}</td><td>{esc(pred)}</td><td class='num'>{n}</td>"
            f"<td class='num'>{n / gold_support[gold]:.1%}</td></tr>"
        )
    out.append("</table>")
    for gold, pred, n, cases in pairs:
        out.append(f"<h3>gold {esc(gold)} → predicted {esc(pred)} ({_counted(n, 'paragraph')})</h3>")
        for r in cases:
            out.append(
                f"<blockquote><span class='text'>{esc(r.text)}</span><br>"
                f"<span class='muted'>{esc(r.location or f'page {r.page}, paragraph {r.position}')} · "
                f"P(relevant) {r.relevance:.2f} · P({esc(gold)}) {r.scores[gold]:.2f} · "
                f"P({esc(pred)}) {r.scores[pred]:.2f}</span></blockquote>"
            )
    return "\n".join(out)


def _article_html(page: list[Row], *, article_id: str, site: str) -> str:
    errors = sum(r.error for r in page)
    where = ""
    if page and page[0].location and page[-1].location:
        path, first = page[0].location.rsplit(":", 1)
        where = f"{path}, lines {first}–{page[-1].location.rsplit(':', 1)[1]}"
    out = [
        f"<h3>{esc(article_id)} <span class='muted'>({esc(site)}{', ' + esc(where) if where else ''})"
        f": {errors} of {len(page)} paragraphs wrong ({errors / len(page):.0%})</span></h3>",
        "<table class='article'><tr><th>#</th><th>gold</th><th>predicted (P relevant · event)</th>"
        "<th>error</th><th>text</th></tr>",
    ]
    for r in page:
        gold = f"relevant · {r.gold_event}" if r.gold_relevant else "irrelevant"
        if r.predicted_relevant:
            pred = f"{r.relevance:.2f} relevant · {r.predicted_event}"
        elif r.gold_relevant:  # the event head is still judged on gold-relevant paragraphs
            pred = f"{r.relevance:.2f} irrelevant (event {r.predicted_event})"
        else:
            pred = f"{r.relevance:.2f} irrelevant"
        marks = [m for m, bad in (("✗ relevance", r.relevance_error), ("✗ event", r.event_error)) if bad]
        cls = " class='err'" if marks else ""
        out.append(
            f"<tr{cls}><td class='num'>{r.position}</td><td>{esc(gold)}</td><td>{esc(pred)}</td>"
            f"<td class='mark'>{esc(' '.join(marks)) or '✓'}</td><td class='text'>{esc(r.text)}</td></tr>"
        )
    out.append("</table>")
    return "\n".join(out)


def render_report(
    heldout: EvaluatedSet,
    *,
    model: Model,
    name: str = "held-out",
    others: dict[str, EvaluatedSet] | None = None,
    curve: dict[str, Any] | None = None,
    cross_validation: dict[str, Any] | None = None,
    html_benchmark: dict[str, Any] | None = None,
) -> str:
    """The report as one HTML string (see the module docstring for its sections).

    Parameters
    ----------
    heldout : EvaluatedSet
        The held-out pages with the model's predictions; the figures and the
        error analysis use these.
    model : Model
        The evaluated model (its threshold and metadata).
    name : str
        The held-out set's name in the summary table.
    others : dict of str to EvaluatedSet, optional
        Other evaluated sets (the seed pages), for the summary table.
    curve : dict, optional
        What :func:`autoclass.training.crossval.cached_learning_curve` returns; no
        learning-curve figure without it.
    cross_validation : dict, optional
        What :func:`autoclass.training.crossval.cross_validate` returns (``metadata.json``
        holds it after ``autoclass train``).
    html_benchmark : dict, optional
        What ``training.eval_html.evaluate_html`` returns; shown after the summary.

    Returns
    -------
    str
        A complete HTML document with every figure embedded.
    """
    res = heldout.results
    rows = paragraph_rows(heldout, locations=paragraph_locations(heldout.source, model.event_types))
    sets = {name: heldout, **(others or {})}
    meta = model.metadata
    data = meta.get("training_data", {})
    threshold = model.threshold
    gold_support = Counter(r.gold_event for page in rows for r in page if r.gold_relevant)

    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>autoclass evaluation: {esc(model.path or 'model')}</title><style>{CSS}</style></head><body>",
        "<h1>autoclass evaluation</h1>",
        f"<p class='muted'>Model <code>{esc(model.path or '')}</code>, trained on "
        f"{esc(data.get('pages', '?'))} pages / {esc(data.get('paragraphs', '?'))} paragraphs "
        f"(training data sha256 <code>{esc(str(data.get('sha256', '?'))[:16])}…</code>); "
        f"relevance threshold {threshold:.2f}. "
        f"Event types: {esc(', '.join(model.event_types))}.</p>",
        "<h2>Summary</h2>",
        *(
            f"<p><b>Not held-out:</b> {esc(trained_on_note(set_name, s.results))}.</p>"
            for set_name, s in sets.items()
            if s.results.get("pages_trained_on")
        ),
        _summary_table(sets, cross_validation),
        "<p class='muted'>Baseline: keep every paragraph; the majority training event "
        f"({esc(meta.get('majority_event', '?'))}) for every paragraph; that event as the only tag.</p>",
    ]
    if cross_validation is None:
        parts.append(
            "<p class='muted'>No cross-validation in this model's metadata: "
            "<code>autoclass train</code> (without <code>--no-crossval</code>, on pages of two sites "
            "or more) adds it.</p>"
        )
    else:
        parts.append(
            _figure(
                crossval_figure(cross_validation),
                "cross-validation per fold",
                f"Each metric in the {cross_validation['folds']} folds (whole sites held out in each), "
                "their mean and sample standard deviation.",
            )
        )
    if html_benchmark:
        parts.append(_html_benchmark_html(html_benchmark))
    if res["model"]["event"]["confusion"]["matrix"]:
        parts += [
            "<h2>Event types: confusion matrix</h2>",
            _figure(
                confusion_figure(res),
                "normalized confusion matrix of event types",
                "Rows: gold event of gold-relevant held-out paragraphs; columns: the model's most probable "
                "event; each row normalized to 1 (blank cells: under 0.5%).",
            ),
            "<h2>Event types: per-class precision, recall and F1</h2>",
            _figure(
                per_class_figure(res),
                "per-class precision, recall and F1 beside the baseline",
                "Blue: autoclass; grey: the majority-event baseline (non-zero only for its event).",
            ),
        ]
    else:
        parts.append(
            "<h2>Event types</h2>"
            "<p class='muted'>No relevant paragraph in these pages: no event to score.</p>"
        )
    parts += [
        "<h2>Relevance</h2>",
        "<div class='pair'>",
        _figure(
            pr_figure(rows, threshold=threshold),
            "relevance precision-recall curve with the threshold marked",
            f"The curve over every threshold; red: the model's threshold {threshold:.2f}; "
            "grey square: keep everything.",
        ),
        _figure(
            calibration_figure(res),
            "relevance calibration",
            "Mean predicted probability against the share of relevant paragraphs, per 0.1 bin.",
        ),
        "</div>",
        "<h2>Learning curve</h2>",
    ]
    if curve:
        parts.append(
            _figure(
                learning_curve_figure(curve, cross_validation),
                "learning curve",
                "Held-out scores of models refitted on nested random shares of the training pages "
                f"(seed {meta.get('config', {}).get('seed', 0)}); the last point is the model evaluated "
                "here.",
            )
        )
    else:
        parts.append(
            "<p class='muted'>Not computed (<code>autoclass evaluate --learning-curve</code> computes it "
            "when the model's training files are at hand).</p>"
        )
    parts += [
        "<h2>Most confused event types</h2>",
        "<p>Gold-relevant held-out paragraphs whose most probable event is not the gold one, by pair; "
        "the examples are those the model was surest about.</p>",
        _pairs_html(confused_pairs(rows), gold_support),
        "<h2>Worst held-out articles</h2>",
        "<p>The pages (8 paragraphs or more) with the highest share of wrong paragraphs. "
        "A paragraph is wrong when its relevance is wrong (<b>✗ relevance</b>) or, when it is "
        "relevant in the gold labels, when its most probable event is not the gold one (<b>✗ event</b>); "
        "wrong rows are also shaded.</p>",
    ]
    worst = worst_articles(rows)
    for page in worst:
        k = page[0].page
        parts.append(_article_html(page, article_id=heldout.pages.ids[k], site=heldout.pages.sites[k]))
    if not worst:
        parts.append("<p class='muted'>None: no page of 8 paragraphs or more has a wrong paragraph.</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def build_report(
    heldout: EvaluatedSet,
    *,
    model: Model,
    out_dir: Path,
    name: str = "held-out",
    others: dict[str, EvaluatedSet] | None = None,
    curve: dict[str, Any] | None = None,
    cross_validation: dict[str, Any] | None = None,
) -> Path:
    """Write ``report.html`` into ``out_dir``; return its path."""
    target = Path(out_dir) / REPORT
    bench = Path(model.path) / HTML_BENCHMARK if model.path is not None else None
    html_text = render_report(
        heldout,
        model=model,
        name=name,
        others=others,
        curve=curve,
        cross_validation=cross_validation,
        html_benchmark=json.loads(bench.read_text(encoding="utf-8")) if bench and bench.is_file() else None,
    )
    target.write_text(html_text, encoding="utf-8")
    return target.resolve()
