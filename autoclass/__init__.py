"""autoclass: find the article in scraped automotive news pages and tag its events.

>>> from autoclass import predict
>>> article = predict(page_text)  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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
from autoclass.taxonomy import EVENT_TYPES

if TYPE_CHECKING:
    from autoclass.api import predict, predict_html, predict_many
    from autoclass.article import Article, Paragraph
    from autoclass.model import Model
    from autoclass.paragraphs import split_paragraphs
    from autoclass.persistence import load_model

# Imported on first use (scikit-learn takes over a second to import): the `autoclass` command
# imports this package before it can catch a Ctrl-C, which printed a traceback meanwhile.
_LAZY = {
    "predict": "autoclass.api",
    "predict_html": "autoclass.api",
    "predict_many": "autoclass.api",
    "Article": "autoclass.article",
    "Paragraph": "autoclass.article",
    "Model": "autoclass.model",
    "split_paragraphs": "autoclass.paragraphs",
    "load_model": "autoclass.persistence",
}


if not TYPE_CHECKING:  # seen by a type checker, any name of the module would type as Any

    def __getattr__(name: str) -> Any:
        if name not in _LAZY:
            raise AttributeError(f"module 'autoclass' has no attribute {name!r}")
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
