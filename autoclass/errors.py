"""Exceptions raised by autoclass, rooted in one :class:`AutoclassError`."""

from __future__ import annotations

from autoclass.paragraphs import HTML_SIZE_FACTOR

DISTRIBUTION = "autoclass-news"
"""The name to install autoclass by (``pip install autoclass-news``); the import name is ``autoclass``."""


def pip_install(extra: str) -> str:
    """The command that installs autoclass with one of its extras.

    Examples
    --------
    >>> pip_install("train")
    'pip install "autoclass-news[train]"'
    """
    return f'pip install "{DISTRIBUTION}[{extra}]"'


class AutoclassError(Exception):
    """Base class of every error autoclass raises on purpose."""


class ModelNotFoundError(AutoclassError, FileNotFoundError):
    """No trained model where one was looked for.

    Attributes
    ----------
    directory : pathlib.Path or None
        Where the model was looked for.
    source : str or None
        Who named that place: ``"path"`` (the caller), ``"env"``
        (``$AUTOCLASS_MODEL``) or ``"default"`` (nobody: the default model).
    """

    def __init__(self, message: str, *, directory: object = None, source: str | None = None) -> None:
        super().__init__(message)
        self.directory = directory
        self.source = source


class ModelLoadError(AutoclassError):
    """A model directory exists but cannot be used (corrupt, tampered or incompatible)."""


class UntrustedModelError(ModelLoadError):
    """A model whose loading would run code it holds, and that nobody marked as trusted."""


class LabelDataError(AutoclassError, ValueError):
    """Labeled data that breaks the contract of the labeling guide; names the file and line."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")


class PageTooLargeError(AutoclassError, ValueError):
    """A page longer than the ``max_chars`` limit of :func:`autoclass.predict`.

    Attributes
    ----------
    size : int
        The page's length, in characters (of its markup, for an HTML page; in
        bytes for HTML given as bytes).
    limit : int
        The limit it exceeds: ``max_chars``, or ``HTML_SIZE_FACTOR`` times
        ``max_chars`` for an HTML page.
    index : int or None
        Its position among the texts of :func:`autoclass.predict_many`; ``None`` for ``predict``.
    """

    def __init__(
        self, size: int, limit: int, *, index: int | None = None, html: bool = False, unit: str = "characters"
    ) -> None:
        self.size = size
        self.limit = limit
        self.index = index
        which = "page" if index is None else f"texts[{index}]"
        if html:
            super().__init__(
                f"{which} is an HTML document of {size:,} {unit}, more than "
                f"{HTML_SIZE_FACTOR} x max_chars={limit // HTML_SIZE_FACTOR:,}; pass a larger max_chars, "
                "or max_chars=None for no limit, to read it"
            )
            return
        super().__init__(
            f"{which} has {size:,} characters, more than max_chars={limit:,}; "
            "pass a larger max_chars, or max_chars=None for no limit, to read it"
        )


class HtmlAsTextWarning(UserWarning):
    """A page given as plain text opens like an HTML document, and is read tags and all."""


class TextAsHtmlWarning(UserWarning):
    """A page given as HTML holds no markup at all: its whole text is one block of one paragraph."""


class MissingExtraError(AutoclassError, ImportError):
    """An optional dependency is not installed; names the extra that brings it."""

    def __init__(self, feature: str, extra: str) -> None:
        self.extra = extra
        super().__init__(f'{feature} needs the "{extra}" extra: {pip_install(extra)}')
