"""Why a paragraph got its labels: the features that pushed it, with their weights.

Every score of the model is linear in its inputs, so a prediction splits
exactly into one contribution per input (value x weight) plus an intercept:

* relevance: the second stage's log-odds, over the line's context in its page
  (its own content score, its neighbours', the page's topic, its layout ...);
* the content score, the first stage's log-odds that the line itself is
  article content: its words and its layout;
* event type: the log-odds of the predicted type relative to the average
  type (softmax is unchanged by a shift common to all types), over the
  paragraph's own words and its page's and neighbours' event shares.

Contributions are relative to an average training line (stage-2 and layout
inputs are standardised); the largest in size are listed first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from autoclass.classifier import ParagraphClassifier
from autoclass.html import HtmlPage

if TYPE_CHECKING:
    from autoclass.model import Model

DEFAULT_TOP = 8


@dataclass(frozen=True, slots=True)
class Contribution:
    """One input's push on a score.

    Attributes
    ----------
    feature : str
        What the input is: ``word 'recall'``, ``first word 'share'``,
        ``pair 'seat belt'``, ``layout log_chars``, a context feature.
    value : float
        The input's value (TF-IDF weight, or a standardised z-score).
    weight : float
        The model's weight of the input.
    effect : float
        ``value * weight``: the change in log-odds it causes.
    """

    feature: str
    value: float
    weight: float
    effect: float

    def to_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "value": self.value, "weight": self.weight, "effect": self.effect}


@dataclass(frozen=True)
class Explanation:
    """Why one paragraph got its relevance and event type.

    Attributes
    ----------
    text, position : str, int
        The paragraph and its index in the page.
    relevance : float
        Relevance probability; ``relevant`` is whether it reaches ``threshold``.
    relevance_reasons : list of Contribution
        Largest inputs of the relevance log-odds (the line in its page).
    relevance_intercept : float
        The relevance log-odds of an average line.
    relevance_by_source : dict of str to float
        Every relevance contribution summed by the signal it comes from (the
        line's own content score, its neighbours', the page's topic, body
        similarity, layout ...; a product counts half for each of its two
        signals), largest in size first.  With the intercept they add up to
        the relevance log-odds.
    content_score : float
        The first-stage log-odds that the line itself is content.
    content_intercept : float
        The content log-odds of a line with no word the model knows and
        average layout; with every content contribution it adds up to
        ``content_score``.
    content_reasons : list of Contribution
        Largest word and layout inputs of the content score.
    event : str
        The most probable event type (the paragraph's event when relevant).
    event_probability : float
        Its probability given that the paragraph is relevant.
    runner_up : str
        The second most probable type.
    event_score : float
        The event's log-odds against the average type (the mean of the
        types' log-odds).
    event_intercept : float
        Its part that no input gives; with every event contribution it adds
        up to ``event_score``.
    event_reasons : list of Contribution
        Largest inputs of the event's log-odds against the average type.
    body : float
        Probability that the line is the page's own article, whatever its topic.
    dropped_by : str or None
        Which question dropped a line that is not relevant: ``"body"`` (not
        the page's own article: a menu, a list of other stories, an ad),
        ``"topic"`` (the page's article, but not automotive-industry news) or
        ``"words"`` (no word but stop words, or no letter); ``None`` for a relevant line.
    path : str or None
        For a block of an HTML page, where it sat (its tag path, as
        ``Paragraph.path``); ``None`` for a line of text.
    read_as_text : bool
        For a block of an HTML page, whether its page was read as text,
        without markup inputs: a flat page's (:func:`autoclass.markup.is_flat`).
    """

    text: str
    position: int
    relevant: bool
    relevance: float
    threshold: float
    relevance_reasons: list[Contribution]
    relevance_intercept: float
    relevance_by_source: dict[str, float]
    content_score: float
    content_intercept: float
    content_reasons: list[Contribution]
    event: str
    event_probability: float
    runner_up: str
    event_score: float
    event_intercept: float
    event_reasons: list[Contribution]
    body: float = 1.0
    dropped_by: str | None = None
    path: str | None = None
    read_as_text: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (``path`` and ``read_as_text`` only for a block of an HTML page)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name in ("path", "read_as_text") and self.path is None:
                continue
            out[name] = [c.to_dict() for c in value] if isinstance(value, list) else value
        return out

    def __str__(self) -> str:
        verdict = "relevant" if self.relevant else f"not relevant ({_DROPPED[self.dropped_by]})"
        event = f"{self.event} {self.event_probability:.2f}, runner-up {self.runner_up}"
        lines = [
            f"[{self.position}] {verdict}: relevance {_beside(self.relevance, self.threshold)}, "
            f"body {_beside(self.body, self.threshold)} "
            f"(threshold {self.threshold:.2f}); "
            f"event {event}" + ("" if self.relevant else " (if it were relevant)"),
            f"    {_clip_text(self.text, 100)}",
            *(
                [f"    in {_clip_text(self.path, 100)}{_READ_AS_TEXT * self.read_as_text}"]
                if self.path is not None
                else []
            ),
            f"  relevance, the line in its page (average line {self.relevance_intercept:+.2f} log-odds):",
            "    by source: "
            + ", ".join(f"{name} {effect:+.2f}" for name, effect in self.relevance_by_source.items()),
            *_format_reasons(self.relevance_reasons),
            f"  content score of the line itself, words and layout ({self.content_score:+.2f} log-odds; "
            f"intercept {self.content_intercept:+.2f}):",
            *_format_reasons(self.content_reasons),
            f"  event {self.event} against the average type ({self.event_score:+.2f} log-odds; "
            f"intercept {self.event_intercept:+.2f}):",
            *_format_reasons(self.event_reasons),
        ]
        return "\n".join(lines)


def explain_page(
    model: Model,
    paragraphs: Sequence[str],
    *,
    top: int = DEFAULT_TOP,
    positions: Sequence[int] | None = None,
) -> list[Explanation]:
    """Explain every paragraph of one page (already split into paragraphs).

    Parameters
    ----------
    model : Model
        A loaded model.
    paragraphs : sequence of str, or HtmlPage
        The page's paragraphs, as :func:`autoclass.split_paragraphs` gives
        them, or an HTML page as :func:`autoclass.html.parse_html` gives it
        (read by the model's HTML classifier, with its markup, as
        ``predict_html`` reads it; its paragraphs' texts alone would be read
        as a text page).
    top : int
        Contributions kept per score, largest in size first.
    positions : sequence of int, optional
        Explain only these paragraphs (all by default).

    Returns
    -------
    list of Explanation
        One per explained paragraph, in the order asked.

    Examples
    --------
    >>> from autoclass.api import default_model
    >>> page = ["Tesla recalls 120,000 cars", "Tesla is recalling 120,000 cars over seat belts.", "Share"]
    >>> why = explain_page(default_model(), page)
    >>> why[1].event, why[2].relevant, why[2].dropped_by
    ('recall', False, 'body')
    """
    check_top(top)
    if isinstance(paragraphs, str):
        raise TypeError(
            "paragraphs must be the page's paragraphs, not one str: split it with split_paragraphs()"
        )
    for n in positions or ():
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
            raise TypeError(f"positions must be ints, not {type(n).__name__}")
        if not 0 <= n < len(paragraphs):
            raise IndexError(f"no paragraph {n}: the page has {len(paragraphs)} (numbered from 0)")
    return PageExplainer(model, paragraphs).explain(positions, top=top)


def check_top(top: object) -> None:
    """``top``, the number of contributions listed per score, is an int of at least 1."""
    if not isinstance(top, int) or isinstance(top, bool):
        raise TypeError(f"top must be an int, not {type(top).__name__}")
    if top < 1:
        raise ValueError(f"top must be at least 1, not {top}")


class PageExplainer:
    """One page read once by a model, so that any of its paragraphs can be explained.

    :meth:`autoclass.Paragraph.explain` keeps one per predicted page: explaining
    every paragraph of a page one by one then reads the page once, not once a
    paragraph.
    """

    def __init__(self, model: Model, paragraphs: Sequence[str]) -> None:
        clf = model.classifier_for(paragraphs)
        self.clf, self.paragraphs, self.names = clf, paragraphs, _names(model, clf)
        # A flat HTML page goes to the text classifier (Model.classifier_for): no markup inputs.
        self.read_as_text = (
            isinstance(paragraphs, HtmlPage)
            and model.html_classifier is not None
            and clf is not model.html_classifier
        )
        page = paragraphs if isinstance(paragraphs, HtmlPage) else list(paragraphs)
        self.state = clf.forward([page], keep_features=True)
        k = len(clf.event_types_)
        self.seen = seen = np.isfinite(clf.event2_intercept_)
        # The event head's text weights, centred over the types, are taken row by row for a
        # paragraph's terms: the whole matrix (every term of the vocabulary) would be kept too.
        self.event_columns = slice(3 + k, 3 + 2 * k)
        ev_ctx = clf.event2_context_weights_
        self.ev_ctx = ev_ctx - ev_ctx[:, seen].mean(axis=1, keepdims=True)
        intercepts = clf.event2_intercept_
        self.ev_intercept = np.where(seen, intercepts - intercepts[seen].mean(), -np.inf)
        scores = self.state.event_scores
        self.event_score = scores - scores[:, seen].mean(axis=1, keepdims=True)
        event_proba = np.exp(scores - scores.max(axis=1, keepdims=True))
        self.event_proba = event_proba / event_proba.sum(axis=1, keepdims=True)

    def _event_weights(self, terms: np.ndarray, best: int) -> np.ndarray:
        rows = self.clf.text_weights_[terms, self.event_columns]
        return rows[:, best] - rows[:, self.seen].mean(axis=1)

    def explain(self, positions: Sequence[int] | None = None, *, top: int = DEFAULT_TOP) -> list[Explanation]:
        """Explanations of the paragraphs at ``positions`` (all by default), in that order."""
        clf, names, state, paragraphs = self.clf, self.names, self.state, self.paragraphs
        tfidf, layout = state.batch.tfidf, state.batch.layout
        event_types = clf.event_types_
        ev_ctx, event_proba = self.ev_ctx, self.event_proba
        n_words = clf._relevance_terms()
        out = []
        for i in range(len(paragraphs)) if positions is None else positions:
            row = tfidf[i]
            terms, values = row.indices, row.data
            words = terms < n_words
            content = [
                *_contributions(names.terms, terms[words], values[words], clf.text_weights_[terms[words], 0]),
                *_contributions(
                    names.layout, np.arange(len(names.layout)), layout[i], clf.relevance1_layout_weights_
                ),
            ]
            x2 = state.relevance_features[i]
            relevance = _contributions(names.stage2, np.arange(len(x2)), x2, clf.relevance2_weights_)
            by_source: dict[str, float] = {}
            for c in relevance:
                parts = c.feature.split(" x ")
                for part in parts:
                    source = _source(part)
                    by_source[source] = by_source.get(source, 0.0) + c.effect / len(parts)
            order = np.argsort(-event_proba[i])
            best, second = int(order[0]), int(order[1])
            ctx = state.event_context[i]
            event = [
                *_contributions(names.terms, terms, values, self._event_weights(terms, best)),
                *_contributions(names.event_context, np.arange(len(ctx)), ctx, ev_ctx[:, best]),
            ]
            prob, body = float(state.relevance[i]), float(state.body[i])
            threshold = clf.relevance_threshold
            # Decided on the probabilities as an Article shows them (four decimals), as it decides.
            kept = round(prob, 4) >= threshold
            if kept:
                dropped_by = None
            elif state.batch.says_nothing[i]:
                dropped_by = "words"
            else:
                dropped_by = "topic" if round(body, 4) >= threshold else "body"
            out.append(
                Explanation(
                    text=paragraphs[i],
                    position=i,
                    relevant=kept,
                    relevance=prob,
                    threshold=clf.relevance_threshold,
                    relevance_reasons=_largest(relevance, top),
                    relevance_intercept=float(clf.relevance2_intercept_),
                    relevance_by_source=dict(sorted(by_source.items(), key=lambda kv: -abs(kv[1]))),
                    content_score=float(state.content_score[i]),
                    content_intercept=float(clf.relevance1_intercept_),
                    content_reasons=_largest(content, top),
                    event=event_types[best],
                    event_probability=float(event_proba[i, best]),
                    runner_up=event_types[second],
                    event_score=float(self.event_score[i, best]),
                    event_intercept=float(self.ev_intercept[best]),
                    event_reasons=_largest(event, top),
                    body=body,
                    dropped_by=dropped_by,
                    path=paragraphs.blocks[i].path if isinstance(paragraphs, HtmlPage) else None,
                    read_as_text=self.read_as_text,
                )
            )
        return out


def top_event_terms(classifier: ParagraphClassifier, k: int = 8) -> dict[str, list[tuple[str, float]]]:
    """The ``k`` text terms that most favour each event type over the average type.

    For the model card: the paragraph's own words as the event head weighs
    them (its second stage, which also reads the page's context).  Terms are
    named as by :meth:`~autoclass.features.PageFeaturizer.term_names`
    (``recall``, ``^share`` for a line's first word, ``seat belt``).
    """
    names = classifier.featurizer_.term_names()
    n_types = len(classifier.event_types_)
    weights = classifier.text_weights_[:, 3 + n_types : 3 + 2 * n_types]
    seen = np.isfinite(classifier.event2_intercept_)
    centred = weights - weights[:, seen].mean(axis=1, keepdims=True)
    out = {}
    for j, event in enumerate(classifier.event_types_):
        if seen[j]:
            best = np.argsort(-centred[:, j], kind="stable")[:k]
            out[event] = [(names[c], round(float(centred[c, j]), 3)) for c in best]
    return out


@dataclass(frozen=True)
class _Names:
    terms: list[str]
    layout: list[str]
    stage2: list[str]
    event_context: list[str]


def _names(model: Model, clf: ParagraphClassifier) -> _Names:
    # Term names cost a pass over the vocabulary: computed once per classifier of a model.
    by_classifier = model.__dict__.setdefault("_explain_names", {})
    cached = by_classifier.get(id(clf))
    if cached is None:
        cached = _Names(
            terms=[_term_label(t) for t in clf.featurizer_.term_names()],
            layout=[f"layout {name}" for name in clf.featurizer_.dense_names()],
            stage2=clf.relevance_stage2_names(),
            event_context=[
                f"{block} share of {event}" for block in clf.event_contexts for event in clf.event_types_
            ],
        )
        by_classifier[id(clf)] = cached
    return cached


_OWN = ("score", "probability", "run_probability")
_NEIGHBOURS = ("prev", "next", "prev2", "next2", "window_mean")


def _beside(probability: float, threshold: float) -> str:
    """``probability`` to two decimals, or to as many as tell it from the threshold (four at most)."""
    digits = 2
    while digits < 4 and f"{probability:.{digits}f}" == f"{threshold:.{digits}f}":
        digits += 1
    return f"{probability:.{digits}f}"


_READ_AS_TEXT = " (flat markup: the page was read as text)"
_DROPPED = {
    "words": "no word but stop words, or no letter: it states nothing",
    "body": "not the page's own article",
    "topic": "the page's article, but not read as automotive-industry news",
    None: "",
}


def _source(feature: str) -> str:
    """The signal a relevance stage-2 input comes from (see ``relevance_stage2_names``)."""
    head, _, tail = feature.partition(" ")
    if head in ("content", "topic", "body-head"):
        if tail in _OWN:
            return f"line {head}"
        return f"neighbours' {head}" if tail in _NEIGHBOURS else f"page {head}"
    if feature.startswith("page topic"):
        return "page topic"
    return feature if feature == "body similarity" else "layout"


def _term_label(term: str) -> str:
    if term.startswith("^"):
        return f"first word {term[1:]!r}"
    return f"pair {term!r}" if " " in term else f"word {term!r}"


def _contributions(
    names: list[str], columns: np.ndarray, values: np.ndarray, weights: np.ndarray
) -> list[Contribution]:
    effects = values * weights
    return [
        Contribution(names[c], float(v), float(w), float(e))
        for c, v, w, e in zip(columns.tolist(), values.tolist(), weights.tolist(), effects.tolist())
        if e != 0.0
    ]


def _largest(items: list[Contribution], top: int) -> list[Contribution]:
    return sorted(items, key=lambda c: -abs(c.effect))[:top]


def _format_reasons(reasons: list[Contribution]) -> list[str]:
    return [
        f"    {c.effect:+7.3f}  {c.feature}  (value {c.value:+.3f} x weight {c.weight:+.3f})" for c in reasons
    ]


def _clip_text(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."
