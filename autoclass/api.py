"""The plain functions most users call: predict and predict_many on the default model."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from autoclass.article import Article
from autoclass.html import HtmlPage
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


def predict_html(
    html: str | bytes,
    *,
    url: str | None = None,
    encoding: str | None = None,
    max_chars: int | None = DEFAULT_MAX_CHARS,
) -> Article:
    """Read one page from its HTML: relevance, event type and body of every block of text.

    The page is cut into blocks of text in document order (one paragraph per
    block; scripts, styles and hidden elements dropped, see
    :func:`autoclass.html.parse_html`), and the model reads the blocks'
    markup (tags, ancestors, links, class names) beside their words.

    Parameters
    ----------
    html : str or bytes
        The page's HTML.  Bytes are decoded as a browser decodes them
        (byte-order mark, ``encoding``, ``<meta charset>``, else UTF-8 when
        valid, else the legacy encoding of ``url``'s country).
    url : str, optional
        The page's address.
    encoding : str, optional
        The charset the server declared (``Content-Type``), for bytes.
    max_chars : int or None
        ``HTML_SIZE_FACTOR`` (10) times this is the longest HTML accepted, in
        characters (bytes for ``bytes``); ``None`` for no limit.

    Returns
    -------
    Article
        As :func:`predict` returns it; each paragraph's ``path`` is its
        block's tag path.

    Raises
    ------
    PageTooLargeError
        If the HTML is longer than the limit.
    TypeError
        If ``html`` is neither ``str`` nor ``bytes``.

    Examples
    --------
    >>> article = predict_html(
    ...     "<html><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/autos'>Autos</a></li></ul></nav>"
    ...     "<article><h1>Nio delivers 20,000 cars in May</h1>"
    ...     "<p>Nio delivered 20,000 vehicles in May, up 40 percent from a year earlier.</p></article>"
    ...     "<footer><p>&copy; 2024 Example Media. All rights reserved.</p></footer></body></html>"
    ... )
    >>> [p.relevant for p in article.paragraphs]
    [False, False, True, True, False]
    >>> article.paragraphs[3].path, article.main_event
    ('body>article>p', 'sales')
    """
    return default_model().predict_html(html, url=url, encoding=encoding, max_chars=max_chars)


def predict_many(
    texts: Iterable[str | bytes | HtmlPage],
    *,
    batch_size: int = 64,
    max_chars: int | None = DEFAULT_MAX_CHARS,
    html: bool = False,
) -> Iterator[Article]:
    """Read many pages with the default model; yields an Article per text, in order.

    Parameters
    ----------
    texts : iterable of str, bytes or HtmlPage
        Page texts, one paragraph per line; read lazily.  With ``html``,
        HTML documents (as :func:`predict_html` reads them).  Pages already
        parsed by :func:`autoclass.html.parse_html` are read as they are.
    batch_size : int
        Pages vectorized together.
    max_chars : int or None
        Longest page accepted, in characters; ``None`` for no limit.
    html : bool
        Read every text as an HTML document.

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
    return default_model().predict_many(texts, batch_size=batch_size, max_chars=max_chars, html=html)
