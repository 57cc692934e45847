"""Drafts: pages in the label format of the labeling guide, pre-filled with a model's predictions.

A drafts file is a labeled file like any other (one paragraph per line, in
page order) whose labels are the model's: ``relevant`` and ``event`` as the
model predicts them, ``body`` true for relevant lines and for lines the body
head keeps.  Each record also carries the model's probabilities under
:data:`MODEL_FIELD`, which validation ignores, so that a person corrects
labels instead of writing them::

    {"article_id": "p1", "position": 0, "text": "Nio delivers 20,000 cars", "relevant": true,
     "event": "sales", "body": true,
     "model": {"relevance": 0.97, "body": 0.99, "event": "sales", "event_scores": {...}}}

Event types are the model's own (:func:`model_event_types`), so a model
trained on a taxonomy of one's own drafts in that taxonomy.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from autoclass.article import Article
from autoclass.labels import read_records
from autoclass.paragraphs import split_paragraphs
from autoclass.taxonomy import EVENT_TYPES

MODEL_FIELD = "model"
"""Key of the model's probabilities in a draft record; validation ignores it."""

META_FIELDS: tuple[str, ...] = ("site", "url", "published")
"""Optional page fields of the labeling guide, copied from the input to every record of the page."""

_DIGITS = 4


def model_event_types(model: Any) -> tuple[str, ...]:
    """The event types of ``model``, in the order of its event scores.

    A model trained on a taxonomy of its own names its types
    (``model.event_types``); otherwise they are the fifteen of the labeling guide.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> model_event_types(SimpleNamespace())[:3]
    ('partnership', 'investment', 'product')
    >>> model_event_types(SimpleNamespace(event_types=("launch", "lawsuit")))
    ('launch', 'lawsuit')
    """
    return tuple(getattr(model, "event_types", None) or EVENT_TYPES)


@dataclass(frozen=True)
class PageInput:
    """A page to draft: its id, its text and, when known, where it comes from.

    Attributes
    ----------
    article_id : str
        The page's id in the drafts (``article_id`` of its records).
    text : str
        The page, one paragraph per line.
    meta : dict of str to str
        Optional fields of the labeling guide (``site``, ``url``, ``published``).
    """

    article_id: str
    text: str
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def site(self) -> str | None:
        return self.meta.get("site")


@dataclass(frozen=True)
class DraftPage:
    """One page of a drafts (or labeled) file: its records in position order.

    Attributes
    ----------
    article_id : str
        The page's id.
    records : list of dict
        One record per paragraph, as in the file.
    """

    article_id: str
    records: list[dict[str, Any]]

    @property
    def lines(self) -> list[str]:
        return [r["text"] for r in self.records]

    @property
    def site(self) -> str | None:
        return self.records[0].get("site") if self.records else None


def draft_records(
    article: Article,
    article_id: str,
    *,
    event_types: Sequence[str],
    threshold: float,
    meta: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The records of one page's draft: the model's labels and probabilities.

    Parameters
    ----------
    article : Article
        The model's prediction for the page.
    article_id : str
        The page's id.
    event_types : sequence of str
        The model's event types, in the order of ``Paragraph.scores``.
    threshold : float
        The model's relevance threshold, also used for ``body``.
    meta : dict, optional
        Optional page fields (``site``, ``url``, ``published``) for every record.

    Returns
    -------
    list of dict
        One record per paragraph, in order; valid labeled records.
    """
    extra = {k: meta[k] for k in META_FIELDS if meta and meta.get(k)}
    records = []
    for p in article.paragraphs:
        best = max(range(len(p.scores)), key=p.scores.__getitem__)
        records.append(
            {
                "article_id": article_id,
                "position": p.position,
                "text": p.text,
                "relevant": p.relevant,
                "event": event_types[best] if p.relevant else None,
                "body": p.relevant or p.body >= threshold,
                **extra,
                MODEL_FIELD: {
                    "relevance": round(p.relevance, _DIGITS),
                    "body": round(p.body, _DIGITS),
                    "event": event_types[best],
                    "event_scores": {e: round(s, _DIGITS) for e, s in zip(event_types, p.scores)},
                },
            }
        )
    return records


def draft_pages(model: Any, pages: Iterable[PageInput], *, batch_size: int = 64) -> Iterator[DraftPage]:
    """Draft pages with a model, in batches; yields one :class:`DraftPage` per input page.

    Parameters
    ----------
    model : Model
        A loaded model.
    pages : iterable of PageInput
        The pages; each must hold at least one paragraph.
    batch_size : int
        Pages predicted together.

    Yields
    ------
    DraftPage

    Examples
    --------
    >>> from autoclass import load_model
    >>> page = PageInput("p1", "Ford recalls 2,000 trucks\\nShare this", {"site": "example"})
    >>> draft = next(draft_pages(load_model(), [page]))
    >>> [(r["text"], r["relevant"], r["event"], r["site"]) for r in draft.records]
    [('Ford recalls 2,000 trucks', True, 'recall', 'example'), ('Share this', False, None, 'example')]
    """
    types = model_event_types(model)
    it = iter(pages)
    while batch := list(islice(it, batch_size)):
        articles = model.predict_pages([split_paragraphs(p.text) for p in batch], batch_size=batch_size)
        for page, article in zip(batch, articles):
            records = draft_records(
                article, page.article_id, event_types=types, threshold=model.threshold, meta=page.meta
            )
            yield DraftPage(page.article_id, records)


def encode_page(page: DraftPage) -> str:
    """The page's records as JSON Lines, one per line, each ending in a newline."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in page.records)


def group_pages(records: Iterable[dict[str, Any]]) -> list[DraftPage]:
    """Validated records grouped into pages, in the order pages first appear, by position within.

    Examples
    --------
    >>> rs = [{"article_id": "b", "position": 1}, {"article_id": "a", "position": 0},
    ...       {"article_id": "b", "position": 0}]
    >>> [(p.article_id, [r["position"] for r in p.records]) for p in group_pages(rs)]
    [('b', [0, 1]), ('a', [0])]
    """
    by_id: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_id.setdefault(r["article_id"], []).append(r)
    return [DraftPage(aid, sorted(rs, key=lambda r: r["position"])) for aid, rs in by_id.items()]


def drafted_event_types(path: str | Path) -> tuple[str, ...] | None:
    """The event types of the model that drafted a file, in its order, if the file names them.

    They are the keys of the model's event scores in the first record; ``None``
    for a file without them (labeled by hand) or unreadable (validation says why).
    """
    try:
        with open(path, encoding="utf-8-sig") as f:
            first = next((line for line in f if line.strip()), "")
        scores = json.loads(first).get(MODEL_FIELD, {}).get("event_scores")
    except (OSError, ValueError, AttributeError):
        return None
    return tuple(scores) if isinstance(scores, dict) and scores else None


def read_drafts(path: str | Path, *, event_types: Sequence[str] = EVENT_TYPES) -> list[DraftPage]:
    """Read and validate a drafts (or labeled) file; its pages in file order.

    Parameters
    ----------
    path : str or Path
        A JSON Lines file in the label format.
    event_types : sequence of str
        The event types its labels may use.

    Returns
    -------
    list of DraftPage
        Records without the ``source_file`` and ``line`` that validation adds.

    Raises
    ------
    LabelDataError
        On the first problem, with file and line.
    """
    records = read_records([path], events=event_types)
    for r in records:
        del r["source_file"], r["line"]
    return group_pages(records)
