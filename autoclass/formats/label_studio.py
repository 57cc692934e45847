"""Label Studio tasks: one task per page, its lines as ``Paragraphs``, labels as ``ParagraphLabels``.

A task holds the page in ``data``: ``article_id``, the optional fields of
the labeling guide, ``lines`` (``{"position", "text"}`` each, for the ``Paragraphs``
tag) and ``body`` (every line's ``body`` value, for exact round trips).
Labels are regions of the annotation's ``result``, one per labeled line::

    {"id": "event-3", "from_name": "event", "to_name": "page", "type": "paragraphlabels",
     "value": {"start": 3, "end": 3, "startOffset": 0, "endOffset": 41, "text": "...",
               "paragraphlabels": ["sales"]}}

An event type makes a line relevant; the ``body`` label marks a line that is
not relevant as the page's own story; a line without a region is not
relevant.  :func:`labeling_config` gives the matching labeling interface,
with the model's own event types.

Import reads the last annotation of each task that was not cancelled (a
region over several lines labels each of them) and skips tasks without
one; region names and ids are not needed, only their labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import quoteattr

from autoclass.errors import LabelDataError
from autoclass.formats.pages import BODY_LABEL, build_page, line_labels, page_meta
from autoclass.labeling.drafts import DraftPage

EVENT_CONTROL = "event"
BODY_CONTROL = "body"
OBJECT = "page"
REGION_TYPE = "paragraphlabels"


def labeling_config(event_types: Sequence[str]) -> str:
    """The Label Studio labeling interface for pages: lines, event types, and the body label.

    Examples
    --------
    >>> print(labeling_config(["sales", "recall"]))  # doctest: +NORMALIZE_WHITESPACE
    <View>
      <Header value="Label each relevant line with its event type; lines without a label are not relevant"/>
      <ParagraphLabels name="event" toName="page">
        <Label value="sales"/>
        <Label value="recall"/>
      </ParagraphLabels>
      <ParagraphLabels name="body" toName="page">
        <Label value="body" background="#bbbbbb"/>
      </ParagraphLabels>
      <Paragraphs name="page" value="$lines" nameKey="position" textKey="text"/>
    </View>
    """
    labels = "\n".join(f"    <Label value={quoteattr(e)}/>" for e in event_types)
    header = "Label each relevant line with its event type; lines without a label are not relevant"
    return f"""<View>
  <Header value={quoteattr(header)}/>
  <ParagraphLabels name="{EVENT_CONTROL}" toName="{OBJECT}">
{labels}
  </ParagraphLabels>
  <ParagraphLabels name="{BODY_CONTROL}" toName="{OBJECT}">
    <Label value="{BODY_LABEL}" background="#bbbbbb"/>
  </ParagraphLabels>
  <Paragraphs name="{OBJECT}" value="$lines" nameKey="position" textKey="text"/>
</View>"""


def _region(position: int, text: str, label: str) -> dict[str, Any]:
    control = BODY_CONTROL if label == BODY_LABEL else EVENT_CONTROL
    return {
        "id": f"{control}-{position}",
        "from_name": control,
        "to_name": OBJECT,
        "type": REGION_TYPE,
        "value": {
            "start": position,
            "end": position,
            "startOffset": 0,
            "endOffset": len(text),
            "text": text,
            REGION_TYPE: [label],
        },
    }


def to_tasks(pages: Sequence[DraftPage], *, predictions: bool = False) -> list[dict[str, Any]]:
    """Label Studio tasks of labeled pages.

    Parameters
    ----------
    pages : sequence of DraftPage
        Labeled (or drafted) pages.
    predictions : bool
        Write the labels as the model's predictions (pre-annotations to
        correct in Label Studio) rather than as annotations.

    Returns
    -------
    list of dict
        One task per page, for Label Studio's JSON import.
    """
    tasks = []
    for page in pages:
        result = [
            _region(r["position"], r["text"], label)
            for r, label in zip(page.records, line_labels(page))
            if label is not None
        ]
        data = page_meta(page)
        data["lines"] = [{"position": r["position"], "text": r["text"]} for r in page.records]
        key = "predictions" if predictions else "annotations"
        entry: dict[str, Any] = {"result": result}
        if predictions:
            entry["model_version"] = "autoclass"
        tasks.append({"data": data, key: [entry]})
    return tasks


def _index(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("/").isdigit():  # "3", or an XPath-like "/3"
        return int(value.strip().lstrip("/"))
    return None


def _task_labels(result: Any, n_lines: int, fail: Any) -> list[set[str]]:
    labels: list[set[str]] = [set() for _ in range(n_lines)]
    if not isinstance(result, list):
        raise fail("the annotation's 'result' is not a list")
    for region in result:
        value = region.get("value") if isinstance(region, dict) else None
        names = value.get(REGION_TYPE) if isinstance(value, dict) else None
        if not isinstance(names, list):
            continue  # not a paragraph label (a comment, a rating): not ours
        start, end = _index(value.get("start")), _index(value.get("end", value.get("start")))
        if start is None or end is None or not 0 <= start <= end < n_lines:
            raise fail(f"region {region.get('id')!r} spans lines {value.get('start')}..{value.get('end')}")
        for i in range(start, end + 1):
            labels[i].update(str(name) for name in names)
    return labels


def from_tasks(
    tasks: Any, *, event_types: Sequence[str], source: str = "tasks"
) -> tuple[list[DraftPage], int]:
    """Labeled pages from Label Studio tasks (as exported in JSON).

    Parameters
    ----------
    tasks : list of dict
        The tasks.
    event_types : sequence of str
        The event types labels may use.
    source : str
        Named in error messages.

    Returns
    -------
    pages : list of DraftPage
        The pages of the tasks with an annotation, in order.
    skipped : int
        Tasks without an annotation (not labeled yet, or every annotation cancelled).

    Raises
    ------
    LabelDataError
        On a task that cannot be read as a page, naming the task.
    """
    if not isinstance(tasks, list):
        raise LabelDataError(source, None, "Label Studio tasks are a JSON list of task objects")
    pages: list[DraftPage] = []
    skipped = 0
    for number, task in enumerate(tasks, start=1):

        def fail(problem: str, number: int = number) -> LabelDataError:
            return LabelDataError(source, None, f"task {number}: {problem}")

        data = task.get("data") if isinstance(task, dict) else None
        lines = data.get("lines") if isinstance(data, dict) else None
        if not isinstance(lines, list):
            raise fail("no 'data.lines': a list of the page's lines (see labeling_config)")
        texts = [line.get("text") if isinstance(line, dict) else line for line in lines]
        if not all(isinstance(t, str) for t in texts):
            raise fail("every line needs a 'text' string")
        annotations = [
            a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")
        ]
        if not annotations:
            skipped += 1
            continue
        labels = _task_labels(annotations[-1].get("result"), len(texts), fail)
        meta = dict(data)
        kept = [i for i, t in enumerate(texts) if t.strip()]
        if len(kept) < len(texts) and isinstance(meta.get("body"), list):
            meta["body"] = None  # the positions of the stored body values no longer hold
        default_id = f"task-{task['id']}" if isinstance(task.get("id"), int | str) else f"task-{number}"
        pages.append(
            build_page(
                [texts[i].strip() for i in kept],
                [labels[i] for i in kept],
                meta,
                event_types=event_types,
                where=(source, None),
                default_id=default_id,
            )
        )
    return pages, skipped
