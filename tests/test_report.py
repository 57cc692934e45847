"""The HTML evaluation report: its pieces, its escaping, and how a browser renders it."""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autoclass.labels import Pages
from autoclass.training.crossval import HEADLINE
from autoclass.training.evaluate import EvaluatedSet, evaluate_sets, evaluate_with_predictions
from autoclass.training.report import (
    REPORT,
    Row,
    build_report,
    confused_pairs,
    esc,
    render_report,
    worst_articles,
)
from tests.conftest import CHROMIUM_FLAGS, TINY_PAGES, chromium_or_skip

SCRIPT_TEXT = "<script>document.body.setAttribute('data-pwned', 'yes')</script> & \"quotes\""

# Appended to a copy of the report only: the report itself has no JavaScript.
PROBE = """<script>
window.addEventListener('load', function () {
  document.querySelectorAll('img').forEach(function (img) {
    img.setAttribute('data-test-loaded', String(img.complete && img.naturalWidth > 0));
  });
  document.body.setAttribute('data-test-done', 'yes');
});
</script>"""


def row(page, position, gold_rel, gold_ev, pred_rel, pred_ev, text="t"):
    scores = {e: 0.0 for e in ("sales", "trade", "recall")}
    scores[pred_ev] = 0.9
    return Row(
        page, position, text, "", gold_rel, gold_ev, 0.9 if pred_rel else 0.1, pred_rel, pred_ev, scores
    )


def test_errors_follow_the_metrics_definitions():
    assert row(0, 0, True, "sales", False, "sales").relevance_error
    assert not row(0, 0, True, "sales", False, "sales").event_error  # event judged apart from relevance
    assert row(0, 0, True, "sales", True, "trade").event_error
    assert not row(0, 0, False, None, False, "trade").error  # no event for irrelevant paragraphs


def test_confused_pairs_by_count_with_distinct_examples():
    rows = [
        [
            row(0, 0, True, "sales", True, "trade", "a"),
            row(0, 1, True, "sales", True, "trade", "a"),  # a repeated line: one example
            row(0, 2, True, "sales", True, "trade", "b"),
            row(0, 3, True, "recall", True, "sales", "c"),
            row(0, 4, True, "recall", True, "recall", "d"),
        ]
    ]
    pairs = confused_pairs(rows)
    assert [(g, p, n) for g, p, n, _ in pairs] == [("sales", "trade", 3), ("recall", "sales", 1)]
    assert [r.text for r in pairs[0][3]] == ["a", "b"]


def test_worst_articles_by_error_rate_with_a_minimum_size():
    good = [row(0, i, True, "sales", True, "sales") for i in range(10)]
    half = [row(1, i, True, "sales", i < 5, "sales") for i in range(10)]
    tiny = [row(2, i, True, "sales", False, "sales") for i in range(3)]  # all wrong, but too short
    most = [row(3, i, True, "sales", True, "trade" if i < 9 else "sales") for i in range(10)]
    worst = worst_articles([good, half, tiny, most], top=5, min_paragraphs=8)
    assert [page[0].page for page in worst] == [3, 1]  # error-free pages are left out


def test_esc_escapes_markup_and_quotes():
    assert esc('<b a="1">&') == "&lt;b a=&quot;1&quot;&gt;&amp;"


def _labeled_file(path: Path, pages: list[list[tuple[str, bool, str | None]]]) -> Path:
    with open(path, "w") as f:
        for k, page in enumerate(pages):
            for i, (text, rel, ev) in enumerate(page):
                record = {
                    "article_id": f"tiny-{k}",
                    "position": i,
                    "text": text,
                    "relevant": rel,
                    "event": ev,
                }
                f.write(json.dumps({**record, "site": f"site-{k % 3}"}) + "\n")
    return path


def test_page_text_is_escaped(tmp_path, tiny_model):
    from autoclass.training.data import load_pages

    pages = [list(p) for p in TINY_PAGES]
    pages[0].insert(1, (SCRIPT_TEXT, True, "recall"))
    # Gold labels that contradict the model on the first page, so that it is among the worst articles.
    predicted = tiny_model.predict_pages([[t for t, _, _ in pages[0]]])[0]
    pages[0] = [
        (t, not p.relevant, None if p.relevant else "recall")
        for (t, _, _), p in zip(pages[0], predicted.paragraphs)
    ]
    source = _labeled_file(tmp_path / "tiny.jsonl", pages)
    labeled = load_pages(source)
    results, articles = evaluate_with_predictions(tiny_model, labeled, majority_event="sales")
    text = render_report(EvaluatedSet(labeled, articles, results, [source]), model=tiny_model)
    assert "<script" not in text  # the report has no script of its own, and the page's shows as text
    assert esc(SCRIPT_TEXT) in text
    assert "tiny.jsonl, lines 1–8" in text  # where the worst article is


def test_a_set_without_errors_says_so_and_counts_in_the_singular(tmp_path, tiny_model):
    # An empty "Worst held-out articles" section, "1 sites" and "(1 paragraphs)" looked broken.
    from autoclass.training.data import load_pages

    predicted = tiny_model.predict_pages([[t for t, _, _ in TINY_PAGES[0]]])[0]
    page = [(p.text, p.relevant, p.event if p.relevant else None) for p in predicted.paragraphs]
    source = _labeled_file(tmp_path / "one.jsonl", [page])
    labeled = load_pages(source)
    results, articles = evaluate_with_predictions(tiny_model, labeled, majority_event="sales")
    text = render_report(EvaluatedSet(labeled, articles, results, [source]), model=tiny_model)
    assert "None: no page of 8 paragraphs or more has a wrong paragraph" in text
    assert f"1 page, {len(page)} paragraphs" in text and "1 site." in text


def test_html_benchmark_results_in_the_model_directory_are_shown(tmp_path, tiny_model):
    from autoclass.training.data import load_pages
    from autoclass.training.report import HTML_BENCHMARK

    source = _labeled_file(tmp_path / "tiny.jsonl", [list(p) for p in TINY_PAGES])
    labeled = load_pages(source)
    results, articles = evaluate_with_predictions(tiny_model, labeled, majority_event="sales")
    evaluated = EvaluatedSet(labeled, articles, results, [source])
    score = {"f1": 0.9321, "precision": 0.91, "recall": 0.955, "pages": 39}
    bench = {
        "body": {"dev": {"autoclass": score, "autoclass_as_labeled": score, "trafilatura": score}},
        "pages_per_second": {"autoclass": 205.7, "trafilatura": 59.5, "ratio": 3.46},
    }
    assert "HTML benchmark" not in build_report(evaluated, model=tiny_model, out_dir=tmp_path).read_text()
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / HTML_BENCHMARK).write_text(json.dumps(bench), encoding="utf-8")
    tiny_model.path, before = model_dir, tiny_model.path
    try:
        text = build_report(evaluated, model=tiny_model, out_dir=tmp_path).read_text()
    finally:
        tiny_model.path = before
    assert "HTML benchmark" in text and "0.932 (0.910 / 0.955)" in text and "ratio 3.46" in text
    # A file written before the captions were left out names the "as labeled" column otherwise.
    labeled = {**score, "f1": 0.9222, "precision": 0.892}
    bench["body"]["dev"] = {"autoclass": score, "autoclass_with_headline": labeled, "trafilatura": score}
    (model_dir / HTML_BENCHMARK).write_text(json.dumps(bench), encoding="utf-8")
    tiny_model.path = model_dir
    try:
        text = build_report(evaluated, model=tiny_model, out_dir=tmp_path).read_text()
    finally:
        tiny_model.path = before
    assert "0.922 (0.892 / 0.955)" in text


# The browser test ----------------------------------------------------------


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.body: dict[str, str | None] = {}
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))
        elif tag == "body":
            self.body = dict(attrs)

    def handle_data(self, data):
        self.texts.append(data)


def _chromium_args(tmp_path: Path, name: str) -> list[str]:
    return [
        str(chromium_or_skip()),
        *CHROMIUM_FLAGS,
        f"--user-data-dir={tmp_path / ('profile-' + name)}",
        "--virtual-time-budget=5000",
    ]


def _with_script_page(heldout: EvaluatedSet, model) -> EvaluatedSet:
    """The held-out set and a page with a <script> in it, whose gold labels contradict every prediction."""
    texts = [SCRIPT_TEXT] + [f"Paragraph {i} of a page written to be the worst one." for i in range(11)]
    article = model.predict_pages([texts])[0]
    relevant = [not p.relevant for p in article.paragraphs]
    events = ["other" if r else None for r in relevant]
    p = heldout.pages
    pages = Pages(
        [*p.ids, "test--script-page"], [*p.sites, "test-site"], [*p.texts, texts], [*p.relevant, relevant],
        [*p.events, events], [*p.body, [None] * len(texts)] if p.body is not None else None,
        event_types=p.event_types,
    )  # fmt: skip
    results, articles = evaluate_with_predictions(model, pages, majority_event="sales")
    return EvaluatedSet(pages, articles, results, heldout.source)


# The learning curve's 25- and 50-page models stop before converging: no matter for a test of the page.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_report_renders_in_chromium_with_every_figure(tmp_path, default_model):
    from autoclass.training.config import TrainConfig
    from autoclass.training.crossval import learning_curve
    from autoclass.training.data import load_pages
    from training import LABELS, SEEDS

    chromium_or_skip()  # skip (or fail) early without a browser
    sets = evaluate_sets(
        default_model, {"held-out": [LABELS / "heldout"], **({"seeds": [SEEDS]} if SEEDS.is_file() else {})}
    )
    heldout = _with_script_page(sets["held-out"], default_model)
    config = TrainConfig.from_dict(default_model.metadata["config"])
    small = learning_curve(load_pages(LABELS / "train"), heldout.pages, config, fractions=(0.02, 0.04))
    curve = {
        "points": [*small, {"fraction": 1.0, "pages": 1271, "event_macro_f1": 0.8, "relevance_f1": 0.95}]
    }
    # A made-up cross-validation (the real one costs minutes): the figure and table are drawn from it.
    cv = {
        "folds": 3,
        "grouped_by": "site",
        "metrics": {name: {"mean": 0.8, "std": 0.02, "folds": [0.78, 0.8, 0.82]} for name, _ in HEADLINE},
    }
    path = build_report(
        heldout,
        model=default_model,
        out_dir=tmp_path,
        others={k: v for k, v in sets.items() if k == "seeds"},
        curve=curve,
        cross_validation=cv,
    )
    assert path == (tmp_path / REPORT).resolve()
    text = path.read_text()
    assert "<script" not in text
    # Self-contained: every resource is embedded.
    assert all(url.startswith("data:") for url in re.findall(r'(?:src|href)="([^"]*)"', text))
    probe = tmp_path / "probe.html"
    probe.write_text(text.replace("</body>", PROBE + "</body>"))

    out = subprocess.run(
        [*_chromium_args(tmp_path, "dom"), "--dump-dom", probe.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    dom = _Dom()
    dom.feed(out.stdout)
    assert dom.body.get("data-test-done") == "yes", "the probe script did not run"
    assert (
        len(dom.images) == 6
    )  # cross-validation, confusion, per-class, PR curve, calibration, learning curve
    assert [img.get("data-test-loaded") for img in dom.images] == ["true"] * 6
    assert all(img.get("src", "").startswith("data:image/png;base64,") for img in dom.images)
    assert "data-pwned" not in dom.body  # the page's <script> did not run ...
    assert any(SCRIPT_TEXT in t for t in dom.texts)  # ... it shows as text
    assert "test--script-page" in "".join(dom.texts)  # among the worst articles

    # A screenshot to look at (pytest --basetemp=DIR keeps it): the first 4000 pixels of the report.
    shot = tmp_path / "report.png"
    subprocess.run(
        [*_chromium_args(tmp_path, "shot"), "--window-size=1280,4000", f"--screenshot={shot}", path.as_uri()],
        capture_output=True,
        timeout=180,
        check=True,
    )
    assert shot.stat().st_size > 50_000
