"""`newsetl ingest --task-runner dask`: parse batches on a 2-worker Dask LocalCluster, one writer."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from flows.ingest import ingest
from tests.conftest import ROOT, corpus_records, ingest_cmd
from tests.flows.test_parallel import rows


def test_dask_local_cluster_gives_the_rows_of_one_process(tmp_path: Path, proc_env: dict[str, str]) -> None:
    src = tmp_path / "wires.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in corpus_records("fakes_syria", limit=24)), encoding="utf-8")
    local, on_dask = tmp_path / "local.duckdb", tmp_path / "dask.duckdb"
    ingest(paths=[str(src)], db=str(local), batch_size=8, workers=1, export=False)

    cmd = ingest_cmd(src, on_dask, "--task-runner", "dask", "--workers", "2")
    done = subprocess.run(cmd, cwd=ROOT, env=proc_env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Creating a new Dask cluster with `flows.dask_runner.local_cluster`" in done.stderr
    assert "inputs: 24 = 24 new" in done.stdout
    assert rows(on_dask) == rows(local)
