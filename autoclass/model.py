"""A trained autoclass model: a fitted classifier, its settings and metadata."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from autoclass.article import Article, build_article
from autoclass.classifier import ParagraphClassifier
from autoclass.paragraphs import split_paragraphs


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

    def predict(self, text: str) -> Article:
        """Read one page. See :func:`autoclass.predict`."""
        return next(self.predict_many([text]))

    def predict_many(self, texts: Iterable[str], *, batch_size: int = 64) -> Iterator[Article]:
        """Read many pages, vectorizing them in batches; yields articles in order.

        Parameters
        ----------
        texts : iterable of str
            Page texts, one paragraph per line.
        batch_size : int
            Pages vectorized together.

        Yields
        ------
        Article
            One per input text, in input order.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        batch: list[list[str]] = []
        for text in texts:
            batch.append(split_paragraphs(text))
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
        relevance, events = self.classifier.predict_proba(pages)
        start = 0
        for page in pages:
            stop = start + len(page)
            yield build_article(
                page,
                relevance[start:stop],
                events[start:stop],
                threshold=self.threshold,
                tag_min_share=self.tag_min_share,
            )
            start = stop
