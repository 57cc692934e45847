"""Train autoclass on labels/train, save it to models/, print the held-out evaluation.

Usage: ``python -m training.train [--config training/config.toml] [--labels labels]
[--output models/default] [--no-crossval]`` (``make train``).  The labels folder holds
``train/`` (used for fitting) and ``heldout/`` (used only for evaluation).  After
fitting, a k-fold cross-validation by site over ``train/`` (``[evaluation]
crossval_folds``) goes into ``metadata.json``; ``--no-crossval`` skips it.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections import Counter
from pathlib import Path
from typing import Any

from autoclass.classifier import ParagraphClassifier
from autoclass.explain import top_event_terms
from autoclass.model import Model
from autoclass.persistence import save_model
from autoclass.taxonomy import EVENT_TYPES
from training.config import DEFAULT_CONFIG, TrainConfig
from training.data import LABELS, ROOT, Pages, display_path, label_files, load_pages, sha256_files
from training.evaluate import evaluate_all, render_markdown, summary_line, write_reports
from training.html_styles import has_composed_sources, html_pages, join_pages
from training.provenance import provenance


def _fit_classifier(pages: Pages, config: TrainConfig) -> ParagraphClassifier:
    return config.classifier().fit(
        pages.texts, pages.relevant, pages.events, body=pages.body, groups=pages.sites
    )


def fit(pages: Pages, config: TrainConfig, *, html: Pages | None = None) -> Model:
    """Fit a model on labeled pages with one configuration.

    The text classifier learns from the text ``pages`` alone, without markup
    features, so text predictions are what they were before HTML came in;
    with ``html`` (the pages rendered as HTML), the HTML classifier learns
    from the text pages and their renderings together, with markup features.
    """
    text = _fit_classifier(pages, dataclasses.replace(config, markup=()))
    both = _fit_classifier(join_pages(pages, html), config) if html is not None and len(html) else None
    return Model(text, html_classifier=both, tag_min_share=config.tag_min_share)


def majority_event(pages: Pages) -> str:
    counts = Counter(e for page in pages.events for e in page if e)
    return counts.most_common(1)[0][0]


def model_card(model: Model, metadata: dict[str, Any], results: dict[str, dict[str, Any]]) -> str:
    data = metadata["training_data"]
    cv_line = _crossval_card_line(metadata.get("cross_validation"))
    return f"""# autoclass model

Relevance (article content vs. boilerplate) and event type (15 types of
LABELS.md) for each paragraph of a scraped automotive news page, with
article-level event tags.

- Model: TF-IDF of words, line-first words and word pairs, plus layout
  features of the line in its page; stacked logistic regressions: relevance
  (line content score, auto-topic score, page topic, then the line in its
  page, calibrated out of site) and event type (own words, then the page's
  and neighbours' event probabilities). Config: {metadata["config"]}.
- Trained on {data["pages"]} pages / {data["paragraphs"]} paragraphs of
  `labels/train` (sha256 `{data["sha256"][:16]}...`), seed {metadata["config"]["seed"]}.
- Evaluated on held-out pages whose sites and article bodies were never seen in
  training, and on the five real seed pages of `../shared` when present.
{cv_line}- Markup features of HTML blocks (tags, ancestors, links, class and id words,
  depth, neighbours, the page's prose region); trained on the text pages and
  on the same pages rendered as HTML in 26 markup styles (4 more held out).
- Intended use: English-language news pages, one paragraph per line, or
  their HTML (`predict_html`).  Out of scope: other languages, other
  industries' taxonomies.

## Metrics

{render_markdown(results)}
## Top features of each event type

The words and word pairs (`^word`: a line's first word) that most favour each
type over the average type in the event head, with their weights; the head
also reads the page's and neighbours' event shares. `paragraph.explain()` and
`autoclass explain` show the features behind any one prediction.

| event | top features |
|---|---|
{_top_features_table(model)}
"""


def _top_features_table(model: Model, k: int = 10) -> str:
    rows = []
    for event, terms in top_event_terms(model.classifier, k=k).items():
        shown = ", ".join(f"{name} ({weight:.2f})" for name, weight in terms)
        rows.append(f"| {event} | {shown} |")
    return "\n".join(rows)


def _crossval_card_line(cv: dict[str, Any] | None) -> str:
    if not cv:
        return ""
    m = cv["metrics"]

    def f(name: str) -> str:
        return f"{m[name]['mean']:.3f} ± {m[name]['std']:.3f}"

    return (
        f"- Cross-validated on `labels/train` ({cv['folds']} folds by {cv['grouped_by']}, mean ± std): "
        f"relevance F1 {f('relevance_f1')}, event macro-F1 {f('event_macro_f1')}, "
        f"tags P/R {f('tag_precision')}/{f('tag_recall')}.\n"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--labels", type=Path, default=LABELS, help="folder with train/ and heldout/")
    parser.add_argument("--output", type=Path, default=ROOT / "models" / "default")
    parser.add_argument(
        "--no-crossval", action="store_true", help="skip the cross-validation (quicker retraining)"
    )
    args = parser.parse_args(argv)

    config = TrainConfig.from_toml(args.config)
    train_files = label_files(args.labels / "train")
    pages = load_pages(args.labels / "train")
    html = html_pages("train") if config.html and has_composed_sources(args.labels) else None
    n_html = len(html) if html is not None else 0
    print(
        f"training on {len(pages)} text pages ({pages.n_paragraphs} paragraphs) from {args.labels / 'train'}"
        f", and {n_html} of them rendered as HTML ({html.n_paragraphs if html is not None else 0} blocks)"
    )
    start = time.perf_counter()
    model = fit(pages, config, html=html)
    seconds = time.perf_counter() - start
    print(f"trained in {seconds:.1f} s")

    metadata = {
        "taxonomy": {"events": list(EVENT_TYPES), "relevance_threshold": config.relevance_threshold},
        "config": config.to_dict(),
        "majority_event": majority_event(pages),
        "training_data": {
            "files": [display_path(p) for p in train_files],
            "sha256": sha256_files(train_files),
            "pages": len(pages),
            "paragraphs": pages.n_paragraphs,
            "html_pages": n_html,
            "html_blocks": html.n_paragraphs if html is not None else 0,
        },
        "training_seconds": round(seconds, 2),
        "provenance": provenance(),
    }
    model.metadata = metadata
    results = evaluate_all(model, labels=args.labels)
    metadata["metrics"] = {
        name: {
            "relevance_f1": res["model"]["relevance"]["f1"],
            "relevance_macro_f1": res["model"]["relevance"]["macro_f1"],
            "event_macro_f1": res["model"]["event"]["macro_f1"],
            "event_accuracy": res["model"]["event"]["accuracy"],
            "tag_precision": res["model"]["tags"]["precision"],
            "tag_recall": res["model"]["tags"]["recall"],
            "pages": res["pages"],
        }
        for name, res in results.items()
    }
    # A small labels folder may have fewer sites than folds: one site per fold then.
    folds = min(config.crossval_folds, len(set(pages.sites)))
    if not args.no_crossval and folds >= 2:
        # Imported here: crossval fits with this module's ``fit``.
        from training.crossval import cross_validate, crossval_summary_line

        # The text classifier's spread (the HTML one is judged by make eval-html).
        print(f"cross-validating the text classifier ({folds} folds by site)")
        metadata["cross_validation"] = cross_validate(pages, config, folds=folds)
    elif not args.no_crossval:
        print("no cross-validation: the training pages come from fewer than two sites")
    save_model(model, args.output, metadata=metadata, card=model_card(model, metadata, results))
    write_reports(args.output, results)
    print(render_markdown(results))
    for name, res in results.items():
        print(summary_line(name, res))
    if "cross_validation" in metadata:
        print(crossval_summary_line(metadata["cross_validation"]))
    print(f"model saved to {args.output}")


if __name__ == "__main__":
    main()
