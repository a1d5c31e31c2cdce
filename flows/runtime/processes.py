"""The processes of a run live and die with it: Ctrl-C and SIGTERM stop it in seconds, and nothing
it started (its temporary Prefect server, parse workers, Dask processes) outlives it, however it ends.

- `lifeline()`: every process started inside it inherits a marker in its environment
  (NEWSETL_LIFELINE=<token>). A small watchdog process, tied to ours by a pipe, waits for the pipe's
  end-of-file - which comes however we end, SIGKILL included - then stops every process carrying
  the token. On a normal end we do the same sweep ourselves. One mechanism for every kind of child,
  grandchildren included (a Dask nanny's worker), with no list of children to keep.
- `interruptible()`: SIGINT and SIGTERM raise `Interrupted` in the main thread, after the parse
  workers are stopped (not waited for), so the run is recorded and its lock released as it unwinds.
  A second signal, or a clean-up that takes longer than FORCE_AFTER seconds, stops everything at once.
- `prefect_api()`: the temporary Prefect server of a run is started here, in a session of its own
  (a terminal's Ctrl-C reaches the run, not the server it still has to report to), and stopped here.
- `shielded()`: processes started inside it (from any thread) do not see a terminal's Ctrl-C; the run
  stops them itself.

Linux: the sweep reads /proc; elsewhere it does nothing and the watchdog only waits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from types import FrameType
from typing import Any

from flows.config.settings import prefect_home

LIFELINE = "NEWSETL_LIFELINE"
# Seconds a clean stop may take before everything is stopped at once (the run then stays
# 'running' in ingest_runs until the next run marks it 'interrupted').
FORCE_AFTER = 30.0
# Seconds the swept processes get to end on SIGTERM before SIGKILL.
GRACE = 3.0


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal; `str()` is the reason recorded in ingest_runs."""

    def __init__(self, reason: str = "interrupted", exit_code: int = 130) -> None:
        super().__init__(reason)
        self.exit_code = exit_code

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "interrupted"


_REASONS: dict[int, tuple[str, int]] = {
    signal.SIGINT: ("interrupted by Ctrl-C (SIGINT)", 130),
    signal.SIGTERM: ("interrupted by SIGTERM", 143),
}

# What stops the work in flight on an interrupt (flows/runtime/parallel.py registers its pools).
_ON_INTERRUPT: list[Callable[[], None]] = []
_interrupted = threading.Event()


def on_interrupt(stop: Callable[[], None]) -> None:
    if stop not in _ON_INTERRUPT:
        _ON_INTERRUPT.append(stop)


_lifeline: str | None = None  # the token of the lifeline this process is in
_spared: set[int] = set()  # processes an interrupt does not kill: the watchdog, the Prefect server
_server: list[Any] = []


def interrupted() -> bool:
    return _interrupted.is_set()


_reason: list[tuple[str, int]] = []  # the interrupt raised in this run, if any


def pending_interrupt() -> Interrupted | None:
    """The interrupt raised in this run, if any: an error that surfaces after it (DuckDB answers a
    signal during a query with its own "Query interrupted") is that interrupt, not a failure."""
    return Interrupted(*_reason[-1]) if _interrupted.is_set() and _reason else None


# --- lifeline --------------------------------------------------------------------------------------


@contextmanager
def lifeline() -> Iterator[str]:
    """Mark every process started inside with a token; stop them all when this ends, or when we die."""
    global _lifeline
    previous = os.environ.get(LIFELINE)
    token = uuid.uuid4().hex
    os.environ[LIFELINE] = token
    read, write = os.pipe()  # not inherited by anything we start: only the watchdog holds the read end
    try:
        watchdog = subprocess.Popen(
            [sys.executable, "-m", "flows.runtime.processes", token, str(os.getpid())],
            stdin=read,
            stdout=subprocess.DEVNULL,
            start_new_session=True,  # a terminal's Ctrl-C does not reach it; it outlives us by design
        )
    finally:
        os.close(read)
    _lifeline, outer = token, _lifeline
    _spared.add(watchdog.pid)
    try:
        yield token
    finally:
        _lifeline = outer
        _spared.discard(watchdog.pid)
        # What is left now should have been stopped already (the server, the pools, the cluster):
        # no grace for it.
        sweep(token, exclude={watchdog.pid}, grace=0)
        os.close(write)  # the watchdog sees the end of the pipe, finds nothing left, and leaves
        if previous is None:
            os.environ.pop(LIFELINE, None)
        else:
            os.environ[LIFELINE] = previous
        try:
            watchdog.wait(timeout=GRACE + 2)
        except subprocess.TimeoutExpired:
            watchdog.kill()


# multiprocessing's resource tracker (started for a parse pool, or by a Dask nanny) ignores SIGINT
# and SIGTERM and ends by itself once every process holding its pipe has ended, unlinking what they
# left. Killed before them, it is started again by the next semaphore they release, and that one
# prints a KeyError traceback for each name it never saw registered. It is never swept.
_RESOURCE_TRACKER = b"multiprocessing.resource_tracker"


def marked(token: str) -> set[int]:
    """The live processes whose environment carries the token (a zombie's is empty), but for
    resource trackers, which end by themselves after the processes they serve."""
    needle = f"{LIFELINE}={token}".encode()
    found: set[int] = set()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as fh:
                if needle not in fh.read():
                    continue
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                if _RESOURCE_TRACKER not in fh.read():
                    found.add(int(name))
        except OSError:  # gone, or not ours
            continue
    return found


def sweep(token: str, exclude: set[int] | None = None, grace: float = GRACE) -> None:
    """SIGTERM every process of the token, SIGKILL what is left after `grace` seconds."""
    spared = {os.getpid(), *(exclude or set())}
    deadline = time.monotonic() + grace
    sig = signal.SIGTERM if grace > 0 else signal.SIGKILL
    while left := marked(token) - spared:
        if time.monotonic() >= deadline:
            sig = signal.SIGKILL
        for pid in left:
            with suppress(OSError):
                os.kill(pid, sig)
        time.sleep(0.1)
        if sig == signal.SIGKILL and time.monotonic() > deadline + 5:
            break  # unkillable (stuck in the kernel): nothing more to do from here


def _watch(token: str, parent: int) -> None:
    """The watchdog: wait for the end of the pipe from `parent` (or for `parent` to be gone), then sweep."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    import select

    while os.getppid() == parent:
        ready, _, _ = select.select([0], [], [], 1.0)
        if ready and not os.read(0, 4096):
            break
    sweep(token, exclude={os.getpid()})


# --- signals ---------------------------------------------------------------------------------------


@contextmanager
def interruptible(say: Callable[[str], None], with_prefect: bool = True) -> Iterator[None]:
    """SIGINT and SIGTERM raise `Interrupted` in the main thread, and the work in flight is stopped.

    The exception is raised where Python code can take it: not inside pydantic (which would turn it
    into a serialisation error) nor inside an import (which would leave a module half made). There,
    it is retried every 50 ms. A second signal, or FORCE_AFTER seconds of clean-up, ends the run at once.
    `with_prefect`: the run is a Prefect flow run (a run without Prefect never imports it).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    state = _Interrupt(say)
    previous = {sig: signal.signal(sig, state.on_signal) for sig in _REASONS}
    previous[_RETRY] = signal.signal(_RETRY, state.on_retry)
    engine: Any = None
    if with_prefect:
        import prefect.flow_engine as engine

        # Prefect swaps SIGTERM for its own handler while a flow runs (a runner's cancel arrives as
        # SIGTERM): it would raise anywhere, wait for the parse threads, and record the run 'failed'.
        # This process is ours, not a runner's: SIGTERM stays with the handler above.
        bridge = engine.capture_sigterm
        engine.capture_sigterm = nullcontext
    try:
        yield
    finally:
        if engine is not None:
            engine.capture_sigterm = bridge
        state.done.set()
        _interrupted.clear()
        _reason.clear()
        for sig, old in previous.items():
            signal.signal(sig, old)


# Delivered to our own handler by `_thread.interrupt_main`, never sent as a signal: a retry.
_RETRY = signal.SIGUSR1
_UNSAFE = ("/pydantic", "importlib._bootstrap", "<frozen importlib")


class _Interrupt:
    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.reason: tuple[str, int] | None = None
        self.raised = False
        self.done = threading.Event()

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.reason is not None:  # a second signal: stop now, however far the clean-up got
            _force(self.reason[0], self.reason[1], self.say)
        self.reason = _REASONS[signum]
        threading.Thread(target=self._force_later, daemon=True).start()
        self._raise_if_safe(frame)

    def on_retry(self, signum: int, frame: FrameType | None) -> None:
        if self.reason is not None and not self.raised:
            self._raise_if_safe(frame)

    def _raise_if_safe(self, frame: FrameType | None) -> None:
        assert self.reason is not None
        if not _safe(frame):
            threading.Thread(target=self._retry_soon, daemon=True).start()
            return
        self.raised = True
        _reason.append(self.reason)
        _interrupted.set()
        stop_work()
        raise Interrupted(*self.reason)

    def _retry_soon(self) -> None:
        if not self.done.wait(0.05):
            import _thread

            _thread.interrupt_main(_RETRY)

    def _force_later(self) -> None:
        if not self.done.wait(FORCE_AFTER) and self.reason is not None:
            _force(self.reason[0] + f"; the clean-up took over {FORCE_AFTER:.0f} s", self.reason[1], self.say)


def _safe(frame: FrameType | None) -> bool:
    """Not inside an import or pydantic's validation, and not inside a finalizer: an exception raised
    in a `__del__` (a Dask future collected mid-shutdown) never reaches the run, Python prints it as
    "Exception ignored in ..." with a traceback, and the interrupt would be lost."""
    while frame is not None:
        if frame.f_code.co_name == "__del__" or any(part in frame.f_code.co_filename for part in _UNSAFE):
            return False
        frame = frame.f_back
    return True


def stop_work() -> None:
    """Stop the work in flight: what registered (the parse pools, a Dask cluster's nannies) first,
    then every process of the run but the Prefect server, killed, not waited for."""
    for stop in _ON_INTERRUPT:
        stop()
    if _lifeline is not None:
        for pid in marked(_lifeline) - _spared - {os.getpid()}:
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _force(reason: str, code: int, say: Callable[[str], None]) -> None:
    if _lifeline is not None:
        sweep(_lifeline, exclude=_spared - {_server_pid()}, grace=0)
    say(f"{reason}: stopped at once; the next run marks this one interrupted")
    os._exit(code)


@contextmanager
def shielded() -> Iterator[None]:
    """Block SIGINT in this thread while processes are started: they (and the threads and processes
    they start) inherit the block, so a terminal's Ctrl-C, sent to the whole process group, reaches
    only us. A signal arriving meanwhile waits, and is handled when the block is lifted."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if threading.current_thread() is threading.main_thread():  # other threads keep the block
            signal.pthread_sigmask(signal.SIG_SETMASK, before)


# --- the run's Prefect server ----------------------------------------------------------------------


def running_newsetl_server() -> str | None:
    from flows.runtime import server as stack

    return stack.running(Path(os.environ.get("PREFECT_HOME") or prefect_home()))


_MAX_SETTINGS_FILE = 1_000_000  # bytes: a settings file larger than this is not read here


def configured_api_url() -> str | None:
    """PREFECT_API_URL as Prefect's own settings resolve it. When nothing but the environment can
    set it (no `.env` that mentions Prefect, prefect.toml, or pyproject.toml with a [tool.prefect]
    table in the working directory, no profiles file, no PREFECT_PROFILE*), the answer needs no
    Prefect import (1.2 s); otherwise Prefect's settings are asked (profiles, their paths and
    precedence are theirs). Settings Prefect cannot read count as naming no server (a flow run would
    fail on them too). Environment names are matched as Prefect matches them, in any case."""
    environment = {k.upper(): v for k, v in os.environ.items() if k.upper().startswith("PREFECT_")}
    environment.update({k: v for k, v in os.environ.items() if k.startswith("PREFECT_")})  # exact case wins
    if "PREFECT_API_URL" in environment:
        return environment["PREFECT_API_URL"] or None
    if not _prefect_settings_beyond_environment(environment):
        return None
    try:
        from prefect.settings import Settings

        return Settings().api.url or None  # read afresh from every source, as a new process would
    except Exception:  # noqa: BLE001 - an unreadable prefect.toml, a bad profile
        return None


def _prefect_settings_beyond_environment(environment: dict[str, str]) -> bool:
    if any(k.startswith("PREFECT_PROFILE") for k in environment):  # PREFECT_PROFILE, PREFECT_PROFILES_PATH
        return True
    home = Path(environment.get("PREFECT_HOME") or prefect_home())
    if _a_file(home / "profiles.toml") is not None or _a_file(Path("prefect.toml")) is not None:
        return True
    dotenv = _a_file(Path(".env"))
    if dotenv is not None and "prefect_" in dotenv.lower():
        return True
    pyproject = _a_file(Path("pyproject.toml"))
    if pyproject is not None:
        import tomllib

        try:
            tool = tomllib.loads(pyproject).get("tool")
        except ValueError:
            return True  # Prefect reads it too: let it say what it makes of it
        return isinstance(tool, dict) and "prefect" in tool
    return False


def _a_file(path: Path) -> str | None:
    """A regular file's text (never a FIFO, a device or a huge file, which would hang or stall the
    start of a run); None otherwise."""
    try:
        if not path.is_file() or path.stat().st_size > _MAX_SETTINGS_FILE:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def answers(api_url: str, timeout: float = 5.0) -> bool:
    """Whether anything answers at `api_url`: a connection that is refused, cannot be made in
    `timeout` seconds or cannot be addressed is no; anything else is yes (any status, a slow reply,
    a certificate of its own: only liveness is asked here, Prefect's client does the rest)."""
    import httpx

    try:
        httpx.get(f"{api_url.rstrip('/')}/health", timeout=timeout, verify=False)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol, httpx.InvalidURL, ValueError):
        return False
    except httpx.HTTPError:  # a read timeout, a closed stream: something is there
        return True
    return True


@contextmanager
def prefect_api(timeout: int = 120, say: Callable[[str], None] | None = None) -> Iterator[None]:
    """A temporary Prefect server for this run, unless PREFECT_API_URL names one or a `newsetl
    server` runs with this Prefect home (its runs then show in that server's UI, and the 10-20 s of
    starting a server are saved). Every process of the run (Dask workers included: they inherit the
    environment) reports to it."""
    from prefect.settings import PREFECT_API_URL

    if os.environ.get("PREFECT_API_URL") or PREFECT_API_URL.value():
        yield
        return
    running = running_newsetl_server()
    if running:
        if say:
            say(f"reporting to the running newsetl server at {running}")
        with _reporting_to(running):
            yield
        return
    server = _Server()
    _server.append(server)
    try:
        server.start(timeout=timeout)
        with _reporting_to(server.api_url):
            yield
    finally:
        pid = _server_pid()
        server.stop()
        _server.remove(server)
        _spared.discard(pid or 0)


@contextmanager
def _reporting_to(api_url: str) -> Iterator[None]:
    """This process and those it starts (they inherit the environment) report to `api_url`; what is
    still queued is sent before the server may go."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    os.environ["PREFECT_API_URL"] = api_url
    try:
        with temporary_settings({PREFECT_API_URL: api_url}):
            try:
                yield
            finally:
                _drain_prefect()
    finally:
        os.environ.pop("PREFECT_API_URL", None)


def _server_pid() -> int | None:
    proc = _server[-1].server_process if _server else None
    return proc.pid if proc is not None else None


def _drain_prefect() -> None:
    """Send the logs and events still queued while the server is up (else each one is a traceback)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    with suppress(RuntimeError):  # never started
        APILogWorker.instance().drain()
    EventsWorker.drain_all()


def _server_class() -> Any:
    import prefect
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    class Server(SubprocessASGIServer):
        """Prefect's temporary server (the same command as Prefect's own), in a session of its own."""

        _instances: dict[int | None, Any] = {}  # not shared with Prefect's own temporary servers

        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            proc = self._popen()
            _spared.add(proc.pid)  # an interrupt needs it still, to record the run
            return proc

        def _popen(self) -> subprocess.Popen[Any]:
            app_dir = str(prefect.__module_path__.parent)
            command = [sys.executable, "-m", "uvicorn", "--app-dir", app_dir, "--factory"]
            command += ["prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port)]
            command += ["--log-level", "error", "--lifespan", "on"]
            env = {
                **os.environ,
                "PREFECT_UI_ENABLED": "0",
                "PREFECT__SERVER_EPHEMERAL": "1",
                "PREFECT__SERVER_FINAL": "1",
                **get_current_settings().to_environment_variables(exclude_unset=True),
            }
            return subprocess.Popen(command, env=env, start_new_session=True)

    return Server


def _Server() -> Any:  # noqa: N802 - a class made on first use (Prefect's server module is slow to import)
    return _server_class()()


if __name__ == "__main__":
    _watch(sys.argv[1], int(sys.argv[2]))
