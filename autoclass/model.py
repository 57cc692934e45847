"""A trained autoclass model: a fitted classifier, its settings and metadata."""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autoclass.article import Article, PageOrigin, build_article
from autoclass.classifier import ParagraphClassifier
from autoclass.errors import HtmlAsTextWarning, PageTooLargeError, TextAsHtmlWarning
from autoclass.html import HtmlPage, parse_html
from autoclass.markup import is_flat
from autoclass.paragraphs import DEFAULT_MAX_CHARS, HTML_SIZE_FACTOR, split_paragraphs
from autoclass.taxonomy import EVENT_TYPES

Page = list[str] | HtmlPage
_PACKAGE = str(Path(__file__).resolve().parent) + os.sep  # not a package named autoclass_...
# The start of an HTML document, after a byte-order mark, an XML declaration or comments
# ("<!-- saved from url=... -->"): a page handed to the text path so is read markup and all.
_HTML_DOCUMENT = re.compile(
    r"[\s\ufeff]*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>]|<head[\s>])",
    re.IGNORECASE | re.DOTALL,
)
HTML_AS_TEXT_WARNING = (
    "a page given as text opens like an HTML document (<!DOCTYPE html>, <html> or <head>) and is read as "
    "plain text, tags and all; give it as HTML: predict_html(), predict_many(..., html=True), or for "
    "autoclass predict an .html file or the record's html field"
)
# A tag (or comment, doctype, end tag) anywhere: HTML without one is plain text given as HTML.
_TAG = re.compile(r"<[a-zA-Z!/?]")
# In bytes, UTF-16's too ("<\x00p\x00" or "\x00<\x00p"): its pages read as HTML.
_TAG_BYTES = re.compile(rb"<\x00?[a-zA-Z!/?]|\x00<\x00[a-zA-Z!/?]")
TEXT_AS_HTML_WARNING = (
    "a page given as HTML holds no tag at all and is read as one block: its whole text becomes one "
    "paragraph; give plain text to predict() (or predict_many() without html=True; for autoclass "
    "predict, a .txt file or the record's text field)"
)


def _caller_outside() -> int:
    """The ``stacklevel`` (for a ``warnings.warn`` in the function calling this one) of the first
    caller outside this package: the user's line, however deep the call came through it."""
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level


def opens_like_html(text: str) -> bool:
    """Whether a text opens as an HTML document does (``<!DOCTYPE html>``, ``<html>``, ``<head>``)."""
    return bool(_HTML_DOCUMENT.match(text[:2000]))


def _check_page(text: object, max_chars: int | None, index: int | None) -> None:
    if not isinstance(text, str):
        which = "page text" if index is None else f"texts[{index}]"
        hint = "; decode it first, e.g. data.decode('utf-8', 'replace')" if isinstance(text, bytes) else ""
        raise TypeError(f"{which} must be str, not {type(text).__name__}{hint}")
    if max_chars is not None and len(text) > max_chars:
        raise PageTooLargeError(len(text), max_chars, index=index)
    if opens_like_html(text):
        # One message for every page, so that Python shows it once, not once per page of a batch.
        warnings.warn(HTML_AS_TEXT_WARNING, HtmlAsTextWarning, stacklevel=_caller_outside())


def _check_html(html: object, max_chars: int | None, index: int | None) -> None:
    if not isinstance(html, str | bytes):
        which = "html" if index is None else f"texts[{index}]"
        raise TypeError(f"{which} must be str or bytes (an HTML document), not {type(html).__name__}")
    if max_chars is not None and len(html) > HTML_SIZE_FACTOR * max_chars:
        unit = "bytes" if isinstance(html, bytes) else "characters"
        raise PageTooLargeError(len(html), HTML_SIZE_FACTOR * max_chars, index=index, html=True, unit=unit)
    warn_if_no_markup(html)


def warn_if_no_markup(html: str | bytes) -> None:
    """Warn (:class:`~autoclass.TextAsHtmlWarning`) when a page given as HTML holds no tag at all."""
    tag = _TAG_BYTES if isinstance(html, bytes) else _TAG
    if not tag.search(html) and html.strip():  # type: ignore[arg-type]
        warnings.warn(TEXT_AS_HTML_WARNING, TextAsHtmlWarning, stacklevel=_caller_outside())


def _checked_pages(texts: Iterator[object], max_chars: int | None, html: bool) -> Iterator[Page]:
    for index, item in enumerate(texts):
        if isinstance(item, HtmlPage):
            yield item
        elif html:
            _check_html(item, max_chars, index)
            yield parse_html(item)
        else:
            _check_page(item, max_chars, index)
            yield split_paragraphs(item)


def _check_batch_size(batch_size: int) -> None:
    if type(batch_size) is bool or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, not {batch_size!r}")


def _check_limit(max_chars: int | None) -> None:
    # bool is an int to Python: max_chars=True read as a limit of one character.
    if max_chars is not None and (type(max_chars) is bool or not isinstance(max_chars, int) or max_chars < 1):
        raise ValueError(f"max_chars must be a positive int or None, not {max_chars!r}")


class Model:
    """A loaded model, for callers that manage its lifetime themselves.

    Parameters
    ----------
    classifier : ParagraphClassifier
        The fitted paragraph classifier, which reads pages of text.
    html_classifier : ParagraphClassifier, optional
        The classifier of HTML pages (trained on text pages and their HTML
        renderings, with markup features); without it, HTML pages are read
        by ``classifier`` too.  Text pages never reach it, so adding it
        leaves every text prediction as it was.
    tag_min_share : float
        Smallest weight an event needs to become an article tag.
    metadata : dict, optional
        What ``metadata.json`` holds (training data, metrics, versions).
    path : pathlib.Path, optional
        The directory the model was loaded from.
    """

    def __init__(
        self,
        classifier: ParagraphClassifier,
        *,
        html_classifier: ParagraphClassifier | None = None,
        tag_min_share: float = 0.2,
        metadata: dict[str, Any] | None = None,
        path: Path | None = None,
    ) -> None:
        self.classifier = classifier
        self.html_classifier = html_classifier
        self.tag_min_share = tag_min_share
        self.metadata = metadata or {}
        self.path = path

    @property
    def threshold(self) -> float:
        return self.classifier.relevance_threshold

    @property
    def event_types(self) -> tuple[str, ...]:
        """The model's event types (its taxonomy), in the order of every event score."""
        # An unfitted classifier, or another object in its place (both refused on load by the
        # sanity check), has only its parameter, or nothing.
        clf = self.classifier
        return getattr(clf, "event_types_", None) or tuple(getattr(clf, "event_types", EVENT_TYPES))

    def predict(self, text: str, *, max_chars: int | None = DEFAULT_MAX_CHARS) -> Article:
        """Read one page. See :func:`autoclass.predict`."""
        _check_limit(max_chars)
        _check_page(text, max_chars, None)
        return next(self._predict_pages([split_paragraphs(text)]))

    def predict_html(
        self,
        html: str | bytes,
        *,
        url: str | None = None,
        encoding: str | None = None,
        max_chars: int | None = DEFAULT_MAX_CHARS,
    ) -> Article:
        """Read one HTML page. See :func:`autoclass.predict_html`."""
        _check_limit(max_chars)
        _check_html(html, max_chars, None)
        return next(self._predict_pages([parse_html(html, url=url, encoding=encoding)]))

    def predict_many(
        self,
        texts: Iterable[str | bytes | HtmlPage],
        *,
        batch_size: int = 64,
        max_chars: int | None = DEFAULT_MAX_CHARS,
        html: bool = False,
    ) -> Iterator[Article]:
        """Read many pages, vectorizing them in batches; yields articles in order.

        Parameters
        ----------
        texts : iterable of str, bytes or HtmlPage
            Page texts, one paragraph per line; with ``html``, HTML documents
            (``str``, or ``bytes`` decoded as a browser would).  Pages parsed
            by :func:`autoclass.html.parse_html` are read as they are.
        batch_size : int
            Pages vectorized together.
        max_chars : int or None
            Longest page accepted, in characters (an HTML document may be
            ``HTML_SIZE_FACTOR`` times longer); ``None`` for no limit.
        html : bool
            Read each text as an HTML document.

        Returns
        -------
        iterator of Article
            One per input text, in input order.

        Raises
        ------
        TypeError
            If ``texts`` is a single ``str`` or ``bytes`` (at once), or when
            a text that is not a ``str`` is reached (naming its index).
        PageTooLargeError
            When a text longer than ``max_chars`` is reached; the articles of
            the texts before it have been yielded.
        Exception
            Whatever ``texts`` raises while it is iterated, after the articles
            of the texts it gave before.
        """
        if isinstance(texts, str | bytes | bytearray):
            # Iterating would read every character as a page of its own.
            kind = type(texts).__name__
            raise TypeError(f"texts must be an iterable of str, not one {kind}; use predict() for one page")
        _check_batch_size(batch_size)
        _check_limit(max_chars)
        return self._predict_texts(iter(texts), batch_size, max_chars, html)

    def _predict_texts(
        self, texts: Iterator[object], batch_size: int, max_chars: int | None, html: bool
    ) -> Iterator[Article]:
        batch: list[Page] = []
        pages = _checked_pages(texts, max_chars, html)
        while True:
            try:
                page = next(pages)
            except StopIteration:
                break
            except Exception:
                # A bad text, or the caller's iterator failing: the pages taken
                # before are yielded first, so the caller loses none of them.
                if batch:
                    yield from self._predict_pages(batch)
                raise
            batch.append(page)
            if len(batch) == batch_size:
                yield from self._predict_pages(batch)
                batch = []
        if batch:
            yield from self._predict_pages(batch)

    def predict_pages(self, pages: Iterable[Page], *, batch_size: int = 64) -> list[Article]:
        """Read pages already split into paragraphs (as in labeled data, or parsed HTML), in batches.

        Each page is a list of str (one per paragraph) or an
        :class:`~autoclass.html.HtmlPage`; a page given as one str is an
        error (its characters would be read as paragraphs).  Paragraphs are
        read as given: blank ones and surrounding white space are not removed,
        as :func:`~autoclass.paragraphs.split_paragraphs` (and so
        :meth:`predict`) removes them, and they move the page's figures.
        """
        _check_batch_size(batch_size)
        pages = list(pages)
        for index, page in enumerate(pages):
            if isinstance(page, str) or not isinstance(page, Sequence):
                raise TypeError(
                    f"pages[{index}] must be a list of paragraphs (str) or an HtmlPage, not "
                    f"{type(page).__name__}"
                    + ("; split it with split_paragraphs()" if isinstance(page, str) else "")
                )
            if not isinstance(page, HtmlPage):
                bad = next((k for k, text in enumerate(page) if not isinstance(text, str)), None)
                if bad is not None:
                    raise TypeError(
                        f"pages[{index}][{bad}] must be a paragraph (str), not {type(page[bad]).__name__}"
                    )
        out: list[Article] = []
        for start in range(0, len(pages), batch_size):
            out.extend(self._predict_pages(pages[start : start + batch_size]))
        return out

    def classifier_for(self, page: Sequence[str]) -> ParagraphClassifier:
        """The classifier that reads ``page``.

        The HTML one reads a parsed HTML page, if the model has one, unless the
        page is flat (:func:`autoclass.markup.is_flat`): markup that shows no
        structure is read as text, where the text classifier does better.
        """
        if self.html_classifier is not None and isinstance(page, HtmlPage) and not is_flat(page):
            return self.html_classifier
        return self.classifier

    def _predict_all(self, pages: list[Page]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        html = [k for k, page in enumerate(pages) if self.classifier_for(page) is not self.classifier]
        if not html:
            return self.classifier.predict_all(pages)
        if len(html) == len(pages):
            return self.html_classifier.predict_all(pages)
        # A batch of both kinds: each classifier reads its pages, rows go back in page order.
        is_html = np.zeros(len(pages), dtype=bool)
        is_html[html] = True
        sizes = np.fromiter(map(len, pages), dtype=np.int64, count=len(pages))
        row_is_html = np.repeat(is_html, sizes)
        parts = [
            (self.classifier, [p for p, h in zip(pages, is_html) if not h], ~row_is_html),
            (self.html_classifier, [p for p, h in zip(pages, is_html) if h], row_is_html),
        ]
        n = int(sizes.sum())
        out = [np.zeros(n), np.zeros((n, len(self.event_types))), np.zeros(n)]
        for classifier, subset, rows in parts:
            for target, values in zip(out, classifier.predict_all(subset)):
                target[rows] = values
        return out[0], out[1], out[2]

    def _predict_pages(self, pages: list[Page]) -> Iterator[Article]:
        relevance, events, body = self._predict_all(pages)
        start = 0
        for page in pages:
            stop = start + len(page)
            yield build_article(
                page,
                relevance[start:stop],
                events[start:stop],
                body=body[start:stop],
                paths=[b.path for b in page.blocks] if isinstance(page, HtmlPage) else None,
                url=page.url if isinstance(page, HtmlPage) else None,
                threshold=self.threshold,
                tag_min_share=self.tag_min_share,
                origin=PageOrigin(self, page),
                event_types=self.event_types,
            )
            start = stop
