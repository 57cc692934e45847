"""Labeled data (LABELS.md) as Hugging Face datasets, and the repository's label folders.

Validation is :mod:`autoclass.labels`; this module types the validated
records as a ``datasets.Dataset`` (events as a ``ClassLabel``) for training.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import datasets

from autoclass.labels import Pages, label_files, page_order, pages_from_records, read_records
from autoclass.taxonomy import EVENT_TYPES

__all__ = ["LABELS", "ROOT", "SEEDS", "Pages", "label_files", "load_dataset", "load_pages", "read_records"]

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "labels"
SEEDS = ROOT.parent / "shared" / "seeds-labeled.jsonl"

FEATURES = datasets.Features(
    {
        "article_id": datasets.Value("string"),
        "position": datasets.Value("int32"),
        "text": datasets.Value("string"),
        "relevant": datasets.Value("bool"),
        "event": datasets.ClassLabel(names=list(EVENT_TYPES)),
        "site": datasets.Value("string"),
        "source_file": datasets.Value("string"),
        "line": datasets.Value("int32"),
    }
)


def load_dataset(paths: Iterable[Path]) -> datasets.Dataset:
    """Validated labeled paragraphs as a typed ``datasets.Dataset``, in page order."""
    records = read_records(paths)
    records.sort(key=page_order)
    columns = {name: [] for name in FEATURES}
    index = {e: i for i, e in enumerate(EVENT_TYPES)}
    for r in records:
        columns["article_id"].append(r["article_id"])
        columns["position"].append(r["position"])
        columns["text"].append(r["text"])
        columns["relevant"].append(r["relevant"])
        columns["event"].append(index[r["event"]] if r["event"] is not None else None)
        columns["site"].append(r.get("site") or "")
        columns["source_file"].append(r["source_file"])
        columns["line"].append(r["line"])
    return datasets.Dataset.from_dict(columns, features=FEATURES)


def to_pages(ds: datasets.Dataset) -> Pages:
    """The dataset's paragraphs grouped into pages (see :func:`autoclass.labels.pages_from_records`)."""
    names = ds.features["event"].names
    columns = ("article_id", "site", "text", "relevant", "event", "source_file", "position")
    records = [dict(zip(columns, row)) for row in zip(*(ds[c] for c in columns))]
    for r in records:
        r["relevant"] = bool(r["relevant"])
        r["event"] = names[r["event"]] if r["event"] is not None else None
    return pages_from_records(records)


def load_pages(folder_or_file: Path) -> Pages:
    path = Path(folder_or_file)
    files = [path] if path.is_file() else label_files(path)
    return to_pages(load_dataset(files))


def display_path(path: Path) -> str:
    """``path`` relative to the repository when inside it, so hashes and metadata travel."""
    path = Path(path)
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def sha256_files(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(display_path(path).encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()
