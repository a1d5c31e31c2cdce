"""Scheduled runs on a real Prefect server: the stack `newsetl server` starts, from prefect.yaml."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import httpx

from flows.cli.main import main, ready_message
from flows.runtime import server
from tests.conftest import LOOPBACK, ROOT, SEED, listening_addresses


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_hourly_deployment_runs_on_a_real_server(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEED, inbox / SEED.name)
    db = tmp_path / "warehouse.duckdb"

    stack = server.start(tmp_path / "prefect", server.free_port(), worker_poll_seconds=1)
    pids = [p.pid for p in stack.processes.values()]
    try:
        with httpx.Client(base_url=stack.api_url) as api:
            hourly = api.get("/deployments/name/ingest/hourly").json()
            assert hourly["schedules"][0]["schedule"]["cron"] == "0 * * * *"
            assert hourly["work_pool_name"] == server.POOL and hourly["parameters"]["paths"] == ["inbox"]
            assert api.get("/deployments/name/ingest/on-demand").status_code == 200

        # paths and db overridden for this run only, as an operator would for a backfill.
        run_id = server.trigger(stack.api_url, "ingest/hourly", {"paths": [str(inbox)], "db": str(db)})
        state = server.wait_for(stack.api_url, run_id, timeout=600)
        assert state == "COMPLETED", (stack.logs / "worker.log").read_text()[-3000:]

        with duckdb.connect(str(db), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM v_articles").fetchone()[0] == 1
            assert con.execute("SELECT count(*) FROM v_figures").fetchone()[0] == 2
            [(flow_run_id,)] = con.execute("SELECT flow_run_id FROM v_ingest_runs").fetchall()
        assert flow_run_id == run_id  # the warehouse's run record points at the server's flow run
        assert (tmp_path / "exports" / "warehouse.duckdb").exists()

        # The command `newsetl server` shows reaches this server on its own port (not 4200).
        hint = ready_message(stack.port, stack.api_url, stack.logs)
        assert f"newsetl trigger hourly --port {stack.port}" in hint
        command = hint.split("run now:", 1)[1].split("(", 1)[0].split()
        assert command[:2] == ["newsetl", "trigger"]
        assert main([*command[1:], "--no-wait"]) == 0
        assert ready_message(4200, stack.api_url, stack.logs).count("--port") == 0

        # `newsetl ingest` with this Prefect home reports to this server: no temporary one of its own.
        env = {k: v for k, v in stack.env.items() if k != "PREFECT_API_URL"}
        direct = tmp_path / "direct.duckdb"
        done = subprocess.run(
            [sys.executable, "-m", "flows.cli.main", "ingest", str(SEED), "--db", str(direct), "--no-export", "--no-progress"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert f"reporting to the running newsetl server at {stack.api_url}" in done.stderr
        with duckdb.connect(str(direct), read_only=True) as con:
            [(direct_run,)] = con.execute("SELECT flow_run_id FROM v_ingest_runs").fetchall()
        with httpx.Client(base_url=stack.api_url) as api:
            run = api.get(f"/flow_runs/{direct_run}").json()
        assert run["state"]["type"] == "COMPLETED" and run["name"]

        # The server and the worker (and whatever they started) listen on 127.0.0.1 only.
        found = {addr: cmd for pid in pids for addr, cmd in listening_addresses(pid).items()}
        assert ("127.0.0.1", stack.port) in found
        assert not {addr: cmd for addr, cmd in found.items() if addr[0] not in LOOPBACK}
    finally:
        server.stop(stack)
    assert not any(_alive(pid) for pid in pids)
    assert not (stack.home / server.MARKER).exists()  # a stopped server is not reported to


def test_a_stale_or_foreign_marker_is_not_used(tmp_path: Path) -> None:
    """A marker left by a killed server, one whose port does not answer, one others could have
    written, or one naming another host means a temporary server; none crashes the run."""
    marker = tmp_path / server.MARKER
    assert server.running(tmp_path) is None  # none
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    marker.write_text(json.dumps({"port": server.free_port(), "pid": gone.pid}))
    assert server.running(tmp_path) is None  # its process is gone
    marker.write_text(json.dumps({"port": server.free_port(), "pid": os.getpid()}))
    assert server.running(tmp_path) is None  # alive, but nothing answers there
    for bad in ("abc", "4200@192.0.2.2:80", -1, 70000, None):
        marker.write_text(json.dumps({"port": bad, "pid": os.getpid(), "api_url": "http://192.0.2.2/api"}))
        assert server.running(tmp_path) is None  # only a port is read, and the host is always 127.0.0.1
    marker.write_text("{not json")
    assert server.running(tmp_path) is None


def test_a_marker_others_can_write_is_not_read(tmp_path: Path) -> None:
    """Even naming a live server: a marker file anyone could have written is not trusted."""
    import http.server
    import threading

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        marker = tmp_path / server.MARKER
        marker.write_text(json.dumps({"port": httpd.server_address[1], "pid": os.getpid()}))
        marker.chmod(0o600)
        assert server.running(tmp_path) == f"http://127.0.0.1:{httpd.server_address[1]}/api"
        marker.chmod(0o666)
        assert server.running(tmp_path) is None
    finally:
        httpd.shutdown()
