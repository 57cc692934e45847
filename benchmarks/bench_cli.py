"""Benchmark of ``autoclass predict``, the whole command as users run it.

Run with ``.venv/bin/python -m benchmarks.bench_cli [--quick]``.  Pages come
from the seed pages in ``../shared/seeds/*.txt`` when present, else from
``labels/train/*.jsonl`` (paragraphs grouped by ``article_id``), repeated with
new ids until the input holds the wanted number of paragraphs.  Measures:

a. the command on one core (``--jobs 1``: read, predict, write JSON Lines),
   paragraphs/s, median of 3 runs;
b. ``--jobs 2`` against ``--jobs 1``, with the machine's own ceiling (the
   speed-up of a pure-Python busy loop in 2 processes) for reference;
c. time and peak memory at 10,000, 100,000 and 1,000,000 paragraphs
   (``--quick`` stops at 100,000);
d. the Dask engine (a local cluster of 2 workers) against ``--jobs 2``, with
   a byte-identity check of their outputs;
e. for reference, ``Model.predict_many`` alone, in this process, on the
   pages of (a): what the command adds to the model.

Prints a Markdown table and writes ``bench-results/cli.json``.  Peak memory is
the largest sum of the resident set sizes of the command's process tree,
sampled every 20 ms with psutil (or, without psutil, the largest single
process, from ``getrusage``).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from multiprocessing import Pool
from pathlib import Path

from autoclass.paragraphs import split_paragraphs

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
RESULTS = ROOT / "bench-results" / "cli.json"
_RATE = re.compile(r"([\d.]+) s \(")


def seed_pages() -> tuple[list[str], str]:
    """The pages to repeat, and where they come from."""
    seeds = sorted(glob.glob(str(SEEDS / "*.txt")))
    if seeds:
        return [Path(p).read_text(encoding="utf-8") for p in seeds], f"{len(seeds)} seed pages ({SEEDS})"
    articles: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for path in sorted(glob.glob(str(ROOT / "labels" / "train" / "*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                articles[row["article_id"]].append((row["position"], row["text"]))
    pages = ["\n".join(text for _, text in sorted(rows)) for _, rows in sorted(articles.items())]
    return pages, f"{len(pages)} labeled pages (labels/train)"


def write_input(path: Path, pages: list[str], n_paragraphs: int) -> tuple[int, int]:
    """Write JSON Lines pages until ``n_paragraphs`` is reached; returns (pages, paragraphs)."""
    sizes = [len(split_paragraphs(p)) for p in pages]
    n_pages = total = 0
    with open(path, "w", encoding="utf-8") as f:
        while total < n_paragraphs:
            i = n_pages % len(pages)
            f.write(json.dumps({"id": f"page-{n_pages}", "text": pages[i]}, ensure_ascii=False) + "\n")
            n_pages, total = n_pages + 1, total + sizes[i]
    return n_pages, total


def run(args: list[str]) -> dict:
    """Run ``autoclass predict`` with ``args``; wall time, in-run time, peak memory."""
    command = [sys.executable, "-m", "autoclass", "predict", *args]
    try:
        import psutil
    except ImportError:
        psutil = None
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    if psutil is not None:
        parent = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                tree = [parent, *parent.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            time.sleep(0.02)
    _, err = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}): {err.decode()}")
    if psutil is None:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    in_run = _RATE.search(err.decode())
    return {"wall_s": wall, "in_run_s": float(in_run.group(1)) if in_run else None, "peak_mb": peak / 2**20}


def model_only(path: Path, runs: int) -> float:
    """Median seconds of ``Model.predict_many`` over the pages of a JSON Lines file."""
    from autoclass import load_model

    model = load_model()
    with open(path, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        for _article in model.predict_many(texts):
            pass
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _busy(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def parallel_ceiling(n: int = 15_000_000) -> float:
    """Speed-up of a CPU-bound pure-Python loop in 2 processes: what this machine allows."""
    started = time.perf_counter()
    _busy(n), _busy(n)
    one = time.perf_counter() - started
    with Pool(2) as pool:
        pool.map(_busy, [1000, 1000])
        started = time.perf_counter()
        pool.map(_busy, [n, n])
        two = time.perf_counter() - started
    return one / two


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="stop the scaling runs at 100,000 paragraphs")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure for (a) and (b) (median)")
    opts = parser.parse_args()

    pages, origin = seed_pages()
    sizes = [10_000, 100_000] if opts.quick else [10_000, 100_000, 1_000_000]
    rows: list[tuple[str, str]] = []
    results: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_before": os.getloadavg(),
        },
        "pages": origin,
        "command": "python -m autoclass predict IN.jsonl -o OUT.jsonl --jobs N",
    }
    with tempfile.TemporaryDirectory(prefix="bench_cli_") as tmp:
        tmp_path = Path(tmp)
        inputs = {}
        for size in sizes:
            inputs[size] = (
                tmp_path / f"in_{size}.jsonl",
                *write_input(tmp_path / f"in_{size}.jsonl", pages, size),
            )
        main_size = 100_000
        src, n_pages, n_par = inputs[main_size]

        def timed(jobs: int, out: str, *extra: str) -> dict:
            return run([str(src), "-o", str(tmp_path / out), "--jobs", str(jobs), *extra])

        one = [timed(1, "one.jsonl") for _ in range(opts.runs)]
        two = [timed(2, "two.jsonl") for _ in range(opts.runs)]
        one_wall = statistics.median(r["wall_s"] for r in one)
        two_wall = statistics.median(r["wall_s"] for r in two)
        one_in = statistics.median(r["in_run_s"] for r in one)
        ceiling = parallel_ceiling()
        results["a_one_core"] = {
            "paragraphs": n_par,
            "pages": n_pages,
            "runs": one,
            "paragraphs_per_s": n_par / one_wall,
            "paragraphs_per_s_in_run": n_par / one_in,
        }
        results["b_jobs2"] = {"runs": two, "speedup": one_wall / two_wall, "machine_ceiling": ceiling}
        rows += [
            (
                f"(a) --jobs 1, {n_par:,} paragraphs, whole command (median of {opts.runs})",
                f"{n_par / one_wall:,.0f} paragraphs/s ({one_wall:.2f} s; "
                f"{n_par / one_in:,.0f}/s after start-up)",
            ),
            (
                "(b) --jobs 2 vs --jobs 1",
                f"{one_wall / two_wall:.2f}x ({two_wall:.2f} s); 2-process ceiling here: {ceiling:.2f}x",
            ),
        ]

        scaling = []
        for size in sizes:
            path, pages_n, par_n = inputs[size]
            r = run([str(path), "-o", str(tmp_path / f"scale_{size}.jsonl"), "--jobs", "1"])
            scaling.append({"paragraphs": par_n, "pages": pages_n, **r})
            rows.append(
                (
                    f"(c) --jobs 1, {par_n:,} paragraphs",
                    f"{r['wall_s']:.1f} s ({par_n / r['wall_s']:,.0f}/s), peak memory {r['peak_mb']:.0f} MB",
                )
            )
        results["c_scaling"] = scaling
        if len(sizes) > 2:
            # Start-up (imports, model load, pool) weighs on 100,000 paragraphs;
            # the speed-up of a long run shows how the work itself scales.
            path, _, par_n = inputs[sizes[-1]]
            big_two = run([str(path), "-o", str(tmp_path / "scale_two.jsonl"), "--jobs", "2"])
            big_one = scaling[-1]
            results["b_jobs2_large"] = {
                "paragraphs": par_n,
                "run": big_two,
                "speedup": big_one["wall_s"] / big_two["wall_s"],
            }
            rows.append(
                (
                    f"(b) --jobs 2 vs --jobs 1, {par_n:,} paragraphs",
                    f"{big_one['wall_s'] / big_two['wall_s']:.2f}x ({big_two['wall_s']:.1f} s vs "
                    f"{big_one['wall_s']:.1f} s)",
                )
            )

        try:
            import distributed  # noqa: F401
        except ImportError:
            rows.append(("(d) dask", "skipped: dask[distributed] not installed"))
        else:
            local = timed(2, "local.jsonl")
            dask = timed(2, "dask.jsonl", "--engine", "dask")
            same = (tmp_path / "local.jsonl").read_bytes() == (tmp_path / "dask.jsonl").read_bytes()
            same_one = (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
            results["d_dask"] = {"local_jobs2": local, "dask_2_workers": dask, "identical": same}
            results["identical_jobs1_jobs2"] = same_one
            rows.append(
                (
                    f"(d) dask local cluster (2 workers) vs --jobs 2, {n_par:,} paragraphs",
                    f"{dask['wall_s']:.1f} s vs {local['wall_s']:.1f} s; byte-identical: {same}",
                )
            )
        alone = model_only(src, opts.runs)
        results["e_model_only"] = {"seconds": alone, "paragraphs_per_s": n_par / alone}
        rows.append(
            (
                f"(e) Model.predict_many alone, {n_par:,} paragraphs (median of {opts.runs})",
                f"{n_par / alone:,.0f} paragraphs/s ({alone:.2f} s)",
            )
        )
    results["machine"]["load_after"] = os.getloadavg()

    print(f"Pages: {origin}; {os.cpu_count()} CPUs; load average before {results['machine']['load_before']}")
    print()
    print("| measure | result |")
    print("| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
