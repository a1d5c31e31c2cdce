"""Scale-out: the parse batches on a Dask cluster through prefect-dask; loading stays here, one writer.

`newsetl ingest --task-runner dask` makes a LocalCluster (one worker process per core, one thread
each), all of it (scheduler, nannies, workers, dashboards) listening on 127.0.0.1 only, on free
ports; `--dask-address tcp://HOST:8786` uses an existing cluster, whose workers must have newsetl
and its model installed (`pip install -e .` in the same version). Each worker loads the model once,
on its first batch, and keeps it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LOOPBACK = "127.0.0.1"


def task_runner(address: str | None, workers: int) -> Any:
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": workers,
            "threads_per_worker": 1,
            "processes": True,
            "host": LOOPBACK,
            "dashboard_address": f"{LOOPBACK}:0",  # distributed's default is every interface, port 8787
            "worker_dashboard_address": f"{LOOPBACK}:0",
        }
    )


@contextmanager
def shared_prefect_api() -> Iterator[None]:
    """Dask workers are processes of their own: with no Prefect API set, each would start its own
    temporary server on the same SQLite file (and lock it). One temporary server is started here
    and every process of the run, workers included (they inherit the environment), uses it.
    Prefect's SubprocessASGIServer listens on 127.0.0.1 only."""
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = SubprocessASGIServer()
    server.start(timeout=120)  # stopped at exit (Prefect registers it), after the last logs are sent
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)
