"""What to label next: unlabeled pages ranked by how much their labels would teach the model.

Each page of the pool gets three scores from the model's predictions:

- **relevance uncertainty**: the binary entropy (bits) of the relevance
  probability, summed over the page's lines;
- **event uncertainty**: one minus the margin between the two most probable
  event types, summed over the lines weighted by their relevance
  probability (a page without a likely relevant line has little);
- **new vocabulary**: the share of the distinct words of the page's body
  (lines the body head keeps) that the model never saw in training and that
  recur in at least :data:`NEW_WORD_PAGES` pages of the pool (a word of one
  odd page teaches nothing that generalises).

Summed over lines, the uncertainties measure what a page teaches for one
page of labeling budget; with ``per_line`` they are divided by the page's
lines, for a budget of lines (long pages cost more to label).  Each score
becomes its percentile rank in the pool, so that the three weigh alike
whatever their scales, and the priority is their weighted mean
(:data:`DEFAULT_WEIGHTS`).

Pages are then chosen greedily, best first, with three rules for
diversity: a page too similar to one already labeled or chosen (cosine
similarity of body-weighted TF-IDF vectors of at least ``near_duplicate``)
is never chosen; the priority is lowered by ``diversity`` times the highest
similarity to those pages; and no site gets more than ``max_per_site``
pages while pages of other sites remain.

The choices (sums over lines, recurring new words, ``diversity`` 0.2) were
measured with ``benchmarks/bench_suggest.py``: see docs/labeling.md.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import entr
from scipy.stats import rankdata
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

from autoclass.features import word_form
from autoclass.labels import Pages

DEFAULT_WEIGHTS: dict[str, float] = {"relevance": 1.0, "event": 1.0, "novelty": 0.5}
"""Weights of the three scores in a page's priority."""

NEAR_DUPLICATE = 0.8
"""Cosine similarity from which two pages count as near duplicates."""
DIVERSITY = 0.2
"""Priority lost per unit of similarity to the pages labeled or chosen before."""
NEW_WORD_PAGES = 3
"""A new word counts when at least this many pages of the pool hold it."""

_WORD = re.compile(r"\w\w+")
_DIGIT = re.compile(r"\d")
# Lines outside the body still count a little, so that a page of boilerplate has a vector.
_BOILERPLATE_WEIGHT = 0.1
_HASH = HashingVectorizer(n_features=1 << 20, alternate_sign=False, norm=None, token_pattern=r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class PageScore:
    """Why a page was chosen.

    Attributes
    ----------
    index : int
        Its position in the pool.
    priority : float
        Weighted mean of the three scores' percentile ranks in the pool, from 0 to 1.
    relevance : float
        Relevance uncertainty: the lines' summed binary entropy (per line with ``per_line``).
    event : float
        Event uncertainty: the lines' relevance-weighted sum of one minus the top-two margin
        (per line with ``per_line``).
    novelty : float
        Share of the body's distinct words that the model never saw and that recur in the pool.
    similarity : float
        Highest cosine similarity to a page chosen before it or already labeled.
    """

    index: int
    priority: float
    relevance: float
    event: float
    novelty: float
    similarity: float


def relevance_uncertainty(relevance: np.ndarray) -> float:
    """Binary entropy, in bits, of the lines' relevance probabilities, summed.

    Examples
    --------
    >>> relevance_uncertainty(np.array([0.5, 1.0, 0.5])), relevance_uncertainty(np.array([]))
    (2.0, 0.0)
    """
    p = np.clip(relevance, 0.0, 1.0)
    return float(np.sum(entr(p) + entr(1 - p)) / math.log(2))


def event_uncertainty(events: np.ndarray, relevance: np.ndarray) -> float:
    """One minus the margin of the two most probable types, summed over lines with relevance as weights.

    Examples
    --------
    >>> events = np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]])
    >>> event_uncertainty(events, np.array([1.0, 1.0])), event_uncertainty(events, np.array([0.0, 1.0]))
    (1.0, 0.0)
    """
    if not len(events):
        return 0.0
    top2 = np.sort(events, axis=1)[:, -2:]
    margin = top2[:, 1] - (top2[:, 0] if events.shape[1] > 1 else 0.0)
    return float(np.dot(relevance, 1.0 - margin))


def new_words(lines: Sequence[str], vocabulary: set[str] | dict[str, int]) -> tuple[set[str], int]:
    """The distinct words of ``lines`` missing from ``vocabulary``, and how many distinct words there are.

    Words as the model reads them (:func:`autoclass.features.word_form`), digits as 0.

    Examples
    --------
    >>> new_words(["Nio sells 20,000 cars", "Nio"], {"nio", "sells", "00", "000"})
    ({'cars'}, 5)
    """
    words = {_DIGIT.sub("0", w) for line in lines for w in _WORD.findall(word_form(line))}
    return {w for w in words if w not in vocabulary} if vocabulary else set(), len(words)


def page_vectors(pages: Sequence[Sequence[str]], weights: Sequence[Sequence[float]]) -> sp.csr_matrix:
    """Unit-length word-count vectors of pages, each line weighted (its body probability).

    Parameters
    ----------
    pages : sequence of sequence of str
        Each page as its paragraphs.
    weights : sequence of sequence of float
        A weight for each paragraph.

    Returns
    -------
    scipy.sparse.csr_matrix
        One row per page, L2-normalised (rows of empty pages are zero).
    """
    lines = [line for page in pages for line in page]
    if not lines:
        return sp.csr_matrix((len(pages), _HASH.n_features))
    counts = _HASH.transform(lines)
    w = np.concatenate([np.asarray(ws, dtype=float) for ws in weights]) if pages else np.zeros(0)
    rows = np.repeat(np.arange(len(pages)), [len(p) for p in pages])
    pool = sp.csr_matrix((w, (rows, np.arange(len(lines)))), shape=(len(pages), len(lines)))
    return normalize(sp.csr_matrix(pool @ counts))


def _tfidf(vectors: sp.csr_matrix, *others: sp.csr_matrix) -> list[sp.csr_matrix]:
    idf = TfidfTransformer(sublinear_tf=True).fit(sp.vstack([vectors, *others]))
    return [normalize(idf.transform(v)) for v in (vectors, *others)]


def _vocabulary(model: Any) -> set[str] | dict[str, int]:
    featurizer = getattr(getattr(model, "classifier", None), "featurizer_", None)
    return getattr(featurizer, "vocabulary_", None) or set()


@dataclass(frozen=True)
class _Pool:
    relevance: np.ndarray
    event: np.ndarray
    novelty: np.ndarray
    vectors: sp.csr_matrix


def _score_pool(model: Any, pages: Sequence[Sequence[str]], batch_size: int, per_line: bool) -> _Pool:
    vocabulary = _vocabulary(model)
    rel, ev, new, sizes, weights = [], [], [], [], []
    for start in range(0, len(pages), batch_size):
        batch = [list(p) for p in pages[start : start + batch_size]]
        for page, article in zip(batch, model.predict_pages(batch, batch_size=batch_size)):
            r = np.array([p.relevance for p in article.paragraphs])
            body = np.array([max(p.body, p.relevance) for p in article.paragraphs])
            cost = max(len(page), 1) if per_line else 1
            rel.append(relevance_uncertainty(r) / cost)
            ev.append(event_uncertainty(np.array([p.scores for p in article.paragraphs]), r) / cost)
            unseen, size = new_words(
                [line for line, b in zip(page, body) if b >= model.threshold] or page, vocabulary
            )
            new.append(unseen)
            sizes.append(max(size, 1))
            weights.append(np.maximum(body, _BOILERPLATE_WEIGHT))
    pages_with = Counter(w for unseen in new for w in unseen)
    novelty = [sum(pages_with[w] >= NEW_WORD_PAGES for w in unseen) / n for unseen, n in zip(new, sizes)]
    return _Pool(np.array(rel), np.array(ev), np.array(novelty), page_vectors(pages, weights))


def _ranks(values: np.ndarray) -> np.ndarray:
    return (rankdata(values, method="average") - 0.5) / len(values) if len(values) else values


def suggest(
    model: Any,
    pages: Sequence[Sequence[str]],
    *,
    n: int,
    sites: Sequence[str | None] | None = None,
    labeled: Pages | None = None,
    per_line: bool = False,
    weights: dict[str, float] | None = None,
    max_per_site: int | None = None,
    near_duplicate: float = NEAR_DUPLICATE,
    diversity: float = DIVERSITY,
    batch_size: int = 64,
) -> list[PageScore]:
    """Choose the ``n`` pages of ``pages`` whose labels would teach ``model`` most.

    Parameters
    ----------
    model : Model
        The model to improve.
    pages : sequence of sequence of str
        The unlabeled pool, each page as its paragraphs.
    n : int
        Pages to choose.
    sites : sequence of str or None, optional
        Each page's site; a page without one is a site of its own.
    labeled : Pages, optional
        Pages already labeled: no chosen page may be a near duplicate of one.
    per_line : bool
        Rank by what a page teaches per line to label, not per page.
    weights : dict, optional
        Weights of ``relevance``, ``event`` and ``novelty`` (default :data:`DEFAULT_WEIGHTS`).
    max_per_site : int, optional
        Pages a site may get while other sites' pages remain (default: a tenth of ``n``, at least 1).
    near_duplicate : float
        Cosine similarity from which two pages count as near duplicates.
    diversity : float
        Priority lost per unit of similarity to the pages labeled or chosen before.
    batch_size : int
        Pages predicted together.

    Returns
    -------
    list of PageScore
        The chosen pages, in the order chosen (best first); fewer than ``n``
        when the pool runs out of pages that are not near duplicates.

    Examples
    --------
    >>> from autoclass import load_model
    >>> pool = [["Ford recalls 2,000 trucks", "Share"], ["Ford recalls 2,000 trucks", "Share"],
    ...         ["Nio and CATL sign a battery swap deal", "Menu"]]
    >>> sorted(s.index for s in suggest(load_model(), pool, n=3))  # one of the twins only
    [0, 2]
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    if not pages:
        return []
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    pool = _score_pool(model, pages, batch_size, per_line)
    total = sum(w.values()) or 1.0
    priority = (
        w["relevance"] * _ranks(pool.relevance)
        + w["event"] * _ranks(pool.event)
        + w["novelty"] * _ranks(pool.novelty)
    ) / total
    vectors = pool.vectors
    similarity = np.zeros(len(pages))
    if labeled is not None and len(labeled):
        body = labeled.body or [[None] * len(p) for p in labeled.texts]
        line_weights = [[1.0 if b is not False else _BOILERPLATE_WEIGHT for b in page] for page in body]
        vectors, known = _tfidf(vectors, page_vectors(labeled.texts, line_weights))
        similarity = (vectors @ known.T).max(axis=1).toarray().ravel()
    else:
        (vectors,) = _tfidf(vectors)
    site_of = [s if s else f"\0{i}" for i, s in enumerate(sites or [None] * len(pages))]
    cap = max_per_site or max(1, math.ceil(n / 10))
    return _greedy(priority, pool, vectors, similarity, site_of, n, cap, near_duplicate, diversity)


def _greedy(
    priority: np.ndarray,
    pool: _Pool,
    vectors: sp.csr_matrix,
    similarity: np.ndarray,
    sites: list[str],
    n: int,
    cap: int,
    near_duplicate: float,
    diversity: float,
) -> list[PageScore]:
    chosen: list[PageScore] = []
    taken = np.zeros(len(priority), dtype=bool)
    per_site: Counter[str] = Counter()
    while len(chosen) < n:
        open_ = ~taken & (similarity < near_duplicate)
        if not open_.any():
            break
        under_cap = open_ & np.array([per_site[s] < cap for s in sites])
        candidates = under_cap if under_cap.any() else open_
        if not under_cap.any():
            cap += 1  # every remaining page's site is full: let each have one more
        value = np.where(candidates, priority - diversity * similarity, -np.inf)
        best = int(np.argmax(value))
        chosen.append(
            PageScore(
                best,
                float(priority[best]),
                float(pool.relevance[best]),
                float(pool.event[best]),
                float(pool.novelty[best]),
                float(similarity[best]),
            )
        )
        taken[best] = True
        per_site[sites[best]] += 1
        similarity = np.maximum(similarity, (vectors @ vectors[best].T).toarray().ravel())
    return chosen
