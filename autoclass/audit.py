"""Label audit: the labeled paragraphs a model most strongly disputes.

Every paragraph is predicted by a model that never saw its site: the corpus
is cut into folds grouped by site (the article when a record has no site;
sites that share a story together, :mod:`autoclass.folds`),
and each fold is predicted by a model fitted on the others.  A paragraph is
disputed when that out-of-fold prediction differs from its label; disputes
are ranked by the model's probability that the label is wrong,
``1 - P(label)``, with ``P(irrelevant) = 1 - relevance`` and
``P(relevant, event) = relevance x P(event | relevant)``.  A mislabeled
paragraph tends to sit at the top; so does a genuinely hard one, which the
list also helps to find.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GroupKFold

from autoclass.classifier import UNCONVERGED, ParagraphClassifier, unconverged
from autoclass.errors import AutoclassError
from autoclass.folds import fold_groups
from autoclass.labels import page_order, pages_from_records


@dataclass(frozen=True, slots=True)
class Dispute:
    """A labeled paragraph whose out-of-fold prediction differs from its label.

    Attributes
    ----------
    path, line : str, int
        Where the record is.
    article_id, position, text : str, int, str
        The paragraph.
    label : str
        Its label: ``irrelevant`` or its event type.
    predicted : str
        The model's: ``irrelevant`` or the predicted event type.
    suspicion : float
        The model's probability that the label is wrong.
    relevance : float
        The predicted relevance probability.
    event_probability : float
        Probability of the predicted event type (of the best type when
        ``predicted`` is ``irrelevant``).
    """

    path: str
    line: int
    article_id: str
    position: int
    text: str
    label: str
    predicted: str
    suspicion: float
    relevance: float
    event_probability: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AuditResult:
    """Out-of-fold disputes of a labeled corpus, most suspicious first.

    Attributes
    ----------
    disputes : list of Dispute
        Every disputed paragraph, most suspicious first.
    pages, paragraphs, folds : int
        Size of the audited corpus and the folds used.
    """

    disputes: list[Dispute]
    pages: int
    paragraphs: int
    folds: int


def audit_records(
    records: Sequence[dict[str, Any]],
    classifier: ParagraphClassifier,
    *,
    folds: int = 5,
    jobs: int = 1,
) -> AuditResult:
    """Out-of-fold disputes of validated label records (see :mod:`autoclass.labels`).

    Parameters
    ----------
    records : sequence of dict
        Records from :func:`autoclass.labels.read_records`.
    classifier : ParagraphClassifier
        Settings of the models to fit (fitted or not; it is cloned), its
        ``event_types`` the taxonomy of the records.
    folds : int
        Folds grouped by site; at least 2.
    jobs : int
        Folds fitted in parallel.

    Returns
    -------
    AuditResult

    Raises
    ------
    AutoclassError
        If the corpus has fewer than two sites (or articles) to fold on.
    """
    if folds < 2:
        raise AutoclassError(f"an audit needs at least 2 folds, not {folds}")
    ordered = sorted(records, key=page_order)  # the order of pages_from_records' paragraphs
    event_types = tuple(classifier.event_types)
    pages = pages_from_records(ordered, event_types=event_types)
    groups = np.array(fold_groups(pages))
    n_groups = len(np.unique(groups))
    if n_groups < 2:
        raise AutoclassError("an audit needs labeled pages from at least two sites or articles")
    splits = list(GroupKFold(n_splits=min(folds, n_groups)).split(np.zeros(len(pages)), groups=groups))
    fitted = Parallel(n_jobs=jobs)(
        delayed(_fit_fold)(classifier, pages, groups, train) for train, _ in splits
    )
    offsets = np.concatenate([[0], np.cumsum([len(t) for t in pages.texts])])
    relevance = np.zeros(offsets[-1])
    events = np.zeros((offsets[-1], len(event_types)))
    if any(stopped for _, stopped in fitted):
        warnings.warn(UNCONVERGED.format(max_iter=classifier.max_iter), ConvergenceWarning, stacklevel=2)
    for (model, _), (_, test) in zip(fitted, splits):
        rel, ev = model.predict_proba([pages.texts[i] for i in test])
        rows = np.concatenate([np.arange(offsets[i], offsets[i + 1]) for i in test])
        relevance[rows], events[rows] = rel, ev
    threshold = classifier.relevance_threshold
    gold_rel = np.array([r["relevant"] for r in ordered])
    gold_ev = np.array([event_types.index(r["event"]) if r["relevant"] else 0 for r in ordered])
    best = events.argmax(axis=1)
    pred_rel = relevance >= threshold
    p_label = np.where(gold_rel, relevance * events[np.arange(len(gold_ev)), gold_ev], 1 - relevance)
    disputed = (pred_rel != gold_rel) | (gold_rel & (best != gold_ev))
    # Ranked by the unrounded suspicion: rounded, many tie at 1.0 on a small set, listed by file name.
    order = sorted(np.flatnonzero(disputed), key=lambda i: (-(1 - p_label[i]), i))
    disputes = [
        Dispute(
            path=r["source_file"],
            line=r["line"],
            article_id=r["article_id"],
            position=r["position"],
            text=r["text"],
            label=r["event"] if r["relevant"] else "irrelevant",
            predicted=event_types[best[i]] if pred_rel[i] else "irrelevant",
            suspicion=round(float(1 - p_label[i]), 4),
            relevance=round(float(relevance[i]), 4),
            event_probability=round(float(events[i, best[i]]), 4),
        )
        for i, r in ((i, ordered[i]) for i in order)
    ]
    return AuditResult(disputes, pages=len(pages), paragraphs=len(ordered), folds=len(splits))


def _fit_fold(
    classifier: ParagraphClassifier, pages: Any, groups: np.ndarray, train: np.ndarray
) -> tuple[ParagraphClassifier, bool]:
    """The fold's model, and whether its fit stopped before converging (said once for all folds)."""
    with unconverged() as stopped:
        try:
            model = clone(classifier).fit(
                [pages.texts[i] for i in train],
                [pages.relevant[i] for i in train],
                [pages.events[i] for i in train],
                groups=list(groups[train]),
            )
        except AutoclassError as exc:  # the whole set could train, this fold's sites cannot
            raise AutoclassError(
                f"the audit holds out whole sites, and the pages of the other sites cannot train a model "
                f"({exc}): label pages of more sites"
            ) from exc
    return model, bool(stopped)
