"""Features of a line from its page: neighbours, page aggregates, body overlap.

The classifier's second stages read the first stages' scores of a line *in its
page*.  Everything here works on a whole batch of pages at once, with numpy
and sparse matrices indexed by ``PageBatch.page_index``; no page is looked at
in a Python loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from autoclass.features import PageBatch

RELEVANCE_CONTEXT: tuple[str, ...] = (
    "score",
    "probability",
    "run_probability",
    "prev",
    "next",
    "prev2",
    "next2",
    "window_mean",
    "page_mean",
    "page_max",
    "inside_body_span",
)

CLIP = 12.0


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def shift(x: np.ndarray, batch: PageBatch, k: int, fill: float) -> np.ndarray:
    """Rows of x at i-k (k > 0) or i+|k| (k < 0) within the same page, else ``fill``."""
    n = len(x)
    out = np.full_like(x, fill)
    if n <= abs(k):
        return out
    pos = np.arange(n) - batch.page_offsets[batch.page_index]
    size = np.diff(batch.page_offsets)[batch.page_index]
    if k > 0:
        ok = pos >= k
        out[ok] = x[np.flatnonzero(ok) - k]
    else:
        ok = pos < size + k
        out[ok] = x[np.flatnonzero(ok) - k]
    return out


def page_mean_matrix(batch: PageBatch, weights: np.ndarray) -> sp.csr_matrix:
    """Matrix M (n_pages x n_lines) with M @ X = the weighted mean of X's rows over each page."""
    n = len(batch.page_index)
    totals = page_sum(weights, batch) + 1e-9
    return sp.csr_matrix(
        (weights / totals[batch.page_index], (batch.page_index, np.arange(n))), shape=(batch.n_pages, n)
    )


def page_sum(x: np.ndarray, batch: PageBatch) -> np.ndarray:
    """Sum of x (n,) or (n, k) over each page, shape (n_pages,) or (n_pages, k)."""
    if x.ndim == 1:
        return np.bincount(batch.page_index, weights=x, minlength=batch.n_pages)
    out = np.zeros((batch.n_pages, x.shape[1]))
    np.add.at(out, batch.page_index, x)
    return out


def relevance_context(d: np.ndarray, batch: PageBatch) -> np.ndarray:
    """Context features of each line from its stage-1 relevance score ``d``.

    The line's own score, then probabilities (sigmoid of the scores) of its
    neighbourhood and page: aggregated in probability space, a menu line at
    -10 and one at -3 count alike as "not content".
    """
    d = np.clip(d, -CLIP, CLIP)
    p = sigmoid(d)
    n = len(d)
    sizes = np.maximum(np.diff(batch.page_offsets), 1)
    idx = batch.page_index
    page_max = np.zeros(batch.n_pages)
    np.maximum.at(page_max, idx, p)
    positive = (p > 0.5).astype(float)
    csum = np.concatenate([[0.0], np.cumsum(positive)])
    pos = np.arange(n)
    start, stop = batch.page_offsets[idx], batch.page_offsets[idx + 1]
    before = csum[pos] - csum[start]  # content lines above i in its page
    after = csum[stop] - csum[pos + 1]  # and below
    # A missing neighbour (page start or end) reads as undecided (0.5); the
    # layout's is_first / is_last say where the page ends.
    neighbours = [shift(p, batch, k, 0.5) for k in (1, -1, 2, -2)]
    # Lines a scraper broke out of one paragraph share their fate: the
    # probability of the run, weighted by each line's number of words.
    run = np.cumsum(~batch.joins_previous) - 1
    weight = np.maximum(batch.line_words, 1.0)
    run_p = (np.bincount(run, weights=p * weight) / np.bincount(run, weights=weight))[run]
    return np.column_stack(
        [
            d,
            p,
            run_p,
            *neighbours,
            (p + sum(neighbours)) / 5,
            (page_sum(p, batch) / sizes)[idx],
            page_max[idx],
            (before > 0) & (after > 0),
        ]
    )


def body_similarity(d: np.ndarray, batch: PageBatch) -> np.ndarray:
    """Cosine of each line with the rest of its page's body.

    The body is the page's lines weighted by their stage-1 relevance; a line's
    own weight is taken out.  The article's headline, sub-headings and
    captions share words with its body; other stories' headlines, sidebars
    and ads do not.
    """
    tfidf = batch.tfidf
    n, v = tfidf.shape
    if n == 0:
        return np.zeros(0)
    w = sigmoid(np.clip(d, -CLIP, CLIP))
    to_page = sp.csr_matrix((w, (batch.page_index, np.arange(n))), shape=(batch.n_pages, n))
    body = (to_page @ tfidf).tocsr()
    body.sum_duplicates()
    body.sort_indices()
    # Look up body[page(i), term] for every term of every line, by sorted keys:
    # linear in the number of non-zeros, whatever the batch size.
    body_rows = np.repeat(np.arange(body.shape[0], dtype=np.int64), np.diff(body.indptr))
    body_keys = body_rows * v + body.indices
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(tfidf.indptr))
    keys = batch.page_index[rows].astype(np.int64) * v + tfidf.indices
    at = np.minimum(np.searchsorted(body_keys, keys), max(len(body_keys) - 1, 0))
    found = body_keys[at] == keys if len(body_keys) else np.zeros(len(keys), dtype=bool)
    values = np.where(found, body.data[at] if len(body_keys) else 0.0, 0.0)
    dots = np.bincount(rows, weights=tfidf.data * values, minlength=n)
    own = np.bincount(rows, weights=tfidf.data**2, minlength=n)
    norms = np.sqrt(np.bincount(body_rows, weights=body.data**2, minlength=batch.n_pages))
    return (dots - w * own) / (norms[batch.page_index] + 1e-6)


def event_context(
    proba: np.ndarray, relevance: np.ndarray, batch: PageBatch, names: Sequence[str], threshold: float
) -> np.ndarray:
    """Context features of each paragraph from stage-1 event probabilities."""
    blocks = []
    weighted = proba * relevance[:, None]
    for name in names:
        if name == "page":
            total = page_sum(relevance, batch)[:, None] + 1e-6
            blocks.append((page_sum(weighted, batch) / total)[batch.page_index])
        elif name == "neighbours":
            blocks.append((shift(weighted, batch, 1, 0.0) + shift(weighted, batch, -1, 0.0)) / 2)
        else:  # headline: the first line at or above the relevance threshold
            head = np.zeros((batch.n_pages, proba.shape[1]))
            hit = relevance >= threshold
            first = np.full(batch.n_pages, -1)
            rows = np.flatnonzero(hit)[::-1]
            first[batch.page_index[rows]] = rows
            found = first >= 0
            head[found] = proba[first[found]]
            blocks.append(head[batch.page_index])
    return np.hstack(blocks) if blocks else np.zeros((len(relevance), 0))
