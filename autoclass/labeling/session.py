"""A labeling session: the pages of a drafts file, and the output file of the pages accepted.

The output is the state that matters, and it is always on disk: every
accepted page is appended to it at once, in one write, flushed and synced
before the page counts as done.  A session opened on an existing output
carries on from it: the pages it holds are done, and labeling resumes at
the first page of the drafts that is not.  A page cut short by a crash
(a partial last line of a draft page's record, or the first lines of a
draft page only) is moved from the end of the file to ``OUTPUT.removed``
first, so the file is always whole pages of valid labels; an output that
is not valid labels is refused as it is.  Two sessions on one output
append in turn, and a page one of them saved is not saved again.

Which page is shown, and pages skipped, live in the session only: a skipped
page comes back after the pages that follow it, and in the next session.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: sessions on one output are not kept apart
    fcntl = None  # type: ignore[assignment]

from autoclass.errors import AutoclassError, LabelDataError
from autoclass.labeling.drafts import META_FIELDS, MODEL_FIELD, DraftPage, encode_page, group_pages
from autoclass.labels import check_records, scan_article_ids

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


# The start of a record as a session writes it (encode_page): its article id comes first.
_OWN_RECORD = re.compile(rb'^\{"article_id": ("(?:[^"\\]|\\.)*")')


def _whole_pages_end(data: bytes, pages: dict[str, DraftPage]) -> int:
    """Where the output's whole pages end: before what a crash cut short while a page was written.

    That is a partial last line of a draft page's record (as a session writes
    it), or a last page whose lines are only the first lines of its draft.
    Anything else stays, for validation to name. Nothing is written here.
    """
    end = len(data)
    if data and not data.endswith(b"\n"):
        tail = data[data.rfind(b"\n") + 1 :]
        try:
            whole = isinstance(json.loads(tail), dict)
        except ValueError:
            whole = False
        if not whole:
            own = _OWN_RECORD.match(tail)
            try:
                ours = own is not None and json.loads(own.group(1)) in pages
            except ValueError:
                ours = False
            if not ours:
                return end  # a line of someone else's: validation names it
            end -= len(tail)
    # The start offset of each line, and its record, to find where the last page begins.
    starts, records = [], []
    offset = 0
    for raw in data[:end].splitlines(keepends=True):
        if raw.strip():
            try:
                record = json.loads(raw)
            except ValueError:
                return end  # reported by validation
            starts.append(offset)
            records.append(record if isinstance(record, dict) else {})
        offset += len(raw)
    if not records:
        return end
    last = records[-1].get("article_id")
    draft = pages.get(last) if isinstance(last, str) else None
    if draft is None:
        return end
    first = len(records) - 1
    while first > 0 and records[first - 1].get("article_id") == last:
        first -= 1
    page = records[first:]
    if len(page) < len(draft.records) and all(
        r.get("position") == i and r.get("text") == draft.records[i]["text"] for i, r in enumerate(page)
    ):
        return starts[first]
    return end


def _lock(f: Any) -> None:
    """Hold ``f`` for this process until it is closed (two sessions on one output append in turn)."""
    if fcntl is not None:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)


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
        self.removed_to: Path | None = None
        self._size = 0
        self._by_id = {p.article_id: p for p in self.pages}
        self._index = {p.article_id: i for i, p in enumerate(self.pages)}
        self._lock = threading.Lock()
        self.done = self._read_output()
        self.current = self._next_open(0)

    def _read_output(self) -> set[str]:
        """The pages the output holds; a page a crash cut short is moved out of it first.

        The output is validated before anything in it changes: a file that is
        not this session's labels is refused as it is.
        """
        if self.output.is_dir():
            raise LabelDataError(str(self.output), None, "is a folder: the output is a JSON Lines file")
        gzip_name = self.output.name.lower().endswith(".gz")
        if not self.output.exists() and not gzip_name:
            return set()
        data = self.output.read_bytes() if self.output.exists() else b""
        if gzip_name or data.startswith(b"\x1f\x8b"):
            raise LabelDataError(
                str(self.output), None, "is gzip-compressed: labels are appended to a plain JSON Lines file"
            )
        end = _whole_pages_end(data, self._by_id)
        kept_lines = data[:end].count(b"\n") + (not data[:end].endswith(b"\n") and end > 0)
        check = check_records([self.output], events=self.event_types, limit=None)
        # Problems of the lines kept are the file's; those of the lines a crash cut short are not.
        problem = next((p for p in check.problems if p.line is None or p.line <= kept_lines), None)
        if problem is not None and not (problem.line is None and kept_lines == 0):
            raise problem
        records = [r for r in check.records if r["line"] <= kept_lines]
        for page in group_pages(records):
            draft = self._by_id.get(page.article_id)
            if draft is not None and page.lines != draft.lines:
                raise LabelDataError(
                    str(self.output),
                    page.records[0]["line"],
                    f"page {page.article_id!r} has other lines than in the drafts: "
                    "is this the output of other drafts? Choose another output file",
                )
        if end < len(data):
            # Kept beside the output, not destroyed: the lines are labels too, if only a page's start.
            removed = self.output.with_name(self.output.name + ".removed")
            with open(removed, "ab") as f:
                f.write(data[end:])
            with open(self.output, "r+b") as f:
                f.truncate(end)
                os.fsync(f.fileno())
            self.recovered_bytes, self.removed_to = len(data) - end, removed
        elif data and not data.endswith(b"\n"):  # a whole last record without its line end
            with open(self.output, "ab") as f:
                f.write(b"\n")
                os.fsync(f.fileno())
        self._size = self.output.stat().st_size
        return {r["article_id"] for r in records}

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
                _lock(f)
                size = os.fstat(f.fileno()).st_size
                if size != self._size:  # another session wrote to the output since this one did
                    self.done |= scan_article_ids([self.output])
                    self._size = size
                    if article_id in self.done:
                        self.current = self._next_open(self._index[article_id] + 1)
                        raise LabelingError(
                            f"page {article_id!r} was saved meanwhile by another session "
                            f"writing {self.output}"
                        )
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
                self._size = size + len(data)
            self.done.add(article_id)
            self.current = self._next_open(self._index[article_id] + 1)
        return self.state()

    def skip(self, article_id: str) -> dict[str, Any]:
        """Show the next page not done without writing this one; it comes back after the others."""
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
            if relevant and body is False:
                raise LabelingError(f"{where}: a relevant line is body (body true or null), not false")
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
