"""The plain functions most users call: predict and predict_many on the default model."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from autoclass.article import Article
from autoclass.model import Model
from autoclass.paragraphs import DEFAULT_MAX_CHARS
from autoclass.persistence import load_model

_lock = threading.Lock()
_default: Model | None = None


def default_model() -> Model:
    """The default model, loaded once and cached (see :func:`load_model`).

    Thread-safe: threads that call it together wait for one load.  A failed
    load is not cached, so the next call tries again.
    """
    global _default
    model = _default
    if model is not None:  # loaded: no lock for the threads predicting at once
        return model
    with _lock:
        if _default is None:
            _default = load_model()
        return _default


def predict(text: str, *, max_chars: int | None = DEFAULT_MAX_CHARS) -> Article:
    """Read one scraped page: relevance and event type of every paragraph.

    Parameters
    ----------
    text : str
        The page's plain text, one paragraph per line.
    max_chars : int or None
        Longest page accepted, in characters (default 1,000,000); ``None``
        for no limit.  Prediction time grows linearly with the page.

    Returns
    -------
    Article
        Its paragraphs in input order, the kept text and the event tags.

    Raises
    ------
    ModelNotFoundError
        If there is no default model (see :func:`autoclass.load_model`).
    PageTooLargeError
        If ``text`` is longer than ``max_chars``.
    TypeError
        If ``text`` is not a ``str``.

    Examples
    --------
    >>> page = "\\n".join([
    ...     "Home | News | Autos",
    ...     "Nio delivers 20,000 cars in May",
    ...     "Nio delivered 20,000 vehicles in May, up 40 percent from a year earlier.",
    ...     "Share this article",
    ... ])
    >>> article = predict(page)
    >>> [p.relevant for p in article.paragraphs]
    [False, True, True, False]
    >>> article.main_event
    'sales'
    """
    return default_model().predict(text, max_chars=max_chars)


def predict_many(
    texts: Iterable[str], *, batch_size: int = 64, max_chars: int | None = DEFAULT_MAX_CHARS
) -> Iterator[Article]:
    """Read many pages with the default model; yields an Article per text, in order.

    Parameters
    ----------
    texts : iterable of str
        Page texts, one paragraph per line; read lazily.
    batch_size : int
        Pages vectorized together.
    max_chars : int or None
        Longest page accepted, in characters; ``None`` for no limit.

    Returns
    -------
    iterator of Article
        One per text, in input order.

    Raises
    ------
    PageTooLargeError
        When a text longer than ``max_chars`` is reached; its message and
        ``index`` attribute name the text, and the articles of the texts
        before it have been yielded.
    TypeError
        If ``texts`` is one ``str`` or ``bytes``, or when a text is not a ``str``.
    Exception
        Whatever ``texts`` raises while it is iterated, after the articles of
        the texts it gave before.

    Examples
    --------
    >>> recall = (
    ...     "Tesla recalls 120,000 Model Y cars\\n"
    ...     "Tesla is recalling 120,000 Model Y vehicles because a seat belt may not latch, "
    ...     "the US safety regulator said."
    ... )
    >>> [a.main_event for a in predict_many([recall, ""])]
    ['recall', None]
    """
    return default_model().predict_many(texts, batch_size=batch_size, max_chars=max_chars)
