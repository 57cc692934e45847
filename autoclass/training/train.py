"""Train a model on labeled pages and save it: what ``autoclass train`` does.

:func:`train_model` reads the taxonomy (a ``taxonomy.json`` beside the
labels, or the one given), validates every label file against it (every
problem reported before anything is fitted), fits the classifier with the
config (the shipped ``config.toml``, with the settings of one's own file over
it), cross-validates by site when there are sites enough (``[evaluation]
crossval_folds``), evaluates the held-out sets given, and writes the model
directory: ``model.npz``, ``metadata.json`` (taxonomy, config, data hash,
metrics, provenance), the model card ``README.md`` and ``evaluation.md`` /
``evaluation.json``.  What cannot be computed on a small corpus is skipped
with a line saying why.  Needs the ``train`` extra (``datasets``).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from autoclass.classifier import ParagraphClassifier
from autoclass.errors import AutoclassError, MissingExtraError
from autoclass.explain import top_event_terms
from autoclass.folds import fold_groups
from autoclass.labels import InvalidLabelsError, Pages, check_records, join_pages, label_paths, subset
from autoclass.model import Model
from autoclass.persistence import ARTIFACTS, METADATA, save_model
from autoclass.taxonomy import resolve_taxonomy
from autoclass.training.config import TrainConfig
from autoclass.training.evaluate import (
    EVALUATION_JSON,
    EVALUATION_MD,
    HTML_BENCHMARK,
    REPORT,
    evaluate_sets,
    render_markdown,
    summary_line,
    with_sources,
    write_reports,
)
from autoclass.training.provenance import display_path, provenance, sha256_files

MAX_PROBLEMS = 20


def _fit_classifier(pages: Pages, config: TrainConfig) -> ParagraphClassifier:
    classifier = config.classifier(pages.event_types)
    return classifier.fit(
        pages.texts, pages.relevant, pages.events, body=pages.body, groups=fold_groups(pages)
    )


def fit(pages: Pages, config: TrainConfig, *, html: Pages | None = None) -> Model:
    """Fit a model on labeled pages with one configuration; it predicts the pages' event types.

    The text classifier learns from the text ``pages`` alone, without markup
    features, so that text predictions do not depend on HTML training data.
    With ``html`` (labeled HTML pages, e.g. the same pages rendered as HTML),
    an HTML classifier learns from those and the text pages
    (:func:`rendered_text`) together, with markup features; without it, HTML
    pages are read by the text classifier.
    """
    text_classifier = _fit_classifier(pages, dataclasses.replace(config, markup=()))
    if html is None or not len(html):
        return Model(text_classifier, tag_min_share=config.tag_min_share)
    text = rendered_text(pages, html)
    # min_df is kept as a share of the pages: HTML renderings of the text pages count every
    # word twice, and min_df=2 would then keep words of a single page (measured: a vocabulary
    # of 156k terms instead of 73k, a 68 MB model instead of 43, no better on the benchmark).
    min_df = round(config.min_df * (len(text) + len(html)) / len(text))
    both = _fit_classifier(join_pages(text, html), dataclasses.replace(config, min_df=min_df))
    return Model(text_classifier, html_classifier=both, tag_min_share=config.tag_min_share)


def rendered_text(pages: Pages, html: Pages) -> Pages:
    """The text pages the HTML classifier learns from beside ``html``.

    When the HTML pages are renderings of text pages (ids ``ARTICLE#...``),
    only those text pages: the rest (the repository's stories composed again
    in other sites, cut to their article) would outweigh the HTML pages and
    teach the shapes of text cut from a page, not of a whole page's markup
    (measured: benchmark body F1 0.932 / 0.929 -> 0.927 / 0.894, and twice the
    training time).  Otherwise every text page.
    """
    rendered = {page_id.partition("#")[0] for page_id in html.ids}
    keep = [i for i, page_id in enumerate(pages.ids) if page_id in rendered]
    return subset(pages, keep) if keep else pages


def load_html_source(spec: str) -> Callable[[str], Pages]:
    """The function named by ``--html-pages MODULE:FUNCTION``, imported (from the working directory too).

    Called with ``"train"`` or ``"heldout"``, it returns labeled pages; the
    function returned here checks that it does.

    Raises
    ------
    AutoclassError
        If the spec is not ``MODULE:FUNCTION`` or does not import.
    """
    module, sep, name = spec.partition(":")
    if not sep or not module or not name:
        raise AutoclassError(f"--html-pages takes MODULE:FUNCTION, not {spec!r}")
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # as ``python -m`` would: the user's own module
    try:
        source = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise AutoclassError(f"--html-pages {spec}: cannot import it ({exc})") from None
    if not callable(source):
        raise AutoclassError(f"--html-pages {spec}: not a function")

    def pages(part: str) -> Pages:
        try:
            got = source(part)
        except TypeError as exc:  # not a function of one argument
            raise AutoclassError(f"--html-pages {spec}: calling it with {part!r} failed ({exc})") from None
        if not isinstance(got, Pages):
            raise AutoclassError(
                f"--html-pages {spec}: it returned {type(got).__name__}, "
                "not labeled pages (autoclass.labels.Pages)"
            )
        return got

    return pages


def majority_event(pages: Pages) -> str:
    counts = Counter(e for page in pages.events for e in page if e)
    return counts.most_common(1)[0][0]


def model_card(model: Model, metadata: dict[str, Any], results: dict[str, dict[str, Any]]) -> str:
    data = metadata["training_data"]
    cv_line = _crossval_card_line(metadata.get("cross_validation"))
    events = model.event_types
    taxonomy = metadata.get("taxonomy", {}).get("source", "")
    where = ", ".join(f"`{f}`" for f in data["folders"])
    html_line = (
        f"- HTML pages are read by a second classifier with markup features of each block (tags,\n"
        f"  ancestors, links, depth, neighbours, the page's prose region), trained on the text pages\n"
        f"  and {data['html_pages']} labeled HTML pages ({data['html_source']}).\n"
        if data.get("html_pages")
        else "- HTML pages are read by the text classifier (no HTML training pages).\n"
    )
    evaluated = (
        "- Evaluated on "
        + "; ".join(f"{name} ({res['pages']} pages)" for name, res in results.items())
        + ".\n"
        if results
        else "- Not evaluated on held-out pages (`autoclass evaluate` does it).\n"
    )
    return f"""# autoclass model

Relevance (article content vs. boilerplate) and event type for each paragraph
of a scraped news page, with article-level event tags.

- Event types ({len(events)}): {", ".join(events)}; from {taxonomy}.

- Model: TF-IDF of words, line-first words and word pairs, plus layout
  features of the line in its page; stacked logistic regressions: relevance
  (line content score, auto-topic score, page topic, then the line in its
  page, calibrated out of site) and event type (own words, then the page's
  and neighbours' event probabilities). Config: {metadata["config"]}.
- Trained on {data["pages"]} pages / {data["paragraphs"]} paragraphs of
  {where} (sha256 `{data["sha256"][:16]}...`), seed {metadata["config"]["seed"]}.
{evaluated}{cv_line}{html_line}- Intended use: English-language news pages, one paragraph per line, or
  their HTML (`predict_html`).  Out of scope: other languages.

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
        f"- Cross-validated on the training pages ({cv['folds']} folds by {cv['grouped_by']}, mean ± std): "
        f"relevance F1 {f('relevance_f1')}, event macro-F1 {f('event_macro_f1')}, "
        f"tags P/R {f('tag_precision')}/{f('tag_recall')}.\n"
    )


def _model_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a model autoclass saved (retrained in place, its files are replaced).

    A ``metadata.json`` alone is no sign: a folder of one's own may hold one, and its files
    (notes in ``README.md``, ``evaluation.md``) were replaced and deleted without a word.
    """
    try:
        metadata = json.loads((folder / METADATA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(metadata, dict)
        and "format_version" in metadata
        and metadata.get("artifact") in ARTIFACTS.values()
        and (folder / metadata["artifact"]).is_file()
    )


def train_model(
    train: Sequence[str | Path],
    output: str | Path,
    *,
    config: str | Path | None = None,
    heldout: Sequence[str | Path] = (),
    extra_sets: dict[str, Sequence[str | Path]] | None = None,
    taxonomy: str | Path | None = None,
    crossval: bool = True,
    html_pages: str | Callable[[str], Pages] | None = None,
    jobs: int = 1,
    say: Callable[[str], None] = print,
) -> Model:
    """Train on labeled pages and save the model directory.

    Parameters
    ----------
    train : sequence of path
        Label files and folders (every ``*.jsonl`` inside) to fit on.
    output : path
        The model directory to write (new, empty, or holding a model).
    config : path, optional
        A config file whose settings override the shipped ``config.toml``.
    heldout : sequence of path
        Label files and folders to evaluate on, never fitted on.
    extra_sets : dict of str to sequence of path, optional
        More named sets to evaluate on (reported beside the held-out one).
    taxonomy : path, optional
        The taxonomy file; by default the ``taxonomy.json`` beside the
        labels, else the default fifteen types.
    crossval : bool
        Cross-validate by site on the training pages (when there are at
        least two sites).
    html_pages : str or callable, optional
        Labeled HTML pages for the HTML classifier: a function of a split
        name (or its ``MODULE:FUNCTION``) returning :class:`Pages` of parsed
        HTML blocks, called with ``"train"`` to fit on and, with ``heldout``,
        with ``"heldout"`` to evaluate on (the set ``held-out html``).  The
        repository's ``make train`` passes ``training.html_styles:html_pages``,
        its pages rendered in 26 markup styles.  Without it, HTML pages are
        read by the text classifier.
    jobs : int
        Cross-validation folds fitted in parallel (-1: one per core); the
        model and the figures do not depend on it.
    say : callable
        Where progress and figures are printed.

    Returns
    -------
    Model
        The trained model, saved in ``output``.

    Raises
    ------
    InvalidLabelsError
        If any label file breaks the labeling guide (every problem listed).
    AutoclassError
        If the data cannot train a model (one event type, no irrelevant
        paragraph), the config is invalid or ``output`` is not a model folder.
    MissingExtraError
        Without the ``train`` extra.
    """
    try:
        from autoclass.training.data import to_dataset, to_pages
    except ImportError as exc:
        raise MissingExtraError("training", "train") from exc
    output = Path(output)
    if output.exists() and (not output.is_dir() or (any(output.iterdir()) and not _model_folder(output))):
        raise AutoclassError(
            f"{output} is not a model directory: give -o a new or empty folder, or a model's"
        )
    sets = {"held-out": list(heldout), **(extra_sets or {})} if heldout else dict(extra_sets or {})
    events, source = resolve_taxonomy([*train, *heldout], taxonomy)
    settings = TrainConfig.from_toml(config)
    say(f"taxonomy: {len(events)} event types from {source}: {', '.join(events)}")
    train_files = label_paths(train)
    files = {name: label_paths(paths) for name, paths in sets.items()}
    evaluated: dict[str, list[Path] | Pages] = dict(files)
    check = check_records(
        [*train_files, *(f for fs in files.values() for f in fs)], events=events, limit=MAX_PROBLEMS
    )
    if not check.ok:
        raise InvalidLabelsError(check)
    training = {str(f) for f in train_files}
    records = [r for r in check.records if r["source_file"] in training]
    pages = to_pages(to_dataset(records, events=events))
    say(f"training on {len(pages)} pages, {pages.n_paragraphs} paragraphs from {len(train_files)} file(s)")
    labeled = {e for page in pages.events for e in page if e}
    unlabeled = [e for e in events if e not in labeled]
    if unlabeled:
        say(
            f"warning: no training paragraph has the event type{'s' if len(unlabeled) > 1 else ''} "
            f"{', '.join(unlabeled)} of the taxonomy ({source}): the model never predicts "
            f"{'them' if len(unlabeled) > 1 else 'it'}"
        )
    html_source = load_html_source(html_pages) if isinstance(html_pages, str) else html_pages
    html = html_source("train") if html_source is not None else None
    if html is not None:
        if html.event_types != pages.event_types:
            raise AutoclassError("the HTML pages' event types are not those of the training labels")
        say(f"and {len(html)} HTML pages ({html.n_paragraphs} blocks) from {html_pages}")
        if heldout:  # the held-out pages rendered as HTML, evaluated beside them
            evaluated["held-out html"] = html_source("heldout")
    start = time.perf_counter()
    model = fit(pages, settings, html=html)
    seconds = time.perf_counter() - start
    say(f"trained in {seconds:.1f} s")

    metadata: dict[str, Any] = {
        "taxonomy": {
            "events": list(events),
            "source": source,
            "relevance_threshold": settings.relevance_threshold,
        },
        "config": settings.to_dict(),
        "majority_event": majority_event(pages),
        "training_data": {
            "folders": [display_path(p) for p in train],
            "files": [display_path(p) for p in train_files],
            "sha256": sha256_files(train_files),
            "pages": len(pages),
            "paragraphs": pages.n_paragraphs,
            "html_pages": len(html) if html is not None else 0,
            "html_blocks": html.n_paragraphs if html is not None else 0,
            "html_source": html_pages if isinstance(html_pages, str) else None,
        },
        "training_seconds": round(seconds, 2),
        "provenance": provenance(),
    }
    model.metadata = metadata
    evaluated_sets = evaluate_sets(model, evaluated) if evaluated else {}
    results = {name: s.results for name, s in evaluated_sets.items()}
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
    if crossval:
        metadata["cross_validation"] = _cross_validate(pages, settings, say, jobs=jobs)
    save_model(model, output, metadata=metadata, card=model_card(model, metadata, results), format="npz")
    # A model trained into an earlier model's folder: that model's figures no longer describe it.
    for stale in (EVALUATION_JSON, EVALUATION_MD, REPORT, HTML_BENCHMARK):
        (output / stale).unlink(missing_ok=True)
    if results:
        # Named as `autoclass evaluate -o` names them: the model saved (its sha256) and the label files.
        model.path, model.metadata = output, json.loads((output / METADATA).read_text(encoding="utf-8"))
        written, heading = with_sources(model, evaluated_sets)
        write_reports(output, written, heading=heading)
        say(render_markdown(results))
        for name, res in results.items():
            say(summary_line(name, res))
    else:
        say(
            "no held-out evaluation: give --heldout LABELS (pages never trained on), "
            "or run `autoclass evaluate`"
        )
    if metadata.get("cross_validation"):
        from autoclass.training.crossval import crossval_summary_line

        say(crossval_summary_line(metadata["cross_validation"]))
    say(f"model saved to {output}")
    return model


def _cross_validate(
    pages: Pages, config: TrainConfig, say: Callable[[str], None], *, jobs: int = 1
) -> dict[str, Any] | None:
    """Cross-validation by site, or ``None`` with a line saying why it cannot be done."""
    # Imported here: crossval fits with this module's ``fit``.
    from autoclass.training.crossval import cross_validate

    # A small corpus may have fewer sites than folds: one site (or sites sharing a story) per fold then.
    folds = min(config.crossval_folds, len(set(fold_groups(pages))))
    if folds < 2:
        say(
            "cross-validation skipped: the training pages come from fewer than two sites "
            "(a page's site is its 'site' field, else its article)"
        )
        return None
    if folds < config.crossval_folds:
        # Sites whose pages open a story with the same line are one group (autoclass/folds.py).
        say(
            f"cross-validating ({folds} folds by site, not {config.crossval_folds}: "
            f"the pages have {folds} site groups)"
        )
    else:
        say(f"cross-validating ({folds} folds by site)")
    try:
        return cross_validate(pages, config, folds=folds, jobs=jobs)
    except AutoclassError as exc:
        say(f"cross-validation skipped: a fold's training pages cannot train a model ({exc})")
        return None
