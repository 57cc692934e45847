"""Sanity checks of a loaded model: settings in range, a fitted classifier, sound predictions.

A skops file loads without trust, so its contents are whatever its author
wrote: a ``tag_min_share`` of NaN, a threshold given as a string, an
unfitted or foreign estimator.  Such a model would not fail at loading but
on every page, or worse, give wrong articles quietly.  :func:`check_model`
finds this once, when the model is loaded.  It asks only what any autoclass
model must satisfy (its public settings, scikit-learn's fitted state, the
articles it predicts), so it holds whatever heads the classifier grows.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from autoclass.article import Article
from autoclass.classifier import ParagraphClassifier
from autoclass.model import Model

# A page with a title, body sentences and boilerplate: every kind of line a model reads.
_PROBE_LINES = (
    "Home | News | Autos",
    "Toyota and Panasonic sign battery supply agreement",
    "Toyota signed an agreement with Panasonic to supply battery cells from 2026.",
    "The two companies will jointly develop cells for hybrid cars.",
    "Share this article",
)
_PROBE = "\n".join(_PROBE_LINES)
# With some structure around the article: a flat page would be read by the text classifier.
_PROBE_HTML = (
    f"<html><body><nav><ul><li><a href='/'>{_PROBE_LINES[0]}</a></li></ul></nav><article>"
    f"<h1>{_PROBE_LINES[1]}</h1>"
    + "".join(f"<p>{line}</p>" for line in _PROBE_LINES[2:4])
    + f"</article><footer><p>{_PROBE_LINES[4]}</p></footer></body></html>"
)


class InsaneModelError(ValueError):
    """What is wrong with a model's contents; :func:`autoclass.load_model` reports it as a ModelLoadError."""


def _check_share(name: str, value: object) -> None:
    ok = isinstance(value, Real) and not isinstance(value, bool) and 0.0 <= float(value) <= 1.0
    if not ok:  # NaN fails the range test too
        raise InsaneModelError(f"{name} is {value!r}; it must be a number from 0 to 1")


def _check_probability(name: str, value: float) -> None:
    if not (isinstance(value, float) and 0.0 <= value <= 1.0):
        raise InsaneModelError(f"it predicts {name} that are not numbers from 0 to 1 ({value!r})")


def check_model(model: Model) -> None:
    """Check a loaded model's settings, fitted state and predictions.

    Parameters
    ----------
    model : Model
        A model as loaded from a directory.

    Raises
    ------
    InsaneModelError
        Saying what is wrong: a setting out of range, an estimator that is
        not a fitted :class:`~autoclass.classifier.ParagraphClassifier`, or
        probabilities that are not numbers from 0 to 1 on a sample page.

    Examples
    --------
    >>> from autoclass import load_model
    >>> check_model(load_model())  # the default model is sound
    >>> check_model(Model(ParagraphClassifier()))
    Traceback (most recent call last):
    ...
    autoclass.sanity.InsaneModelError: the classifier is not fitted
    """
    _check_share("tag_min_share", model.tag_min_share)
    html = getattr(model, "html_classifier", None)
    for classifier in [model.classifier] + ([html] if html is not None else []):
        if not isinstance(classifier, ParagraphClassifier):
            kind = type(classifier).__name__
            raise InsaneModelError(f"it holds a {kind}, not an autoclass ParagraphClassifier")
        _check_share("relevance_threshold", classifier.relevance_threshold)
        try:
            check_is_fitted(classifier)
        except NotFittedError:
            raise InsaneModelError("the classifier is not fitted") from None
        _check_two_types(classifier)
    if html is not None and tuple(html.event_types_) != tuple(model.classifier.event_types_):
        raise InsaneModelError("its HTML classifier predicts other event types than its text classifier")
    try:
        articles = [model.predict(_PROBE)]
        if html is not None:
            articles.append(model.predict_html(_PROBE_HTML))
    except Exception as exc:  # noqa: BLE001 - any failure on a plain page means the model is unusable
        raise InsaneModelError(f"it fails on a sample page ({type(exc).__name__}: {exc})") from exc
    for article in articles:
        _check_article(article)


def _check_two_types(classifier: ParagraphClassifier) -> None:
    """Refuse a model trained on two event types before autoclass scored them apart.

    Its event head gave both types the same row of weights: every line scored
    0.5 / 0.5 and the earlier type won everywhere.  Its second stage learnt
    from those scores, so the model cannot be mended, only retrained.
    """
    seen = np.flatnonzero(np.isfinite(classifier.event1_intercept_))
    if len(seen) != 2:
        return
    k = len(classifier.event_types_)
    stage1 = classifier.text_weights_[:, 3 : 3 + k][:, seen]
    if classifier.event1_intercept_[seen[0]] == classifier.event1_intercept_[seen[1]] and np.array_equal(
        stage1[:, 0], stage1[:, 1]
    ):
        raise InsaneModelError(
            "its event head scores its two event types alike on every line (a two-type model trained "
            "by an autoclass from before 2026-12-06, which gave both types the same weights); retrain "
            "it with `autoclass train`"
        )


def _check_article(article: Article) -> None:
    for paragraph in article.paragraphs:
        _check_probability("relevance probabilities", paragraph.relevance)
        for score in paragraph.event_scores.values():
            _check_probability("event probabilities", score)
        if not math.isclose(sum(paragraph.event_scores.values()), 1.0, abs_tol=1e-3):
            raise InsaneModelError("its event probabilities of a paragraph do not add up to 1")
    for weight in article.tags.values():
        _check_probability("tag weights", weight)
