"""What a run tells the user on stderr: a progress bar on a terminal, and a summary."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import IO, Any

from autoclass.cli.records import ChunkResult


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@dataclass
class RunStats:
    """Counts of a run, for the progress bar and the summary line.

    Attributes
    ----------
    records : int
        Output records written by this run (error records included).
    paragraphs, kept : int
        Paragraphs of the pages read, and how many were kept.
    errors : int
        Error records written.
    skipped : int
        Records already in the output when the run resumed.
    """

    records: int = 0
    paragraphs: int = 0
    kept: int = 0
    errors: int = 0
    skipped: int = 0
    started: float = field(default_factory=time.perf_counter)

    def add(self, result: ChunkResult) -> None:
        self.records += result.n_records
        self.paragraphs += result.n_paragraphs
        self.kept += result.n_kept
        self.errors += len(result.errors)

    def add_head(self, result: ChunkResult) -> None:
        """Count what a ``--strict`` stop writes of ``result``, and its first error record."""
        position = result.errors[0][0]
        self.records += position
        self.paragraphs += result.head[0]
        self.kept += result.head[1]
        self.errors += 1

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def summary(self, elapsed: float | None = None) -> str:
        """The summary line printed at the end of a run.

        Examples
        --------
        >>> RunStats(records=3, paragraphs=40, kept=10, errors=1).summary(elapsed=2.0)
        '3 pages, 40 paragraphs, 25.0% kept, 1 error, 2.0 s (20 paragraphs/s)'
        """
        elapsed = self.elapsed if elapsed is None else elapsed
        share = self.kept / self.paragraphs if self.paragraphs else 0.0
        rate = self.paragraphs / elapsed if elapsed > 0 else 0.0
        line = (
            f"{_count(self.records, 'page')}, {_count(self.paragraphs, 'paragraph')}, {share:.1%} kept, "
            f"{_count(self.errors, 'error')}, {elapsed:.1f} s ({rate:,.0f} paragraphs/s)"
        )
        if self.skipped:
            line += f"; resumed after {self.skipped:,} records"
        return line


class Progress:
    """A tqdm bar in pages/s on ``stream`` when it is a terminal; silent otherwise.

    Parameters
    ----------
    stream : text file
        Usually ``sys.stderr``.
    enabled : bool, optional
        Force the bar on or off; by default on exactly when ``stream`` is a TTY
        and tqdm is installed.
    """

    def __init__(self, stream: IO[str], *, enabled: bool | None = None) -> None:
        self.bar: Any = None
        if enabled is None:
            enabled = stream.isatty()
        if not enabled:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        # No monitor thread: with a second thread running, the worker processes were spawned
        # (seconds each to start and load the model) instead of forked, and a Ctrl-C taken by
        # that thread reached the main process at any point of starting them.
        tqdm.monitor_interval = 0
        self.bar = tqdm(file=stream, unit=" pages", smoothing=0.1)

    def update(self, stats: RunStats, pages: int) -> None:
        if self.bar is not None:
            elapsed = stats.elapsed
            if elapsed > 0:
                self.bar.set_postfix_str(f"{stats.paragraphs / elapsed:,.0f} paragraphs/s", refresh=False)
            self.bar.update(pages)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
