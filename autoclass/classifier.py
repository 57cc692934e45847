"""The two heads of autoclass: relevance and event type, over one feature pass.

Both heads are stacked logistic regressions.

* Relevance.  Stage 1 scores each line twice: from its words and layout
  (is it article content?) and from its words alone (is it about the auto
  industry?); the page's content lines get a topic score of their own.
  Stage 2 reads these scores over the line's neighbourhood and its whole
  page (see :mod:`autoclass.context`) and their pairwise products, so that a
  line is judged in its page: a "Share" between two body paragraphs, a
  sports paragraph on a sports page, a broken fragment of a body paragraph.
  Stage 2 is fitted on out-of-fold stage-1 scores, so its probability is
  calibrated on lines the first stage never saw.
* Event type.  Stage 1 gives each paragraph event probabilities from its own
  words.  Stage 2 adds the page's context, as the labeling guide gives a background
  paragraph the type of its story: the relevance-weighted mean of stage-1
  probabilities over the page and over the two neighbours (optionally those
  of the headline, the first relevant line).  Context probabilities are
  out-of-fold in training, as they are unseen-text probabilities at
  prediction.

Folds are grouped by site (or article), so out-of-fold means out-of-site.
Prediction multiplies the TF-IDF rows by all text weights at once and
computes the small context features with numpy.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from autoclass.context import (
    CLIP,
    RELEVANCE_CONTEXT,
    body_similarity,
    event_context,
    page_mean_matrix,
    page_sum,
    relevance_context,
    sigmoid,
)
from autoclass.errors import AutoclassError
from autoclass.features import LAYOUT_FEATURES, PageBatch, PageFeaturizer
from autoclass.markup import MARKUP_GROUPS
from autoclass.taxonomy import EVENT_TYPES

EVENT_CONTEXTS: tuple[str, ...] = ("page", "neighbours", "headline")
# Layout features that enter the pairwise products of relevance stage 2.
INTERACTION_LAYOUT: tuple[str, ...] = (
    "log_chars",
    "ends_sentence",
    "relative_position",
    "log_position",
    "log_position_from_end",
    "repeats_in_page",
    "stop_word_density",
    "capitalised_word_ratio",
    "starts_lower",
)
_STANDARD_CLIP = 3.0
# Columns of the body head's context that relevance stage 2 reads (see RELEVANCE_CONTEXT).
_BODY_CONTEXT = [1, 7, 8]
# Lines per block of the wide stage-2 matrix (213 columns) at prediction:
# bounded memory on a page of a million lines, and a block (1.7 MB) that stays
# in a core's L2 cache (with 4,096 lines the forward pass of the benchmark pages took 6% longer).
_STAGE2_BLOCK = 1024


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


def _held_out_scores(
    model: LogisticRegression, x_train: sp.csr_matrix, y_train: np.ndarray, x_test: sp.csr_matrix
) -> np.ndarray:
    """Decision values on ``x_test`` of ``model`` fitted on a fold's training part.

    A fold whose training part holds one class (the sites of a small corpus's
    off-topic pages alone, with no relevant line) cannot be fitted: every held-out
    line then gets the log-odds of that part's smoothed share of the class.
    """
    if y_train.all() or not y_train.any():
        share = (y_train.sum() + 0.5) / (len(y_train) + 1)
        return np.full(x_test.shape[0], np.log(share / (1 - share)))
    return model.fit(x_train, y_train).decision_function(x_test)


class ParagraphClassifier(BaseEstimator):
    """Relevance and event-type classifier for the paragraphs of pages.

    Parameters
    ----------
    ngram_range, min_df, sublinear_tf
        Passed to :class:`~autoclass.features.PageFeaturizer`.
    relevance_C, event_C : float
        Inverse regularisation strength of the text weights of each head.
    relevance_context : bool
        Use the second relevance stage (the line in its page).
    relevance_words_only : bool
        Give the relevance head the word columns only, not the word pairs.
    relevance_interactions : bool
        Add pairwise products of the main stage-2 probabilities.
    event_contexts : tuple of str
        Context blocks of the event head, a subset of ``EVENT_CONTEXTS``.
    relevance_threshold : float
        Probability at or above which a paragraph is relevant.
    cv_folds : int
        Folds, grouped by site, for the out-of-fold stage-1 scores.
    max_iter : int
        Iteration limit of the solvers.
    random_state : int
        Seed of every random choice.
    event_types : tuple of str
        The taxonomy: the event types, in the order of the event columns
        (the default fifteen of the labeling guide, or one's own).
    markup : tuple of str
        Groups of markup features of HTML blocks (``autoclass.markup.MARKUP_GROUPS``)
        read beside the layout features; a page of plain text has none.
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        sublinear_tf: bool = True,
        relevance_C: float = 4.0,
        event_C: float = 8.0,
        relevance_context: bool = True,
        relevance_words_only: bool = True,
        relevance_interactions: bool = True,
        event_contexts: tuple[str, ...] = ("page", "neighbours"),
        relevance_threshold: float = 0.5,
        cv_folds: int = 5,
        max_iter: int = 3000,
        random_state: int = 0,
        event_types: tuple[str, ...] = EVENT_TYPES,
        markup: tuple[str, ...] = tuple(MARKUP_GROUPS),
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.relevance_C = relevance_C
        self.event_C = event_C
        self.relevance_context = relevance_context
        self.relevance_words_only = relevance_words_only
        self.relevance_interactions = relevance_interactions
        self.event_contexts = event_contexts
        self.relevance_threshold = relevance_threshold
        self.cv_folds = cv_folds
        self.max_iter = max_iter
        self.random_state = random_state
        self.event_types = event_types
        self.markup = markup

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        pages: Sequence[Sequence[str]],
        relevant: Sequence[Sequence[bool]],
        events: Sequence[Sequence[str | None]],
        *,
        body: Sequence[Sequence[bool | None]] | None = None,
        groups: Sequence[str] | None = None,
    ) -> ParagraphClassifier:
        """Fit the heads: body, relevance and event type.

        Parameters
        ----------
        pages : sequence of sequence of str
            Each page as its list of paragraphs.
        relevant : sequence of sequence of bool
            Gold relevance of every paragraph, page by page.
        events : sequence of sequence of str or None
            Gold event type of every paragraph (``None`` when irrelevant).
        body : sequence of sequence of bool or None, optional
            Gold ``body`` of every paragraph (the page's own story, whatever
            its topic). Where it is unknown (``None``, or not given) the
            relevance label stands in for it.
        groups : sequence of str, optional
            One group per page for the folds (the site, or the article);
            each page is its own group by default.

        Returns
        -------
        ParagraphClassifier
            ``self``, fitted.

        Raises
        ------
        AutoclassError
            If the data cannot train both heads.
        """
        # One BLAS thread: a multi-threaded BLAS sums the solvers' dense products
        # in a thread-dependent order, and the fitted weights would depend on
        # the machine's core count (measured: 0.05 in relevance probability).
        with threadpool_limits(limits=1), unconverged() as stopped:
            fitted = self._fit(pages, relevant, events, body=body, groups=groups)
        if stopped:  # scikit-learn warns once per regression: up to 22 lines with the folds'
            warnings.warn(UNCONVERGED.format(max_iter=self.max_iter), ConvergenceWarning, stacklevel=2)
        return fitted

    def _fit(
        self,
        pages: Sequence[Sequence[str]],
        relevant: Sequence[Sequence[bool]],
        events: Sequence[Sequence[str | None]],
        *,
        body: Sequence[Sequence[bool | None]] | None,
        groups: Sequence[str] | None,
    ) -> ParagraphClassifier:
        unknown = set(self.event_contexts) - set(EVENT_CONTEXTS)
        if unknown:
            raise ValueError(f"unknown event contexts {sorted(unknown)}; use {EVENT_CONTEXTS}")
        self.event_types_ = tuple(self.event_types)
        index = {name: i for i, name in enumerate(self.event_types_)}
        if len(index) != len(self.event_types_) or len(index) < 2:
            raise ValueError(f"event_types must be at least two distinct names, not {self.event_types!r}")
        y_rel = np.fromiter((bool(v) for page in relevant for v in page), dtype=bool)
        labels = ((e, r) for page, rel in zip(events, relevant) for e, r in zip(page, rel))
        unknown = {e for e, r in labels if r and e is not None and e not in index}
        if unknown:
            raise AutoclassError(
                f"event types {sorted(map(str, unknown))} of the training data are not in the taxonomy "
                f"({', '.join(self.event_types_)})"
            )
        y_ev = np.array([index.get(e, -1) if e else -1 for page in events for e in page], dtype=int)
        if len(y_rel) == 0 or y_rel.all() or not y_rel.any():
            raise AutoclassError("training needs both relevant and irrelevant paragraphs")
        y_body = y_rel.copy()
        if body is not None:
            given = [b for page in body for b in page]
            if len(given) != len(y_rel):
                raise ValueError(f"body labels for {len(given)} paragraphs, relevance for {len(y_rel)}")
            y_body |= np.fromiter((b is True for b in given), dtype=bool)
        if len(np.unique(y_ev[y_rel])) < 2:
            raise AutoclassError("training needs relevant paragraphs of at least two event types")
        if y_body.all():
            raise AutoclassError(
                "training needs paragraphs outside the article body too (menus, lists of other stories, "
                "share prompts): every labeled paragraph is body"
            )

        self.featurizer_ = PageFeaturizer(
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            sublinear_tf=self.sublinear_tf,
            markup=self.markup,
        ).fit(pages)
        batch = self.featurizer_.transform(pages)
        page_groups = np.asarray(groups if groups is not None else np.arange(len(pages)))
        row_groups = page_groups[batch.page_index]
        n_folds = min(self.cv_folds, len(np.unique(row_groups)))
        folds = list(GroupKFold(n_splits=n_folds).split(y_rel, groups=row_groups)) if n_folds >= 2 else []

        # Relevance stage 1 (own words + layout; own words alone), out of fold,
        # then on everything.
        # The relevance head reads words only (not word pairs): pairs did not
        # measurably help it, and the fits are faster without them.
        words = batch.tfidf[:, : self._relevance_terms()]
        x1 = sp.hstack([words, sp.csr_matrix(batch.layout)], format="csr")
        # The topic score learns auto-industry words against whole off-topic pages
        # (pages without a relevant line), not against boilerplate: else it
        # would learn prose against menus, which the layout already knows.
        page_has_relevant = page_sum(y_rel.astype(float), batch) > 0
        topical = y_rel | ~page_has_relevant[batch.page_index]
        if y_rel[topical].all():  # no off-topic page: fall back to all lines
            topical = np.ones_like(y_rel)
        d_oof, t_oof, b_oof = np.zeros(len(y_rel)), np.zeros(len(y_rel)), np.zeros(len(y_rel))
        for train, test in folds:
            head = self._lr(self.relevance_C, binary=True)
            d_oof[test] = _held_out_scores(head, x1[train], y_rel[train], x1[test])
            head = self._lr(self.relevance_C, binary=True)
            b_oof[test] = _held_out_scores(head, x1[train], y_body[train], x1[test])
            t_train = train[topical[train]]
            if y_rel[t_train].all() or not y_rel[t_train].any():
                t_train = train
            topic = self._lr(self.relevance_C, balanced=True, binary=True)
            t_oof[test] = _held_out_scores(topic, words[t_train], y_rel[t_train], words[test])
        stage1 = self._lr(self.relevance_C, binary=True).fit(x1, y_rel)
        body1 = self._lr(self.relevance_C, binary=True).fit(x1, y_body)
        topic = self._lr(self.relevance_C, balanced=True, binary=True).fit(words[topical], y_rel[topical])
        if not folds:  # too few groups to hold any out
            d_oof, t_oof = stage1.decision_function(x1), topic.decision_function(words)
            b_oof = body1.decision_function(x1)

        # Page topic: is the page's body about the auto industry?  A linear model
        # of the mean word vector of the page's content lines (weighted by their
        # stage-1 probability), i.e. a weighted page mean of one more line score.
        page_words = page_mean_matrix(batch, sigmoid(np.clip(d_oof, -CLIP, CLIP))) @ words
        page_groups_arr = np.asarray(page_groups)
        s_oof = np.zeros(batch.n_pages)
        if n_folds >= 2 and len(np.unique(page_groups_arr)) >= 2 and len(np.unique(page_has_relevant)) == 2:
            page_folds = GroupKFold(n_splits=min(n_folds, len(np.unique(page_groups_arr))))
            for train, test in page_folds.split(page_has_relevant, groups=page_groups_arr):
                if len(np.unique(page_has_relevant[train])) == 2:
                    page_model = self._lr(self.relevance_C, balanced=True, binary=True)
                    page_model.fit(page_words[train], page_has_relevant[train])
                    s_oof[test] = page_model.decision_function(page_words[test])
        if len(np.unique(page_has_relevant)) == 2:
            page_topic = self._lr(self.relevance_C, balanced=True, binary=True).fit(
                page_words, page_has_relevant
            )
        else:  # every page is on topic: the page score carries no information
            page_topic = None

        # Relevance stage 2 (the line in its page), on out-of-fold scores.  It
        # reads the body head only when body labels say more than relevance
        # (some body line is not relevant): else the body scores repeat the content
        # scores, and the extra columns only add noise to a small model.
        self.body_in_relevance_ = bool((y_body != y_rel).any())
        # Computed once for both second stages.
        b_ctx, similarity = relevance_context(b_oof, batch), body_similarity(d_oof, batch)
        ctx, core = self._stage2_context(d_oof, t_oof, s_oof[batch.page_index], batch, b_ctx, similarity)
        x2 = self._stage2_rows(ctx, core, batch.layout, slice(None), fit=True)
        stage2 = LogisticRegression(C=1.0, max_iter=self.max_iter).fit(x2, y_rel)
        relevance = stage2.predict_proba(x2)[:, 1]

        # Body stage 2: the line in its page, from the body scores alone, so that
        # an article's lines are found whatever its topic.
        xb = self._body_rows(b_ctx, similarity, batch.layout, fit=True)
        body2 = LogisticRegression(C=1.0, max_iter=self.max_iter).fit(xb, y_body)
        self.body2_weights_ = body2.coef_[0].copy()
        self.body2_intercept_ = float(body2.intercept_[0])

        # Event stage 1 (own words) on relevant lines, out of fold for every line.
        rel_rows = np.flatnonzero(y_rel)
        q_oof = np.zeros((len(y_rel), len(self.event_types_)))
        for train, test in folds:
            train = np.intersect1d(train, rel_rows)
            if len(np.unique(y_ev[train])) >= 2:
                q_oof[test] = self._event_proba(
                    self._lr(self.event_C, balanced=True).fit(batch.tfidf[train], y_ev[train]),
                    batch.tfidf[test],
                )
        ev1 = self._lr(self.event_C, balanced=True).fit(batch.tfidf[rel_rows], y_ev[rel_rows])
        if not folds:
            q_oof = self._event_proba(ev1, batch.tfidf)

        # Event stage 2: own words + page context of stage-1 probabilities.
        ctx = event_context(q_oof, relevance, batch, self.event_contexts, self.relevance_threshold)
        x_ev = sp.hstack([batch.tfidf, sp.csr_matrix(ctx)], format="csr")[rel_rows]
        ev2 = self._lr(self.event_C, balanced=True).fit(x_ev, y_ev[rel_rows])
        self._store(stage1, topic, page_topic, stage2, ev1, ev2, body1)
        return self

    def _relevance_terms(self) -> int:
        """Columns of the TF-IDF matrix the relevance head reads: the words."""
        return self.featurizer_.n_words if self.relevance_words_only else self.featurizer_.n_terms

    def _lr(self, c: float, *, balanced: bool = False, binary: bool = False) -> LogisticRegression:
        # Measured on the corpus: for the binary head liblinear converges in a
        # fraction of a second (saga and L-BFGS take seconds, the dense layout
        # columns slow them); for the 15-type head saga is 10x faster than L-BFGS.
        return LogisticRegression(
            C=c,
            class_weight="balanced" if balanced else None,
            solver="liblinear" if binary else "saga",
            max_iter=self.max_iter,
            random_state=self.random_state,
        )

    def _event_proba(self, model: LogisticRegression, x: sp.csr_matrix) -> np.ndarray:
        out = np.zeros((x.shape[0], len(self.event_types_)))
        out[:, model.classes_] = model.predict_proba(x)
        return out

    def _stage2_context(
        self,
        d: np.ndarray,
        t: np.ndarray,
        s: np.ndarray,
        batch: PageBatch,
        b_ctx: np.ndarray,
        similarity: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The narrow stage-2 columns, and the columns whose pairwise products are added.

        ``b_ctx`` is the body score in its page (:func:`relevance_context`), and
        ``similarity`` the line's word overlap with the page's content lines.
        """
        page_p = sigmoid(np.clip(s, -CLIP, CLIP))
        # Content on an on-topic page, topic on an on-topic page: the "and"
        # a linear stage cannot form by itself.
        both = np.column_stack([s, page_p, sigmoid(d) * page_p, sigmoid(t) * page_p])
        if not self.relevance_context:
            return np.column_stack([d, t, both]), None
        d_ctx, t_ctx = relevance_context(d, batch), relevance_context(t, batch)
        similarity = similarity[:, None]
        ctx = np.hstack([d_ctx, t_ctx, similarity, both])
        if self.body_in_relevance_:
            # The body head's view (is the line the page's own story?), which the
            # relevance head reads beside its own: probability, window and page mean.
            ctx = np.hstack([ctx, b_ctx[:, _BODY_CONTEXT]])
        if not self.relevance_interactions:
            return ctx, None
        # Pairwise products of the line's and its surroundings' probabilities
        # and of its shape: a linear stage cannot form "long AND on-topic
        # page AND inside the body" by itself.
        layout = batch.layout[:, [LAYOUT_FEATURES.index(name) for name in INTERACTION_LAYOUT]]
        core = np.column_stack(
            [d_ctx[:, [1, 2, 7, 8]], t_ctx[:, [1, 2, 8]], page_p, similarity[:, 0], layout]
        )
        return ctx, core

    def _body_rows(
        self, b_ctx: np.ndarray, similarity: np.ndarray, layout: np.ndarray, *, fit: bool = False
    ) -> np.ndarray:
        """Standardised body stage-2 features: the body score in its page, and the line's shape."""
        x = np.hstack([b_ctx, similarity[:, None], layout])
        return self._standardised(x, "body2", fit=fit)

    def _stage2_rows(
        self, ctx: np.ndarray, core: np.ndarray | None, layout: np.ndarray, rows: slice, *, fit: bool = False
    ) -> np.ndarray:
        """Standardised stage-2 features of a block of lines (see ``relevance_stage2_names``)."""
        ctx, layout = ctx[rows], layout[rows]
        k = 0 if core is None else core.shape[1]
        x = np.empty((len(ctx), ctx.shape[1] + k * (k - 1) // 2 + layout.shape[1]))
        x[:, : ctx.shape[1]] = ctx
        at = ctx.shape[1]
        if core is not None:
            # The pairwise products in np.triu_indices order, each column times the
            # later ones, written in place: no copies of the columns of every pair.
            core = core[rows]
            for i in range(k - 1):
                np.multiply(core[:, i, None], core[:, i + 1 :], out=x[:, at : at + k - 1 - i])
                at += k - 1 - i
        x[:, at:] = layout
        return self._standardised(x, "stage2", fit=fit)

    def _standardised(self, x: np.ndarray, stage: str, *, fit: bool) -> np.ndarray:
        """``x`` standardised in place with the stage's training mean and scale (learned when ``fit``)."""
        if fit:
            std = x.std(axis=0)
            setattr(self, f"{stage}_mean_", x.mean(axis=0))
            setattr(self, f"{stage}_scale_", np.where(std > 1e-9, std, 1.0))
        x -= getattr(self, f"{stage}_mean_")
        x /= getattr(self, f"{stage}_scale_")
        # Clipped: a linear stage must not extrapolate from a page far outside
        # the training range (a four-line snippet, a 2,000-line dump).
        return np.clip(x, -_STANDARD_CLIP, _STANDARD_CLIP, out=x)

    def _store(self, stage1, topic, page_topic, stage2, ev1, ev2, body1) -> None:  # noqa: ANN001 - fitted
        v = self.featurizer_.n_terms
        k = len(self.event_types_)

        def full(model: LogisticRegression, n_cols: int) -> tuple[np.ndarray, np.ndarray]:
            coef = np.zeros((k, n_cols))
            intercept = np.full(k, -np.inf)  # a type never seen in training is never predicted
            if len(model.classes_) == 2:
                # Two types: one row of weights, the second type's log-odds against the first
                # (given to both rows, they scored every line 0.5 / 0.5).
                coef[model.classes_[1]] = model.coef_[0]
                intercept[model.classes_] = [0.0, model.intercept_[0]]
            else:
                coef[model.classes_] = model.coef_
                intercept[model.classes_] = model.intercept_
            return coef, intercept

        u = self._relevance_terms()

        def pad(weights: np.ndarray) -> np.ndarray:  # relevance weights of words, none of pairs
            out = np.zeros((v, 1))
            out[:u, 0] = weights
            return out

        ev1_coef, self.event1_intercept_ = full(ev1, v)
        ev2_coef, self.event2_intercept_ = full(ev2, ev2.coef_.shape[1])
        self.event2_context_weights_ = ev2_coef[:, v:].T.copy()
        # All text weights side by side: one sparse x dense product at prediction. Rounded to
        # single precision, which serialize then stores in half the space (scores move by 5e-8);
        # kept in double, as the product and the explanations' sums are.
        self.text_weights_ = np.ascontiguousarray(
            np.hstack(
                [
                    pad(stage1.coef_[0, :u]),
                    pad(topic.coef_[0]),
                    pad(page_topic.coef_[0] if page_topic is not None else np.zeros(u)),
                    ev1_coef.T,
                    ev2_coef[:, :v].T,
                    pad(body1.coef_[0, :u]),
                ]
            ).astype(np.float32),
            dtype=float,
        )
        self.page_topic_intercept_ = float(page_topic.intercept_[0]) if page_topic is not None else 0.0
        self.relevance1_layout_weights_ = stage1.coef_[0, u:].copy()
        self.relevance1_intercept_ = float(stage1.intercept_[0])
        self.topic_intercept_ = float(topic.intercept_[0])
        self.body1_layout_weights_ = body1.coef_[0, u:].copy()
        self.body1_intercept_ = float(body1.intercept_[0])
        self.relevance2_weights_ = stage2.coef_[0].copy()
        self.relevance2_intercept_ = float(stage2.intercept_[0])

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
        events : numpy.ndarray, shape (n_paragraphs, len(event_types_))
            Probability of each event type, columns in ``event_types_`` order.
        """
        state = self.forward(pages)
        return state.relevance, _softmax(state.event_scores)

    def predict_all(self, pages: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Relevance, event and body probabilities of every paragraph.

        Returns
        -------
        relevance, events : numpy.ndarray
            As :meth:`predict_proba`.
        body : numpy.ndarray, shape (n_paragraphs,)
            Probability that each paragraph is the page's own article, whatever its topic.
        """
        state = self.forward(pages)
        return state.relevance, _softmax(state.event_scores), state.body

    def forward(self, pages: Sequence[Sequence[str]], *, keep_features: bool = False) -> ForwardPass:
        """Every intermediate of prediction, for :mod:`autoclass.explain`.

        The wide relevance stage-2 matrix is built in blocks of lines and
        dropped, unless ``keep_features`` (for explanations of one page).
        """
        check_is_fitted(self, "text_weights_")
        batch = self.featurizer_.transform(pages)
        k = len(self.event_types_)
        scores = np.asarray(batch.tfidf @ self.text_weights_)
        d = scores[:, 0] + batch.layout @ self.relevance1_layout_weights_ + self.relevance1_intercept_
        t = scores[:, 1] + self.topic_intercept_
        s = page_mean_matrix(batch, sigmoid(np.clip(d, -CLIP, CLIP))) @ scores[:, 2]
        s = s[batch.page_index] + self.page_topic_intercept_
        b = scores[:, 3 + 2 * k] + batch.layout @ self.body1_layout_weights_ + self.body1_intercept_
        b_ctx, similarity = relevance_context(b, batch), body_similarity(d, batch)
        xb = self._body_rows(b_ctx, similarity, batch.layout)
        body = sigmoid(xb @ self.body2_weights_ + self.body2_intercept_)
        ctx, core = self._stage2_context(d, t, s, batch, b_ctx, similarity)
        n = len(d)
        logits = np.empty(n)
        for start in range(0, n, _STAGE2_BLOCK):
            block = slice(start, start + _STAGE2_BLOCK)
            logits[block] = self._stage2_rows(ctx, core, batch.layout, block) @ self.relevance2_weights_
        relevance = sigmoid(logits + self.relevance2_intercept_)
        # A line with no word but stop words ("of", "the and", "###") states nothing, yet its
        # extreme features make the linear stages extrapolate (a one-line page of "of" scored 0.999).
        relevance[batch.says_nothing] = 0.0
        body[batch.says_nothing] = 0.0
        x2 = self._stage2_rows(ctx, core, batch.layout, slice(None)) if keep_features else None
        q = _softmax(scores[:, 3 : 3 + k] + self.event1_intercept_)
        ctx = event_context(q, relevance, batch, self.event_contexts, self.relevance_threshold)
        events = scores[:, 3 + k : 3 + 2 * k] + self.event2_intercept_
        if ctx.shape[1]:
            events += ctx @ self.event2_context_weights_
        return ForwardPass(batch, d, x2, relevance, ctx, events, body)

    def relevance_stage2_names(self) -> list[str]:
        """Names of the relevance stage-2 columns, in the order of ``relevance2_weights_``."""
        layout = self.featurizer_.dense_names()
        if not self.relevance_context:
            return ["content score", "topic score", *_PAGE_TOPIC_NAMES, *layout]
        content = [f"content {name}" for name in RELEVANCE_CONTEXT]
        topic = [f"topic {name}" for name in RELEVANCE_CONTEXT]
        body = [f"body-head {RELEVANCE_CONTEXT[i]}" for i in _BODY_CONTEXT] if self.body_in_relevance_ else []
        names = [*content, *topic, "body similarity", *_PAGE_TOPIC_NAMES, *body]
        if self.relevance_interactions:
            core = [
                *(content[i] for i in (1, 2, 7, 8)),
                *(topic[i] for i in (1, 2, 8)),
                "page topic probability",
                "body similarity",
                *INTERACTION_LAYOUT,
            ]
            i, j = np.triu_indices(len(core), k=1)
            names += [f"{core[a]} x {core[b]}" for a, b in zip(i, j)]
        return names + layout


_PAGE_TOPIC_NAMES = (
    "page topic score",
    "page topic probability",
    "content probability x page topic",
    "topic probability x page topic",
)


#: What a fit that did not converge means here, said once.
UNCONVERGED = (
    "some of the model's logistic regressions stopped at max_iter={max_iter} before converging "
    "(small or nearly separable training data); the model is usable, and more training pages or "
    "a larger max_iter (--config) let them converge"
)


@contextmanager
def unconverged() -> Iterator[list[warnings.WarningMessage]]:
    """Hold back the fits' convergence warnings, for the caller to say once.

    A fit of a fold (cross-validation, the audit) warns as the model's own
    fit does; the caller says it once for all folds, or not at all when the
    model's own fit says it. Yields the list of the warnings held back.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        held: list[warnings.WarningMessage] = []
        yield held
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            held.append(w)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


@dataclass(frozen=True)
class ForwardPass:
    """Intermediates of one prediction pass over a batch of pages.

    Attributes
    ----------
    batch : PageBatch
        The features of the pages.
    content_score : numpy.ndarray
        Relevance stage-1 log-odds from the line's words and layout.
    relevance_features : numpy.ndarray or None
        Standardised relevance stage-2 inputs (see ``relevance_stage2_names``),
        when asked for.
    relevance : numpy.ndarray
        Final relevance probability.
    event_context : numpy.ndarray
        Event stage-2 context columns (page and neighbour event shares).
    event_scores : numpy.ndarray
        Event stage-2 log-odds before the softmax.
    body : numpy.ndarray
        Probability that each line is the page's own story, whatever its topic.
    """

    batch: PageBatch
    content_score: np.ndarray
    relevance_features: np.ndarray | None
    relevance: np.ndarray
    event_context: np.ndarray
    event_scores: np.ndarray
    body: np.ndarray
