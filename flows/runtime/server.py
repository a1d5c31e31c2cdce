"""Scheduled runs: a real Prefect server on 127.0.0.1, the process work pool, the deployments of
`prefect.yaml`, and a worker, started and stopped together.

`newsetl server` runs this in the foreground for people; the integration test runs the same code.
Every process is started in its own session, so stopping it by PID also stops what it started
(uvicorn under the server, flow runs under the worker).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from flows.config.errors import NewsetlError
from flows.config.settings import PROJECT_DIR
from flows.runtime.cache import owned_privately

POOL = "newsetl-local"
HOST = "127.0.0.1"
# Written into the Prefect home by a running `newsetl server`, so that `newsetl ingest` and `rebuild`
# with the same home report to it instead of starting a temporary server of their own (10-20 s).
MARKER = "newsetl-server.json"
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


class ServerFailed(NewsetlError):
    pass


@dataclass
class Stack:
    home: Path
    port: int
    env: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.port}/api"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((HOST, port)) == 0


def environment(home: Path, port: int, worker_poll_seconds: float = 5.0) -> dict[str, str]:
    """The environment of every process of the stack: its own Prefect home, loopback API, no telemetry."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_API_URL=f"http://{HOST}:{port}/api",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_WORKER_QUERY_SECONDS=str(worker_poll_seconds),
        # prefect.yaml's pull step runs flows from this checkout, wherever it is.
        NEWSETL_PROJECT_DIR=str(PROJECT_DIR),
    )
    return env


def start(
    home: Path,
    port: int = 4200,
    logs: Path | None = None,
    worker_poll_seconds: float = 5.0,
    echo: Any = None,
) -> Stack:
    """Server, pool, deployments, worker. On any failure, whatever was started is stopped again."""
    if port_in_use(port):
        raise ServerFailed(f"port {port} on {HOST} is taken: stop what runs there or pass --port")
    home.mkdir(parents=True, exist_ok=True)
    stack = Stack(home, port, environment(home, port, worker_poll_seconds), logs or home / "logs")
    stack.logs.mkdir(parents=True, exist_ok=True)
    say = echo or (lambda msg: None)
    try:
        say(f"starting the Prefect server on {stack.api_url} (PREFECT_HOME={home})")
        _spawn(stack, "server", ["server", "start", "--host", HOST, "--port", str(port)])
        wait_healthy(stack, timeout=120)
        say(f"creating the work pool {POOL}")
        _prefect(stack, ["work-pool", "create", POOL, "--type", "process", "--overwrite"])
        say("deploying prefect.yaml")
        _prefect(stack, ["--no-prompt", "deploy", "--all"])
        say(f"starting a worker on {POOL}")
        # One flow run at a time: DuckDB has one writer, and the schedule and a person may start runs together.
        _spawn(stack, "worker", ["worker", "start", "--pool", POOL, "--type", "process", "--limit", "1"])
        (PROJECT_DIR / "inbox").mkdir(exist_ok=True)  # the hourly deployment's default input
        _announce(stack)
    except BaseException:
        stop(stack)
        raise
    return stack


def stop(stack: Stack, timeout: float = 10.0) -> None:
    """Stop the worker, then the server (so the worker does not lose its API mid-shutdown): SIGTERM
    to each process group we started (by PID), SIGKILL after `timeout` seconds."""
    _withdraw(stack)
    for name in ("worker", "server"):
        proc = stack.processes.get(name)
        if proc is None:
            continue
        if proc.poll() is None:
            _signal_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait()
        _signal_group(proc.pid, signal.SIGKILL)  # children that outlived their parent, if any


def _announce(stack: Stack) -> None:
    marker = stack.home / MARKER
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(json.dumps({"api_url": stack.api_url, "pid": os.getpid(), "port": stack.port}))
    tmp.chmod(0o600)
    tmp.replace(marker)


def _withdraw(stack: Stack) -> None:
    with contextlib.suppress(OSError, ValueError):
        marker = stack.home / MARKER
        if json.loads(marker.read_text()).get("pid") == os.getpid():
            marker.unlink()


def running(home: Path) -> str | None:
    """The API of the `newsetl server` running with this Prefect home, if one is up and answers now;
    else None (no server, or a marker left by one that was killed). Only a marker of this user's
    own that nobody else can write to is read, and only its port is taken: the API is always on
    127.0.0.1."""
    marker = home / MARKER
    try:
        info = marker.lstat()
        if not (stat.S_ISREG(info.st_mode) and owned_privately(info)):
            return None
        found = json.loads(marker.read_text())
        port, pid = int(found["port"]), int(found["pid"])
        if not 0 < port < 65536 or pid <= 0:
            return None
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    api_url = f"http://{HOST}:{port}/api"
    try:
        return api_url if httpx.get(f"{api_url}/health", timeout=2).status_code == 200 else None
    except (httpx.HTTPError, httpx.InvalidURL):
        return None


def wait_healthy(stack: Stack, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    server = stack.processes["server"]
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerFailed(f"the Prefect server exited ({server.returncode}): {_tail(stack.logs / 'server.log')}")
        try:
            if httpx.get(f"{stack.api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise ServerFailed(f"the Prefect server did not answer within {timeout:.0f} s: {_tail(stack.logs / 'server.log')}")


def trigger(api_url: str, deployment: str, parameters: Mapping[str, Any] | None = None) -> str:
    """Start a run of `flow/deployment` (e.g. "ingest/hourly"); returns the flow run id."""
    flow_name, _, name = deployment.partition("/")
    with httpx.Client(base_url=api_url, timeout=30) as client:
        found = client.get(f"/deployments/name/{flow_name}/{name}")
        if found.status_code == 404:
            raise ServerFailed(f"no deployment {deployment!r} on {api_url}: run `prefect deploy --all` first")
        found.raise_for_status()
        created = client.post(
            f"/deployments/{found.json()['id']}/create_flow_run", json={"parameters": dict(parameters or {})}
        )
        created.raise_for_status()
        return str(created.json()["id"])


def wait_for(api_url: str, flow_run_id: str, timeout: float) -> str:
    """The flow run's final state type (COMPLETED, FAILED...), polling the API."""
    deadline = time.monotonic() + timeout
    state = "?"
    with httpx.Client(base_url=api_url, timeout=30) as client:
        while time.monotonic() < deadline:
            run = client.get(f"/flow_runs/{flow_run_id}").json()
            state = (run.get("state") or {}).get("type") or "?"
            if state in FINAL_STATES:
                return str(state)
            time.sleep(1)
    raise ServerFailed(f"flow run {flow_run_id} still {state} after {timeout:.0f} s")


def _spawn(stack: Stack, name: str, args: list[str]) -> None:
    log: IO[bytes] = open(stack.logs / f"{name}.log", "ab")  # noqa: SIM115 - the process keeps it
    stack.processes[name] = subprocess.Popen(
        [_prefect_bin(), *args],
        cwd=PROJECT_DIR,
        env=stack.env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as one, and deaf to the terminal's Ctrl-C
    )
    log.close()


def _prefect(stack: Stack, args: list[str]) -> None:
    done = subprocess.run(
        [_prefect_bin(), *args], cwd=PROJECT_DIR, env=stack.env, capture_output=True, text=True, timeout=300
    )
    with open(stack.logs / "setup.log", "a", encoding="utf-8") as log:
        log.write(f"$ prefect {' '.join(args)}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ServerFailed(f"`prefect {' '.join(args)}` failed: {last[0]} (see {stack.logs / 'setup.log'})")


def _prefect_bin() -> str:
    local = Path(sys.executable).parent / "prefect"
    return str(local) if local.exists() else "prefect"


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(pid, sig)


def _tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return "no log"
    return " | ".join(text[-lines:]) or "no output"
