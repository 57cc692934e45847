"""Benchmark: does ``predict`` stay linear on pathological pages?

Times ``Model.predict`` (``max_chars=None``) on six kinds of hostile page,
and ``Model.predict_html`` on four kinds of hostile HTML, at three sizes each
(x, 4x, 16x) and prints the median time and the ratio per 4x step: about 4
means linear, 16 quadratic.  One core (BLAS threads pinned
to 1), peak memory of the process at the end.

Usage: ``python -m benchmarks.bench_hostile [--repeats 3] [--scale 1.0]``;
writes ``bench-results/hostile.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
from collections.abc import Callable
from pathlib import Path

from threadpoolctl import threadpool_limits

from autoclass.persistence import load_model
from benchmarks.bench import median_time

ROOT = Path(__file__).resolve().parent.parent

_CJK = "比亚迪汽车宣布在匈牙利建厂新工厂将于年投产"  # 20 characters

#: Each kind of page: (name, base size, unit of the size, page of a given size).
KINDS: tuple[tuple[str, int, str, Callable[[int], str]], ...] = (
    ("one long line", 250_000, "chars", lambda n: ("Toyota sold 10,000 cars in Japan. " * (n // 34 + 1))[:n]),
    ("many one-character lines", 6_250, "lines", lambda n: "x\n" * n),
    ("many identical lines", 6_250, "lines", lambda n: "Share this article\n" * n),
    ("a line of one repeated character", 250_000, "chars", lambda n: "a" * n),
    ("deeply nested HTML", 20_000, "tags", lambda n: "<div><span class='x'>" * n + "</span></div>" * n),
    (
        "CJK without spaces",
        250_000,
        "chars",
        lambda n: (_CJK * (n // 20 + 1))[:n],
    ),
)
#: Hostile HTML for ``predict_html``, as above.
HTML_KINDS: tuple[tuple[str, int, str, Callable[[int], str]], ...] = (
    ("HTML: unclosed divs", 5_000, "tags", lambda n: "<div>" * n + "deep text"),
    (
        "HTML: a tag of many attributes",
        5_000,
        "attributes",
        lambda n: "<div " + "".join(f"a{i}=1 " for i in range(n)) + ">t</div>",
    ),
    ("HTML: many tiny blocks", 10_000, "blocks", lambda n: "<p>x</p>" * n),
    (
        "HTML: one long text node",
        250_000,
        "chars",
        lambda n: "<p>" + "Toyota sold cars. " * (n // 18) + "</p>",
    ),
)
STEPS = (1, 4, 16)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every base size")
    args = parser.parse_args(argv)

    model = load_model()
    model.predict("warm up\nthe model")
    results = []
    print(f"# predict on pathological pages: one core, median of {args.repeats}, max_chars=None\n")
    print("| page | size | chars | paragraphs | median s | ratio to the previous size (4x) |")
    print("|---|---|---|---|---|---|")
    with threadpool_limits(limits=1):
        for name, base, unit, make in KINDS + HTML_KINDS:
            read = model.predict_html if name.startswith("HTML") else model.predict
            previous = None
            for step in STEPS:
                size = int(base * args.scale) * step
                text = make(size)
                n_paragraphs = len(read(text, max_chars=None).paragraphs)
                seconds = median_time(lambda text=text, read=read: read(text, max_chars=None), args.repeats)
                ratio = seconds / previous if previous else None
                previous = seconds
                results.append(
                    {
                        "page": name,
                        "size": size,
                        "unit": unit,
                        "chars": len(text),
                        "paragraphs": n_paragraphs,
                        "median_s": seconds,
                        "ratio": ratio,
                    }
                )
                shown = f"{ratio:.2f}" if ratio else "-"
                print(
                    f"| {name} | {size:,} {unit} | {len(text):,} | {n_paragraphs:,} "
                    f"| {seconds:.3f} | {shown} |",
                    flush=True,
                )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory (max RSS): {peak_mb:,.0f} MB")
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "hostile.json").write_text(
        json.dumps({"results": results, "peak_rss_mb": peak_mb}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
