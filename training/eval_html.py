"""The HTML path on a public article-extraction benchmark, beside trafilatura, in one run.

``../shared/html-benchmark/`` holds real pages (``html/ID.html.gz``) and the
ground-truth article body of each (``ground-truth.json``).  Its metric: the
4-gram word shingles of the extracted body against those of the ground truth,
precision and recall per page (as shares of shingles), each averaged over the
pages, and the F1 of the two averages.

Measured here, for autoclass (:func:`autoclass.predict_html`) and trafilatura
(``extract``, as the benchmark runs it) on the same pages in the same run:

- article-body F1 of ``Article.body_text`` (the page's own article,
  whatever its topic: the benchmark's pages are general news) without
  ``Article.headline`` and without the captions of figures (blocks inside
  ``figure`` or ``figcaption``): the benchmark's article bodies, like
  trafilatura's output, leave the title and the captions out, where the
  labeling guide counts both as body (:func:`article_body`; the F1 of
  ``Article.body_text`` as it is, as labeled, is reported beside it);
- on the car pages (ground truth about cars or the motor industry, by a fixed
  word rule, :func:`is_car_page`), F1 of ``Article.text``, the relevant lines
  (without the headline and captions too);
- pages per second on one core (the process pinned to one CPU, BLAS on one
  thread, CPU time), median of interleaved repeats: decoding, parsing and
  prediction for autoclass, extraction for trafilatura.

The page ids are split once into a dev half (errors may be read) and a test
half (only scored) by a hash of the id (:func:`split_of`); both are reported.
The benchmark is for evaluation only: nothing here trains on it.

Usage: ``python -m training.eval_html [--model DIR] [--repeats 3] [--json FILE]``
(``make eval-html``); ``--errors`` prints the dev pages' largest misses.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from autoclass.article import Article, Paragraph
from autoclass.model import Model
from autoclass.persistence import load_model
from autoclass.training.report import HTML_BENCHMARK
from training import ROOT

BENCHMARK = ROOT.parent / "shared" / "html-benchmark"
_TOKEN = re.compile(r"\w+")
_CAPTION = re.compile(r"(?:^|>)(?:figure|figcaption)(?:>|$)")  # a block inside a figure
_CAR_WORDS = re.compile(
    r"\b(?:cars?|automakers?|carmakers?|automotive|auto industry|dealers?|dealerships?|sedans?"
    r"|SUVs?|pickups?|motorcycles?|electric vehicles?|EVs?|horsepower|drivetrain)\b",
    re.I,
)
CAR_WORDS_PER_100 = 1.0

Scores = tuple[float, float, float]  # true positives, false positives, false negatives (shares)


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """The word n-grams of ``text`` with their counts, words as ``\\w+`` finds them (case kept).

    Examples
    --------
    >>> sorted(shingles("a b c d e"))
    [('a', 'b', 'c', 'd'), ('b', 'c', 'd', 'e')]
    >>> shingles("a b")
    Counter({('a', 'b'): 1})
    """
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def page_scores(true: str, pred: str) -> Scores:
    """True positives, false positives and false negatives of shingles, as shares of their sum.

    Examples
    --------
    >>> page_scores("a b c d e", "a b c d")
    (0.5, 0.0, 0.5)
    """
    gold, got = shingles(true), shingles(pred)
    tp = sum((gold & got).values())
    fp = sum((got - gold).values())
    fn = sum((gold - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def benchmark_f1(scores: Sequence[Scores]) -> dict[str, float]:
    """Precision and recall averaged over pages (precision over pages with a prediction), and their F1.

    Also the pages whose article is lost: none of its text found. Such a page
    counts in recall only, and in precision only when something else was
    found, so that the F1 moves by about 1/pages between a lost page that
    comes out empty and one that keeps a line of something else.

    Examples
    --------
    >>> benchmark_f1([(1.0, 0.0, 0.0), (0.5, 0.0, 0.5)])
    {'precision': 1.0, 'recall': 0.75, 'f1': 0.8571, 'pages': 2, 'lost': 0}
    >>> benchmark_f1([(1.0, 0.0, 0.0), (0.0, 0.0, 1.0)])["lost"]
    1
    """
    p = [_precision(*s) for s in scores if s[0] + s[1] > 0]
    r = [_recall(*s) for s in scores if s[0] + s[2] > 0]
    precision = statistics.mean(p) if p else 0.0
    recall = statistics.mean(r) if r else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "pages": len(scores),
        "lost": sum(1 for tp, fp, fn in scores if fn > 0 and tp == 0),
    }


def split_of(page_id: str) -> str:
    """``dev`` or ``test``: a fixed half of the benchmark by a hash of the page id.

    Examples
    --------
    >>> split_of("06e5123e4ef7cfb4533250dc45d1e03d0838fc66223f45c583c4d12f48b4da85") in ("dev", "test")
    True
    """
    return "dev" if hashlib.sha256(f"autoclass-html|{page_id}".encode()).digest()[0] % 2 == 0 else "test"


def is_car_page(body: str) -> bool:
    """Whether a ground-truth body is about cars or the motor industry: car words per 100 words.

    Examples
    --------
    >>> is_car_page("New car sales fell. Dealers said SUVs and pickups held up; car makers cut prices.")
    True
    >>> is_car_page("The team won the match in extra time.")
    False
    """
    words = len(_TOKEN.findall(body))
    return words > 0 and 100 * len(_CAR_WORDS.findall(body)) / words >= CAR_WORDS_PER_100


def load_benchmark(folder: Path = BENCHMARK) -> list[dict[str, Any]]:
    """The benchmark's pages: id, url, raw HTML bytes, ground-truth body, split and car flag."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        body = truth[page_id].get("articleBody") or ""
        pages.append(
            {
                "id": page_id,
                "url": truth[page_id].get("url"),
                "html": gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes()),
                "truth": body,
                "split": split_of(page_id),
                "car": is_car_page(body),
            }
        )
    return pages


def benchmark_paragraphs(article: Article, *, relevant_only: bool = False) -> list[Paragraph]:
    """The paragraphs of ``article.body_text`` (or ``.text``) the benchmark counts as the article.

    Its bodies leave out the title and the captions of figures (on the dev
    half, 19 of 20 caption blocks of six words or more are absent from the
    ground truth), where the labeling guide counts both as body.
    """
    headline = article.headline
    paragraphs = [p for p in article.paragraphs if p.relevant] if relevant_only else article.body_paragraphs
    return [p for p in paragraphs if p is not headline and not (p.path and _CAPTION.search(p.path))]


def article_body(article: Article, *, relevant_only: bool = False) -> str:
    """``article.body_text`` (or ``.text``) as the benchmark writes bodies (:func:`benchmark_paragraphs`)."""
    return "\n".join(p.text for p in benchmark_paragraphs(article, relevant_only=relevant_only))


def autoclass_outputs(model: Model, pages: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(article body, body text, relevant text) of every page, HTML bytes decoded as a browser would.

    The first and last as the benchmark's bodies are written (:func:`article_body`).
    """
    articles = model.predict_many((p["html"] for p in pages), html=True, max_chars=None)
    return [(article_body(a), a.body_text, article_body(a, relevant_only=True)) for a in articles]


def trafilatura_outputs(pages: list[dict[str, Any]]) -> list[str]:
    """Trafilatura's extraction of every page, run as the benchmark runs it (the HTML as UTF-8 text)."""
    from trafilatura import extract

    return [extract(p["html"].decode("utf-8", "replace"), include_comments=False) or "" for p in pages]


def _one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"CPU {cpu}"
    return "all CPUs (no affinity control here)"


def _timed(run: Callable[[], object]) -> float:
    # CPU time of this process: on a shared machine, time spent waiting for the
    # core is not time spent reading pages, for either tool.
    start = time.process_time()
    run()
    return time.process_time() - start


def evaluate_html(model: Model, pages: list[dict[str, Any]], *, repeats: int = 3) -> dict[str, Any]:
    """Every figure of the module docstring, for autoclass and trafilatura."""
    ours = autoclass_outputs(model, pages)
    theirs = trafilatura_outputs(pages)
    result: dict[str, Any] = {"pages": len(pages), "body": {}, "car_relevance": {}}
    for name, keep in (
        ("dev", lambda p: p["split"] == "dev"),
        ("test", lambda p: p["split"] == "test"),
        ("all", lambda p: True),
    ):
        chosen = [i for i, p in enumerate(pages) if keep(p)]
        cars = [i for i in chosen if pages[i]["car"]]
        result["body"][name] = {
            "autoclass": benchmark_f1([page_scores(pages[i]["truth"], ours[i][0]) for i in chosen]),
            "autoclass_as_labeled": benchmark_f1(
                [page_scores(pages[i]["truth"], ours[i][1]) for i in chosen]
            ),
            "trafilatura": benchmark_f1([page_scores(pages[i]["truth"], theirs[i]) for i in chosen]),
        }
        result["car_relevance"][name] = {
            "autoclass": benchmark_f1([page_scores(pages[i]["truth"], ours[i][2]) for i in cars]),
            "autoclass_body": benchmark_f1([page_scores(pages[i]["truth"], ours[i][0]) for i in cars]),
            "trafilatura": benchmark_f1([page_scores(pages[i]["truth"], theirs[i]) for i in cars]),
        }
    # Speed on one core: interleaved repeats, so that a noisy neighbour slows both alike.
    where = _one_core()
    times: dict[str, list[float]] = {"autoclass": [], "trafilatura": []}
    with threadpool_limits(limits=1):
        for _ in range(repeats):
            times["autoclass"].append(_timed(lambda: autoclass_outputs(model, pages)))
            times["trafilatura"].append(_timed(lambda: trafilatura_outputs(pages)))
    speed = {name: round(len(pages) / statistics.median(t), 1) for name, t in times.items()}
    speed["ratio"] = round(speed["autoclass"] / speed["trafilatura"], 2)
    speed["core"] = where
    speed["repeats"] = repeats
    result["pages_per_second"] = speed
    result["per_page"] = [
        {
            "id": p["id"],
            "split": p["split"],
            "car": p["car"],
            "autoclass": page_scores(p["truth"], ours[i][0]),
            "trafilatura": page_scores(p["truth"], theirs[i]),
        }
        for i, p in enumerate(pages)
    ]
    return result


def render_markdown(result: dict[str, Any]) -> str:
    """The figures as Markdown tables."""
    out = [f"### HTML benchmark: {result['pages']} pages", ""]
    out.append(
        "| pages | autoclass body F1 (P / R) | as labeled (headline, captions) | pages lost | "
        "trafilatura F1 (P / R) | pages lost |"
    )
    out.append("|---|---|---|---|---|---|")

    def cell(m: dict[str, float]) -> str:
        return f"{m['f1']:.3f} ({m['precision']:.3f} / {m['recall']:.3f})"

    for name, row in result["body"].items():
        ours, theirs = row["autoclass"], row["trafilatura"]
        labeled = cell(row["autoclass_as_labeled"])
        out.append(
            f"| {name} ({ours['pages']}) | {cell(ours)} | {labeled} | {ours.get('lost', '?')} | "
            f"{cell(theirs)} | {theirs.get('lost', '?')} |"
        )
    out += [
        "",
        "Car pages (relevance: `Article.text`; body: `Article.body_text`; without headline and captions):",
        "",
    ]
    out.append("| pages | autoclass relevance F1 | autoclass body F1 | trafilatura F1 |")
    out.append("|---|---|---|---|")
    for name, row in result["car_relevance"].items():
        out.append(
            f"| {name} ({row['autoclass']['pages']}) | {cell(row['autoclass'])} | "
            f"{cell(row['autoclass_body'])} | {cell(row['trafilatura'])} |"
        )
    s = result["pages_per_second"]
    out += [
        "",
        f"Pages per second on one core ({s['core']}, CPU time, median of {s['repeats']} interleaved runs): "
        f"autoclass {s['autoclass']}, trafilatura {s['trafilatura']} (ratio {s['ratio']}).",
    ]
    return "\n".join(out) + "\n"


def print_errors(model: Model, pages: list[dict[str, Any]], *, top: int = 10) -> None:
    """The dev pages autoclass scores worst on, with the lines it got wrong."""
    dev = [p for p in pages if p["split"] == "dev"]
    articles = list(model.predict_many((p["html"] for p in dev), html=True, max_chars=None))
    scores = [page_scores(page["truth"], article_body(article)) for page, article in zip(dev, articles)]
    ranked = sorted(zip(dev, articles, scores), key=lambda pas: -(pas[2][1] + pas[2][2]))
    for page, article, (tp, fp, fn) in ranked[:top]:
        print(f"\n## {page['id'][:12]} {page['url']}  tp {tp:.2f} fp {fp:.2f} fn {fn:.2f}")
        truth = shingles(page["truth"])
        kept_ids = {id(p) for p in benchmark_paragraphs(article)}
        for p in article.paragraphs:
            kept = id(p) in kept_ids
            inside = sum((shingles(p.text) & truth).values()) > 0.5 * max(sum(shingles(p.text).values()), 1)
            if kept != inside and len(p.text) > 30:
                mark = "EXTRA" if kept else "MISSED"
                print(f"  {mark} body {p.body:.2f} {p.path[-40:] if p.path else ''} | {p.text[:110]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", type=Path, default=None, help="model directory (default: the default model)"
    )
    parser.add_argument("--benchmark", type=Path, default=BENCHMARK)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each tool (default: 3)")
    parser.add_argument("--json", type=Path, help="also write the figures (and per-page scores) here")
    parser.add_argument("--errors", action="store_true", help="print the dev pages' worst lines instead")
    args = parser.parse_args(argv)
    if not (args.benchmark / "ground-truth.json").is_file():
        print(f"no benchmark at {args.benchmark}: nothing to evaluate")
        return
    model = load_model(args.model)
    pages = load_benchmark(args.benchmark)
    if args.errors:
        print_errors(model, pages)
        return
    result = evaluate_html(model, pages, repeats=args.repeats)
    print(render_markdown(result))
    outputs = [args.json] if args.json else []
    if model.path is not None:  # the model's report (make eval) shows them
        outputs.append(Path(model.path) / HTML_BENCHMARK)
    for path in outputs:
        path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
