"""`newsetl ingest --task-runner dask`: parse batches on a 2-worker Dask LocalCluster, one writer."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.ingest import ingest
from flows.runtime import processes
from flows.runtime.dask_runner import task_runner
from tests.conftest import LOOPBACK, ROOT, corpus_records, ingest_cmd, listening_addresses
from tests.flows.runtime.test_parallel import rows


def test_dask_local_cluster_gives_the_rows_of_one_process(tmp_path: Path, proc_env: dict[str, str]) -> None:
    src = tmp_path / "wires.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in corpus_records("fakes_syria", limit=24)), encoding="utf-8")
    local, on_dask = tmp_path / "local.duckdb", tmp_path / "dask.duckdb"
    ingest(paths=[str(src)], db=str(local), batch_size=8, workers=1, export=False)

    cmd = ingest_cmd(src, on_dask, "--task-runner", "dask", "--workers", "2")
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with open(out, "w") as fo, open(err, "w") as fe:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=proc_env, stdout=fo, stderr=fe, text=True)
    seen: dict[tuple[str, int], str] = {}
    try:
        while proc.poll() is None:  # every socket the run's processes listen on, while it runs
            seen.update(listening_addresses(proc.pid))
            time.sleep(0.1)
    finally:
        proc.kill()
        proc.wait()
    stdout, stderr = out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")
    assert proc.returncode == 0, stderr[-3000:]
    assert "Creating a new Dask cluster with `flows.runtime.dask_runner.local_cluster`" in stderr
    assert "inputs: 24 = 24 new" in stdout
    assert rows(on_dask) == rows(local)
    assert seen and not {addr: cmd for addr, cmd in seen.items() if addr[0] not in LOOPBACK}


def test_everything_a_dask_run_starts_listens_on_loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The LocalCluster as the runner makes it (scheduler, nannies, workers, their dashboards) and
    the temporary Prefect server a run starts when PREFECT_API_URL is unset: 127.0.0.1 only."""
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with (
        temporary_settings(restore_defaults={PREFECT_API_URL}),  # not the test session's server: a run's own
        processes.prefect_api(),
        task_runner(None, 2) as runner,
    ):
        client = runner.client
        client.wait_for_workers(2, timeout=300)
        found = listening_addresses(os.getpid())
        scheduler = urlsplit(client.scheduler.address).port
        dashboard = urlsplit(client.dashboard_link).port
        api = urlsplit(os.environ["PREFECT_API_URL"]).port
    ports = {port for _, port in found}
    assert {scheduler, dashboard, api} <= ports
    assert len(found) >= 2 + 2 * 2 + 2  # scheduler and its dashboard, each worker and its dashboard, the nannies
    exposed = {addr: cmd for addr, cmd in found.items() if addr[0] not in LOOPBACK}
    assert not exposed
