"""Errors of the command line, rooted in :class:`autoclass.errors.AutoclassError`."""

from __future__ import annotations

from autoclass.errors import AutoclassError, MissingExtraError

# The exit statuses of the commands (autoclass/cli/batch.py's docstring says what each means).
EXIT_OK = 0
EXIT_FAILED_RECORDS = 1
EXIT_USAGE = 2
EXIT_WORKER_DIED = 3
EXIT_OUTPUT_FAILED = 4
EXIT_RUN_FAILED = 5
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
EXIT_BROKEN_PIPE = 141

__all__ = ["MissingExtraError", "RecordFailedError", "Terminated", "UsageError", "WorkerCrashedError"]


class UsageError(AutoclassError, ValueError):
    """Options that do not go together; the command exits with status 2."""


class WorkerCrashedError(AutoclassError):
    """A worker process died (killed, out of memory) in the middle of a run."""


class OutputError(AutoclassError):
    """The output cannot take more bytes (a full disk, a file size limit, an I/O error)."""


class SchedulerUnreachableError(AutoclassError):
    """The Dask scheduler given with ``--scheduler`` cannot be reached."""


class RecordFailedError(AutoclassError):
    """A record could not be processed and ``--strict`` asked to stop there."""

    def __init__(self, record_id: str, reason: str) -> None:
        self.record_id = record_id
        self.reason = reason
        super().__init__(f"record {record_id!r} failed: {reason}")


class Terminated(KeyboardInterrupt):
    """SIGTERM, stopping a run the way Ctrl-C does (exit status 143 instead of 130).

    Not an :class:`AutoclassError` on purpose: like ``KeyboardInterrupt`` it
    must get through ``except Exception`` clauses to stop the run.
    """
