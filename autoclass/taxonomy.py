"""Event taxonomies: the default fifteen types of the labeling guide, or a taxonomy of one's own.

A model's event types come from its training data: a ``taxonomy.json``
beside the label files (or one folder up, so that ``labels/taxonomy.json``
serves ``labels/train`` and ``labels/heldout``), or a file named with
``--taxonomy``; without one, the default :data:`EVENT_TYPES`.  The file is
JSON with the types in the order the model will use::

    {"events": ["funding", "launch", "lawsuit", "other"]}

It may also hold ``"descriptions"`` (type -> one line, for people) and any
other keys, which are ignored.  The trained model records its types
(``Model.event_types``, ``metadata.json``), and everything downstream
(validation, prediction, tags, evaluation, explanations, the audit) uses
them.  See ``autoclass/GUIDE.md`` (`autoclass labels guide`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

from autoclass.errors import LabelDataError

EVENT_TYPES: tuple[str, ...] = (
    "partnership",
    "investment",
    "product",
    "sales",
    "trade",
    "policy",
    "manufacturing",
    "technology",
    "financial",
    "recall",
    "legal",
    "labor",
    "event",
    "corporate",
    "other",
)
"""The default taxonomy: the fifteen event types of the labeling guide, in a fixed order."""

EVENT_DESCRIPTIONS: dict[str, str] = {
    "partnership": "cooperation between companies or with institutions: MoUs, alliances, "
    "joint development, supply, licensing or contract-manufacturing agreements",
    "investment": "ownership and capital: stakes, acquisitions, mergers, divestments, "
    "funding rounds, IPOs, capital injections, pledged investment",
    "product": "vehicles and models: launches, unveilings, platforms, model plans, prices, "
    "specifications, orders for a named model",
    "sales": "sales, deliveries, registrations and market-share figures",
    "trade": "exports and imports, overseas market entry and expansion, overseas networks",
    "policy": "governments and regulators: subsidies, tariffs, sanctions, probes, "
    "regulations, national targets",
    "manufacturing": "production, plants, capacity, localisation, parts supply and supply chains",
    "technology": "R&D, batteries, electric drive, autonomous driving, software, charging, patents",
    "financial": "earnings, revenue, profit or loss, guidance, share prices, valuations, ratings",
    "recall": "recalls, defects, regulators' safety investigations, crash tests",
    "legal": "lawsuits, rulings, settlements, fines, antitrust and patent disputes, criminal probes",
    "labor": "workers and jobs: strikes, union talks, layoffs, hiring, wages",
    "event": "auto shows, expos, trade fairs, forums and conferences as the news itself",
    "corporate": "strategy and statements, executives, restructuring, brand moves, rumours",
    "other": "relevant automotive content that fits none of the above",
}

TAXONOMY_FILE = "taxonomy.json"
DEFAULT_SOURCE = "default (the 15 types of the labeling guide)"
_NAME = re.compile(r"[^\s\"',;:]+")
_MAX_TYPES = 1000


def read_taxonomy(path: str | os.PathLike) -> tuple[str, ...]:
    """The event types of a taxonomy file, in its order.

    Parameters
    ----------
    path : str or path-like
        A JSON file with an ``"events"`` list of type names.

    Returns
    -------
    tuple of str
        At least two distinct names, each one word without quotes, commas,
        colons or semicolons (they become CSV cells and tags).

    Raises
    ------
    LabelDataError
        If the file cannot be read or does not hold such a list.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "taxonomy.json"
    >>> _ = path.write_text('{"events": ["funding", "launch", "lawsuit", "other"]}')
    >>> read_taxonomy(path)
    ('funding', 'launch', 'lawsuit', 'other')
    """
    name = str(path)
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise LabelDataError(name, None, f"cannot read the taxonomy ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LabelDataError(name, None, f"the taxonomy is not valid JSON ({exc})") from None
    events = raw.get("events") if isinstance(raw, dict) else None
    if not isinstance(events, list):
        raise LabelDataError(name, None, 'a taxonomy is a JSON object with an "events" list of type names')
    bad = next((e for e in events if not isinstance(e, str) or not _NAME.fullmatch(e)), None)
    if bad is not None or not events:
        raise LabelDataError(
            name, None, f"event type {bad!r} is not a name: one word, no quotes, commas, colons or semicolons"
        )
    if len(set(events)) != len(events):
        twice = next(e for e in events if events.count(e) > 1)
        raise LabelDataError(name, None, f"event type {twice!r} is listed twice")
    folded = [e.casefold() for e in events]
    if len(set(folded)) != len(folded):
        first, second = [e for e in events if folded.count(e.casefold()) > 1][:2]
        raise LabelDataError(
            name, None, f"event types {first!r} and {second!r} differ only in case: name each type once"
        )
    if not 2 <= len(events) <= _MAX_TYPES:
        raise LabelDataError(name, None, f"a taxonomy has 2 to {_MAX_TYPES} event types, not {len(events)}")
    return tuple(events)


def find_taxonomy(paths: Iterable[str | os.PathLike]) -> Path | None:
    """The ``taxonomy.json`` that governs label files and folders, if any.

    For each path, the folder it is (or the folder of the file) is searched,
    then the folder above.  Paths governed by no file use the default types.

    Raises
    ------
    LabelDataError
        If the paths are governed by taxonomy files that differ.
    """
    found: dict[Path, Path] = {}
    for path in map(Path, paths):
        folder = path if path.is_dir() else path.parent
        for candidate in (folder / TAXONOMY_FILE, folder.parent / TAXONOMY_FILE):
            if candidate.exists() and not candidate.is_file():
                raise LabelDataError(str(candidate), None, "is not a file: a taxonomy is a JSON file")
            if candidate.is_file():
                found.setdefault(candidate.resolve(), candidate)
                break
    files = list(found.values())
    if len(files) > 1 and len({read_taxonomy(f) for f in files}) > 1:
        raise LabelDataError(
            str(files[1]),
            None,
            f"these labels come under two taxonomies ({files[0]} and {files[1]}); "
            "name the one to use with --taxonomy FILE",
        )
    return files[0] if files else None


def resolve_taxonomy(
    paths: Iterable[str | os.PathLike], taxonomy: str | os.PathLike | None = None
) -> tuple[tuple[str, ...], str]:
    """The event types for labels at ``paths``, and where they come from.

    Parameters
    ----------
    paths : iterable of str or path-like
        Label files and folders.
    taxonomy : str or path-like, optional
        A taxonomy file that overrides any found beside the labels.

    Returns
    -------
    events : tuple of str
        The event types.
    source : str
        The taxonomy file, or :data:`DEFAULT_SOURCE`.
    """
    path = Path(taxonomy) if taxonomy is not None else find_taxonomy(paths)
    if path is None:
        return EVENT_TYPES, DEFAULT_SOURCE
    return read_taxonomy(path), str(path)
