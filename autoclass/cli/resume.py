"""``--resume``: what a run is, written next to its output, so that only the same run is resumed.

Appending to the records of another run mixes two outputs: other pages, other
options, CSV after JSON Lines.  So a run to a JSON Lines or CSV file first
writes its *run description* next to the output, in ``OUT.run.json``:

- the inputs, in order: each file's path, size and modification time;
  standard input, or a pipe named as an input, by the sha256 of its first
  record (recorded when that record is read, before any record of it can be
  written);
- the options that shape the records (``--text-field``, ``--id-field``,
  ``--html-field``, ``--url-field``, ``--max-chars``, ``--paragraphs``,
  ``--stdin-format``), the format;
- the model's sha256 (from its ``metadata.json``) and the autoclass version.

``--resume`` describes its own run the same way and carries on only if the
two match; otherwise it stops with a usage error that says what differs.
``--jobs``, ``--chunk-size``, ``--engine``, ``--strict`` and ``--quiet``
do not change the records, so they may differ.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autoclass.cli.errors import OutputError, UsageError
from autoclass.cli.outputs import Output, count_records, run_file, written_through
from autoclass.cli.readers import STDIN, Source
from autoclass.cli.records import Entry
from autoclass.files import read_regular
from autoclass.persistence import METADATA, METADATA_MAX_BYTES, default_model_dir

if TYPE_CHECKING:
    from autoclass.cli.batch import BatchJob

LAYOUT = 1  # of the description; a description of another layout is another run's
_MAX_BYTES = 1 << 30  # a description lists every input file: about 100 bytes each
_FIRST = "first_record_sha256"
#: The options that shape the records, as the command line names them.
OPTIONS = {
    "text_field": "--text-field",
    "id_field": "--id-field",
    "html_field": "--html-field",
    "url_field": "--url-field",
    "max_chars": "--max-chars",
    "paragraphs": "--paragraphs",
    "stdin_format": "--stdin-format",
}
# Options recorded since a later version: a description without them was written
# by a run that could only use their default.
_LATER = {"html_field": "html", "url_field": "url"}


def _describe_input(source: Source) -> dict[str, Any]:
    if source.path == STDIN:
        return {"path": STDIN, "stream": True}
    if source.error is not None:  # a folder that cannot be listed
        return {"path": source.path}
    try:
        st = os.stat(source.path)
    except OSError:  # a dangling link: it gives an error record
        return {"path": source.path}
    if stat.S_ISREG(st.st_mode):
        return {"path": source.path, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    return {"path": source.path, "stream": not source.in_folder}


def _model_id(model: str | None, scheduler: str | None) -> str | None:
    if model is None and scheduler is not None:
        return None  # each worker of that cluster loads its own default model
    directory = Path(model) if model is not None else default_model_dir()
    try:
        metadata = json.loads(read_regular(directory / METADATA, METADATA_MAX_BYTES))
    except (OSError, ValueError):
        metadata = None  # the run itself says what is wrong with the model
    digest = metadata.get("artifact_sha256") if isinstance(metadata, dict) else None
    return digest if isinstance(digest, str) else model


def describe(job: BatchJob, sources: list[Source], *, cluster_model: str | None = None) -> dict[str, Any]:
    """The description of the run ``job`` over ``sources``.

    ``cluster_model`` is the sha256 of the model a cluster's workers load
    (:func:`autoclass.cli.engines.check_engine`): theirs, not this machine's.

    Returns
    -------
    dict
        JSON-ready: ``layout``, ``autoclass``, ``format``, ``options``,
        ``model`` and ``inputs``.
    """
    from autoclass import __version__

    options = {name: getattr(job.options, name) for name in OPTIONS if name != "stdin_format"}
    if any(source.path == STDIN for source in sources):
        options["stdin_format"] = job.stdin_format
    return {
        "layout": LAYOUT,
        "autoclass": __version__,
        "format": job.format,
        "options": options,
        "model": cluster_model or _model_id(job.model, job.scheduler),
        "inputs": [_describe_input(source) for source in sources],
    }


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return f"sha256 {value[:12]}..."
    return repr(value) if isinstance(value, str) else str(value)


def _input_difference(then: list[dict], now: list[dict]) -> list[str]:
    for old, new in zip(then, now):
        if old["path"] != new["path"]:
            return [f"input {old['path']} then, {new['path']} now"]
        old = {key: value for key, value in old.items() if key != _FIRST}
        if old == new:
            continue
        if "size" not in old or "size" not in new:
            return [f"{new['path']} changed since (it is not the same kind of file)"]
        if old["size"] == new["size"]:
            return [f"{new['path']} changed since (modified again, same size)"]
        return [f"{new['path']} changed since (size {old['size']:,} then, {new['size']:,} now)"]
    if len(then) == len(now):
        return []
    unmatched = (then if len(then) > len(now) else now)[min(len(then), len(now))]["path"]
    which = "gone" if len(then) > len(now) else "new"
    return [f"{len(then):,} inputs then, {len(now):,} now ({unmatched} is {which})"]


def differences(then: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs between the description of an earlier run and this one's, in words.

    Examples
    --------
    >>> then = {"layout": 1, "format": "jsonl", "options": {"paragraphs": False}, "inputs": []}
    >>> differences(then, {**then, "format": "csv", "options": {"paragraphs": True}})
    ['--format jsonl then, csv now', '--paragraphs off then, on now']
    """
    if then.get("layout") != now["layout"]:
        return [f"a run description of another layout ({then.get('layout')!r})"]
    found = []
    if then.get("format") != now["format"]:
        found.append(f"--format {then.get('format')} then, {now['format']} now")
    old_options = then.get("options") or {}
    for name, flag in OPTIONS.items():
        old, new = old_options.get(name, _LATER.get(name)), now["options"].get(name, _LATER.get(name))
        if old != new:
            found.append(f"{flag} {_shown(old)} then, {_shown(new)} now")
    for key, what in (("model", "the model"), ("autoclass", "autoclass")):
        if then.get(key) != now.get(key):
            found.append(f"{what} {_shown(then.get(key))} then, {_shown(now.get(key))} now")
    return found + _input_difference(list(then.get("inputs") or []), now["inputs"])


class RunRecord:
    """A run's description and the file that keeps it next to the output.

    Parameters
    ----------
    path : str
        The description file (``OUT.run.json``).
    description : dict
        As :func:`describe` makes it.
    """

    def __init__(self, path: str, description: dict[str, Any]) -> None:
        self.path = path
        self.description = description

    def save(self) -> None:
        """Write the description, whole or not at all (a killed run leaves the old one or the new one)."""
        temporary = written_through(self.path)
        try:
            with open(temporary, "w", encoding="utf-8") as f:
                # A path that is not UTF-8 (lone surrogates in Python) is kept as escapes, read back the same.
                json.dump(self.description, f, separators=(",", ":"))
            os.replace(temporary, self.path)
        except OSError as exc:
            raise OutputError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        finally:
            if os.path.exists(temporary):  # interrupted, or failed, before the rename
                os.unlink(temporary)

    def first_record(self, index: int, entry: Entry) -> None:
        """Check, or record, the first record of the input ``index`` when it is a stream.

        Raises
        ------
        UsageError
            If the earlier run read another first record there.
        """
        described = self.description["inputs"][index]
        if not described.get("stream"):
            return
        _, _, raw, error = entry
        digest = hashlib.sha256(raw if raw is not None else (error or "").encode()).hexdigest()
        seen = described.get(_FIRST)
        if seen is None:
            described[_FIRST] = digest
            self.save()
        elif seen != digest:
            name = "standard input" if described["path"] == STDIN else described["path"]
            raise UsageError(
                f"cannot resume: {name} is not the one the interrupted run read (its first record "
                "differs); run without --resume to start over, or give it the same input"
            )


def _load(path: str) -> dict[str, Any] | None:
    try:
        description = json.loads(read_regular(path, _MAX_BYTES))
    except (OSError, ValueError):
        return None
    return description if isinstance(description, dict) else None


def prepare(
    job: BatchJob, output: Output, sources: list[Source], *, cluster_model: str | None = None
) -> tuple[RunRecord | None, int]:
    """The run record to save once the output is open, and how many records to skip.

    On ``--resume`` with an output that is not empty, checks that its run
    description matches this run, then cuts off a partial last record.

    Parameters
    ----------
    job : BatchJob
        The run.
    output : Output
        Where it writes.
    sources : list of Source
        Its inputs.
    cluster_model : str, optional
        The sha256 of the model a cluster's workers load (see :func:`describe`).

    Returns
    -------
    record : RunRecord or None
        ``None`` for an output that cannot be resumed (standard output, a
        pipe, Parquet).
    skip : int
        Complete records already in the output.

    Raises
    ------
    UsageError
        If the output holds records of another run, or has no run
        description to show that it does not.
    """
    if not output.regular or job.format not in ("jsonl", "csv"):
        return None, 0
    record = RunRecord(run_file(output.path), describe(job, sources, cluster_model=cluster_model))
    if not job.resume or not os.path.exists(output.path) or os.path.getsize(output.path) == 0:
        return record, 0
    then = _load(record.path)
    if then is None:
        raise UsageError(
            f"cannot resume: {output.path} has no run description ({record.path}), so nothing shows "
            "that its records come from this run; run without --resume to start over"
        )
    counted_as = then.get("format") if then.get("format") in ("jsonl", "csv") else job.format
    records, end = count_records(output.path, counted_as)
    found = differences(then, record.description)
    if found:
        raise UsageError(
            f"cannot resume: {output.path} holds {records:,} records of another run ({'; '.join(found)}); "
            "run without --resume to start over, or resume with the inputs and options of that run"
        )
    for old, new in zip(then["inputs"], record.description["inputs"]):
        if _FIRST in old:
            new[_FIRST] = old[_FIRST]
    if os.path.getsize(output.path) != end:
        os.truncate(output.path, end)
    return record, records
