"""Benchmark of model loading: the same model as joblib, npz and skops artifacts.

Writes a copy of the model (default: the default model) in each format to a
temporary directory with ``save_model(..., format=...)`` (skops only when
the ``skops`` extra is installed), then, for each format, starts fresh
Python processes that import autoclass and measure:

* ``import skops.io`` (skops only: a cost each process pays once);
* the first :func:`autoclass.load_model` in the process;
* a load repeated in the same process (median of ``--repeats``).

Every figure is the median over ``--repeats`` fresh processes.  Also prints
the artifacts' sizes.  Usage: ``python -m benchmarks.bench_load [--model DIR]``;
writes ``bench-results/load.json``.  The joblib copy is loaded with
``trust=True``, so the figures do not depend on this machine's trust store.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from autoclass.persistence import ARTIFACTS, default_model_dir, load_model, save_model

ROOT = Path(__file__).resolve().parent.parent

# Run in a fresh process: autoclass (and so scikit-learn) is imported first, as
# in any program that loads a model, so that only the loading is timed.
_CHILD = """
import json, statistics, sys, time
import autoclass.persistence as persistence
directory, fmt, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = {"import_s": 0.0}
if fmt == "skops":
    start = time.perf_counter()
    import skops.io
    out["import_s"] = time.perf_counter() - start
start = time.perf_counter()
persistence.load_model(directory, trust=True)
out["first_load_s"] = time.perf_counter() - start
times = []
for _ in range(repeats):
    start = time.perf_counter()
    persistence.load_model(directory, trust=True)
    times.append(time.perf_counter() - start)
out["repeat_load_s"] = statistics.median(times)
print(json.dumps(out))
"""


def _measure(directory: Path, fmt: str, repeats: int) -> dict[str, float]:
    runs = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(directory), fmt, str(repeats)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        runs.append(json.loads(done.stdout))
    result = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    result["import_and_first_load_s"] = statistics.median(r["import_s"] + r["first_load_s"] for r in runs)
    result["artifact_mb"] = (directory / ARTIFACTS[fmt]).stat().st_size / 1e6
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the default)")
    parser.add_argument("--repeats", type=int, default=5, help="fresh processes per format")
    args = parser.parse_args(argv)

    source = args.model or default_model_dir()
    model = load_model(source, trust=True)
    formats = ["joblib", "npz"] + (["skops"] if importlib.util.find_spec("skops") else [])
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in formats:
            directory = Path(tmp) / fmt
            save_model(model, directory, metadata=model.metadata, format=fmt)
            results[fmt] = _measure(directory, fmt, args.repeats)

    rows = [
        ("import skops.io", "import_s", "s"),
        ("first load_model in a process", "first_load_s", "s"),
        ("import + first load", "import_and_first_load_s", "s"),
        ("load_model again in the same process", "repeat_load_s", "s"),
        ("artifact size", "artifact_mb", "MB"),
    ]
    print(f"# Model load: {source}, median of {args.repeats} fresh processes\n")
    print("| measure | " + " | ".join(f"{f} ({ARTIFACTS[f]})" for f in formats) + " | unit |")
    print("|---" * (len(formats) + 2) + "|")
    for name, key, unit in rows:
        print(f"| {name} | " + " | ".join(f"{results[f][key]:.3f}" for f in formats) + f" | {unit} |")
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "load.json").write_text(json.dumps({"model": str(source), **results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
