"""Pages as labeling tools hold them, turned back into records of the labeling guide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autoclass.errors import LabelDataError
from autoclass.labeling.drafts import META_FIELDS, DraftPage

BODY_LABEL = "body"
"""The label that marks a line that is not relevant as the page's own story (``body: true``)."""


def page_meta(page: DraftPage) -> dict[str, Any]:
    """The page's id, optional fields and every line's ``body`` (``None`` where unknown)."""
    first = page.records[0]
    return {
        "article_id": page.article_id,
        **{k: first[k] for k in META_FIELDS if first.get(k) is not None},
        "body": [r.get("body") for r in page.records],
    }


def line_labels(page: DraftPage) -> list[str | None]:
    """The label of each line in a tool: its event type, ``body`` for an irrelevant story line, or none."""
    return [
        r["event"] if r["relevant"] else BODY_LABEL if r.get("body") is True else None for r in page.records
    ]


def build_page(
    texts: Sequence[str],
    labels: Sequence[set[str]],
    meta: dict[str, Any],
    *,
    event_types: Sequence[str],
    where: tuple[str, int | None],
    default_id: str,
) -> DraftPage:
    """The records of a page from a tool: its lines, the labels put on each, and the page's data.

    An event type on a line makes it relevant (and body); ``body`` makes an
    irrelevant line body; otherwise a line's ``body`` is what ``meta["body"]``
    says, else unknown, but false where ``meta["body"]`` says true: such a
    line was exported with a label, and the annotator took it off.

    Raises
    ------
    LabelDataError
        On an unknown label, or two event types on one line, naming ``where`` (file, line).
    """
    article_id = meta.get("article_id") if isinstance(meta.get("article_id"), str) else None
    article_id = article_id or default_id
    known = meta.get("body")
    if not (isinstance(known, list) and len(known) == len(texts)):
        known = [None] * len(texts)
    extra = {k: meta[k] for k in META_FIELDS if isinstance(meta.get(k), str)}
    records = []
    for position, (text, names) in enumerate(zip(texts, labels)):
        unknown = sorted(names - {BODY_LABEL, *event_types})
        if unknown:
            raise LabelDataError(
                *where,
                f"page {article_id!r}, line {position}: unknown label {unknown[0]!r}; "
                f"expected an event type ({', '.join(event_types)}) or {BODY_LABEL!r}",
            )
        events = sorted(names - {BODY_LABEL})
        if len(events) > 1:
            raise LabelDataError(
                *where,
                f"page {article_id!r}, line {position}: two event types on one line ({', '.join(events)})",
            )
        body = known[position] if isinstance(known[position], bool) else None
        if events:
            body = True if body is not None else None
        elif BODY_LABEL in names:
            body = True
        elif body:
            # Stored as body, so exported with a label (an event or "body"), and the label is gone:
            # the annotator took it off.
            body = False
        record = {"article_id": article_id, "position": position, "text": text, "relevant": bool(events)}
        record["event"] = events[0] if events else None
        if body is not None:
            record["body"] = body
        records.append({**record, **extra})
    return DraftPage(article_id, records)
