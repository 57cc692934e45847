"""``autoclass predict``: batch prediction over files, directories and standard input.

Argument wiring only; the run itself is :func:`autoclass.cli.batch.run_batch`.
See ``docs/batch.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from autoclass.cli.batch import (
    DEFAULT_CHUNK_SIZE,
    EXIT_BROKEN_PIPE,
    EXIT_OUTPUT_FAILED,
    BatchJob,
    run_batch,
)
from autoclass.cli.engines import ENGINES
from autoclass.cli.errors import UsageError
from autoclass.cli.options import add_model_options, add_page_options, stdin_format
from autoclass.cli.readers import CHUNK_BYTES
from autoclass.cli.records import RecordOptions
from autoclass.cli.writers import FORMATS

DESCRIPTION = """\
Read scraped pages, keep each article's own paragraphs and tag them with event
types. Writes one record per input page, in input order: JSON Lines (default),
CSV (--format csv or -o FILE.csv) or Parquet (-o FILE.parquet).

Inputs: plain-text files (one page each), JSON Lines files (one page per
record; a record with an 'html' field and no text is read as HTML), HTML files (*.html,
*.htm), WARC archives (*.warc, *.warc.gz: one record per HTML response; other
records are counted and skipped), gzip-compressed forms of these, directories
of them (recursive), and '-' or nothing for standard input (JSON Lines, or
one page with --stdin-format text or html).

Exit status: 0 all records processed; 1 some records gave error records (or
--strict stopped); 2 usage error; 3 a worker process died; 4 the output could
not be written (disk full); 5 the run failed as a whole (no model, a model
not trusted, a missing extra, a Dask scheduler out of reach); 130
interrupted (143 on SIGTERM); 141 standard output closed by its reader (|
head). After 3, 4, 130 or 143, run again with --resume.
"""


NO_INPUT = (
    "no input: give files or directories, or pipe pages into standard input "
    "(`-` reads what is typed, up to Ctrl-D)"
)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``predict`` on the ``autoclass`` parser's subcommands."""
    parser = subparsers.add_parser(
        "predict",
        help="tag pages in bulk: files, directories, JSON Lines, standard input",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("inputs", nargs="*", metavar="INPUT", help="files, directories, or '-' for stdin")
    parser.add_argument("-o", "--output", metavar="FILE", help="output file (default: standard output)")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        dest="output_format",
        help="output format (default: from the output's suffix, else jsonl)",
    )
    parser.add_argument("--paragraphs", action="store_true", help="add every paragraph's labels and scores")
    add_page_options(parser, too_long="give an error record")
    parser.add_argument(
        "--html-field",
        default="html",
        help="JSON Lines key of a page's HTML, read when a record has no text (default: html)",
    )
    parser.add_argument(
        "--url-field", default="url", help="JSON Lines key of an HTML page's address (default: url)"
    )
    parser.add_argument("--strict", action="store_true", help="stop at the first record that fails")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="append to -o FILE after the records it already holds (JSON Lines or CSV)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=-1,
        metavar="N",
        help="worker processes (default and -1: one per core; 1 runs in-process)",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=DEFAULT_CHUNK_SIZE,
        metavar="N",
        help=f"pages per unit of work (default: {DEFAULT_CHUNK_SIZE}; fewer once their records reach "
        f"{CHUNK_BYTES >> 20} MiB)",
    )
    parser.add_argument(
        "--engine", choices=ENGINES, default="local", help="local processes or a Dask cluster"
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://host:8786 (default: a local cluster of --jobs workers)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary line on stderr")
    add_model_options(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run ``autoclass predict`` with parsed arguments; returns the exit status."""
    if not args.inputs and sys.stdin.isatty():
        raise UsageError(NO_INPUT)
    cores = _cores()
    if args.engine == "local" and args.jobs > cores:
        # Each worker holds its own copy of the model: more of them than cores costs memory for no speed.
        warnings.warn(
            f"--jobs {args.jobs} starts {args.jobs} worker processes on {cores:,} "
            f"core{'s' if cores > 1 else ''}, "
            "each with its own copy of the model: no faster than one per core (-j -1), and more memory",
            stacklevel=1,
        )
    job = BatchJob(
        inputs=tuple(args.inputs),
        output=args.output,
        output_format=args.output_format,
        stdin_format=stdin_format(args.stdin_format, args.inputs, default="jsonl"),
        options=RecordOptions(
            text_field=args.text_field,
            id_field=args.id_field,
            html_field=args.html_field,
            url_field=args.url_field,
            max_chars=args.max_chars,
            paragraphs=args.paragraphs,
        ),
        strict=args.strict,
        resume=args.resume,
        quiet=args.quiet,
        # -1: one per core, as train and audit take it.
        jobs=cores if args.jobs == -1 else args.jobs,
        chunk_size=args.chunk_size,
        engine=args.engine,
        scheduler=args.scheduler,
        model=args.model,
        trust_model=args.trust_model,
    )
    try:
        status = run_batch(job, stdin=sys.stdin.buffer, stdout=sys.stdout.buffer, stderr=sys.stderr)
    except BrokenPipeError:
        # The reader went away (`autoclass predict ... | head`): stop quietly, as Unix tools do.
        _drop_stdout()
        return EXIT_BROKEN_PIPE
    if status == EXIT_OUTPUT_FAILED and args.output is None:
        _drop_stdout()
    return status


def _cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _drop_stdout() -> None:
    # What standard output could not take is still in its buffer: flushed at
    # exit it would fail again, with a second message and another status.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
