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
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from itertools import chain, islice
from pathlib import Path
from typing import Any

from autoclass.cli.errors import MissingExtraError, SchedulerUnreachableError, WorkerCrashedError
from autoclass.cli.lifeline import end_with_parent
from autoclass.cli.records import Chunk, ChunkResult, RecordOptions, process_chunk
from autoclass.errors import AutoclassError
from autoclass.model import Model
from autoclass.persistence import METADATA, default_model_dir, load_model

ENGINES: tuple[str, ...] = ("local", "dask")

_models: dict[tuple[str | None, bool, tuple[int, int, int] | None], Model] = {}
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
    # Keyed by trust too: a model loaded on trust must not serve a call without it; and by the
    # metadata file's identity, so that a long-lived Dask worker loads a model retrained in place.
    key = (path, trust, _stamp(path))
    with _models_lock:
        model = _models.get(key)
        if model is None:
            for old in [k for k in _models if k[:2] == key[:2]]:
                del _models[old]
            model = _models[key] = load_model(path, trust=trust)
        return model


def _stamp(path: str | None) -> tuple[int, int, int] | None:
    directory = default_model_dir() if path is None else Path(path).expanduser()
    try:
        st = os.stat(directory / METADATA)  # written last by save_model, by a rename
    except OSError:
        return None  # load_model says what is wrong
    return st.st_ino, st.st_size, st.st_mtime_ns


def _init_worker(model_path: str | None, options: RecordOptions, trust: bool, parent: int) -> None:
    end_with_parent(parent)  # a killed main process must not leave its workers waiting forever
    # Ctrl-C reaches the whole process group: the main process alone decides
    # what to do, and a SIGTERM handler inherited by fork must not linger.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Started with both blocked (_signals_held), so that neither could reach the main process's handlers here.
    if hasattr(signal, "pthread_sigmask"):  # not on Windows
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
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
    # so workers start at once; it is only safe while no other thread runs, and
    # on Linux: macOS offers fork, but its system libraries may crash a forked
    # child (Python starts processes there by spawning since 3.8).
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _abort(executor: ProcessPoolExecutor) -> None:
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        process.kill()  # a worker holds nothing to save, and may not have set its own handlers yet
    for process in processes:
        process.join(timeout=5)
    # The pool's own thread can be left waiting for ever on a pipe a killed worker was writing a
    # result into (cut midway), and joining it at exit hangs the run after its last message (seen in
    # 2 runs of 150 stopped by Ctrl-C on a loaded machine; made at will by killing a worker midway
    # through sending its result). This process holds the other end of that pipe: closed, the wait
    # ends, and the thread cleans the broken pool up, the call queue's pipe too (closed here as well,
    # it raced with that thread: "Bad file descriptor" tracebacks after the run's last line, in 2
    # runs of 40 stopped by SIGTERM, and a descriptor closed twice). (CPython's own attributes,
    # looked up with care.)
    manager = getattr(executor, "_executor_manager_thread", None)
    if isinstance(manager, threading.Thread):
        _quiet(manager)  # what it meets from here on is of no use
    writer = getattr(getattr(executor, "_result_queue", None), "_writer", None)
    if writer is not None:
        writer.close()
    call_queue = getattr(executor, "_call_queue", None)
    if call_queue is not None:
        call_queue.cancel_join_thread()  # its feeder may wait on a pipe no worker reads any more
    executor.shutdown(wait=False, cancel_futures=True)
    if isinstance(manager, threading.Thread) and manager is not threading.current_thread():
        manager.join(timeout=5)


def _quiet(thread: threading.Thread) -> None:
    """Drop the ``OSError`` that ``thread`` ends on, instead of printing its traceback."""
    previous = threading.excepthook

    def hook(args: Any) -> None:
        if args.thread is thread and isinstance(args.exc_value, OSError):
            return
        previous(args)

    threading.excepthook = hook


_HELD = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back (blocked, not ignored) while worker processes may be started.

    A new worker inherits the main process's handlers (a Ctrl-C would be a
    traceback there) and its blocked signals: it sets its own handlers, then
    unblocks them.  A signal that came meanwhile is delivered here on leaving.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)


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
            # A submit may start worker processes; a Ctrl-C meanwhile waits, and reaches this process alone.
            with _signals_held():
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


def check_engine(model_path: str | None, *, engine: str, scheduler: str | None, trust: bool) -> str | None:
    """Load the model the workers will use, and check the engine's extra, here and now.

    Run before the output is opened: a missing or untrusted model, a missing
    ``dask`` extra, a cluster out of reach or without workers must stop a
    run before it empties an output of an earlier run. The local workers
    share the loaded model (see :func:`cached_model`); a remote cluster's
    workers load their own, and each of them is asked to load it now.

    Returns
    -------
    str or None
        For a cluster given by address: the sha256 of the model its workers
        load (the same on every worker), which the run description records.

    Raises
    ------
    AutoclassError
        If the model cannot be loaded (here, or on a worker of the cluster),
        the workers load different models, or ``dask[distributed]`` is missing.
    SchedulerUnreachableError
        If the scheduler cannot be reached or has no worker.
    """
    if engine == "dask":
        distributed = _distributed()
        if scheduler is not None:
            return _check_cluster(distributed, scheduler, model_path, trust)
    cached_model(model_path, trust=trust)
    return None


#: Seconds to wait for a scheduler to answer, and for it to have a worker.
CLUSTER_TIMEOUT = 30
# Times a chunk whose worker died (its scattered data lost with it) is sent to the cluster again.
RESUBMITS = 3


def _connect(distributed: Any, scheduler: str) -> Any:
    # Client's timeout bounds the TCP connect, not distributed's handshake after it: a server that
    # accepts and never answers (an HTTP server, the dashboard's port) held the run forever. The
    # client is made in a daemon thread given a deadline; one still waiting is left to the exit.
    made: dict[str, Any] = {}

    def make() -> None:
        try:
            made["client"] = distributed.Client(scheduler, timeout=CLUSTER_TIMEOUT)
        except BaseException as exc:  # noqa: BLE001 - raised below, in the calling thread
            made["error"] = exc

    maker = threading.Thread(target=make, name="autoclass-dask-connect", daemon=True)
    maker.start()
    maker.join(CLUSTER_TIMEOUT + 5)
    if maker.is_alive():
        raise SchedulerUnreachableError(
            f"{scheduler} accepts connections but does not answer as a Dask scheduler within "
            f"{CLUSTER_TIMEOUT} s; check the address (a scheduler listens on port 8786 unless told "
            "otherwise; 8787 is its dashboard)"
        )
    exc = made.get("error")
    if isinstance(exc, (OSError, ValueError, TypeError)):  # refused or timed out; a malformed address
        raise SchedulerUnreachableError(
            f"cannot reach the Dask scheduler at {scheduler} ({exc}); "
            "check the address and that the scheduler is running"
        ) from exc
    if exc is not None:
        raise exc
    return made["client"]


def _worker_model(model_path: str | None, trust: bool) -> tuple[str, str]:
    """On a worker: ("ok", the model's sha256), or ("error", why it cannot be loaded there)."""
    try:
        model = cached_model(model_path, trust=trust)
    except Exception as exc:  # noqa: BLE001 - said on the client, with the worker's name
        return "error", str(exc)
    return "ok", str(model.metadata.get("artifact_sha256"))


def _check_cluster(distributed: Any, scheduler: str, model_path: str | None, trust: bool) -> str:
    client = _connect(distributed, scheduler)
    try:
        try:
            client.wait_for_workers(1, timeout=CLUSTER_TIMEOUT)
        except (TimeoutError, OSError) as exc:
            raise SchedulerUnreachableError(
                f"the Dask scheduler at {scheduler} has no worker after {CLUSTER_TIMEOUT} s: "
                f"start workers with `dask worker {scheduler}`"
            ) from exc
        try:
            answers = client.run(_worker_model, model_path, trust)
        except Exception as exc:  # noqa: BLE001 - a worker without autoclass, one that died meanwhile
            raise SchedulerUnreachableError(
                f"the Dask workers at {scheduler} cannot run autoclass ({type(exc).__name__}: {exc}); "
                "install autoclass-news on every worker"
            ) from exc
    finally:
        client.close()
    for worker, (status, said) in sorted(answers.items()):
        if status == "error":
            raise AutoclassError(f"on the Dask worker {worker}: {said}")
    models = {said for _, said in answers.values()}
    if len(models) > 1:
        raise AutoclassError(
            f"the Dask workers at {scheduler} load {len(models)} different models: give --model, or set "
            "the same AUTOCLASS_MODEL on every worker"
        )
    return models.pop()


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
        # Ignored while the cluster starts its worker processes, which inherit that (a blocked
        # signal does not reach them: distributed starts them from another thread), so that
        # the main process alone stops the run; a Ctrl-C in those seconds is lost.
        with _sigint_ignored():
            cluster = distributed.LocalCluster(
                n_workers=jobs,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                # Any free port for the scheduler's web server (its default, 8787, warned when taken).
                dashboard_address="127.0.0.1:0",
                scheduler_kwargs={"dashboard": False},
                silence_logs=logging.ERROR,
            )
        client = distributed.Client(cluster)
    else:
        client = _connect(distributed, scheduler)
    pending: deque = deque()
    tornado_log = logging.getLogger("tornado.application")
    tornado_log.addFilter(_not_a_cancel_before_start)
    # The client logs its failed reconnections with their tracebacks; a lost run is said in one line.
    client_log = logging.getLogger("distributed.client")
    client_level = client_log.level
    client_log.setLevel(logging.CRITICAL)
    scheduler_log = logging.getLogger("distributed.scheduler")
    scheduler_log.addFilter(_not_lost_scattered_data)
    try:
        limit = window or 2 * max(1, sum(client.nthreads().values()))

        def submit(chunk: Chunk) -> Any:
            # Scattered first: a chunk passed to submit() stays in the client's and the
            # scheduler's memory after its task ends, which grew with the input.
            data = client.scatter(chunk, hash=False)
            return client.submit(_dask_task, data, model_path, options, trust, pure=False)

        for chunk in chunks:
            pending.append([chunk, submit(chunk)])
            if len(pending) >= limit:
                yield _first_result(pending, submit, client)
        while pending:
            yield _first_result(pending, submit, client)
    except KeyboardInterrupt:
        _quiet_half_built_futures()
        raise
    finally:
        if pending:
            client.cancel([future for _, future in pending])
        client.close()
        if cluster is not None:
            cluster.close()
        tornado_log.removeFilter(_not_a_cancel_before_start)
        scheduler_log.removeFilter(_not_lost_scattered_data)
        client_log.setLevel(client_level)


def _first_result(pending: deque, submit: Callable[[Chunk], Any], client: Any) -> ChunkResult:
    """The result of the first chunk in flight, taken off ``pending`` (``[chunk, future]`` pairs).

    Scattered data has no recipe to rebuild it: when the worker that held a
    chunk dies, the chunk's task is cancelled, not rerun, though the cluster
    goes on. Such a chunk is sent again (``RESUBMITS`` times at most) while
    the client is still connected; other losses stop the run.
    """
    chunk, future = pending[0]
    for _ in range(RESUBMITS):
        try:
            future.result()
            break
        except Exception as exc:  # noqa: BLE001 - told apart below; the last try's error is raised
            if not (_cancelled(exc) and client.status == "running"):
                break
            future = pending[0][1] = submit(chunk)
    pending.popleft()
    return _result(future)


def _cancelled(error: Exception) -> bool:
    """Whether a task's error is its cancellation by the scheduler (its input lost), not a lost scheduler."""
    return isinstance(error, CancelledError) and "scheduler-connection-lost" not in str(error)


def _result(future: Any) -> ChunkResult:
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a task never fails (records fail alone): the cluster did
        said = " ".join(str(exc).split())  # one line: distributed's messages run over several
        raise WorkerCrashedError(f"the Dask cluster lost the run ({type(exc).__name__}: {said})") from exc


def _not_lost_scattered_data(record: logging.LogRecord) -> bool:
    """False for a local scheduler's error that a dead worker took chunks with it: they are sent again."""
    return "lose scattered data" not in record.getMessage()


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
