"""A labeling session: the pages of a drafts file, and the output file of the pages accepted.

The output is the state that matters, and it is always on disk: every
accepted page is appended to it at once, in one write, flushed and synced
before the page counts as done.  A session opened on an existing output
carries on from it: the pages it holds are done, and labeling resumes at
the first page of the drafts that is not.  A page cut short by a crash
(a partial last line, or fewer lines than its draft) is removed from the
end of the file first, so the file is always whole pages of valid labels.

Which page is shown, and pages skipped, live in the session only: a skipped
page comes back in the next session.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autoclass.errors import AutoclassError, LabelDataError
from autoclass.labeling.drafts import META_FIELDS, MODEL_FIELD, DraftPage, encode_page, group_pages
from autoclass.labels import read_records

EVENT_KEYS = "1234567890qwertyuiopasdfghjklzxcvm"
"""Keys that set event types, in the order of the model's types (``b`` and ``n`` are commands)."""


class LabelingError(AutoclassError, ValueError):
    """Labels sent for a page that are not valid, or for a page that cannot take them."""


def event_keys(event_types: Sequence[str]) -> dict[str, str]:
    """The key of each event type, in order: digits first, then letters (the first 34 types).

    Examples
    --------
    >>> keys = event_keys(("launch", "lawsuit", "other"))
    >>> keys
    {'1': 'launch', '2': 'lawsuit', '3': 'other'}
    >>> list(event_keys(tuple(f"t{i}" for i in range(12))))[-3:]
    ['0', 'q', 'w']
    """
    return dict(zip(EVENT_KEYS, event_types))


def _truncate_partial_tail(path: Path, pages: dict[str, DraftPage]) -> int:
    """Cut a partial last line, then a last page with fewer lines than its draft; return bytes cut.

    A last line that is a whole record without its line end (an editor dropped it) is kept.
    """
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        try:
            whole = isinstance(json.loads(data[data.rfind(b"\n") + 1 :]), dict)
        except ValueError:
            whole = False
        if whole:
            with open(path, "ab") as f:
                f.write(b"\n")
                os.fsync(f.fileno())
            data += b"\n"
    end = data.rfind(b"\n") + 1
    # Start offset and article of each line, to find where the last page begins.
    starts, ids = [], []
    offset = 0
    for raw in data[:end].splitlines(keepends=True):
        if raw.strip():
            try:
                record = json.loads(raw)
            except ValueError:
                break  # reported by validation
            starts.append(offset)
            ids.append(record.get("article_id") if isinstance(record, dict) else None)
        offset += len(raw)
    if ids and ids[-1] in pages:
        first = len(ids) - 1
        while first > 0 and ids[first - 1] == ids[-1]:
            first -= 1
        if len(ids) - first < len(pages[ids[-1]].records):
            end = starts[first]
    if end < len(data):
        with open(path, "r+b") as f:
            f.truncate(end)
            os.fsync(f.fileno())
    return len(data) - end


class LabelSession:
    """Label the pages of a drafts file, one at a time, into an output file.

    Parameters
    ----------
    drafts : sequence of DraftPage
        The pages to label, in order (see :func:`autoclass.labeling.drafts.read_drafts`).
    output : str or Path
        Where accepted pages go (JSON Lines in the label format); created when missing.
    event_types : sequence of str
        The event types labels may use (the model's).

    Raises
    ------
    LabelDataError
        If the output holds invalid labels, or a page of the drafts with other lines.
    """

    def __init__(
        self, drafts: Sequence[DraftPage], output: str | Path, *, event_types: Sequence[str]
    ) -> None:
        self.pages = list(drafts)
        self.output = Path(output)
        self.event_types = tuple(event_types)
        self.keys = event_keys(self.event_types)
        self.recovered_bytes = 0
        self._by_id = {p.article_id: p for p in self.pages}
        self._index = {p.article_id: i for i, p in enumerate(self.pages)}
        self._lock = threading.Lock()
        self.done = self._read_output()
        self.current = self._next_open(0)

    def _read_output(self) -> set[str]:
        if not self.output.exists() or self.output.stat().st_size == 0:
            return set()
        self.recovered_bytes = _truncate_partial_tail(self.output, self._by_id)
        if self.output.stat().st_size == 0:
            return set()
        labeled = group_pages(read_records([self.output], events=self.event_types))
        for page in labeled:
            draft = self._by_id.get(page.article_id)
            if draft is not None and page.lines != draft.lines:
                raise LabelDataError(
                    str(self.output),
                    page.records[0]["line"],
                    f"page {page.article_id!r} has other lines than in the drafts: "
                    "is this the output of other drafts? Choose another output file",
                )
        return {p.article_id for p in labeled}

    def _next_open(self, start: int) -> int | None:
        """The first page not done from ``start`` on, wrapping around; ``None`` when all are done."""
        n = len(self.pages)
        for k in range(n):
            i = (start + k) % n
            if self.pages[i].article_id not in self.done:
                return i
        return None

    @property
    def finished(self) -> bool:
        return self.current is None

    def state(self) -> dict[str, Any]:
        """What the labeling page shows: the current page, the types and keys, the counts."""
        with self._lock:
            page = None if self.current is None else self.pages[self.current]
            return {
                "event_types": list(self.event_types),
                "keys": self.keys,
                "total": len(self.pages),
                "done": sum(p.article_id in self.done for p in self.pages),
                "output": str(self.output),
                "index": self.current,
                "page": None if page is None else _page_view(page),
            }

    def accept(self, article_id: str, labels: Sequence[Any]) -> dict[str, Any]:
        """Append a page's labels to the output, synced to disk, and move to the next page.

        Parameters
        ----------
        article_id : str
            The page.
        labels : sequence of dict
            One ``{"relevant", "event", "body"}`` per line, in order.

        Returns
        -------
        dict
            The new :meth:`state`.

        Raises
        ------
        LabelingError
            If the page is unknown or done already, or the labels are not valid.
        """
        with self._lock:
            page = self._open_page(article_id)
            records = self._records(page, labels)
            data = encode_page(DraftPage(article_id, records)).encode("utf-8")
            with open(self.output, "ab") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            self.done.add(article_id)
            self.current = self._next_open(self._index[article_id] + 1)
        return self.state()

    def skip(self, article_id: str) -> dict[str, Any]:
        """Show the next page not done without writing this one; it comes back in a later session."""
        with self._lock:
            self._open_page(article_id)
            self.current = self._next_open(self._index[article_id] + 1)
        return self.state()

    def _open_page(self, article_id: object) -> DraftPage:
        page = self._by_id.get(article_id) if isinstance(article_id, str) else None
        if page is None:
            raise LabelingError(f"no page {article_id!r} in the drafts")
        if article_id in self.done:
            raise LabelingError(f"page {article_id!r} is done already (in {self.output})")
        return page

    def _records(self, page: DraftPage, labels: Sequence[Any]) -> list[dict[str, Any]]:
        if not isinstance(labels, list) or len(labels) != len(page.records):
            raise LabelingError(
                f"page {page.article_id!r} has {len(page.records)} lines: send one label each"
            )
        records = []
        for draft, label in zip(page.records, labels):
            where = f"page {page.article_id!r}, line {draft['position']}"
            if not isinstance(label, dict):
                raise LabelingError(f"{where}: a label is an object")
            relevant, event, body = label.get("relevant"), label.get("event"), label.get("body")
            if not isinstance(relevant, bool) or not (body is None or isinstance(body, bool)):
                raise LabelingError(f"{where}: relevant is true or false, body true, false or null")
            if relevant and event not in self.event_types:
                raise LabelingError(f"{where}: a relevant line needs one of the event types, not {event!r}")
            if not relevant and event is not None:
                raise LabelingError(f"{where}: an irrelevant line has no event")
            record = {k: draft[k] for k in ("article_id", "position", "text")}
            record.update(relevant=relevant, event=event)
            if relevant or body is not None:
                record["body"] = True if relevant else body
            record.update({k: draft[k] for k in META_FIELDS if k in draft})
            records.append(record)
        return records


def _page_view(page: DraftPage) -> dict[str, Any]:
    first = page.records[0] if page.records else {}
    return {
        "article_id": page.article_id,
        **{k: first[k] for k in META_FIELDS if k in first},
        "lines": [
            {
                "position": r["position"],
                "text": r["text"],
                "relevant": r["relevant"],
                "event": r["event"],
                "body": r.get("body"),
                "model": r.get(MODEL_FIELD) if isinstance(r.get(MODEL_FIELD), dict) else None,
            }
            for r in page.records
        ],
    }
