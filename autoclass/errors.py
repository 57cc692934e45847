"""Exceptions raised by autoclass, rooted in one :class:`AutoclassError`."""

from __future__ import annotations


class AutoclassError(Exception):
    """Base class of every error autoclass raises on purpose."""


class ModelNotFoundError(AutoclassError, FileNotFoundError):
    """No trained model where one was looked for."""


class ModelLoadError(AutoclassError):
    """A model directory exists but cannot be used (corrupt, tampered or incompatible)."""


class LabelDataError(AutoclassError, ValueError):
    """Labeled data that breaks the contract of LABELS.md; names the file and line."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")
