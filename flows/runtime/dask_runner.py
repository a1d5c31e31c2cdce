"""Scale-out: the parse batches on a Dask cluster through prefect-dask; loading stays here, one writer.

`newsetl ingest --task-runner dask` makes a LocalCluster (one worker process per core, one thread
each), all of it (scheduler, nannies, workers, dashboards) listening on 127.0.0.1 only, on free
ports; `--dask-address tcp://HOST:8786` uses an existing cluster, whose workers must have newsetl
and its model installed (`pip install -e .` in the same version). Each worker loads the model once,
on its first batch, and keeps it. The run's temporary Prefect server (flows/runtime/processes.py) is shared
with the workers: they inherit PREFECT_API_URL, so none starts a server of its own.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from flows.runtime import processes

_CLUSTERS: weakref.WeakSet[Any] = weakref.WeakSet()
LOOPBACK = "127.0.0.1"


def task_runner(address: str | None, workers: int) -> Any:
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_class=local_cluster,
        cluster_kwargs={
            "n_workers": workers,
            "threads_per_worker": 1,
            "processes": True,
            "host": LOOPBACK,
            "dashboard_address": f"{LOOPBACK}:0",  # distributed's default is every interface, port 8787
            "worker_dashboard_address": f"{LOOPBACK}:0",
            "preload": ["flows.runtime.dask_runner"],  # each worker runs `dask_setup` below
        },
    )


def dask_setup(worker: Any) -> None:
    """In each worker process of our LocalCluster: a terminal's Ctrl-C is for the run, which stops
    the workers itself (else each prints its KeyboardInterrupt traceback)."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def local_cluster(**kwargs: Any) -> Any:
    """A LocalCluster whose processes do not see a terminal's Ctrl-C (flows/runtime/processes.py `shielded`):
    the run stops them itself, instead of each printing its own traceback. Like every process of
    the run, they end when it ends, however it ends."""
    from distributed import LocalCluster

    with processes.shielded():
        cluster = LocalCluster(**kwargs)
    _CLUSTERS.add(cluster)
    processes.on_interrupt(_no_restarts)
    return cluster


def _no_restarts() -> None:
    """On an interrupt the worker processes are killed: their nannies must not start new ones, and
    the scheduler's complaints about the streams that broke (each with a traceback) are expected."""
    if not _CLUSTERS:
        return
    for name in ["distributed", *logging.Logger.manager.loggerDict]:
        if name.startswith("distributed"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    for cluster in list(_CLUSTERS):
        for nanny in list(getattr(cluster, "workers", {}).values()):
            if hasattr(nanny, "close_gracefully"):
                nanny.close_gracefully(reason="newsetl interrupted")
