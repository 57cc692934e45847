"""Labeled data (the labeling guide's JSON Lines) as Hugging Face datasets, for training.

Validation is :mod:`autoclass.labels`; this module types the validated
records as a ``datasets.Dataset`` (events as a ``ClassLabel`` whose names are
the taxonomy) for training.  It needs the ``train`` extra.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import datasets

from autoclass.labels import Pages, label_files, label_paths, page_order, pages_from_records, read_records
from autoclass.taxonomy import EVENT_TYPES

__all__ = [
    "Pages",
    "features",
    "label_files",
    "label_paths",
    "load_dataset",
    "load_pages",
    "read_records",
    "to_dataset",
    "to_pages",
]


def features(events: Sequence[str] = EVENT_TYPES) -> datasets.Features:
    """The dataset's columns, with the taxonomy as the event class names."""
    return datasets.Features(
        {
            "article_id": datasets.Value("string"),
            "position": datasets.Value("int32"),
            "text": datasets.Value("string"),
            "relevant": datasets.Value("bool"),
            "body": datasets.Value("bool"),  # None where the labels leave it unknown
            "event": datasets.ClassLabel(names=list(events)),
            "site": datasets.Value("string"),
            "source_file": datasets.Value("string"),
            "line": datasets.Value("int32"),
        }
    )


def to_dataset(records: list[dict[str, Any]], *, events: Sequence[str] = EVENT_TYPES) -> datasets.Dataset:
    """Validated records as a typed ``datasets.Dataset``, in page order."""
    columns: dict[str, list[Any]] = {name: [] for name in features(events)}
    index = {e: i for i, e in enumerate(events)}
    for r in sorted(records, key=page_order):
        columns["article_id"].append(r["article_id"])
        columns["position"].append(r["position"])
        columns["text"].append(r["text"])
        columns["relevant"].append(r["relevant"])
        columns["body"].append(r.get("body"))
        columns["event"].append(index[r["event"]] if r["event"] is not None else None)
        columns["site"].append(r.get("site") or "")
        columns["source_file"].append(r["source_file"])
        columns["line"].append(r["line"])
    return datasets.Dataset.from_dict(columns, features=features(events))


def load_dataset(paths: Iterable[Path], *, events: Sequence[str] = EVENT_TYPES) -> datasets.Dataset:
    """Validated labeled paragraphs as a typed ``datasets.Dataset``, in page order."""
    return to_dataset(read_records(paths, events=events), events=events)


def to_pages(ds: datasets.Dataset) -> Pages:
    """The dataset's paragraphs grouped into pages (see :func:`autoclass.labels.pages_from_records`)."""
    names = ds.features["event"].names
    columns = ("article_id", "site", "text", "relevant", "body", "event", "source_file", "position")
    records = [dict(zip(columns, row)) for row in zip(*(ds[c] for c in columns))]
    for r in records:
        r["relevant"] = bool(r["relevant"])
        r["event"] = names[r["event"]] if r["event"] is not None else None
    return pages_from_records(records, event_types=names)


def load_pages(paths: str | Path | Iterable[str | Path], *, events: Sequence[str] = EVENT_TYPES) -> Pages:
    """Labeled pages from label files and folders (every ``*.jsonl`` inside a folder)."""
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    return to_pages(load_dataset(label_paths(paths), events=events))
