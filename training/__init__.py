"""The repository's corpus tools: compose the labels, check them, measure ablations.

The library's training and evaluation is :mod:`autoclass.training`.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "labels"
SEEDS = ROOT.parent / "shared" / "seeds-labeled.jsonl"
