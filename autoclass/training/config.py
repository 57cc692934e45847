"""The training configuration: a frozen dataclass read from config.toml.

The default settings are the ``config.toml`` shipped in this package; a
config file of one's own (``autoclass train --config FILE``) holds only the
settings it changes, in the same sections, e.g.::

    [relevance]
    threshold = 0.6
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from autoclass.classifier import EVENT_CONTEXTS, ParagraphClassifier
from autoclass.errors import AutoclassError
from autoclass.markup import MARKUP_GROUPS
from autoclass.taxonomy import EVENT_TYPES

DEFAULT_CONFIG: Traversable = resources.files("autoclass.training") / "config.toml"


def _read(path: str | Path | Traversable) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8") if isinstance(path, Traversable) else Path(path).read_text()
        return tomllib.loads(text)
    except OSError as exc:
        raise AutoclassError(f"cannot read the config {path} ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AutoclassError(f"the config {path} is not valid TOML ({exc})") from None


def _overlay(base: dict[str, Any], over: dict[str, Any], name: str, section: str = "") -> dict[str, Any]:
    """``base`` with the settings of ``over``; an unknown setting is an error (a typo, most likely)."""
    out = dict(base)
    for key, value in over.items():
        where = f"{section}.{key}" if section else key
        if key not in base:
            raise AutoclassError(
                f"{name}: unknown setting {where!r}; the settings are those of the default config.toml"
            )
        both_tables = isinstance(value, dict) and isinstance(base[key], dict)
        out[key] = _overlay(base[key], value, name, where) if both_tables else value
    return out


# Settings read as true or false: TOML booleans only (bool("false") is True).
_FLAGS = (("features", "sublinear_tf"), ("relevance", "context"), ("relevance", "interactions"))


def _flags_problem(raw: dict[str, Any]) -> str | None:
    for section, key in _FLAGS:
        value = raw.get(section, {}).get(key)
        if not isinstance(value, bool):
            return f"{section}.{key} is {value!r}; it must be true or false"
    return None


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0
    ngram_range: tuple[int, int] = (1, 2)
    min_df: int = 2
    sublinear_tf: bool = True
    relevance_C: float = 4.0
    relevance_context: bool = True
    relevance_interactions: bool = True
    relevance_threshold: float = 0.5
    event_C: float = 8.0
    event_contexts: tuple[str, ...] = ("page", "neighbours")
    tag_min_share: float = 0.2
    cv_folds: int = 5
    max_iter: int = 3000
    markup: tuple[str, ...] = tuple(MARKUP_GROUPS)
    crossval_folds: int = 5
    learning_curve: tuple[float, ...] = (0.1, 0.25, 0.5)

    @classmethod
    def from_toml(cls, path: str | Path | None = None) -> TrainConfig:
        """The default config, with the settings of the file at ``path`` (if any) over it."""
        raw = _read(DEFAULT_CONFIG)
        if path is not None:
            raw = _overlay(raw, _read(path), str(path))
        # Evaluation settings do not change the model, so a config written
        # before they existed still trains the same model with the defaults.
        evaluation = raw.get("evaluation", {})
        try:
            config = cls(
                seed=int(raw.get("seed", 0)),
                ngram_range=tuple(raw["features"]["ngram_range"]),
                min_df=int(raw["features"]["min_df"]),
                sublinear_tf=bool(raw["features"]["sublinear_tf"]),
                relevance_C=float(raw["relevance"]["C"]),
                relevance_context=bool(raw["relevance"]["context"]),
                relevance_interactions=bool(raw["relevance"]["interactions"]),
                relevance_threshold=float(raw["relevance"]["threshold"]),
                event_C=float(raw["event"]["C"]),
                event_contexts=tuple(raw["event"]["contexts"]),
                tag_min_share=float(raw["article"]["tag_min_share"]),
                cv_folds=int(raw["training"]["cv_folds"]),
                max_iter=int(raw["training"]["max_iter"]),
                markup=tuple(raw["features"].get("markup", cls.markup)),
                crossval_folds=int(evaluation.get("crossval_folds", cls.crossval_folds)),
                learning_curve=tuple(float(x) for x in evaluation.get("learning_curve", cls.learning_curve)),
            )
        except KeyError as exc:
            raise AutoclassError(f"{path or DEFAULT_CONFIG}: missing setting {exc}") from None
        except (TypeError, ValueError) as exc:
            raise AutoclassError(f"{path or DEFAULT_CONFIG}: a setting of the wrong kind ({exc})") from None
        problem = _flags_problem(raw) or config.problem()
        if problem:
            raise AutoclassError(f"{path or DEFAULT_CONFIG}: {problem}")
        return config

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TrainConfig:
        """The config stored in a model's ``metadata.json`` (lists back to tuples, unknown keys ignored)."""
        known = {f.name for f in fields(cls)}
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k in known}
        return cls(**values)

    def classifier(self, event_types: tuple[str, ...] = EVENT_TYPES) -> ParagraphClassifier:
        """An unfitted classifier with these settings, predicting ``event_types``."""
        return ParagraphClassifier(
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            sublinear_tf=self.sublinear_tf,
            relevance_C=self.relevance_C,
            event_C=self.event_C,
            relevance_context=self.relevance_context,
            relevance_interactions=self.relevance_interactions,
            event_contexts=self.event_contexts,
            relevance_threshold=self.relevance_threshold,
            cv_folds=self.cv_folds,
            max_iter=self.max_iter,
            random_state=self.seed,
            event_types=event_types,
            markup=self.markup,
        )

    def problem(self) -> str | None:
        """The first setting out of its range, named as in config.toml, or None.

        Checked before any fitting: a threshold of 1.5 would otherwise train
        for minutes and save a model that refuses to load.
        """
        unknown_contexts = sorted(set(self.event_contexts) - set(EVENT_CONTEXTS))
        unknown_markup = sorted(set(self.markup) - set(MARKUP_GROUPS))
        checks = (
            (0 <= self.seed < 2**32, f"seed is {self.seed}; it must be from 0 to 2**32 - 1"),
            (
                tuple(self.ngram_range) in ((1, 1), (1, 2)),
                f"features.ngram_range is {list(self.ngram_range)}; "
                "it must be [1, 1] (words) or [1, 2] (and word pairs)",
            ),
            (self.min_df >= 1, f"features.min_df is {self.min_df}; it must be at least 1"),
            (
                not unknown_markup,
                f"features.markup has unknown groups {unknown_markup}; they are {list(MARKUP_GROUPS)}",
            ),
            (self.relevance_C > 0, f"relevance.C is {self.relevance_C}; it must be above 0"),
            (
                0 <= self.relevance_threshold <= 1,
                f"relevance.threshold is {self.relevance_threshold}; it must be a number from 0 to 1",
            ),
            (self.event_C > 0, f"event.C is {self.event_C}; it must be above 0"),
            (
                not unknown_contexts,
                f"event.contexts has unknown contexts {unknown_contexts}; they are {list(EVENT_CONTEXTS)}",
            ),
            (
                0 <= self.tag_min_share <= 1,
                f"article.tag_min_share is {self.tag_min_share}; it must be a number from 0 to 1",
            ),
            (self.cv_folds >= 2, f"training.cv_folds is {self.cv_folds}; it must be at least 2"),
            (self.max_iter >= 1, f"training.max_iter is {self.max_iter}; it must be at least 1"),
            (
                self.crossval_folds >= 2,
                f"evaluation.crossval_folds is {self.crossval_folds}; it must be at least 2 "
                "(autoclass train --no-crossval skips it)",
            ),
            (
                all(0 < share < 1 for share in self.learning_curve),
                f"evaluation.learning_curve is {list(self.learning_curve)}; "
                "each share must be above 0 and below 1",
            ),
        )
        return next((message for ok, message in checks if not ok), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def model_settings(self) -> dict[str, Any]:
        """What the fitted model depends on: everything but the evaluation settings."""
        return {k: v for k, v in asdict(self).items() if k not in ("crossval_folds", "learning_curve")}
