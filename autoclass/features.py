"""Features of a paragraph in its page: hashed TF-IDF text features and layout.

One pass over a batch of pages gives both heads what they need: a sparse
TF-IDF matrix (one row per paragraph) and a small dense matrix of layout
features that describe the paragraph *in its page* (length, shape, position,
repetition, and the same for its neighbours).  Boilerplate is a property of a
line in its page, not of its words alone.

Speed matters (tens of thousands of paragraphs a second on one core), so
tokens are hashed by scikit-learn's compiled FeatureHasher, hashed columns are
remapped to the vocabulary kept at fit time with one numpy gather, and the
layout features are computed on the code points of the whole batch at once.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction import FeatureHasher
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

_TOKEN = re.compile(r"\w+")
# Digits are folded to 0 so that "2,341 units" and "18,422 units" share features.
_FOLD_DIGITS = str.maketrans("123456789", "000000000")
_START = "^"  # marks the first token, so "^ source" or "^ by" become features

_STOP_WORDS = frozenset(
    "a about after also an and are as at be been but by for from had has have he her "
    "his in into is it its more not of on or our said she than that the their there "
    "they this to was we were which while who will with would".split()
)
_SENTENCE_END = frozenset('.!?"\u201d\u2019)\u3002')

LAYOUT_FEATURES: tuple[str, ...] = (
    "log_chars",
    "log_words",
    "ends_sentence",
    "ends_colon",
    "starts_upper",
    "starts_symbol",
    "digit_ratio",
    "upper_ratio",
    "symbol_ratio",
    "non_ascii_ratio",
    "stop_word_density",
    "capitalised_word_ratio",
    "sentence_count",
    "has_link",
    "repeats_in_page",
    "same_as_first_line",
    "relative_position",
    "log_position",
    "log_position_from_end",
    "is_first",
    "is_last",
    "log_page_paragraphs",
    "chars_under_30",
    "chars_30_to_80",
    "chars_80_to_200",
    "chars_over_200",
    "prev_log_chars",
    "next_log_chars",
    "prev_ends_sentence",
    "next_ends_sentence",
    "window_log_chars",
    "window_long_share",
)


@dataclass(frozen=True)
class PageBatch:
    """The features of a batch of pages, one row per paragraph.

    Attributes
    ----------
    tfidf : scipy.sparse.csr_matrix
        L2-normalised TF-IDF rows, shape (n_paragraphs, n_terms).
    layout : numpy.ndarray
        Standardised layout features, shape (n_paragraphs, len(LAYOUT_FEATURES)).
    page_index : numpy.ndarray
        The page of each paragraph (0-based within the batch).
    page_offsets : numpy.ndarray
        Paragraphs of page k are rows ``page_offsets[k]:page_offsets[k + 1]``.
    """

    tfidf: sp.csr_matrix
    layout: np.ndarray
    page_index: np.ndarray
    page_offsets: np.ndarray

    @property
    def n_pages(self) -> int:
        return len(self.page_offsets) - 1


def _terms(text: str, bigrams: bool) -> tuple[list[str], int]:
    tokens = _TOKEN.findall(text.lower().translate(_FOLD_DIGITS))
    if not bigrams or not tokens:
        return tokens, len(tokens)
    terms = tokens + [a + " " + b for a, b in zip(tokens, tokens[1:])]
    terms.append(_START + " " + tokens[0])
    return terms, len(tokens)


def _window_mean(x: np.ndarray, half: int = 2) -> np.ndarray:
    """Mean of x over i-half..i+half, clipped to the page."""
    m = len(x)
    csum = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(m)
    lo, hi = np.maximum(i - half, 0), np.minimum(i + half + 1, m)
    return (csum[hi] - csum[lo]) / (hi - lo)


class PageFeaturizer(BaseEstimator):
    """Turn pages (lists of paragraphs) into a :class:`PageBatch`.

    Parameters
    ----------
    ngram_range : tuple of int
        ``(1, 1)`` for words, ``(1, 2)`` for words and word pairs.
    n_features : int
        Size of the hashing space before the vocabulary is pruned.
    min_df : int
        A hashed term is kept when it occurs in at least this many paragraphs
        of the training pages.
    sublinear_tf : bool
        Use ``1 + log(tf)`` in place of raw term counts.
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        n_features: int = 2**20,
        min_df: int = 2,
        sublinear_tf: bool = True,
    ) -> None:
        self.ngram_range = ngram_range
        self.n_features = n_features
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf

    def fit(self, pages: Sequence[Sequence[str]], y: object = None) -> PageFeaturizer:
        if self.ngram_range not in ((1, 1), (1, 2)):
            raise ValueError(f"ngram_range must be (1, 1) or (1, 2), not {self.ngram_range}")
        texts = [p for page in pages for p in page]
        counts, n_words = self._hashed_counts(texts)
        df = np.bincount(counts.indices, minlength=self.n_features)
        kept = np.flatnonzero(df >= self.min_df)
        self.column_map_ = np.full(self.n_features, -1, dtype=np.int64)
        self.column_map_[kept] = np.arange(len(kept))
        n_docs = max(len(texts), 1)
        self.idf_ = np.log((1 + n_docs) / (1 + df[kept])) + 1.0
        stop_hashes = self._hasher().transform([[w] for w in sorted(_STOP_WORDS)]).indices
        self.stop_columns_ = np.unique(self.column_map_[stop_hashes][self.column_map_[stop_hashes] >= 0])
        self.layout_mean_ = np.zeros(len(LAYOUT_FEATURES))
        self.layout_scale_ = np.ones(len(LAYOUT_FEATURES))
        raw = self._raw_layout(pages, texts, self._prune(counts), n_words)
        self.layout_mean_ = raw.mean(axis=0) if len(raw) else self.layout_mean_
        std = raw.std(axis=0) if len(raw) else self.layout_scale_
        self.layout_scale_ = np.where(std > 1e-9, std, 1.0)
        return self

    @property
    def n_terms(self) -> int:
        check_is_fitted(self, "idf_")
        return len(self.idf_)

    def transform(self, pages: Sequence[Sequence[str]]) -> PageBatch:
        check_is_fitted(self, "idf_")
        texts = [p for page in pages for p in page]
        counts, n_words = self._hashed_counts(texts)
        counts = self._prune(counts)
        layout = self._raw_layout(pages, texts, counts, n_words)
        layout -= self.layout_mean_
        layout /= self.layout_scale_
        tfidf = counts.copy()
        if self.sublinear_tf:
            np.log(tfidf.data, out=tfidf.data)
            tfidf.data += 1.0
        tfidf.data *= self.idf_[tfidf.indices]
        tfidf = normalize(tfidf, copy=False)
        lengths = np.fromiter((len(page) for page in pages), dtype=np.int64, count=len(pages))
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        page_index = np.repeat(np.arange(len(pages)), lengths)
        return PageBatch(tfidf=tfidf, layout=layout, page_index=page_index, page_offsets=offsets)

    def _hasher(self) -> FeatureHasher:
        return FeatureHasher(self.n_features, input_type="string", alternate_sign=False)

    def _hashed_counts(self, texts: list[str]) -> tuple[sp.csr_matrix, np.ndarray]:
        bigrams = self.ngram_range[1] == 2
        terms, n_words = [], np.empty(len(texts), dtype=np.float64)
        for i, text in enumerate(texts):
            t, n_words[i] = _terms(text, bigrams)
            terms.append(t)
        return self._hasher().transform(terms), n_words

    def _prune(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Keep the columns of the fitted vocabulary, renumbered."""
        if not hasattr(self, "column_map_"):
            return counts
        mapped = self.column_map_[counts.indices]
        keep = mapped >= 0
        kept_before = np.concatenate([[0], np.cumsum(keep)])
        indptr = kept_before[counts.indptr]
        n_cols = int(self.column_map_.max()) + 1
        return sp.csr_matrix(
            (counts.data[keep], mapped[keep], indptr), shape=(counts.shape[0], n_cols)
        )

    def _raw_layout(
        self,
        pages: Sequence[Sequence[str]],
        texts: list[str],
        counts: sp.csr_matrix,
        n_words: np.ndarray,
    ) -> np.ndarray:
        n = len(texts)
        out = np.zeros((n, len(LAYOUT_FEATURES)))
        if n == 0:
            return out
        f = {name: i for i, name in enumerate(LAYOUT_FEATURES)}
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
        safe_len = np.maximum(lengths, 1)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        cp = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
        if len(cp) == 0:
            cp = np.zeros(1, dtype=np.uint32)
        starts_c = np.minimum(starts, len(cp) - 1)
        ends_c = np.clip(starts + lengths - 1, 0, len(cp) - 1)

        def per_paragraph(mask: np.ndarray) -> np.ndarray:
            sums = np.add.reduceat(mask.astype(np.int64), starts_c)
            return np.where(lengths > 0, sums, 0)

        digit = (cp >= 48) & (cp <= 57)
        upper = (cp >= 65) & (cp <= 90)
        lower = (cp >= 97) & (cp <= 122)
        space = cp == 32
        non_ascii = cp >= 128
        symbol = ~(digit | upper | lower | space | non_ascii)
        prev_space = np.empty_like(space)
        prev_space[0] = True
        prev_space[1:] = space[:-1]
        prev_space[starts_c] = True
        next_space = np.empty_like(space)
        next_space[-1] = True
        next_space[:-1] = space[1:]
        next_space[ends_c] = True
        terminator = ((cp == 46) | (cp == 33) | (cp == 63) | (cp == 0x3002)) & next_space

        first_cp, last_cp = cp[starts_c], cp[ends_c]
        log_chars = np.log1p(lengths)
        words = np.maximum(n_words, 1)
        letters = per_paragraph(upper | lower)
        ends_sentence = np.fromiter(
            (t[-1] in _SENTENCE_END if t else False for t in texts), dtype=bool, count=n
        )
        out[:, f["log_chars"]] = log_chars
        out[:, f["log_words"]] = np.log1p(n_words)
        out[:, f["ends_sentence"]] = ends_sentence
        out[:, f["ends_colon"]] = last_cp == 58
        out[:, f["starts_upper"]] = (first_cp >= 65) & (first_cp <= 90)
        out[:, f["starts_symbol"]] = symbol[starts_c]
        out[:, f["digit_ratio"]] = per_paragraph(digit) / safe_len
        out[:, f["upper_ratio"]] = per_paragraph(upper) / np.maximum(letters, 1)
        out[:, f["symbol_ratio"]] = per_paragraph(symbol) / safe_len
        out[:, f["non_ascii_ratio"]] = per_paragraph(non_ascii) / safe_len
        if hasattr(self, "stop_columns_") and counts.shape[1] > 0:
            stop = np.zeros(counts.shape[1])
            stop[self.stop_columns_] = 1.0
            out[:, f["stop_word_density"]] = (counts @ stop) / words
        out[:, f["capitalised_word_ratio"]] = per_paragraph(upper & prev_space) / words
        out[:, f["sentence_count"]] = np.log1p(per_paragraph(terminator))
        out[:, f["has_link"]] = np.fromiter(
            ("http" in t or "www." in t or "@" in t for t in texts), dtype=bool, count=n
        )
        out[:, f["chars_under_30"]] = lengths < 30
        out[:, f["chars_30_to_80"]] = (lengths >= 30) & (lengths < 80)
        out[:, f["chars_80_to_200"]] = (lengths >= 80) & (lengths < 200)
        out[:, f["chars_over_200"]] = lengths >= 200

        row = 0
        for page in pages:
            m = len(page)
            if m == 0:
                continue
            sl = slice(row, row + m)
            seen = Counter(page)
            out[sl, f["repeats_in_page"]] = np.log([seen[t] for t in page])
            out[sl, f["same_as_first_line"]] = [t == page[0] for t in page]
            position = np.arange(m)
            out[sl, f["relative_position"]] = position / max(m - 1, 1)
            out[sl, f["log_position"]] = np.log1p(position)
            out[sl, f["log_position_from_end"]] = np.log1p(m - 1 - position)
            out[row, f["is_first"]] = 1.0
            out[row + m - 1, f["is_last"]] = 1.0
            out[sl, f["log_page_paragraphs"]] = np.log1p(m)
            lc = log_chars[sl]
            es = ends_sentence[sl]
            out[row + 1 : row + m, f["prev_log_chars"]] = lc[:-1]
            out[row : row + m - 1, f["next_log_chars"]] = lc[1:]
            out[row + 1 : row + m, f["prev_ends_sentence"]] = es[:-1]
            out[row : row + m - 1, f["next_ends_sentence"]] = es[1:]
            out[sl, f["window_log_chars"]] = _window_mean(lc)
            out[sl, f["window_long_share"]] = _window_mean((lengths[sl] >= 150).astype(float))
            row += m
        return out
