"""The output of ``autoclass predict``: checked before a run, written safely, counted for ``--resume``.

Before anything is written, :func:`check_output` makes sure that the output
is none of the inputs (opening it would empty that input) and that it can
be written.  Sinks append the encoded chunks and flush after each one
(:class:`TextSink`, :class:`ParquetSink`), so a run that stops leaves every
complete record in place; :func:`complete_records` counts them and cuts off
a partial last record, which is where ``--resume`` starts.

A pipe or a device is a fine output (standard output, a named pipe,
``-o /dev/stdout``, ``>(gzip > out.gz)``): it is written in order and never
sought, but it cannot be counted, so it cannot be resumed.  A write that
fails (a full disk, a file size limit) raises :class:`OutputError`, and the
run stops with the records written so far.
"""

from __future__ import annotations

import io
import os
import re
import stat
from dataclasses import dataclass
from typing import IO, Any

from autoclass.cli.errors import OutputError, UsageError
from autoclass.cli.readers import STDIN, Source
from autoclass.cli.writers import CSV_COLUMNS, arrow_schema, pyarrow_module
from autoclass.files import file_kind

#: Suffix of the file next to an output that describes the run writing it (see :mod:`autoclass.cli.resume`).
RUN_SUFFIX = ".run.json"


@dataclass(frozen=True)
class Output:
    """Where a run writes.

    Attributes
    ----------
    path : str or None
        The ``-o`` path; ``None`` for standard output.
    regular : bool
        A regular file (or one about to be created), which can be counted,
        cut and resumed; not a pipe, a device or standard output.
    descriptor : int or None
        The open file descriptor the path names (``/dev/stdout``,
        ``/dev/fd/3``), written through as it is: opened anew, the file it
        points at would be emptied (``>> log`` too).
    """

    path: str | None
    regular: bool
    descriptor: int | None = None

    @property
    def name(self) -> str:
        return "standard output" if self.path is None else self.path


def run_file(path: str) -> str:
    """The run description written next to the output ``path``.

    Examples
    --------
    >>> run_file("tagged.jsonl")
    'tagged.jsonl.run.json'
    """
    return path + RUN_SUFFIX


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):  # a dangling link, a path too long: it cannot be the output
        return None
    return st.st_dev, st.st_ino


def _stdin_identity(stdin: IO[bytes] | None) -> tuple[int, int] | None:
    try:
        st = os.fstat(stdin.fileno())  # type: ignore[union-attr]
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return st.st_dev, st.st_ino


def _written_by_autoclass(path: str, size: int) -> bool:
    return size == 0 or os.path.exists(run_file(path))


# A path that names one of this process's open descriptors, not a file of its own.
_DESCRIPTOR = re.compile(r"/dev/(?:std(?:out|err)|fd/(\d+))|/proc/(?:self|thread-self|\d+)/fd/(\d+)")
_STANDARD = {"/dev/stdout": 1, "/dev/stderr": 2}


def descriptor_named(path: str) -> int | None:
    """The file descriptor of this process that ``path`` names, through symbolic links; else ``None``.

    Examples
    --------
    >>> descriptor_named("/dev/stdout"), descriptor_named("/dev/fd/5"), descriptor_named("out.jsonl")
    (1, 5, None)
    """
    name = os.path.abspath(path)
    for _ in range(8):  # /dev/stdout -> /proc/self/fd/1 -> the file
        match = _DESCRIPTOR.fullmatch(name)
        if match:
            pid = re.match(r"/proc/(\d+)/", name)
            if pid and int(pid.group(1)) != os.getpid():
                return None  # another process's: a path like any other
            return _STANDARD.get(name) or int(match.group(1) or match.group(2))
        try:
            target = os.readlink(name)
        except OSError:
            return None
        name = os.path.normpath(os.path.join(os.path.dirname(name), target))
    return None


def written_through(path: str) -> str:
    """The temporary file a run description (or any file replaced whole) is written through first."""
    return f"{path}.{os.getpid()}.tmp"


def _check_run_file(path: str) -> None:
    # Found when it was first written, the output had been emptied (a read-only folder around
    # a writable file): the run description must be writable before the output is opened.
    probe = written_through(run_file(path))
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        os.unlink(probe)
    except FileExistsError:
        pass
    except OSError as exc:
        raise UsageError(
            f"cannot write {run_file(path)}, the run description beside the output: {exc.strerror or exc}"
        ) from exc


def check_output(
    path: str | None,
    sources: list[Source],
    *,
    output_format: str = "jsonl",
    resume: bool = False,
    stdin: IO[bytes] | None = None,
) -> tuple[Output, list[Source]]:
    """Check the output against the inputs, before anything is written.

    An output found again in an input folder is the output of an earlier
    run (when autoclass wrote it, or it is empty): it is left out of the
    inputs.  Any other input that is the output file, by name, symbolic
    link, hard link or redirected standard input, is refused.

    Parameters
    ----------
    path : str or None
        The ``-o`` path; ``None`` for standard output.
    sources : list of Source
        The inputs found.
    output_format : str
        One of ``FORMATS`` (Parquet needs a regular file).
    resume : bool
        Whether the run resumes (it needs a regular file).
    stdin : binary file, optional
        Standard input, compared with the output when it is an input.

    Returns
    -------
    output : Output
        Where the run writes.
    sources : list of Source
        The inputs, without an earlier output found in a folder.

    Raises
    ------
    UsageError
        If the output is an input, a directory, cannot be looked up, or is
        not a regular file and ``resume`` is set or the format is Parquet.
    """
    if path is None:
        return Output(None, False), sources
    descriptor = descriptor_named(path)
    if descriptor is not None:
        kind = "an open file descriptor (written through, never reopened)"
        if resume:
            raise UsageError(f"--resume needs a regular file, and {path} is {kind}")
        if output_format == "parquet":
            raise UsageError(f"Parquet output needs a regular file, and {path} is {kind}")
        return Output(path, False, descriptor), sources
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return Output(path, True), sources  # created by the run: no input can be it
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"cannot write {path}: it is a directory; give a file name")
    if not stat.S_ISREG(st.st_mode):
        kind = file_kind(st.st_mode)
        if resume:
            raise UsageError(f"--resume needs a regular file, and {path} is {kind}")
        if output_format == "parquet":  # its writer seeks
            raise UsageError(f"Parquet output needs a regular file, and {path} is {kind}")
        return Output(path, False), sources
    output = (st.st_dev, st.st_ino)
    kept = []
    for source in sources:
        same = (_stdin_identity(stdin) if source.path == STDIN else _identity(source.path)) == output
        if not same:
            kept.append(source)
        elif not (source.in_folder and _written_by_autoclass(path, st.st_size)):
            given = "standard input" if source.path == STDIN else source.path
            raise UsageError(f"the output {path} is also an input ({given}); write the output elsewhere")
    if output_format != "parquet":
        _check_run_file(path)
    return Output(path, True), kept


# ---------------------------------------------------------------- sinks


def _cannot_write(name: str, exc: OSError) -> OutputError:
    return OutputError(f"cannot write {name}: {exc.strerror or exc}")


class TextSink:
    """JSON Lines or CSV output, appended chunk by chunk and flushed each time.

    Parameters
    ----------
    stream : binary file
        Where to write; closed by :meth:`close` only when ``owned``.  Written
        in order only, never sought, so a pipe will do.
    output_format : str
        ``"jsonl"`` or ``"csv"``.
    header : bool
        Write the CSV header first (with the first records, or at :meth:`close`).
    owned : bool
        Whether the sink closes ``stream``.
    name : str
        The output's name, for error messages.

    Raises
    ------
    OutputError
        From :meth:`write` and :meth:`close`, when the output cannot take
        the bytes (a full disk, a file size limit, an I/O error).
    """

    def __init__(
        self, stream: IO[bytes], output_format: str, *, header: bool, owned: bool, name: str = "the output"
    ) -> None:
        self.stream = stream
        self.owned = owned
        self.name = name
        self.failed = False
        # Written with the first records, so that a run stopped before any
        # leaves an empty file: an empty file is a run that has not started.
        self.header = ",".join(CSV_COLUMNS) + "\n" if output_format == "csv" and header else ""

    def write(self, payload: list[str]) -> None:
        try:
            self.stream.write((self.header + "".join(payload)).encode("utf-8"))
            self.stream.flush()
            self.header = ""
        except BrokenPipeError:
            raise  # the reader went away: the command stops quietly (status 141)
        except OSError as exc:
            self.failed = True
            raise _cannot_write(self.name, exc) from exc

    def close(self) -> None:
        if self.header and not self.failed:
            self.write([])
        try:
            if self.owned:
                self.stream.close()
            else:
                self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            if not self.failed:  # after a failed write, the bytes left in the buffer fail again
                raise _cannot_write(self.name, exc) from exc


class ParquetSink:
    """Parquet output, one row group per chunk; valid once closed."""

    def __init__(self, path: str | os.PathLike, *, paragraphs: bool) -> None:
        pyarrow_module()
        import pyarrow.parquet as pq

        self.name = os.fspath(path)
        self.writer = pq.ParquetWriter(path, arrow_schema(paragraphs=paragraphs))

    def write(self, payload: Any) -> None:
        try:
            self.writer.write_batch(payload)
        except OSError as exc:
            raise _cannot_write(self.name, exc) from exc

    def close(self) -> None:
        try:
            self.writer.close()
        except OSError as exc:
            raise _cannot_write(self.name, exc) from exc


def open_sink(
    output: Output,
    *,
    output_format: str,
    paragraphs: bool = False,
    append: bool = False,
    stdout: IO[bytes] | None = None,
) -> TextSink | ParquetSink:
    """Open the output: a file (created, or appended to on resume), a pipe, or ``stdout``.

    Parameters
    ----------
    output : Output
        Where to write, as :func:`check_output` found it.
    output_format : str
        One of ``FORMATS``; Parquet needs a path.
    paragraphs : bool
        Whether records carry paragraphs (the Parquet schema depends on it).
    append : bool
        Append to an existing JSON Lines or CSV file (``--resume``); a CSV
        header is written only if the file is empty.
    stdout : binary file, optional
        Where output goes without a path.

    Raises
    ------
    UsageError
        If the output file cannot be opened (a missing folder, no permission).
    """
    if output.path is None:
        if output_format == "parquet":
            raise ValueError("Parquet output needs a file path")
        return TextSink(stdout, output_format, header=True, owned=False, name=output.name)
    try:
        if output_format == "parquet":
            return ParquetSink(output.path, paragraphs=paragraphs)
        if output.descriptor is not None:
            stream = os.fdopen(os.dup(output.descriptor), "wb")
        else:
            stream = open(output.path, "ab" if append else "wb")  # noqa: SIM115 - closed by the sink
    except OSError as exc:
        raise UsageError(f"cannot write {output.path}: {exc.strerror or exc}") from exc
    header = not append or os.fstat(stream.fileno()).st_size == 0
    return TextSink(stream, output_format, header=header, owned=True, name=output.name)


# ---------------------------------------------------------------- counting complete records


def _complete_jsonl(f: IO[bytes]) -> tuple[int, int]:
    records = end = offset = 0
    for block in iter(lambda: f.read(1 << 20), b""):
        newlines = block.count(b"\n")
        if newlines:
            records += newlines
            end = offset + block.rindex(b"\n") + 1
        offset += len(block)
    return records, end


def _complete_csv(f: IO[bytes]) -> tuple[int, int]:
    # A row ends at a newline outside quotes. The csv writer doubles the quotes
    # in a field, so quotes come in pairs in every complete row, and a newline
    # after an odd count is inside a field. Counted on bytes (UTF-8 never has a
    # quote or newline byte inside a character), with no field size limit, where
    # the csv module stops at 131,072 characters.
    rows = end = offset = quotes = 0
    for raw in f:
        offset += len(raw)
        quotes += raw.count(b'"')
        if raw.endswith(b"\n") and quotes % 2 == 0:
            rows, end = rows + 1, offset
    if rows:
        return rows - 1, end  # the header is not a record
    return 0, 0


def count_records(path: str | os.PathLike, output_format: str) -> tuple[int, int]:
    """The complete records of a JSON Lines or CSV output file, and where the last one ends.

    Returns
    -------
    records : int
        Complete records (the CSV header excluded); 0 when the file is missing.
    end : int
        The byte offset just after the last complete record (or the CSV header).
    """
    if output_format not in ("jsonl", "csv"):
        raise ValueError(f"cannot count the records of {output_format} output; use jsonl or csv")
    if not os.path.exists(path):
        return 0, 0
    with open(path, "rb") as f:
        return _complete_jsonl(f) if output_format == "jsonl" else _complete_csv(f)


def complete_records(path: str | os.PathLike, output_format: str, *, truncate: bool = False) -> int:
    """Count the complete records of an output file, optionally cutting off the rest.

    Parameters
    ----------
    path : str or path-like
        A JSON Lines or CSV file written by ``autoclass predict``.
    output_format : str
        ``"jsonl"`` or ``"csv"``.
    truncate : bool
        Cut the file after its last complete record (a CSV file without a
        complete header is emptied).

    Returns
    -------
    int
        Complete records (the CSV header excluded); 0 when the file is missing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl"
    >>> _ = out.write_bytes(b'{"id":"a"}\\n{"id":"b"}\\n{"id"')
    >>> complete_records(out, "jsonl", truncate=True), out.read_bytes()
    (2, b'{"id":"a"}\\n{"id":"b"}\\n')
    """
    records, end = count_records(path, output_format)
    if truncate and os.path.exists(path) and os.path.getsize(path) != end:
        os.truncate(path, end)
    return records
