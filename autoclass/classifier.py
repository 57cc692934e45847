"""The two heads of autoclass: relevance and event type, over one feature pass.

Both heads are logistic regressions on blocks of features.  Each block is a
linear *mix* of the paragraphs' TF-IDF rows (the paragraph itself, the mean of
its page, the page's relevant paragraphs, the headline, the neighbours), so a
block's score equals ``mix @ (tfidf @ weights)``.  Training builds the mixed
matrices explicitly; prediction multiplies the TF-IDF rows by all weights once
and mixes the small score matrices, which keeps page context almost free.

The relevance probability is calibrated (Platt scaling on out-of-fold
decision values, folds grouped by article).  The event head is trained on
relevant paragraphs only; its context weights use the out-of-fold relevance
probabilities, as prediction will use predicted ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.utils.validation import check_is_fitted

from autoclass.errors import AutoclassError
from autoclass.features import PageBatch, PageFeaturizer
from autoclass.taxonomy import EVENT_TYPES

EVENT_CONTEXTS: tuple[str, ...] = ("page", "headline", "neighbours")

_EPS = 1e-6


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


class _Product:
    """A product of two sparse matrices applied right to left, never formed."""

    def __init__(self, left: sp.csr_matrix, right: sp.csr_matrix) -> None:
        self.left, self.right = left, right

    def __matmul__(self, other):  # noqa: ANN001, ANN204 - sparse or dense alike
        return self.left @ (self.right @ other)


def _page_mean(batch: PageBatch, weights: np.ndarray) -> _Product:
    """Matrix M with (M @ Y)[i] = weighted mean of Y over the page of paragraph i."""
    n = len(batch.page_index)
    totals = np.bincount(batch.page_index, weights=weights, minlength=batch.n_pages)
    to_page = sp.csr_matrix(
        (weights / (totals[batch.page_index] + _EPS), (batch.page_index, np.arange(n))),
        shape=(batch.n_pages, n),
    )
    expand = sp.csr_matrix(
        (np.ones(n), (np.arange(n), batch.page_index)), shape=(n, batch.n_pages)
    )
    return _Product(expand, to_page)


def _headline(batch: PageBatch, relevance: np.ndarray, threshold: float) -> sp.csr_matrix:
    """Matrix H with (H @ Y)[i] = Y of the first relevant paragraph of i's page."""
    n = len(batch.page_index)
    rows, cols = [], []
    for k in range(batch.n_pages):
        lo, hi = batch.page_offsets[k], batch.page_offsets[k + 1]
        hits = np.flatnonzero(relevance[lo:hi] >= threshold)
        if len(hits):
            rows.append(np.arange(lo, hi))
            cols.append(np.full(hi - lo, lo + hits[0]))
    if not rows:
        return sp.csr_matrix((n, n))
    r, c = np.concatenate(rows), np.concatenate(cols)
    return sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(n, n))


def _neighbours(batch: PageBatch, relevance: np.ndarray) -> sp.csr_matrix:
    """Matrix N with (N @ Y)[i] = relevance-weighted mean of Y at i-1 and i+1 in i's page."""
    n = len(batch.page_index)
    i = np.arange(n)
    same_prev = np.zeros(n, dtype=bool)
    same_prev[1:] = batch.page_index[1:] == batch.page_index[:-1]
    prev_rows = i[same_prev]
    next_rows = prev_rows - 1
    rows = np.concatenate([prev_rows, next_rows])
    cols = np.concatenate([prev_rows - 1, prev_rows])
    return sp.csr_matrix((relevance[cols] / 2.0, (rows, cols)), shape=(n, n))


class ParagraphClassifier(BaseEstimator):
    """Relevance and event-type classifier for the paragraphs of pages.

    Parameters
    ----------
    ngram_range, n_features, min_df, sublinear_tf
        Passed to :class:`~autoclass.features.PageFeaturizer`.
    relevance_C, event_C : float
        Inverse regularisation strength of each head.
    relevance_page_context : bool
        Give the relevance head the mean TF-IDF of the whole page, so that a
        paragraph of an off-topic page can be told from one of a car story.
    event_contexts : tuple of str
        Context blocks of the event head, a subset of ``EVENT_CONTEXTS``.
    relevance_threshold : float
        Probability at or above which a paragraph is relevant.
    cv_folds : int
        Folds (grouped by article) for out-of-fold relevance probabilities.
    max_iter : int
        Iteration limit of the solvers.
    random_state : int
        Seed of every random choice.
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        n_features: int = 2**20,
        min_df: int = 2,
        sublinear_tf: bool = True,
        relevance_C: float = 4.0,
        event_C: float = 8.0,
        relevance_page_context: bool = True,
        event_contexts: tuple[str, ...] = EVENT_CONTEXTS,
        relevance_threshold: float = 0.5,
        cv_folds: int = 5,
        max_iter: int = 3000,
        random_state: int = 0,
    ) -> None:
        self.ngram_range = ngram_range
        self.n_features = n_features
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.relevance_C = relevance_C
        self.event_C = event_C
        self.relevance_page_context = relevance_page_context
        self.event_contexts = event_contexts
        self.relevance_threshold = relevance_threshold
        self.cv_folds = cv_folds
        self.max_iter = max_iter
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        pages: Sequence[Sequence[str]],
        relevant: Sequence[Sequence[bool]],
        events: Sequence[Sequence[str | None]],
        *,
        groups: Sequence[str] | None = None,
    ) -> ParagraphClassifier:
        """Fit both heads.

        Parameters
        ----------
        pages : sequence of sequence of str
            Each page as its list of paragraphs.
        relevant : sequence of sequence of bool
            Gold relevance of every paragraph, page by page.
        events : sequence of sequence of str or None
            Gold event type of every paragraph (``None`` when irrelevant).
        groups : sequence of str, optional
            One group per page for the out-of-fold folds (the site, or the
            article); each page is its own group by default.

        Returns
        -------
        ParagraphClassifier
            ``self``, fitted.

        Raises
        ------
        AutoclassError
            If the data cannot train both heads.
        """
        unknown = set(self.event_contexts) - set(EVENT_CONTEXTS)
        if unknown:
            raise ValueError(f"unknown event contexts {sorted(unknown)}; use {EVENT_CONTEXTS}")
        y_rel = np.fromiter((bool(v) for page in relevant for v in page), dtype=bool)
        ev = [e for page in events for e in page]
        if len(y_rel) == 0 or y_rel.all() or not y_rel.any():
            raise AutoclassError("training needs both relevant and irrelevant paragraphs")
        index = {name: i for i, name in enumerate(EVENT_TYPES)}
        y_ev = np.array([index.get(e, -1) if e is not None else -1 for e in ev])
        if len(np.unique(y_ev[y_rel])) < 2:
            raise AutoclassError("training needs relevant paragraphs of at least two event types")

        self.featurizer_ = PageFeaturizer(
            ngram_range=self.ngram_range,
            n_features=self.n_features,
            min_df=self.min_df,
            sublinear_tf=self.sublinear_tf,
        ).fit(pages)
        batch = self.featurizer_.transform(pages)
        page_groups = np.asarray(groups if groups is not None else np.arange(len(pages)))
        row_groups = page_groups[batch.page_index]

        x_rel = self._relevance_matrix(batch)
        head = self._relevance_head()
        n_folds = min(self.cv_folds, len(np.unique(row_groups)))
        if n_folds >= 2:
            oof = cross_val_predict(
                head, x_rel, y_rel, groups=row_groups,
                cv=GroupKFold(n_splits=n_folds), method="decision_function",
            )
        else:  # too few groups to hold any out: calibrate in-sample
            oof = head.fit(x_rel, y_rel).decision_function(x_rel)
        platt = LogisticRegression(C=1e4, max_iter=self.max_iter).fit(oof[:, None], y_rel)
        self.calibration_ = (float(platt.coef_[0, 0]), float(platt.intercept_[0]))
        head.fit(x_rel, y_rel)
        oof_relevance = _sigmoid(self.calibration_[0] * oof + self.calibration_[1])

        x_ev = self._event_matrix(batch, oof_relevance)[y_rel]
        event_head = LogisticRegression(
            C=self.event_C, class_weight="balanced", max_iter=self.max_iter,
            random_state=self.random_state,
        ).fit(x_ev, y_ev[y_rel])
        self._store_weights(head, event_head)
        return self

    def _relevance_head(self) -> LogisticRegression:
        return LogisticRegression(
            C=self.relevance_C, solver="liblinear", max_iter=self.max_iter,
            random_state=self.random_state,
        )

    def _relevance_blocks(self, batch: PageBatch) -> list:
        ops = [None]
        if self.relevance_page_context:
            ops.append(_page_mean(batch, np.ones(len(batch.page_index))))
        return ops

    def _event_blocks(self, batch: PageBatch, relevance: np.ndarray) -> list:
        ops: list = [None]
        for name in self.event_contexts:
            if name == "page":
                ops.append(_page_mean(batch, relevance))
            elif name == "headline":
                ops.append(_headline(batch, relevance, self.relevance_threshold))
            else:
                ops.append(_neighbours(batch, relevance))
        return ops

    def _relevance_matrix(self, batch: PageBatch) -> sp.csr_matrix:
        mixed = [batch.tfidf if op is None else op @ batch.tfidf for op in self._relevance_blocks(batch)]
        return sp.hstack([*mixed, sp.csr_matrix(batch.layout)], format="csr")

    def _event_matrix(self, batch: PageBatch, relevance: np.ndarray) -> sp.csr_matrix:
        ops = self._event_blocks(batch, relevance)
        return sp.hstack([batch.tfidf if op is None else op @ batch.tfidf for op in ops], format="csr")

    def _store_weights(self, rel: LogisticRegression, ev: LogisticRegression) -> None:
        v = self.featurizer_.n_terms
        n_rel = len(self._relevance_blocks_names())
        rel_coef = rel.coef_[0]
        # Columns: one per relevance text block, then K per event block.
        rel_text = rel_coef[: n_rel * v].reshape(n_rel, v).T
        self.relevance_layout_weights_ = rel_coef[n_rel * v :].copy()
        self.relevance_intercept_ = float(rel.intercept_[0])

        k = len(EVENT_TYPES)
        n_ev = 1 + len(self.event_contexts)
        full = np.zeros((k, n_ev * v))
        full[ev.classes_] = ev.coef_
        self.event_intercept_ = np.full(k, -np.inf)
        self.event_intercept_[ev.classes_] = ev.intercept_
        ev_text = full.reshape(k, n_ev, v).transpose(2, 1, 0).reshape(v, n_ev * k)
        self.text_weights_ = np.ascontiguousarray(np.hstack([rel_text, ev_text]))

    def _relevance_blocks_names(self) -> list[str]:
        return ["own", "page"] if self.relevance_page_context else ["own"]

    # -------------------------------------------------------------- predict
    def predict_proba(self, pages: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Relevance probability and event probabilities of every paragraph.

        Parameters
        ----------
        pages : sequence of sequence of str
            Each page as its list of paragraphs.

        Returns
        -------
        relevance : numpy.ndarray, shape (n_paragraphs,)
            Calibrated probability that each paragraph is relevant.
        events : numpy.ndarray, shape (n_paragraphs, 15)
            Probability of each event type, columns in ``EVENT_TYPES`` order.
        """
        check_is_fitted(self, "text_weights_")
        batch = self.featurizer_.transform(pages)
        k = len(EVENT_TYPES)
        n_rel = len(self._relevance_blocks_names())
        scores = np.asarray(batch.tfidf @ self.text_weights_)

        decision = batch.layout @ self.relevance_layout_weights_ + self.relevance_intercept_
        for j, op in enumerate(self._relevance_blocks(batch)):
            decision += scores[:, j] if op is None else op @ scores[:, j]
        a, b = self.calibration_
        relevance = _sigmoid(a * decision + b)

        event_scores = np.tile(self.event_intercept_, (len(relevance), 1))
        for j, op in enumerate(self._event_blocks(batch, relevance)):
            block = scores[:, n_rel + j * k : n_rel + (j + 1) * k]
            event_scores += block if op is None else op @ block
        return relevance, _softmax(event_scores)
