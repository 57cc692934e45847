"""``autoclass labels convert``: labels to and from Label Studio, Prodigy and doccano.

Argument wiring, reading and writing only; the formats are
:mod:`autoclass.formats.label_studio` and :mod:`autoclass.formats.prodigy`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from autoclass.cli.errors import UsageError
from autoclass.cli.options import add_model_options, add_taxonomy_option, labels_taxonomy
from autoclass.errors import LabelDataError
from autoclass.formats import label_studio, prodigy
from autoclass.labeling.drafts import (
    DraftPage,
    encode_page,
    group_pages,
    model_event_types,
)
from autoclass.labels import label_files, read_records
from autoclass.persistence import load_model

FORMATS: tuple[str, ...] = ("autoclass", "label-studio", "prodigy", "doccano")

DESCRIPTION = """\
Convert labeled pages between autoclass's format (`autoclass labels guide`: JSON Lines, one
paragraph per line; drafts too) and the formats of other labeling tools, so
that a team can label pages there and train here:

  label-studio  Label Studio tasks (a JSON list; JSON Lines of tasks are read
                too), one task per page: its lines as Paragraphs, labels as
                ParagraphLabels; --label-config writes the matching labeling
                interface. Import reads each task's last annotation.
  prodigy       Prodigy JSON Lines, one record per page: the lines joined by
                newlines, labels as "spans" (ner.manual, spans.manual, db-out).
  doccano       doccano JSON Lines (sequence labeling): "label" as
                [start, end, label] triples ("entities" are read too).

A line with an event type is relevant; the label "body" marks a line that is
not relevant as the page's own story; unlabeled lines are not relevant. Page
ids, sites and every line's body value travel with the page, so a round
trip keeps every label. The input format is detected unless --from names it.
Event types: those of --model, else of --taxonomy FILE or a taxonomy.json
beside the input (or one folder up), else of the model that drafted the
input, else the default fifteen.
"""


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``convert`` on the subcommands of ``autoclass labels``."""
    parser = commands.add_parser(
        "convert",
        help="convert labels to and from Label Studio, Prodigy and doccano",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="files (or folders of autoclass labels)")
    parser.add_argument("-o", "--output", required=True, metavar="OUTPUT", help="file to write")
    parser.add_argument("--to", required=True, choices=FORMATS, dest="to_format", help="output format")
    parser.add_argument(
        "--from", choices=FORMATS, dest="from_format", help="input format (default: detected)"
    )
    parser.add_argument(
        "--as-predictions",
        action="store_true",
        help="Label Studio: write the labels as predictions, to correct (default: annotations)",
    )
    parser.add_argument(
        "--label-config", metavar="FILE", help="Label Studio: also write the labeling interface (XML) here"
    )
    add_taxonomy_option(parser)
    add_model_options(parser, model_help="model whose event types labels may use")
    parser.set_defaults(run=run, parser=parser)
    return parser


def _first_value(path: Path) -> Any:
    with open(path, encoding="utf-8-sig") as f:
        for line in f:
            if line.strip():
                if line.lstrip().startswith("["):
                    return []
                try:
                    return json.loads(line)
                except ValueError:
                    return None
    return None


def detect_format(path: Path) -> str:
    """The format of a labels file or folder, from its name and first record.

    Raises
    ------
    UsageError
        When it cannot tell; ``--from`` names the format.
    """
    if path.is_dir():
        return "autoclass"
    if path.name.lower().endswith(".json"):
        return "label-studio"
    first = _first_value(path)
    if isinstance(first, list) or (isinstance(first, dict) and "data" in first):
        return "label-studio"
    if isinstance(first, dict):
        if "article_id" in first and "position" in first:
            return "autoclass"
        if "spans" in first:
            return "prodigy"
        if any(k in first for k in ("label", "labels", "entities")):
            return "doccano"
    raise UsageError(f"cannot tell the format of {path}: name it with --from ({', '.join(FORMATS)})")


def _json_lines(path: Path) -> list[tuple[int, Any]]:
    records = []
    with open(path, encoding="utf-8-sig") as f:
        for number, line in enumerate(f, start=1):
            if line.strip():
                try:
                    records.append((number, json.loads(line)))
                except ValueError as exc:
                    raise LabelDataError(str(path), number, f"invalid JSON ({exc})") from None
    return records


def read_pages(paths: list[Path], fmt: str, event_types: tuple[str, ...]) -> tuple[list[DraftPage], int]:
    """The labeled pages of the input files in format ``fmt``, and how many records were skipped."""
    if fmt == "autoclass":
        files = [f for p in paths for f in (label_files(p) if p.is_dir() else [p])]
        return group_pages(read_records(files, events=event_types)), 0
    pages: list[DraftPage] = []
    skipped = 0
    first: dict[str, str] = {}
    for path in paths:
        if fmt == "label-studio":
            text = path.read_text(encoding="utf-8-sig")
            if text.lstrip().startswith("["):
                try:
                    tasks = json.loads(text)
                except ValueError as exc:
                    raise LabelDataError(str(path), None, f"invalid JSON ({exc})") from None
            else:
                tasks = [task for _, task in _json_lines(path)]
            got, n = label_studio.from_tasks(tasks, event_types=event_types, source=str(path))
        else:
            got, n = prodigy.from_records(_json_lines(path), event_types=event_types, source=str(path))
        for page in got:
            # Named here, by input file: found when the output was checked, it named the output.
            if page.article_id in first:
                raise LabelDataError(
                    str(path), None, f"page '{page.article_id}' again (first in {first[page.article_id]}): "
                    "an id names one page",
                )  # fmt: skip
            first[page.article_id] = str(path)
        pages += got
        skipped += n
    for page in pages:
        for r in page.records:
            r.pop("source_file", None)
            r.pop("line", None)
    return pages, skipped


def _write_labels(pages: list[DraftPage], output: Path, event_types: tuple[str, ...]) -> None:
    # Written beside the output and checked before it replaces anything.
    fd, tmp = tempfile.mkstemp(prefix=".convert-", suffix=".jsonl", dir=output.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            for page in pages:
                f.write(encode_page(DraftPage(page.article_id, [_label_record(r) for r in page.records])))
        read_records([tmp], events=event_types)
        os.replace(tmp, output)
    except LabelDataError as exc:
        raise LabelDataError(
            str(output), None, f"the converted labels are not valid: {exc.problem}"
        ) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _label_record(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("source_file", "line")}


def write_pages(
    pages: list[DraftPage], output: Path, fmt: str, *, event_types: tuple[str, ...], predictions: bool
) -> None:
    """Write pages to ``output`` in format ``fmt``."""
    if fmt == "autoclass":
        _write_labels(pages, output, event_types)
        return
    with open(output, "w", encoding="utf-8", newline="") as f:
        if fmt == "label-studio":
            json.dump(label_studio.to_tasks(pages, predictions=predictions), f, ensure_ascii=False, indent=1)
            f.write("\n")
        else:
            for record in prodigy.to_records(pages, dialect=fmt):
                f.write(json.dumps(record, ensure_ascii=False) + "\n")


def run(args: argparse.Namespace) -> int:
    """Run ``autoclass labels convert``; returns the exit status."""
    paths = [Path(p) for p in args.inputs]
    for path in paths:
        if not path.exists():
            raise UsageError(f"no such file or folder: {path}")
    output = Path(args.output)
    if any(output.exists() and output.resolve() == p.resolve() for p in paths):
        raise UsageError("the output must be another file than the inputs")
    fmt = args.from_format or detect_format(paths[0])
    if args.model:
        event_types = model_event_types(load_model(args.model, trust=args.trust_model))
    else:
        event_types = labels_taxonomy([str(p) for p in paths], args.taxonomy)[0]
    pages, skipped = read_pages(paths, fmt, event_types)
    if not pages and skipped:
        where = ", ".join(map(str, paths))
        raise UsageError(
            f"{where}: none of its {skipped:,} records holds labels (annotations, accepted answers): "
            "nothing to convert; predictions alone (--as-predictions) are corrected in the tool first"
        )
    write_pages(pages, output, args.to_format, event_types=event_types, predictions=args.as_predictions)
    if args.label_config:
        Path(args.label_config).write_text(label_studio.labeling_config(event_types) + "\n", encoding="utf-8")
    paragraphs = sum(len(p.records) for p in pages)
    note = f"; {skipped:,} not labeled (skipped)" if skipped else ""
    unlabeled = sum(not any(r["relevant"] or r.get("body") for r in p.records) for p in pages)
    if unlabeled and fmt != "autoclass":
        # An off-topic page has no label on any line; so has a document exported unannotated (doccano).
        note += (
            f"; {unlabeled:,} with no label on any line, read as pages of nothing relevant (leave documents "
            "never annotated out of the export)"
        )
    print(
        f"autoclass labels convert: {len(pages):,} pages, {paragraphs:,} paragraphs from {fmt} "
        f"to {args.to_format} in {output}{note}",
        file=sys.stderr,
    )
    return 0
