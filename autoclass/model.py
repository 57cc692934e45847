"""A trained autoclass model: a fitted classifier, its settings and metadata."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from autoclass.article import Article, PageOrigin, build_article
from autoclass.classifier import ParagraphClassifier
from autoclass.errors import PageTooLargeError
from autoclass.paragraphs import DEFAULT_MAX_CHARS, split_paragraphs
from autoclass.taxonomy import EVENT_TYPES


def _check_page(text: object, max_chars: int | None, index: int | None) -> None:
    if not isinstance(text, str):
        which = "page text" if index is None else f"texts[{index}]"
        hint = "; decode it first, e.g. data.decode('utf-8', 'replace')" if isinstance(text, bytes) else ""
        raise TypeError(f"{which} must be str, not {type(text).__name__}{hint}")
    if max_chars is not None and len(text) > max_chars:
        raise PageTooLargeError(len(text), max_chars, index=index)


def _checked_pages(texts: Iterator[object], max_chars: int | None) -> Iterator[list[str]]:
    for index, text in enumerate(texts):
        _check_page(text, max_chars, index)
        yield split_paragraphs(text)


def _check_limit(max_chars: int | None) -> None:
    if max_chars is not None and (not isinstance(max_chars, int) or max_chars < 1):
        raise ValueError(f"max_chars must be a positive int or None, not {max_chars!r}")


class Model:
    """A loaded model, for callers that manage its lifetime themselves.

    Parameters
    ----------
    classifier : ParagraphClassifier
        The fitted paragraph classifier.
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
        tag_min_share: float = 0.2,
        metadata: dict[str, Any] | None = None,
        path: Path | None = None,
    ) -> None:
        self.classifier = classifier
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

    def predict_many(
        self,
        texts: Iterable[str],
        *,
        batch_size: int = 64,
        max_chars: int | None = DEFAULT_MAX_CHARS,
    ) -> Iterator[Article]:
        """Read many pages, vectorizing them in batches; yields articles in order.

        Parameters
        ----------
        texts : iterable of str
            Page texts, one paragraph per line.
        batch_size : int
            Pages vectorized together.
        max_chars : int or None
            Longest page accepted, in characters; ``None`` for no limit.

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
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        _check_limit(max_chars)
        return self._predict_texts(iter(texts), batch_size, max_chars)

    def _predict_texts(
        self, texts: Iterator[str], batch_size: int, max_chars: int | None
    ) -> Iterator[Article]:
        batch: list[list[str]] = []
        pages = _checked_pages(texts, max_chars)
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

    def predict_pages(self, pages: list[list[str]], *, batch_size: int = 64) -> list[Article]:
        """Read pages already split into paragraphs (as in labeled data), in batches."""
        out: list[Article] = []
        for start in range(0, len(pages), batch_size):
            out.extend(self._predict_pages(pages[start : start + batch_size]))
        return out

    def _predict_pages(self, pages: list[list[str]]) -> Iterator[Article]:
        relevance, events, body = self.classifier.predict_all(pages)
        start = 0
        for page in pages:
            stop = start + len(page)
            yield build_article(
                page,
                relevance[start:stop],
                events[start:stop],
                body=body[start:stop],
                threshold=self.threshold,
                tag_min_share=self.tag_min_share,
                origin=PageOrigin(self, page),
                event_types=self.event_types,
            )
            start = stop
