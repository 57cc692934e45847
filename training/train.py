"""Train autoclass on labels/train, save it to models/, print the held-out evaluation.

Usage: ``python -m training.train [--config training/config.toml] [--labels labels]
[--output models/default]`` (``make train``).  The labels folder holds
``train/`` (used for fitting) and ``heldout/`` (used only for evaluation).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path
from typing import Any

from autoclass.model import Model
from autoclass.persistence import save_model
from autoclass.taxonomy import EVENT_TYPES
from training.config import DEFAULT_CONFIG, TrainConfig
from training.data import LABELS, ROOT, Pages, display_path, label_files, load_pages, sha256_files
from training.evaluate import evaluate_all, render_markdown, summary_line, write_reports


def fit(pages: Pages, config: TrainConfig) -> Model:
    """Fit a model on labeled pages with one configuration."""
    classifier = config.classifier().fit(pages.texts, pages.relevant, pages.events, groups=pages.sites)
    return Model(classifier, tag_min_share=config.tag_min_share)


def majority_event(pages: Pages) -> str:
    counts = Counter(e for page in pages.events for e in page if e)
    return counts.most_common(1)[0][0]


def model_card(metadata: dict[str, Any], results: dict[str, dict[str, Any]]) -> str:
    data = metadata["training_data"]
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
- Intended use: English-language news pages, one paragraph per line.  Out of
  scope: other languages, other industries' taxonomies.

## Metrics

{render_markdown(results)}
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--labels", type=Path, default=LABELS, help="folder with train/ and heldout/")
    parser.add_argument("--output", type=Path, default=ROOT / "models" / "default")
    args = parser.parse_args(argv)

    config = TrainConfig.from_toml(args.config)
    train_files = label_files(args.labels / "train")
    pages = load_pages(args.labels / "train")
    print(f"training on {len(pages)} pages, {pages.n_paragraphs} paragraphs from {args.labels / 'train'}")
    start = time.perf_counter()
    model = fit(pages, config)
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
        },
        "training_seconds": round(seconds, 2),
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
    save_model(model, args.output, metadata=metadata, card=model_card(metadata, results))
    write_reports(args.output, results)
    print(render_markdown(results))
    for name, res in results.items():
        print(summary_line(name, res))
    print(f"model saved to {args.output}")


if __name__ == "__main__":
    main()
