"""autoclass: find the article in scraped automotive news pages and tag its events.

>>> from autoclass import predict
>>> article = predict(page_text)  # doctest: +SKIP
"""

from __future__ import annotations

from autoclass.api import predict, predict_html, predict_many
from autoclass.article import Article, Paragraph
from autoclass.errors import (
    AutoclassError,
    HtmlAsTextWarning,
    LabelDataError,
    MissingExtraError,
    ModelLoadError,
    ModelNotFoundError,
    PageTooLargeError,
    TextAsHtmlWarning,
    UntrustedModelError,
)
from autoclass.model import Model
from autoclass.paragraphs import split_paragraphs
from autoclass.persistence import load_model
from autoclass.taxonomy import EVENT_TYPES

__version__ = "0.1.0"

__all__ = [
    "EVENT_TYPES",
    "Article",
    "AutoclassError",
    "HtmlAsTextWarning",
    "LabelDataError",
    "MissingExtraError",
    "Model",
    "ModelLoadError",
    "ModelNotFoundError",
    "PageTooLargeError",
    "Paragraph",
    "TextAsHtmlWarning",
    "UntrustedModelError",
    "load_model",
    "predict",
    "predict_html",
    "predict_many",
    "split_paragraphs",
]
