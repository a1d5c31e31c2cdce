"""Ctrl-C, SIGTERM and SIGKILL of `newsetl ingest`: it stops within seconds, says so in one line,
records the run, frees the lock, keeps the loaded batches, and leaves no process behind (its own
temporary Prefect server, parse workers, Dask processes). Real processes, real signals.

Each run here has no PREFECT_API_URL, as a user's would: on these 48 articles (under 1 MB) it runs
without Prefect by default, and with `--prefect always` starts its own temporary Prefect server, in
one Prefect home kept for the module as a user's is kept (the first run sets its database up; a fresh
home is tested by the Ctrl-C during the server's start). Its processes are found by a unique marker in
their environment, which every child inherits.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from flows.store.lock import holder
from tests.conftest import ROOT, corpus_records, ingest_cmd

pytestmark = pytest.mark.slow

MARK = "XTEST_MARK"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """48 real articles, batches of 8: after its first batch a run has five more to parse, so it is
    mid-parse when signalled; the run that finishes what two interrupted runs left stays short."""
    src = tmp_path_factory.mktemp("lifecycle") / "wires.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for rec in corpus_records("fakes_syria", limit=48):
            fh.write(json.dumps(rec) + "\n")
    return src


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Prefect home for the module's runs, as a user keeps one: its database is set up once."""
    return tmp_path_factory.mktemp("prefect-home")


@dataclass
class Run:
    proc: subprocess.Popen[bytes]
    mark: str
    log: Path

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, text: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.stderr():
            assert self.proc.poll() is None, (
                f"exited ({self.proc.returncode}) before {text!r}:\n{self.stderr()[-3000:]}"
            )
            assert time.monotonic() < deadline, f"no {text!r} after {timeout} s:\n{self.stderr()[-3000:]}"
            time.sleep(0.1)

    def processes(self) -> list[int]:
        """Every live process carrying this run's marker: the command and all it started."""
        return processes_marked(self.mark)


def processes_marked(mark: str) -> list[int]:
    needle = f"{MARK}={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes() and (entry / "stat").read_text().rsplit(")", 1)[1].split()[
                0
            ] not in ("Z", "X"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def start(cmd: list[str], tmp_path: Path, name: str, home: Path | None = None) -> Run:
    """`newsetl ingest` in a session of its own (as a shell job would be), in Prefect home `home`
    (a fresh one if None)."""
    mark = uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSETL_", "PREFECT_API_URL"))}
    env.update({MARK: mark, "PREFECT_HOME": str(home or tmp_path / f"prefect-{name}")})
    log = tmp_path / f"{name}.stderr"
    with open(log, "wb") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    return Run(proc, mark, log)


@pytest.fixture
def runs() -> Iterator[list[Run]]:
    """Whatever a failing test leaves running is killed, so it cannot disturb the next."""
    started: list[Run] = []
    yield started
    for run in started:
        for pid in [run.proc.pid, *run.processes()]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        run.proc.wait(timeout=30)


def nothing_left(run: Run, timeout: float = 15) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := run.processes()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def run_rows(db: Path) -> list[tuple[str, str | None]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT status, error FROM ingest_runs ORDER BY started_at").fetchall()


def articles(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return int(con.execute("SELECT count(*) FROM articles").fetchall()[0][0])


WITHOUT_PREFECT = "runs without Prefect"  # the notice of a run that is not a flow run (flows/cli/main.py)


def stopped_cleanly(run: Run, code: int, signame: str) -> str:
    try:
        run.proc.wait(timeout=60)  # a bound against hangs, not a speed test
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running 60 s after {signame}:\n{run.stderr()[-3000:]}")
    err = run.stderr()
    assert run.proc.returncode == code, err[-3000:]
    assert "Traceback" not in err, err[-5000:]
    ours = [line for line in err.splitlines() if line.startswith("newsetl:") and WITHOUT_PREFECT not in line]
    assert len(ours) == 1 and ours[0].startswith("newsetl: interrupted"), ours
    assert err.rstrip().splitlines()[-1] == ours[0]  # the last word is ours
    assert not nothing_left(run), "a process of the run outlived it"
    return ours[0]


@pytest.mark.parametrize("prefect", ["auto", "always"])
def test_ctrl_c_then_sigterm_stop_at_once_record_the_run_and_keep_the_batches(
    tmp_path: Path, corpus: Path, home: Path, proc_env: dict[str, str], runs: list[Run], prefect: str
) -> None:
    """Without Prefect (the default here: a small input, no server) and as a Prefect flow run."""
    db = tmp_path / "w.duckdb"
    cmd = ingest_cmd(corpus, db, "--prefect", prefect)

    # Ctrl-C in a terminal signals the whole foreground process group, children included.
    run = start(cmd, tmp_path, "sigint", home)
    runs.append(run)
    run.wait_for("batch 1:")
    os.killpg(run.proc.pid, signal.SIGINT)
    line = stopped_cleanly(run, 130, "SIGINT")
    assert (WITHOUT_PREFECT in run.stderr(), "Starting temporary server" in run.stderr()) == (
        (True, False) if prefect == "auto" else (False, True)
    )
    assert "Ctrl-C" in line
    assert holder(db) is None
    first = articles(db)
    assert first >= 8  # the loaded batches are kept
    assert run_rows(db) == [("interrupted", "interrupted by Ctrl-C (SIGINT)")]

    # A service manager stops with SIGTERM, to the main process: the same clean stop.
    run = start(cmd, tmp_path, "sigterm", home)
    runs.append(run)
    run.wait_for("batch 1:")
    run.proc.send_signal(signal.SIGTERM)
    stopped_cleanly(run, 143, "SIGTERM")
    assert holder(db) is None
    second = articles(db)
    assert second > first
    assert run_rows(db)[-1] == ("interrupted", "interrupted by SIGTERM")

    # The next run does only the rest: what was loaded is recognised as unchanged.
    done = subprocess.run(cmd, cwd=ROOT, env=proc_env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"{second} unchanged" in done.stdout
    assert [r[0] for r in run_rows(db)] == ["interrupted", "interrupted", "completed"]


def test_ctrl_c_while_prefect_starts(tmp_path: Path, corpus: Path, runs: list[Run]) -> None:
    db = tmp_path / "w.duckdb"
    run = start(ingest_cmd(corpus, db, "--prefect", "always"), tmp_path, "startup")
    runs.append(run)
    run.wait_for("Starting temporary server")
    os.killpg(run.proc.pid, signal.SIGINT)
    stopped_cleanly(run, 130, "SIGINT")
    assert holder(db) is None


@pytest.mark.parametrize("runner", ["local", "dask"])
def test_sigkill_leaves_no_process_behind(
    tmp_path: Path, corpus: Path, home: Path, runs: list[Run], runner: str
) -> None:
    db = tmp_path / "w.duckdb"
    run = start(ingest_cmd(corpus, db, "--task-runner", runner, "--workers", "2"), tmp_path, f"kill-{runner}", home)
    runs.append(run)
    run.wait_for("batch 1:")
    assert len(run.processes()) >= 4  # the command, the Prefect server, two parse processes at least
    run.proc.send_signal(signal.SIGKILL)
    run.proc.wait(timeout=30)
    assert not nothing_left(run), "processes outlived a SIGKILL of newsetl ingest"
    assert holder(db) is None


def test_sigint_under_dask_stops_every_process(tmp_path: Path, corpus: Path, home: Path, runs: list[Run]) -> None:
    db = tmp_path / "w.duckdb"
    run = start(ingest_cmd(corpus, db, "--task-runner", "dask", "--workers", "2"), tmp_path, "dask-int", home)
    runs.append(run)
    run.wait_for("batch 1:")
    os.killpg(run.proc.pid, signal.SIGINT)
    stopped_cleanly(run, 130, "SIGINT")
    assert holder(db) is None
    assert run_rows(db)[0][0] == "interrupted"
    assert articles(db) >= 8


if sys.platform != "linux":  # /proc, process groups and signals as Linux has them
    pytestmark = [pytestmark, pytest.mark.skip(reason="Linux only")]


def test_an_interrupt_is_never_raised_inside_a_finalizer() -> None:
    """Raised in a `__del__`, it would be printed as "Exception ignored" with a traceback and lost."""
    import sys

    from flows.runtime.processes import _safe

    seen: list[bool] = []

    class Collected:
        def __del__(self) -> None:
            seen.append(_safe(sys._getframe()))

    Collected()
    assert seen == [False]
    assert _safe(sys._getframe())  # an ordinary frame is a safe place


TRACKER_SURVIVES = """
import multiprocessing, os, sys, warnings
from multiprocessing import resource_tracker
from flows.runtime import processes

warnings.simplefilter("error")  # "resource_tracker: process died unexpectedly" fails the run
with processes.lifeline() as token:
    lock = multiprocessing.get_context("spawn").Lock()  # a semaphore: starts the tracker, marked
    tracker = resource_tracker._resource_tracker._pid
    processes.sweep(token, grace=0)  # what an interrupt's sweep does
# here the lifeline's own sweep and its watchdog's are done
assert resource_tracker._resource_tracker._check_alive(), "the resource tracker was killed"
del lock  # released after the run's end, as a killed pool's queue is: no new tracker, no traceback
print(tracker)
"""


def test_a_sweep_spares_the_resource_tracker(tmp_path: Path) -> None:
    """The tracker of a parse pool ends by itself after the processes it serves. Killed with them
    (CI, after a Ctrl-C), it was started again by the pool's queue being released, and printed a
    KeyError traceback for each semaphore it had not seen registered."""
    done = subprocess.run(
        [sys.executable, "-c", TRACKER_SURVIVES], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr[-3000:]
    tracker = int(done.stdout)
    deadline = time.monotonic() + 15
    while Path(f"/proc/{tracker}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # and it ended with the process it served
    assert not Path(f"/proc/{tracker}").exists(), "the resource tracker outlived the process it served"
