"""Features of a paragraph in its page: TF-IDF text features and layout.

One pass over a batch of pages gives both heads what they need: a sparse
TF-IDF matrix (one row per paragraph) and a small dense matrix of layout
features that describe the paragraph *in its page* (length, shape, position,
repetition, and the same for its neighbours).  Boilerplate is a property of a
line in its page, not of its words alone.

Speed matters (tens of thousands of paragraphs a second on one core), so a
batch is tokenized with one regular-expression pass, words become ids with
one dictionary pass, and everything after that is numpy: word pairs are
pairs of ids, terms are looked up in sorted arrays, and the layout features
are computed on the code points of the whole batch at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from autoclass.errors import AutoclassError
from autoclass.markup import MARKUP_FEATURES, MARKUP_GROUPS, markup_columns, markup_matrix

_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")  # a letter of any script


def _fold(byte: int) -> int:
    """What ``_FOLD`` makes of a byte of UTF-8 text, where no multi-byte character holds an ASCII byte."""
    char = chr(byte)
    if char in "123456789":
        return ord("0")
    return byte if byte >= 128 or char == "\n" or _WORD.match(char) else ord(" ")


# Digits are folded to 0 so that "2,341 units" and "18,422 units" share features;
# the other ASCII characters that are not word characters (but the newline between
# lines) become spaces, which leaves every word as it was, and an ASCII line's
# words are then its split().
_FOLD = bytes(map(_fold, range(256)))
# Common characters of non-English text that are not word characters (quotes,
# dashes, no-break space...): made spaces too, so that most lines of such text
# are plain words and spaces.
_MARKS = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00ab\u00bb\u00a0\u00b7\u2022"
_SPACED = tuple(mark for mark in _MARKS if not _WORD.match(mark))


def _base_letters(version: int) -> dict[str, str]:
    """Latin letters with diacritics -> their base letters ("š" -> "s", "ễ" -> "e", "ﬁ" -> "fi").

    From version 2, also what a text in decomposed form (NFD) spells them
    with: its combining diacritical marks are dropped ("S" + U+030C, as "Š" is
    read; "İ" lowercases to "i" + U+0307); and fullwidth Latin letters and
    digits are read as ASCII ones ("ＴＯＹＯＴＡ", on CJK sites), digits folded
    to 0 as ASCII digits are.
    """
    table = {}
    fullwidth = range(0xFF21, 0xFF5B) if version >= 2 else range(0)
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00), *range(0xFB00, 0xFB07), *fullwidth]:
        base = "".join(c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c))
        if base and base != chr(code) and base.isalpha():
            table[chr(code)] = base
    if version >= 2:
        table.update({chr(code): "" for code in range(0x300, 0x370)})
        table.update({chr(code): "0" for code in range(0xFF10, 0xFF1A)})
    return table


class _Letters(NamedTuple):
    """One version of the reading of letters: the table and a pattern that finds its letters."""

    table: dict[str, str]
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, version: int) -> _Letters:
        table = _base_letters(version)
        return cls(table, re.compile(f"[{''.join(sorted(table))}]"))

    def read(self, text: str) -> str:
        return self.pattern.sub(lambda match: self.table[match.group()], text)


# Letters with diacritics are read as their base letters, so that "ŠKODA" and "Skoda",
# "Citroën" and "Citroen" are one word (measured: a real page's "ŠKODA" story was lost,
# the model knowing "skoda" as a carmaker and "škoda" hardly at all). A regular
# expression finds them: translate() with a table is several times slower on long text.
# A model reads letters as it was trained to (PageFeaturizer.base_letters_, the version
# of its training; a model saved when this was a flag holds True, version 1).
LETTERS_VERSION = 2
_LETTERS_BY_VERSION = {version: _Letters.of(version) for version in range(1, LETTERS_VERSION + 1)}
_LETTERS = _LETTERS_BY_VERSION[LETTERS_VERSION]


def word_form(text: str) -> str:
    """``text`` as the featurizer reads its words: lower case, letters with diacritics as their base letters.

    Examples
    --------
    >>> word_form("ŠKODA and Citroën")
    'skoda and citroen'
    """
    text = text.lower()
    return text if text.isascii() else _LETTERS.read(text)


_SEPARATOR = -2

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
    "starts_lower",
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


LAYOUT_CLIP = 3.0


@dataclass(frozen=True)
class PageBatch:
    """The features of a batch of pages, one row per paragraph.

    Attributes
    ----------
    tfidf : scipy.sparse.csr_matrix
        L2-normalised TF-IDF rows, shape (n_paragraphs, n_terms).
    layout : numpy.ndarray
        Standardised layout features, then the markup features the featurizer
        uses (see :meth:`PageFeaturizer.dense_names`), shape (n_paragraphs, n_dense).
    page_index : numpy.ndarray
        The page of each paragraph (0-based within the batch).
    page_offsets : numpy.ndarray
        Paragraphs of page k are rows ``page_offsets[k]:page_offsets[k + 1]``.
    joins_previous : numpy.ndarray
        Whether a line looks like the continuation of the line above (that
        one ends without sentence punctuation and this one starts in lower
        case): a paragraph the scraper broke over several lines.
    line_words : numpy.ndarray
        Number of word tokens of each line.
    says_nothing : numpy.ndarray
        Whether a line has no word but stop words, no word at all, or no letter.
    """

    tfidf: sp.csr_matrix
    layout: np.ndarray
    page_index: np.ndarray
    page_offsets: np.ndarray
    joins_previous: np.ndarray
    line_words: np.ndarray
    says_nothing: np.ndarray

    @property
    def n_pages(self) -> int:
        return len(self.page_offsets) - 1


@dataclass(frozen=True)
class _Tokens:
    """The tokens of a batch of lines, as vocabulary ids (-1: unknown word)."""

    ids: np.ndarray  # token ids, line after line
    rows: np.ndarray  # the line of each token
    n_words: np.ndarray  # tokens per line


def _plain(line: str) -> bool:
    """Whether a line holds nothing but word characters and spaces: its words are then its split()."""
    # str.isalnum() and the pattern's word characters agree on every character but "_".
    return line.replace(" ", "").replace("_", "").isalnum()


def _tokenize(
    texts: list[str], vocabulary: dict[str, int], *, grow: bool = False, letters: int = LETTERS_VERSION
) -> _Tokens:
    """Tokenize a whole batch with one lower(), one translate() and one split().

    A line of nothing but words and spaces (most lines, once punctuation
    became spaces) is split as it is; the word pattern reads the others (the
    regular expression is several times slower than split()).  Ids come from
    one ``map(dict.get)`` over all tokens, newlines marking the lines' ends.
    With ``grow``, unknown words are added to ``vocabulary`` (training).
    ``letters`` is the version of the reading of letters with diacritics
    (``LETTERS_VERSION``; 0: as they are, as models trained before it read them).
    """
    n = len(texts)
    if any("\n" in t for t in texts):  # lines from callers, not from split_paragraphs
        texts = [t.replace("\n", " ") for t in texts]
    joined = "\n".join(texts).lower().encode("utf-8", "surrogatepass").translate(_FOLD)
    text = joined.decode("utf-8", "surrogatepass")
    if not text.isascii():
        for char in _SPACED:
            text = text.replace(char, " ")
        if letters:
            text = _LETTERS_BY_VERSION[letters].read(text)
    # Every line made words and spaces, then one split(" "), newlines kept as tokens:
    # no list per line (as many allocations would set off the garbage collector).
    lines = [
        line if line.isascii() or _plain(line) else " ".join(_WORD.findall(line)) for line in text.split("\n")
    ]
    tokens = list(filter(None, " \n ".join(lines).split(" ")))
    if grow:
        vocabulary.setdefault("\n", _SEPARATOR)
        for t in tokens:
            if t not in vocabulary:
                vocabulary[t] = len(vocabulary) - 1
    ids = np.fromiter(map(vocabulary.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
    separator = ids == _SEPARATOR
    rows = np.cumsum(separator)
    keep = ~separator
    ids, rows = ids[keep], rows[keep]
    return _Tokens(ids=ids, rows=rows, n_words=np.bincount(rows, minlength=n).astype(np.float64))


def normalize_blocks(x: sp.csr_matrix, split: int) -> sp.csr_matrix:
    """L2-normalise columns ``[:split]`` and ``[split:]`` of each row separately."""
    second = x.indices >= split
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    squares = x.data**2
    norms = np.sqrt(
        np.stack(
            [
                np.bincount(rows[~second], weights=squares[~second], minlength=x.shape[0]),
                np.bincount(rows[second], weights=squares[second], minlength=x.shape[0]),
            ]
        )
    )
    norms[norms == 0] = 1.0
    x.data /= norms[second.astype(np.int64), rows]
    return x


class PageFeaturizer(BaseEstimator):
    """Turn pages (lists of paragraphs) into a :class:`PageBatch`.

    Terms are words (lower-cased, digits folded to 0), the first word of the
    line as a term of its own (line openings such as "Source :", "By ...",
    "Read also" are telling), and, with bigrams, pairs of adjacent words.

    Parameters
    ----------
    ngram_range : tuple of int
        ``(1, 1)`` for words, ``(1, 2)`` for words and word pairs.
    min_df : int
        A term is kept when it occurs in at least this many paragraphs of the
        training pages.
    sublinear_tf : bool
        Use ``1 + log(tf)`` in place of raw term counts.
    markup : tuple of str
        Groups of markup features (``autoclass.markup.MARKUP_GROUPS``) added
        to the layout features; zeros for pages of plain text.
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        sublinear_tf: bool = True,
        markup: tuple[str, ...] = tuple(MARKUP_GROUPS),
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.markup = markup

    def fit(self, pages: Sequence[Sequence[str]], y: object = None) -> PageFeaturizer:
        if tuple(self.ngram_range) not in ((1, 1), (1, 2)):
            raise ValueError(f"ngram_range must be (1, 1) or (1, 2), not {self.ngram_range}")
        texts = [p for page in pages for p in page]
        # Word -> id; the line separator maps to _SEPARATOR.
        self.vocabulary_: dict[str, int] = {"\n": _SEPARATOR}
        self.base_letters_ = LETTERS_VERSION
        tokens = _tokenize(texts, self.vocabulary_, grow=True)
        n_vocab = len(self.vocabulary_) - 1
        rows, keys, is_pair = self._term_keys(tokens, n_vocab)
        unique = (
            np.unique(np.column_stack([rows, keys, is_pair]), axis=0) if len(rows) else np.zeros((0, 3), int)
        )
        words = unique[unique[:, 2] == 0, 1]
        pairs = unique[unique[:, 2] == 1, 1]
        word_df = np.bincount(words, minlength=2 * n_vocab)
        kept_words = np.flatnonzero(word_df >= self.min_df)
        if not len(kept_words):
            raise AutoclassError(
                f"no word occurs in at least min_df = {self.min_df} of the {len(texts)} training paragraphs: "
                "lower min_df (features.min_df of the config)"
            )
        pair_keys, pair_df = np.unique(pairs, return_counts=True)
        kept = pair_df >= self.min_df
        self.pair_keys_ = pair_keys[kept]
        self.word_columns_ = np.full(2 * n_vocab, -1, dtype=np.int64)
        self.word_columns_[kept_words] = np.arange(len(kept_words))
        self.pair_columns_ = len(kept_words) + np.arange(len(self.pair_keys_))
        df = np.concatenate([word_df[kept_words], pair_df[kept]])
        n_docs = max(len(texts), 1)
        self.idf_ = np.log((1 + n_docs) / (1 + df)) + 1.0
        self.stop_ids_ = np.array(sorted(self.vocabulary_[w] for w in _STOP_WORDS if w in self.vocabulary_))
        self.markup_columns_ = np.asarray(markup_columns(self.markup), dtype=np.int64)
        n_dense = len(LAYOUT_FEATURES) + len(self.markup_columns_)
        self.layout_mean_ = np.zeros(n_dense)
        self.layout_scale_ = np.ones(n_dense)
        raw = self._dense(pages, texts, tokens)
        if len(raw):
            self.layout_mean_ = raw.mean(axis=0)
            std = raw.std(axis=0)
            # Markup columns are scaled but not centred: a text line's zeros stay
            # zeros (no markup, no effect), and the sparse stage-1 rows stay sparse.
            markup = slice(len(LAYOUT_FEATURES), None)
            self.layout_mean_[markup] = 0.0
            std[markup] = np.sqrt((raw[:, markup] ** 2).mean(axis=0))
            self.layout_scale_ = np.where(std > 1e-9, std, 1.0)
        return self

    def dense_names(self) -> list[str]:
        """Names of the columns of ``PageBatch.layout``: layout features, then markup features."""
        check_is_fitted(self, "idf_")
        return [*LAYOUT_FEATURES, *(MARKUP_FEATURES[i] for i in self.markup_columns_)]

    def _dense(self, pages: Sequence[Sequence[str]], texts: list[str], tokens: _Tokens) -> np.ndarray:
        layout = self._raw_layout(pages, texts, tokens)
        if not len(self.markup_columns_):
            return layout
        return np.hstack([layout, markup_matrix(pages)[:, self.markup_columns_]])

    @property
    def n_terms(self) -> int:
        """Columns of the TF-IDF matrix: words first, then word pairs."""
        check_is_fitted(self, "idf_")
        return len(self.idf_)

    @property
    def letters_version(self) -> int:
        """How this featurizer reads letters with diacritics: the ``LETTERS_VERSION`` it was trained with."""
        # A model saved before letters were read as base letters has no attribute (0); one
        # saved when this was a flag holds True (1).
        return int(getattr(self, "base_letters_", 0))

    @property
    def n_words(self) -> int:
        """The first ``n_words`` columns are single words (and line-first words)."""
        check_is_fitted(self, "idf_")
        return self.n_terms - len(self.pair_keys_)

    def term_names(self) -> list[str]:
        """A readable name for every TF-IDF column: ``recall``, ``^share`` (a line's
        first word), ``seat belt`` (a word pair).  For explanations; digits read as 0."""
        check_is_fitted(self, "idf_")
        n_vocab = len(self.vocabulary_) - 1
        words = [""] * n_vocab
        for word, i in self.vocabulary_.items():
            if i >= 0:
                words[i] = word
        names = [""] * self.n_terms
        for key in np.flatnonzero(self.word_columns_ >= 0):
            names[self.word_columns_[key]] = words[key] if key < n_vocab else "^" + words[key - n_vocab]
        for key, column in zip(self.pair_keys_.tolist(), self.pair_columns_.tolist()):
            names[column] = f"{words[key // n_vocab]} {words[key % n_vocab]}"
        return names

    def transform(self, pages: Sequence[Sequence[str]]) -> PageBatch:
        check_is_fitted(self, "idf_")
        texts = [p for page in pages for p in page]
        # A model saved before letters were folded to their base letters has none.
        tokens = _tokenize(texts, self.vocabulary_, letters=self.letters_version)
        counts = self._counts(tokens, len(texts))
        layout = self._dense(pages, texts, tokens)
        f = LAYOUT_FEATURES.index
        joins_previous = (layout[:, f("starts_lower")] > 0) & (layout[:, f("prev_ends_sentence")] == 0)
        joins_previous &= layout[:, f("log_position")] > 0
        # Read off the raw layout, where the density is an exact ratio of counts. A line
        # without a letter ("0:00 0:00", "3.", "2019") states no news either: no relevant
        # line of the real pages is one, and the model kept some.
        says_nothing = (tokens.n_words == 0) | (layout[:, f("stop_word_density")] >= 1.0)
        says_nothing |= np.fromiter((_LETTER.search(t) is None for t in texts), dtype=bool, count=len(texts))
        layout -= self.layout_mean_
        layout /= self.layout_scale_
        np.clip(layout, -LAYOUT_CLIP, LAYOUT_CLIP, out=layout)  # no extrapolation on odd pages
        tfidf = counts
        if self.sublinear_tf:
            np.log(tfidf.data, out=tfidf.data)
            tfidf.data += 1.0
        tfidf.data *= self.idf_[tfidf.indices]
        # Words and word pairs are normalised as two blocks of unit length, so
        # that a head reading only the words sees them at full weight.
        tfidf = normalize_blocks(tfidf, self.n_words)
        lengths = np.fromiter((len(page) for page in pages), dtype=np.int64, count=len(pages))
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        page_index = np.repeat(np.arange(len(pages)), lengths)
        return PageBatch(
            tfidf=tfidf,
            layout=layout,
            page_index=page_index,
            page_offsets=offsets,
            joins_previous=joins_previous,
            line_words=tokens.n_words,
            says_nothing=says_nothing,
        )

    def _term_keys(self, tokens: _Tokens, n_vocab: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(line, term key, is a pair) for every term occurrence; unknown words dropped.

        Word keys are word ids; the first word of a line is also a term of its
        own, key ``n_vocab + id`` ("Source", "By", "Read"...); pair keys are
        ``a * n_vocab + b``.
        """
        ids, rows = tokens.ids, tokens.rows
        known = ids >= 0
        same = rows[1:] == rows[:-1]
        first = np.ones(len(ids), dtype=bool)
        first[1:] = ~same
        first &= known
        word_rows = np.concatenate([rows[known], rows[first]])
        word_keys = np.concatenate([ids[known], n_vocab + ids[first]])
        if tuple(self.ngram_range) == (1, 1):
            return word_rows, word_keys, np.zeros(len(word_keys), dtype=np.int64)
        both = same & known[1:] & known[:-1]
        pair_rows = rows[1:][both]
        pair_keys = ids[:-1][both] * n_vocab + ids[1:][both]
        return (
            np.concatenate([word_rows, pair_rows]),
            np.concatenate([word_keys, pair_keys]),
            np.concatenate([np.zeros(len(word_keys), np.int64), np.ones(len(pair_keys), np.int64)]),
        )

    def _counts(self, tokens: _Tokens, n_rows: int) -> sp.csr_matrix:
        rows, keys, is_pair = self._term_keys(tokens, len(self.vocabulary_) - 1)
        cols = np.full(len(keys), -1, dtype=np.int64)
        words = is_pair == 0
        cols[words] = self.word_columns_[keys[words]]
        pairs = ~words
        if len(self.pair_keys_) and pairs.any():
            at = np.minimum(np.searchsorted(self.pair_keys_, keys[pairs]), len(self.pair_keys_) - 1)
            cols[pairs] = np.where(self.pair_keys_[at] == keys[pairs], self.pair_columns_[at], -1)
        ok = cols >= 0
        counts = sp.csr_matrix((np.ones(int(ok.sum())), (rows[ok], cols[ok])), shape=(n_rows, self.n_terms))
        counts.sum_duplicates()
        return counts

    def _raw_layout(self, pages: Sequence[Sequence[str]], texts: list[str], tokens: _Tokens) -> np.ndarray:
        n = len(texts)
        out = np.zeros((n, len(LAYOUT_FEATURES)))
        if n == 0:
            return out
        f = {name: i for i, name in enumerate(LAYOUT_FEATURES)}
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
        safe_len = np.maximum(lengths, 1)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        # surrogatepass: a lone surrogate in pages split by the caller is one more code point.
        cp = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
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
        n_words = tokens.n_words
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
        out[:, f["starts_lower"]] = (first_cp >= 97) & (first_cp <= 122)
        out[:, f["starts_symbol"]] = symbol[starts_c]
        out[:, f["digit_ratio"]] = per_paragraph(digit) / safe_len
        out[:, f["upper_ratio"]] = per_paragraph(upper) / np.maximum(letters, 1)
        out[:, f["symbol_ratio"]] = per_paragraph(symbol) / safe_len
        out[:, f["non_ascii_ratio"]] = per_paragraph(non_ascii) / safe_len
        is_stop = np.isin(tokens.ids, self.stop_ids_)
        out[:, f["stop_word_density"]] = np.bincount(tokens.rows[is_stop], minlength=n) / words
        out[:, f["capitalised_word_ratio"]] = per_paragraph(upper & prev_space) / words
        out[:, f["sentence_count"]] = np.log1p(per_paragraph(terminator))
        out[:, f["has_link"]] = np.fromiter(
            ("http" in t or "www." in t or "@" in t for t in texts), dtype=bool, count=n
        )
        out[:, f["chars_under_30"]] = lengths < 30
        out[:, f["chars_30_to_80"]] = (lengths >= 30) & (lengths < 80)
        out[:, f["chars_80_to_200"]] = (lengths >= 80) & (lengths < 200)
        out[:, f["chars_over_200"]] = lengths >= 200

        # Position of each line in its page, for the whole batch at once.
        sizes = np.fromiter(map(len, pages), dtype=np.int64, count=len(pages))
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        page = np.repeat(np.arange(len(pages)), sizes)
        first = offsets[:-1][page]
        size = sizes[page]
        pos = np.arange(n) - first
        # Exact repeats within a page, by (page, hash of the text).
        hashes = np.fromiter(map(hash, texts), dtype=np.int64, count=n)
        order = np.lexsort((hashes, page))
        key_page, key_hash = page[order], hashes[order]
        new_group = np.ones(n, dtype=bool)
        new_group[1:] = (key_page[1:] != key_page[:-1]) | (key_hash[1:] != key_hash[:-1])
        group = np.cumsum(new_group) - 1
        repeats = np.empty(n)
        repeats[order] = np.bincount(group)[group]
        out[:, f["repeats_in_page"]] = np.log(repeats)
        out[:, f["same_as_first_line"]] = hashes == hashes[first]
        out[:, f["relative_position"]] = pos / np.maximum(size - 1, 1)
        out[:, f["log_position"]] = np.log1p(pos)
        out[:, f["log_position_from_end"]] = np.log1p(size - 1 - pos)
        out[:, f["is_first"]] = pos == 0
        out[:, f["is_last"]] = pos == size - 1
        out[:, f["log_page_paragraphs"]] = np.log1p(size)
        has_prev, has_next = pos > 0, pos < size - 1
        out[has_prev, f["prev_log_chars"]] = log_chars[:-1][has_prev[1:]]
        out[has_next, f["next_log_chars"]] = log_chars[1:][has_next[:-1]]
        out[has_prev, f["prev_ends_sentence"]] = ends_sentence[:-1][has_prev[1:]]
        out[has_next, f["next_ends_sentence"]] = ends_sentence[1:][has_next[:-1]]
        lo = first + np.maximum(pos - 2, 0)
        hi = first + np.minimum(pos + 3, size)
        for name, x in (("window_log_chars", log_chars), ("window_long_share", lengths >= 150)):
            csum = np.concatenate([[0.0], np.cumsum(x)])
            out[:, f[name]] = (csum[hi] - csum[lo]) / (hi - lo)
        return out
