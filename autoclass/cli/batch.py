"""A batch prediction run: read the inputs, process them on an engine, write in order.

:func:`run_batch` ties :mod:`~autoclass.cli.readers`,
:mod:`~autoclass.cli.engines` and :mod:`~autoclass.cli.writers` together and
decides what a run reports and how it ends.  Exit statuses:

===== ==========================================================
0     every record was processed
1     some records gave error records, or ``--strict`` stopped at one
2     usage error
3     a worker process died; the output is complete up to some record
4     the output could not be written (a full disk, a file size limit);
      it is complete up to some record
5     the run failed as a whole, not a record: no trained model, a model
      that cannot be loaded or is not trusted, a missing extra, a Dask
      scheduler that cannot be reached
130   interrupted (Ctrl-C); 143 for SIGTERM
141   standard output closed by its reader (``| head``)
===== ==========================================================

After 3, 4, 130 and 143 the output holds only complete records, and
``--resume`` carries on from there.
"""

from __future__ import annotations

import signal
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from typing import IO

from autoclass.cli.engines import ENGINES, check_engine, model_path_for, run_dask, run_local
from autoclass.cli.errors import (  # noqa: F401 - the exit statuses are this module's documented names too
    EXIT_BROKEN_PIPE,
    EXIT_FAILED_RECORDS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OUTPUT_FAILED,
    EXIT_RUN_FAILED,
    EXIT_TERMINATED,
    EXIT_USAGE,
    EXIT_WORKER_DIED,
    OutputError,
    RecordFailedError,
    Terminated,
    UsageError,
    WorkerCrashedError,
)
from autoclass.cli.outputs import Output, check_output, complete_records, open_sink
from autoclass.cli.progress import Progress, RunStats
from autoclass.cli.readers import find_sources, iter_entries, read_chunks
from autoclass.cli.records import ChunkResult, RecordOptions
from autoclass.cli.resume import prepare
from autoclass.cli.writers import FORMATS, format_for, head

DEFAULT_CHUNK_SIZE = 256


@dataclass(frozen=True)
class BatchJob:
    """Everything a run needs, as ``autoclass predict`` options give it.

    Attributes
    ----------
    inputs : tuple of str
        Files, directories and ``"-"``; empty means standard input.
    output : str or None
        Output file; standard output when ``None``.
    output_format : str or None
        ``"jsonl"``, ``"csv"`` or ``"parquet"``; by default from the output's suffix.
    stdin_format : str
        ``"jsonl"``, ``"text"`` or ``"html"``.
    options : RecordOptions
        Field names, size limit, ``paragraphs``.
    strict, resume, quiet : bool
        As the options of the same name.
    jobs : int
        Worker processes.
    chunk_size : int
        Pages per unit of work.
    engine : str
        ``"local"`` or ``"dask"``.
    scheduler : str or None
        Dask scheduler address.
    model : str or None
        Model directory; the default model when ``None``.
    trust_model : bool
        Load the model even if it is an untrusted joblib model, in every worker.
    """

    inputs: tuple[str, ...] = ()
    output: str | None = None
    output_format: str | None = None
    stdin_format: str = "jsonl"
    options: RecordOptions = field(default_factory=RecordOptions)
    strict: bool = False
    resume: bool = False
    quiet: bool = False
    jobs: int = 1
    chunk_size: int = DEFAULT_CHUNK_SIZE
    engine: str = "local"
    scheduler: str | None = None
    model: str | None = None
    trust_model: bool = False

    @property
    def format(self) -> str:
        return self.output_format or format_for(self.output)


def check_job(job: BatchJob) -> None:
    """Refuse options that do not go together.

    Raises
    ------
    UsageError
        Naming the option to change.

    Examples
    --------
    >>> check_job(BatchJob(resume=True))
    Traceback (most recent call last):
    ...
    autoclass.cli.errors.UsageError: --resume needs an output file (-o FILE)
    """
    if job.format not in FORMATS:
        raise UsageError(f"unknown output format {job.format!r}; use one of {', '.join(FORMATS)}")
    if job.engine not in ENGINES:
        raise UsageError(f"unknown engine {job.engine!r}; use one of {', '.join(ENGINES)}")
    if job.output is not None and job.output.lower().endswith(".gz"):
        # Written plain under a .gz name, the file read back as "Not a gzipped file".
        raise UsageError(
            f"cannot write gzip output ({job.output}): write {job.output[:-3]} and compress it after, "
            f"or pipe standard output to gzip (... | gzip > {job.output})"
        )
    if job.resume and job.output is None:
        raise UsageError("--resume needs an output file (-o FILE)")
    if job.resume and job.format == "parquet":
        raise UsageError("--resume works with JSON Lines and CSV output, not Parquet")
    if job.format == "parquet" and job.output is None:
        raise UsageError("Parquet output needs a file: -o OUTPUT.parquet")
    if job.scheduler is not None and job.engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    for name, value in (
        ("--jobs", job.jobs),
        ("--chunk-size", job.chunk_size),
        ("--max-chars", job.options.max_chars),
    ):
        if value < 1:
            also = " (or -1: one per core)" if name == "--jobs" else ""
            raise UsageError(f"{name} must be at least 1{also}, not {value}")


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _results(
    job: BatchJob, chunks: Iterator, options: RecordOptions, model_path: str | None
) -> Iterator[ChunkResult]:
    if job.engine == "dask":
        return run_dask(
            chunks,
            model_path=model_path,
            options=options,
            jobs=job.jobs,
            scheduler=job.scheduler,
            trust=job.trust_model,
        )
    return run_local(chunks, model_path=model_path, options=options, jobs=job.jobs, trust=job.trust_model)


def run_batch(job: BatchJob, *, stdin: IO[bytes] | None, stdout: IO[bytes] | None, stderr: IO[str]) -> int:
    """Run a batch prediction job.

    Parameters
    ----------
    job : BatchJob
        What to read, how, and where to write.
    stdin, stdout : binary file or None
        Standard input and output (for ``-`` and when there is no ``-o``).
    stderr : text file
        Where the progress bar, the summary and stop messages go.

    Returns
    -------
    int
        The exit status (see the module docstring).

    Raises
    ------
    UsageError
        If options do not go together, an input is missing, the output is
        an input or cannot be opened, or ``--resume`` finds the records of
        another run in the output (see :mod:`autoclass.cli.resume`).
    AutoclassError
        If the model cannot be loaded or an optional dependency is missing.
    """
    check_job(job)
    skipped: list[str] = []
    sources = find_sources(job.inputs, stdin_format=job.stdin_format, skipped=skipped)
    if skipped and not job.quiet:
        shown = ", ".join(skipped[:3]) + (", ..." if len(skipped) > 3 else "")
        print(f"autoclass predict: skipped {len(skipped):,} file(s) of other types: {shown}", file=stderr)
    output, sources = check_output(
        job.output, sources, output_format=job.format, resume=job.resume, stdin=stdin
    )
    model_path = model_path_for(job.model, engine=job.engine, scheduler=job.scheduler)
    cluster_model = check_engine(
        model_path, engine=job.engine, scheduler=job.scheduler, trust=job.trust_model
    )
    record, skip = prepare(job, output, sources, cluster_model=cluster_model)
    options = replace(job.options, output_format=job.format)
    not_pages: Counter[str] = Counter()  # archive records that are not HTML pages, by kind
    entries = iter_entries(
        sources,
        stdin=stdin,
        max_chars=job.options.max_chars,
        skipped=not_pages,
        on_first=None if record is None else record.first_record,
    )
    chunks = read_chunks(entries, chunk_size=job.chunk_size, skip=skip)
    stats = RunStats(skipped=skip)
    progress = Progress(stderr)
    status, stopped = EXIT_OK, None
    try:
        with (
            _terminate_as_interrupt(),
            closing(
                open_sink(
                    output,
                    output_format=job.format,
                    paragraphs=options.paragraphs,
                    append=job.resume,
                    stdout=stdout,
                )
            ) as sink,
            closing(_results(job, chunks, options, model_path)) as results,
        ):
            if record is not None:
                record.save()  # before the first record: records in the file imply their description
            for result in results:
                if job.strict and result.errors:
                    position, record_id, reason = result.errors[0]
                    sink.write(head(result.payload, position))
                    stats.add_head(result)
                    raise RecordFailedError(record_id, reason)
                sink.write(result.payload)
                stats.add(result)
                progress.update(stats, result.n_records)
        status = EXIT_FAILED_RECORDS if stats.errors else EXIT_OK
    except Terminated:
        status, stopped = EXIT_TERMINATED, "terminated"
    except KeyboardInterrupt:
        status, stopped = EXIT_INTERRUPTED, "interrupted"
    except WorkerCrashedError as exc:
        status, stopped = EXIT_WORKER_DIED, str(exc)
    except OutputError as exc:
        status, stopped = EXIT_OUTPUT_FAILED, str(exc)
    except RecordFailedError as exc:
        status, stopped = EXIT_FAILED_RECORDS, f"{exc} (--strict)"
    finally:
        progress.close()
    if stopped is not None:
        how_far = _how_far(output, job.format, stats, hint=status != EXIT_FAILED_RECORDS)
        print(f"autoclass predict: {stopped}; {how_far}", file=stderr)
    if not job.quiet:
        print(f"autoclass predict: {stats.summary()}", file=stderr)
        if not_pages:
            kinds = ", ".join(f"{n:,} {kind}" for kind, n in sorted(not_pages.items(), key=lambda kv: -kv[1]))
            print(
                f"autoclass predict: {sum(not_pages.values()):,} archive records skipped ({kinds})",
                file=stderr,
            )
    return status


def _how_far(output: Output, output_format: str, stats: RunStats, *, hint: bool) -> str:
    if not output.regular or output_format == "parquet":
        return f"{stats.records:,} records written to {output.name}"
    total = complete_records(output.path, output_format, truncate=True)
    return f"{output.path} holds {total:,} complete records" + (
        "; run again with --resume to go on" if hint else ""
    )
