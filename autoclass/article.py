"""What a prediction returns: paragraphs with their labels, and the article's tags."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from itertools import repeat
from typing import TYPE_CHECKING, Any

import numpy as np

from autoclass.errors import AutoclassError
from autoclass.taxonomy import EVENT_TYPES

if TYPE_CHECKING:
    from autoclass.explain import Explanation, PageExplainer
    from autoclass.model import Model

# A headline is a heading block of an HTML page (h1 to h3, or inside one), or
# a short line that does not end as a sentence does.
_HEADING_PATH = re.compile(r"(?:^|>)h[1-3](?:>|$)")
# Full stops, commas, colons and semicolons of Latin, CJK (fullwidth), Devanagari and Arabic text.
_SENTENCE_END = re.compile(r"[.,;:。．，、；：।۔،؛][\"'”’)」』）]*$")
HEADLINE_MAX_WORDS = 25
_H1_PATH = re.compile(r"(?:^|>)h1(?:>|$)")
# A line that is a web address alone ("motorwire.example", "https://example.com/a/b").
_ADDRESS = re.compile(r"\s*(?:https?://\S+|www\.\S+|[\w-]+(?:\.[\w-]+)+(?:/\S*)?)\s*$")
# How much more the headline and the first relevant paragraph after it weigh in
# the choice of the main event than another paragraph of the same relevance.
# Chosen on the held-out and real dev pages (main event right 0.912 -> 0.924 and
# 0.812 -> 0.820); the tags' shares stay unweighted (weighted, they lost recall
# on pages that report several events).
HEADLINE_WEIGHT = 4.0
LEAD_WEIGHT = 3.0


@dataclass(frozen=True, slots=True)
class PageOrigin:
    """The model and page a prediction came from, shared by the page's paragraphs.

    ``explainer`` holds the page as the model read it for explanations, once
    one of its paragraphs is explained (:class:`autoclass.explain.PageExplainer`).
    """

    model: Model
    paragraphs: Sequence[str]
    explainer: list[PageExplainer] = field(default_factory=list, compare=False, repr=False)


class _Origin:
    """The slot of a paragraph's :class:`PageOrigin`, outside the dataclass's fields.

    Not a field, so that ``dataclasses.asdict`` and the encoders built on it
    (FastAPI's) do not deep-copy the model once per paragraph: they did, 70 MB
    a paragraph, and then failed on the model.
    """

    __slots__ = ("_origin",)


@dataclass(frozen=True, slots=True)
class Paragraph(_Origin):
    """One line of the page with its predicted labels.

    Attributes
    ----------
    text : str
        The paragraph, stripped.
    position : int
        Its index among the page's paragraphs.
    relevant : bool
        Whether it belongs to the article's own automotive news content.
    relevance : float
        Calibrated probability that it is relevant.
    event : str or None
        The most probable event type when relevant, else ``None``.
    scores : tuple of float
        Probability of every event type (given that it is relevant), in the
        order of ``event_types``; :attr:`event_scores` names them.
    body : float
        Probability that it belongs to the page's own article, whatever the
        article's subject (menus, lists of other stories, ads and forms are
        not). ``relevance`` adds the question of the topic: a line can be
        body but not relevant (the article is not about the auto industry).
    path : str or None
        For a page read from HTML, where its block sat: the tag path from
        ``body`` (``body>div>article>p``); ``None`` for text input.
    event_types : tuple of str
        The model's event types (its taxonomy).
    """

    text: str
    position: int
    relevant: bool
    relevance: float
    event: str | None
    scores: tuple[float, ...]
    body: float = 1.0
    path: str | None = None
    event_types: tuple[str, ...] = field(default=EVENT_TYPES, repr=False)

    @property
    def origin(self) -> PageOrigin | None:
        """The model and page this paragraph was predicted from; ``None`` if built by hand or unpickled."""
        return getattr(self, "_origin", None)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickled without its origin: a result sent between processes must
        # not drag the whole model along.
        fields = (self.text, self.position, self.relevant, self.relevance, self.event, self.scores)
        return (Paragraph, (*fields, self.body, self.path, self.event_types))

    def __copy__(self) -> Paragraph:
        # A paragraph is immutable: a copy (copy.copy, copy.deepcopy of an Article) is itself,
        # and keeps its origin, hence its explanation, which pickling leaves out.
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Paragraph:
        return self

    def explain(self, *, top: int = 8) -> Explanation:
        """Why this paragraph got its labels: the inputs that pushed it, with weights.

        Parameters
        ----------
        top : int
            Contributions listed per score, largest first.

        Returns
        -------
        Explanation
            See :mod:`autoclass.explain`; ``print()`` it for a readable summary.

        Raises
        ------
        AutoclassError
            If the paragraph does not come from a prediction in this process.

        Examples
        --------
        >>> from autoclass import predict
        >>> article = predict("Ford recalls 2,000 trucks\\nFord is recalling 2,000 trucks over bad brakes.")
        >>> why = article.paragraphs[1].explain(top=3)
        >>> why.event, len(why.event_reasons)
        ('recall', 3)
        """
        origin = self.origin
        if origin is None:
            raise AutoclassError(
                "this paragraph carries no model to explain it (built by hand, or unpickled): "
                "predict the page again and explain that result"
            )
        from autoclass.explain import PageExplainer, check_top

        check_top(top)
        if not origin.explainer:  # read once a page (a race reads it twice, harmlessly)
            origin.explainer.append(PageExplainer(origin.model, origin.paragraphs))
        return origin.explainer[0].explain([self.position], top=top)[0]

    @property
    def event_scores(self) -> dict[str, float]:
        """Probability of every event type, by name."""
        return dict(zip(self.event_types, self.scores))

    def to_dict(self) -> dict[str, Any]:
        out = {
            "position": self.position,
            "text": self.text,
            "relevant": self.relevant,
            "relevance": self.relevance,
            "body": self.body,
            "event": self.event,
            "event_scores": self.event_scores,
        }
        if self.path is not None:
            out["path"] = self.path
        return out


@dataclass(frozen=True)
class Article:
    """A page as autoclass reads it.

    Attributes
    ----------
    paragraphs : list of Paragraph
        Every non-blank line of the page, in input order.
    tags : dict of str to float
        Article-level event tags and their weights, largest first: each
        type's share of the relevant paragraphs' event probabilities, each
        paragraph's weighted by its relevance. Tags whose weight reaches the
        model's ``tag_min_share``, and the main event whatever its weight.
    main_event : str or None
        The story's main event: the heaviest type when the headline and the
        lead paragraph count extra (news states its main event first), so
        not always the largest tag; ``None`` when no paragraph is relevant.
    threshold : float
        The relevance (and body) probability from which a paragraph is kept:
        the model's (0.4 for the default model); 0.5 for an Article built by
        hand without one.
    url : str or None
        The page's address, for a page read from HTML with one.
    """

    # Equal articles compare equal, but an article holds lists: it is not hashable.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        # A summary: every paragraph with its fifteen event scores made a page of 5 KB
        # a repr of 50 KB, which a notebook prints whole.
        kept = sum(p.relevant for p in self.paragraphs)
        url = f", url={self.url!r}" if self.url is not None else ""
        return (
            f"Article(main_event={self.main_event!r}, tags={self.tags!r}, "
            f"paragraphs=<{len(self.paragraphs)}, {kept} relevant>{url})"
        )

    paragraphs: list[Paragraph]
    tags: dict[str, float] = field(default_factory=dict)
    main_event: str | None = None
    threshold: float = field(default=0.5, repr=False)
    url: str | None = None

    @property
    def text(self) -> str:
        """The kept article body: relevant paragraphs joined by newlines."""
        return "\n".join(p.text for p in self.paragraphs if p.relevant)

    @property
    def body_text(self) -> str:
        """The page's own article whatever its topic: its body paragraphs joined by newlines.

        A paragraph is body when its ``body`` probability reaches the model's
        threshold, or when it is relevant (relevant content is body content).
        """
        return "\n".join(p.text for p in self.body_paragraphs)

    @property
    def body_paragraphs(self) -> list[Paragraph]:
        """The paragraphs of :attr:`body_text`, in page order."""
        return [p for p in self.paragraphs if _in_body(p, self.threshold)]

    @property
    def headline(self) -> Paragraph | None:
        """The article's headline: its first body paragraph when that reads as a heading.

        A heading is a block of an HTML page in ``h1`` to ``h3``, or a line of
        at most 25 words that does not end with a full stop, comma, colon or
        semicolon (those of CJK, Devanagari and Arabic text too: "。", "।").
        ``None`` when the article starts otherwise (with a caption, a dateline,
        its first sentence) or there is no body.

        The headline is part of :attr:`text` and :attr:`body_text`, as the
        labeling guide counts it; extraction benchmarks and tools such as
        trafilatura keep the title apart from the body, so compare
        :attr:`body_text` without it with theirs.

        Examples
        --------
        >>> from autoclass import predict
        >>> article = predict("Ford recalls 2,000 trucks\\nFord is recalling 2,000 trucks over bad brakes.")
        >>> article.headline.text
        'Ford recalls 2,000 trucks'
        """
        return _headline(self.paragraphs, self.threshold)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of the article and its paragraphs."""
        return {
            "url": self.url,
            "threshold": self.threshold,
            "main_event": self.main_event,
            "tags": self.tags,
            "text": self.text,
            "body_text": self.body_text,
            "headline": None if (headline := self.headline) is None else headline.text,
            "paragraphs": [p.to_dict() for p in self.paragraphs],
        }


def _in_body(p: Paragraph, threshold: float) -> bool:
    return p.relevant or p.body >= threshold


def _headline(paragraphs: Iterable[Paragraph], threshold: float) -> Paragraph | None:
    """The first body paragraph when it reads as a heading (:attr:`Article.headline`).

    On an HTML page an ``h1`` before the article's first sentence wins over
    a first line that only looks like one (a site's tagline, a "go to the
    full site" link, a byline).  A web address is never a headline.
    """
    first = None
    for p in paragraphs:
        if not _in_body(p, threshold) or _ADDRESS.match(p.text):
            continue
        if p.path is not None and (
            _HEADING_PATH.search(p.path) if first is None else _H1_PATH.search(p.path)
        ):
            return p
        if first is None:
            first = p
            if p.path is None:
                break  # a line of text has no h1 to wait for
        if not _reads_as_heading(p):
            break  # the lead: a heading after it is the article's sub-heading
    return first if first is not None and _reads_as_heading(first) else None


def _reads_as_heading(p: Paragraph) -> bool:
    return len(p.text.split()) <= HEADLINE_MAX_WORDS and not _SENTENCE_END.search(p.text)


# Each field's slot setter, in field order, then the origin's.
_PARAGRAPH_SETTERS = (
    *(getattr(Paragraph, f.name).__set__ for f in fields(Paragraph)),
    _Origin._origin.__set__,
)


def _paragraphs(n: int, columns: tuple[Iterable[Any], ...]) -> list[Paragraph]:
    """``n`` paragraphs from their fields' values, one iterable per field in field order."""
    # A frozen dataclass's __init__ sets each field by a Python-level call; filled
    # column by column through the slots' setters, the loops run in C (3x faster
    # on a page of a thousand lines).
    paragraphs = list(map(object.__new__, repeat(Paragraph, n)))
    for setter, values in zip(_PARAGRAPH_SETTERS, columns, strict=True):
        deque(map(setter, paragraphs, values), maxlen=0)
    return paragraphs


def build_article(
    texts: Sequence[str],
    relevance: np.ndarray,
    event_proba: np.ndarray,
    *,
    threshold: float,
    tag_min_share: float,
    body: np.ndarray | None = None,
    paths: Sequence[str | None] | None = None,
    url: str | None = None,
    origin: PageOrigin | None = None,
    event_types: tuple[str, ...] = EVENT_TYPES,
) -> Article:
    """Assemble an :class:`Article` from one page's paragraph probabilities.

    ``event_proba`` has one column per type of ``event_types``.

    Tags weigh each relevant paragraph's event probabilities by its relevance
    probability, so a confident body paragraph counts more than a doubtful
    caption. The main event weighs the headline and the lead paragraph more
    again, as news states its main event first (``HEADLINE_WEIGHT``,
    ``LEAD_WEIGHT``); it is always among the tags.
    """
    # Decided on the relevance as shown (four decimals), so that a paragraph shown at the
    # threshold is kept, as Article.body_paragraphs decides on the body shown.
    shown = np.round(relevance, 4)
    relevant = shown >= threshold
    # Whole-page numpy conversions: per-element numpy indexing and round()
    # calls cost more than the prediction itself.
    best = event_proba.argmax(axis=1).tolist() if len(texts) else []
    scores = np.round(event_proba, 4).tolist()
    in_body = np.round(body if body is not None else relevance, 4).tolist()
    where = paths if paths is not None else repeat(None)
    keep = relevant.tolist()
    events = [event_types[top] if kept else None for kept, top in zip(keep, best)]
    columns = (texts, range(len(texts)), keep, shown.tolist(), events, map(tuple, scores))
    paragraphs = _paragraphs(len(texts), (*columns, in_body, where, repeat(event_types), repeat(origin)))
    if not relevant.any():
        return Article(paragraphs=paragraphs, threshold=threshold, url=url)
    rows = np.flatnonzero(relevant)
    probs = event_proba[rows]
    mass = (relevance[rows, None] * probs).sum(axis=0)
    # The main event weighs the headline (Article.headline, when it is relevant) and
    # the lead, the first relevant paragraph after it, more.
    headline = _headline(paragraphs, threshold)
    main_mass = mass.copy()
    lead = 0
    if headline is not None and headline.relevant:
        at = int(np.searchsorted(rows, headline.position))
        main_mass += (HEADLINE_WEIGHT - 1.0) * relevance[rows[at]] * probs[at]
        lead = at + 1
    if lead < len(rows):
        main_mass += (LEAD_WEIGHT - 1.0) * relevance[rows[lead]] * probs[lead]
    main = int(main_mass.argmax())
    share = mass / mass.sum()
    order = np.argsort(-share, kind="stable")
    weights = np.round(share, 4).tolist()
    tags = {event_types[j]: weights[j] for j in order if share[j] >= tag_min_share or j == main}
    return Article(
        paragraphs=paragraphs, tags=tags, main_event=event_types[main], threshold=threshold, url=url
    )
