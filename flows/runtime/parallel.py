"""Parse batches on every core: a pool of worker processes, each loading the model once.

The flow stays in the main process (one Prefect task per batch, run in a thread that waits on the
pool); workers run only the pure parse (`transforms.pipeline.parse_batch_safely`), so they need no
Prefect server of their own. Workers are started with `spawn`: the main process runs Prefect's
threads, and forking a threaded process can deadlock.

On Ctrl-C or SIGTERM (flows/runtime/processes.py) the workers are killed, not waited for: the threads
waiting on them raise `Interrupted` at once, and so does a parse running in this process.
"""

from __future__ import annotations

import atexit
import ctypes
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from flows.runtime import processes
from flows.runtime.cache import use_cached_resources
from flows.runtime.processes import Interrupted

if TYPE_CHECKING:  # only for annotations: Settings asks this module for the core count, and must
    # not pull spaCy in with it (every `newsetl sql` would pay half a second for nothing)
    from transforms.articles import RawDocument
    from transforms.inputs import Reject
    from transforms.rows import ParsedBatch

_POOLS: dict[tuple[str | None, int], ProcessPoolExecutor] = {}
# Parse tasks run in Prefect's worker threads, several at once: without the lock, two of them could
# each start a pool (and load the model in twice as many processes).
_POOLS_LOCK = threading.Lock()


def default_workers() -> int:
    """One worker per core this process may use (64 at most: the settings' limit)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 64))


def pool(model: str | None, workers: int) -> ProcessPoolExecutor:
    key = (model, workers)
    with _POOLS_LOCK:
        if processes.interrupted():  # a parse task that starts after Ctrl-C starts nothing
            raise Interrupted("parse not started: the run was interrupted")
        if key not in _POOLS:
            # BLIS and OpenBLAS threads would fight the other workers for the same cores; a spawned
            # worker inherits this before it loads numpy (its initializer would be too late).
            os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
            _POOLS[key] = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_warm_up,
                initargs=(model, os.getpid()),
            )
        return _POOLS[key]


def parse(
    docs: list[RawDocument], model: str | None, nlp_batch_size: int, workers: int
) -> tuple[ParsedBatch, list[Reject]]:
    """Parse on the pool of `workers` processes, or here in this thread when `workers` is 1."""
    if workers > 1:
        return parse_in_pool(docs, model, nlp_batch_size, workers)
    return _parse_here(docs, model, nlp_batch_size)


def parse_in_pool(
    docs: list[RawDocument], model: str | None, nlp_batch_size: int, workers: int
) -> tuple[ParsedBatch, list[Reject]]:
    """The batch cut into one contiguous share per worker, parsed side by side and put back in order:
    every worker has its share of each batch, so none idles while another finishes the run's last
    batch (with one batch per worker, the last one ran alone for up to a batch's time)."""
    from transforms.pipeline import concat_batches

    size = max(1, -(-len(docs) // workers))
    shares = [docs[i : i + size] for i in range(0, len(docs), size)] or [docs]
    # Workers are started by the thread that submits: they inherit its block of SIGINT, so a
    # terminal's Ctrl-C reaches only the main process, which kills them (no traceback from each).
    with processes.shielded():
        executor = pool(model, workers)
        futures = [executor.submit(_parse, share, model, nlp_batch_size) for share in shares]
    try:
        done = [future.result() for future in futures]
    except (BrokenProcessPool, CancelledError):
        # On an interrupt the pool is killed: a running share breaks, a queued one is cancelled.
        if processes.interrupted():
            raise Interrupted("parse stopped: the run was interrupted") from None
        raise
    return concat_batches([batch for batch, _ in done]), [reject for _, rejects in done for reject in rejects]


# Threads parsing in this process (workers=1), and whether each was told to stop.
_HERE: dict[int, bool] = {}
_HERE_LOCK = threading.Lock()


def _parse_here(docs: list[RawDocument], model: str | None, nlp_batch_size: int) -> tuple[ParsedBatch, list[Reject]]:
    """A parse in this process cannot be killed: on an interrupt, `Interrupted` is raised in its
    thread (between two Python steps of the parse), so the run does not wait for the batch."""
    from transforms.nlp import load_pipeline
    from transforms.pipeline import parse_batch_safely

    ident = threading.get_ident()
    with _HERE_LOCK:
        if processes.interrupted():
            raise Interrupted("parse not started: the run was interrupted")
        _HERE[ident] = False
    try:
        use_cached_resources()  # here, so that an interrupt stops a first build of the cache too
        return parse_batch_safely(load_pipeline(model), docs, nlp_batch_size)
    finally:
        with _HERE_LOCK:
            told = _HERE.pop(ident)
        if told:  # the exception sent may still be pending: take it back, raise it here instead
            _set_async_exc(ident, None)
            raise Interrupted("parse stopped: the run was interrupted")


def _set_async_exc(ident: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exc) if exc else None)


def terminate() -> None:
    """On an interrupt: kill the workers (their batches are lost, and redone by the next run) and
    stop the parses running in this process."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for p in pools:
        for proc in list((getattr(p, "_processes", None) or {}).values()):
            proc.kill()
        p.shutdown(wait=False, cancel_futures=True)
    with _HERE_LOCK:
        for ident, told in _HERE.items():
            if not told:
                _HERE[ident] = True
                _set_async_exc(ident, Interrupted)


processes.on_interrupt(terminate)


def shutdown() -> None:
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for p in pools:
        p.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)


def _warm_up(model: str | None, parent: int) -> None:
    _exit_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which kills us
    # BLIS and OpenBLAS threads would fight the other workers for the same cores.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import logging

    from flows.runtime.steps import LOG_DATEFMT, LOG_FORMAT

    # A worker's warnings (the parse cache's) look like its run's lines, not bare (no-op if set up).
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT, datefmt=LOG_DATEFMT)
    from transforms.nlp import load_pipeline
    from transforms.pipeline import warm_up_resources

    use_cached_resources()
    warm_up_resources(load_pipeline(model))


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent was killed (SIGKILL gives it no chance to stop its pool) would wait on
    its queue forever, holding a model in memory: it checks twice a second and leaves. The parent's
    pid comes from the parent, since it may already be gone by the time this worker has started."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _parse(docs: list[RawDocument], model: str | None, nlp_batch_size: int) -> tuple[ParsedBatch, list[Reject]]:
    from transforms.nlp import load_pipeline
    from transforms.pipeline import parse_batch_safely

    use_cached_resources()  # a Dask worker's first batch builds or reads it; later ones find it done
    return parse_batch_safely(load_pipeline(model), docs, nlp_batch_size)
