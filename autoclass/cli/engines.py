"""Where chunks are processed: in this process, a local process pool, or a Dask cluster.

Every engine takes chunks in input order and yields their
:class:`~autoclass.cli.records.ChunkResult` in the same order, keeping a
bounded number of chunks in flight so that memory stays flat whatever the
input size.  All run the same :func:`~autoclass.cli.records.process_chunk`,
so their output is byte for byte the same.

Each worker process loads the model once (:func:`cached_model`), with the
``trust`` the run was given (``--trust-model``), since each loads it itself,
and ends if the main process dies (:mod:`autoclass.cli.lifeline`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from itertools import chain, islice
from typing import Any

from autoclass.cli.errors import MissingExtraError, SchedulerUnreachableError, WorkerCrashedError
from autoclass.cli.lifeline import end_with_parent
from autoclass.cli.records import Chunk, ChunkResult, RecordOptions, process_chunk
from autoclass.model import Model
from autoclass.persistence import load_model

ENGINES: tuple[str, ...] = ("local", "dask")

_models: dict[tuple[str | None, bool], Model] = {}
_models_lock = threading.Lock()
_worker_job: tuple[str | None, RecordOptions, bool] | None = None


def cached_model(path: str | None, *, trust: bool = False) -> Model:
    """The model at ``path`` (the default model for ``None``), loaded once per process.

    Parameters
    ----------
    path : str or None
        A model directory, as :func:`autoclass.load_model` takes it.
    trust : bool
        As :func:`autoclass.load_model` takes it: load an untrusted joblib model.

    Returns
    -------
    Model
        The same object on every call with the same ``path`` and ``trust``.
    """
    # Keyed by trust too: a model loaded on trust must not serve a call without it.
    with _models_lock:
        model = _models.get((path, trust))
        if model is None:
            model = _models[path, trust] = load_model(path, trust=trust)
        return model


def _init_worker(model_path: str | None, options: RecordOptions, trust: bool, parent: int) -> None:
    end_with_parent(parent)  # a killed main process must not leave its workers waiting forever
    # Ctrl-C reaches the whole process group: the main process alone decides
    # what to do, and a SIGTERM handler inherited by fork must not linger.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    global _worker_job
    _worker_job = (model_path, options, trust)
    cached_model(model_path, trust=trust)


def _run_chunk(chunk: Chunk) -> ChunkResult:
    model_path, options, trust = _worker_job
    return process_chunk(chunk, cached_model(model_path, trust=trust), options)


def _dask_task(chunk: Chunk, model_path: str | None, options: RecordOptions, trust: bool) -> ChunkResult:
    return process_chunk(chunk, cached_model(model_path, trust=trust), options)


def _context() -> multiprocessing.context.BaseContext:
    # Forking shares the imported libraries and the model already loaded here,
    # so workers start at once; it is only safe while no other thread runs.
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _abort(executor: ProcessPoolExecutor) -> None:
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)


def run_local(
    chunks: Iterable[Chunk],
    *,
    model_path: str | None = None,
    options: RecordOptions,
    jobs: int = 1,
    window: int | None = None,
    trust: bool = False,
) -> Iterator[ChunkResult]:
    """Process chunks here (``jobs=1``) or in a pool of ``jobs`` worker processes.

    Parameters
    ----------
    chunks : iterable of Chunk
        The input, read lazily as the window allows.
    model_path : str, optional
        The model directory; the default model when omitted.
    options : RecordOptions
        How records are read and encoded.
    jobs : int
        Worker processes; 1 runs in this process.  An input of a single
        chunk is processed here whatever ``jobs`` says.
    window : int, optional
        Chunks in flight at most; ``2 * jobs`` by default.
    trust : bool
        Load the model even if it is an untrusted joblib model (``--trust-model``).

    Yields
    ------
    ChunkResult
        In input order.

    Raises
    ------
    WorkerCrashedError
        If a worker process dies; the results before it have been yielded.
    """
    model = cached_model(model_path, trust=trust)
    it = iter(chunks)
    first = list(islice(it, 1 if jobs == 1 else 2))
    if jobs == 1 or len(first) < 2:
        for chunk in chain(first, it):
            yield process_chunk(chunk, model, options)
        return
    executor = ProcessPoolExecutor(
        jobs,
        mp_context=_context(),
        initializer=_init_worker,
        initargs=(model_path, options, trust, os.getpid()),
    )
    pending: deque = deque()
    finished = False
    try:
        for chunk in chain(first, it):
            pending.append(executor.submit(_run_chunk, chunk))
            if len(pending) >= (window or 2 * jobs):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
        finished = True
    except BrokenProcessPool as exc:
        raise WorkerCrashedError("a worker process died (killed, or out of memory)") from exc
    finally:
        if finished:
            executor.shutdown()
        else:
            _abort(executor)


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise MissingExtraError("the dask engine", "dask") from exc
    return distributed


def check_engine(model_path: str | None, *, engine: str, scheduler: str | None, trust: bool) -> None:
    """Load the model the workers will use, and check the engine's extra, here and now.

    Run before the output is opened: a missing or untrusted model, or a
    missing ``dask`` extra, must stop a run before it empties an output of
    an earlier run. The local workers share the loaded model (see
    :func:`cached_model`); a remote cluster's workers load their own.

    Raises
    ------
    AutoclassError
        If the model cannot be loaded, or ``dask[distributed]`` is missing.
    """
    if engine == "dask":
        _distributed()
        if scheduler is not None:
            return
    cached_model(model_path, trust=trust)


def run_dask(
    chunks: Iterable[Chunk],
    *,
    model_path: str | None = None,
    options: RecordOptions,
    jobs: int = 1,
    scheduler: str | None = None,
    window: int | None = None,
    trust: bool = False,
) -> Iterator[ChunkResult]:
    """Process chunks on a Dask cluster: the one at ``scheduler``, or a local one.

    Parameters
    ----------
    chunks : iterable of Chunk
        The input, read lazily as the window allows.
    model_path : str, optional
        The model directory as the workers see it; without it each worker
        loads its default model (``$AUTOCLASS_MODEL`` on that worker).
    options : RecordOptions
        How records are read and encoded.
    jobs : int
        Worker processes of the local cluster started without ``scheduler``.
    scheduler : str, optional
        Address of a running scheduler, e.g. ``tcp://host:8786``.
    window : int, optional
        Chunks in flight at most; twice the cluster's threads by default.
    trust : bool
        Have every worker load the model even if it is an untrusted joblib
        model there (each worker checks its own trust store otherwise).

    Yields
    ------
    ChunkResult
        In input order.

    Raises
    ------
    MissingExtraError
        If ``dask[distributed]`` is not installed.
    SchedulerUnreachableError
        If ``scheduler`` cannot be reached.
    """
    distributed = _distributed()
    cluster = None
    if scheduler is None:
        with _sigint_ignored():
            cluster = distributed.LocalCluster(
                n_workers=jobs,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        client = distributed.Client(cluster)
    else:
        try:
            client = distributed.Client(scheduler)
        except (OSError, ValueError) as exc:  # refused or timed out; a malformed address
            raise SchedulerUnreachableError(
                f"cannot reach the Dask scheduler at {scheduler} ({exc}); "
                "check the address and that the scheduler is running"
            ) from exc
    pending: deque = deque()
    tornado_log = logging.getLogger("tornado.application")
    tornado_log.addFilter(_not_a_cancel_before_start)
    try:
        limit = window or 2 * max(1, sum(client.nthreads().values()))
        for chunk in chunks:
            pending.append(client.submit(_dask_task, chunk, model_path, options, trust, pure=False))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except KeyboardInterrupt:
        _quiet_half_built_futures()
        raise
    finally:
        if pending:
            client.cancel(list(pending))
        client.close()
        if cluster is not None:
            cluster.close()
        tornado_log.removeFilter(_not_a_cancel_before_start)


def _not_a_cancel_before_start(record: logging.LogRecord) -> bool:
    """False for distributed's error when Ctrl-C lands before one of its calls began.

    ``distributed.utils.sync`` then schedules a ``cancel`` of a future it has
    not made yet, which fails with a ``NameError`` on the event loop's thread;
    tornado logs it with its traceback, after the run has stopped cleanly.
    """
    error = record.exc_info[1] if record.exc_info else None
    return not (isinstance(error, NameError) and "free variable 'future'" in str(error))


def _quiet_half_built_futures() -> None:
    """Silence distributed's ``Future.__del__`` on a future that Ctrl-C cut off half-built.

    Ctrl-C can land inside ``client.submit`` while a ``Future`` is being made;
    when that object is collected, its ``__del__`` fails on an attribute it
    never got, and Python prints the traceback as "Exception ignored in ..."
    after the run has already stopped cleanly. Other unraisable errors are
    reported as before.
    """
    previous = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        if isinstance(unraisable.exc_value, AttributeError) and (
            getattr(unraisable.object, "__qualname__", "") == "Future.__del__"
        ):
            return
        previous(unraisable)

    sys.unraisablehook = hook


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore Ctrl-C while the local cluster starts its worker processes, which inherit that.

    Ctrl-C reaches the whole process group: the main process alone stops the
    run (and closes the cluster); workers that also took it would each print
    a traceback.  Only the main thread can change signal handlers.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def model_path_for(model: str | None, *, engine: str, scheduler: str | None) -> str | None:
    """The model path to hand the workers: absolute for local workers, as given for a remote cluster.

    Examples
    --------
    >>> model_path_for(None, engine="local", scheduler=None) is None
    True
    >>> model_path_for("models/x", engine="dask", scheduler="tcp://h:8786")
    'models/x'
    """
    if model is None or scheduler is not None:
        return model
    return os.path.abspath(model)
