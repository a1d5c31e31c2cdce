"""`newsetl ingest` on small inputs with no Prefect server to report to runs without Prefect: the same
steps, the same warehouse, the run recorded, 6 s sooner; `--prefect` chooses (flows/cli/main.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from benchmarks.compare_warehouses import VOLATILE, compare
from flows.cli.main import SMALL_INPUT_BYTES, _with_prefect
from flows.config.errors import PrefectUnreachable, SettingsInvalid
from flows.config.settings import Settings
from tests.conftest import SEED

NEWSETL = [sys.executable, "-m", "flows.cli.main"]
NOTICE = "runs without Prefect"


def _env(tmp_path: Path, **more: str) -> dict[str, str]:
    """A user's environment: no PREFECT_API_URL, a Prefect home of its own with no server in it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSETL_", "PREFECT_API_URL", "PREFECT_PROFILE"))}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), **more)
    return env


def _newsetl(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NEWSETL, *args], cwd=tmp_path, env=env or _env(tmp_path), capture_output=True, text=True, timeout=600
    )


def _runs(db: Path) -> list[tuple[str, str | None, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT status, flow_run_id, paths FROM ingest_runs ORDER BY started_at").fetchall()


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inbox")
    (folder / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "short.txt").write_text("Rebels said 40 fighters were killed in Idlib on Monday.\n", encoding="utf-8")
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")  # rejected: exit 3 either way
    return folder


def test_a_small_run_without_a_server_skips_prefect_and_makes_the_same_warehouse(
    tmp_path: Path, inbox: Path, proc_env: dict[str, str]
) -> None:
    """Batches of one on two workers: the parse pool and the run's own threads, both ways."""
    plain, flow = tmp_path / "plain.duckdb", tmp_path / "flow.duckdb"
    batches = ("--batch-size", "1", "--workers", "2", "--no-progress")
    # Python's import log, inherited by the parse workers: no Prefect module in any process of the run.
    env = _env(tmp_path, PYTHONPROFILEIMPORTTIME="1")
    done = _newsetl(tmp_path, "ingest", str(inbox), "--db", str(plain), *batches, env=env)
    assert done.returncode == 3, done.stderr[-3000:]  # one input rejected, as a flow run says too
    assert "| numpy" in done.stderr or "| spacy" in done.stderr  # the import log is there
    assert not re.findall(r"\| +prefect(?:\.|$)", done.stderr, re.M)
    assert NOTICE in done.stderr and "newsetl server" in done.stderr
    assert "temporary server" not in done.stderr and "Flow run" not in done.stderr
    assert "| INFO    | newsetl - batch 2: 1 articles" in done.stderr  # the run's log, on the console
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "prefect-home" / "prefect.db").exists()  # Prefect's database never made
    assert "ingest completed" in done.stdout and "1 rejected" in done.stdout
    assert (plain.parent / "exports-plain" / "warehouse.duckdb").is_file()  # the snapshot published
    [(status, flow_run_id, _)] = _runs(plain)
    assert (status, flow_run_id) == ("completed", None)

    # The same inputs as a Prefect flow run (the session's test server): the same rows, but its id.
    done = _newsetl(tmp_path, "ingest", str(inbox), "--db", str(flow), *batches, env=proc_env)
    assert done.returncode == 3 and NOTICE not in done.stderr, done.stderr[-3000:]
    [(status, flow_run_id, _)] = _runs(flow)
    assert status == "completed" and flow_run_id
    ignore = {table: set(cols) for table, cols in VOLATILE.items()}
    different = [r.table for r in compare(plain, flow, ignore) if not r.equal]
    assert different == [], different

    # Re-run: nothing to do, still no Prefect.
    done = _newsetl(tmp_path, "ingest", str(inbox), "--db", str(plain), "--no-progress")
    assert done.returncode == 3 and "2 unchanged" in done.stdout, done.stderr[-3000:]
    assert [r[:2] for r in _runs(plain)] == [("completed", None), ("completed", None)]


def test_prefect_never_and_always_choose(tmp_path: Path, inbox: Path, proc_env: dict[str, str]) -> None:
    db = tmp_path / "w.duckdb"
    # never: not a flow run even with a server to report to (PREFECT_API_URL of the test server)
    done = _newsetl(tmp_path, "ingest", str(SEED), "--db", str(db), "--no-progress", "--prefect", "never", env=proc_env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Flow run" not in done.stderr and NOTICE not in done.stderr  # asked for: no notice
    # NEWSETL_PREFECT=always: a flow run, here on the test server
    env = {**proc_env, "NEWSETL_PREFECT": "always"}
    done = _newsetl(tmp_path, "ingest", str(inbox), "--db", str(db), "--no-progress", env=env)
    assert done.returncode == 3 and "Flow run" in done.stderr, done.stderr[-3000:]
    assert [bool(r[1]) for r in _runs(db)] == [False, True]
    # rebuild --prefect never: the stored texts parsed again, no flow run
    done = _newsetl(tmp_path, "rebuild", "--db", str(db), "--force", "--no-progress", "--prefect", "never", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "rebuild completed" in done.stdout and "2 updated" in done.stdout
    assert [bool(r[1]) for r in _runs(db)] == [False, True, False]


def test_the_progress_bar_without_prefect_hides_the_log_lines(tmp_path: Path) -> None:
    done = _newsetl(tmp_path, "ingest", str(SEED), "--db", str(tmp_path / "w.duckdb"), "--progress")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "parsing" in done.stderr and "1/1" in done.stderr
    assert "| INFO    |" not in done.stderr  # the bar would be torn by them


def test_dask_needs_prefect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from flows.cli.main import main

    code = main(["ingest", str(SEED), "--db", str(tmp_path / "w.duckdb"), "--task-runner", "dask", "--prefect", "never"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("newsetl: error:") and "prefect=never" in err and "\n" not in err
    assert not (tmp_path / "w.duckdb").exists()


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory and a Prefect home with no Prefect settings in them, and none in the environment."""
    for var in ("PREFECT_API_URL", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _settings(**given: object) -> Settings:
    return Settings.load(**given)


def test_when_a_run_is_a_flow_run(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from prefect.settings import PREFECT_API_URL

    assert _with_prefect(_settings(), small=True) is False
    assert NOTICE in capsys.readouterr().err
    assert _with_prefect(_settings(), small=False) is True  # over SMALL_INPUT_BYTES
    assert _with_prefect(_settings(task_runner="dask"), small=True) is True
    assert _with_prefect(_settings(prefect="always"), small=True) is True
    assert _with_prefect(_settings(), small=True, verb="rebuild") is True
    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))  # the session's test server
    assert _with_prefect(_settings(), small=True) is True  # a server to report to
    assert _with_prefect(_settings(prefect="never"), small=False) is False
    with pytest.raises(SettingsInvalid, match="prefect=never"):
        _with_prefect(_settings(prefect="never", task_runner="dask"), small=True)
    assert SMALL_INPUT_BYTES == 1_000_000
    capsys.readouterr()

    # A named server that does not answer: a small run goes on without Prefect, saying so; a run
    # that must be a flow run is one line, before any work.
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    assert _with_prefect(_settings(), small=True) is False
    assert "http://127.0.0.1:9/api does not answer" in capsys.readouterr().err
    for settings, small in ((_settings(), False), (_settings(prefect="always"), True)):
        with pytest.raises(PrefectUnreachable, match="does not answer: start that server"):
            _with_prefect(settings, small=small)


# Where a Prefect API URL can be set besides the environment, each checked against Prefect itself.
URL = "http://127.0.0.1:4299/api"
SCENARIOS: dict[str, tuple[dict[str, str], dict[str, str]]] = {  # name: (files, environment)
    "nothing": ({}, {}),
    "a pyproject.toml of another tool": ({"pyproject.toml": '[tool.ruff]\nline-length = 99\n'}, {}),
    "a .env of another tool": ({".env": "DEBUG=1\n"}, {}),
    "prefect.toml": ({"prefect.toml": f'[api]\nurl = "{URL}"\n'}, {}),
    "pyproject.toml": ({"pyproject.toml": f'[tool.prefect.api]\nurl = "{URL}"\n'}, {}),
    ".env": ({".env": f"PREFECT_API_URL={URL}\n"}, {}),
    ".env, set empty last": ({".env": f"PREFECT_API_URL={URL}\nPREFECT_API_URL=\n"}, {}),
    "the profiles file's active profile": (
        {"home/profiles.toml": f'active = "mine"\n[profiles.mine]\nPREFECT_API_URL = "{URL}"\n'}, {}
    ),
    "PREFECT_PROFILE names Prefect's own 'local' with no profiles file": ({}, {"PREFECT_PROFILE": "local"}),
    "an active profile that is not defined": ({"home/profiles.toml": 'active = "local"\n'}, {}),
    "prefect.toml's profiles_path": (
        {"prefect.toml": 'profiles_path = "p.toml"\n', "p.toml": f'active = "x"\n[profiles.x]\nPREFECT_API_URL = "{URL}"\n'},
        {},
    ),
    "an unreadable prefect.toml": ({"prefect.toml": "not toml ["}, {}),
    "PREFECT_API_URL empty": ({"prefect.toml": f'[api]\nurl = "{URL}"\n'}, {"PREFECT_API_URL": ""}),
    "PREFECT_API_URL": ({}, {"PREFECT_API_URL": URL}),
    "prefect_api_url in lower case": ({}, {"prefect_api_url": URL}),
    "prefect_api_url in lower case in .env": ({".env": f"prefect_api_url={URL}\n"}, {}),
    "pyproject.toml's tool.\"prefect\" quoted": ({"pyproject.toml": f'[tool."prefect".api]\nurl = "{URL}"\n'}, {}),
    "pyproject.toml's [tool] with dotted keys": ({"pyproject.toml": f'[tool]\nprefect.api.url = "{URL}"\n'}, {}),
    "a pyproject.toml that depends on prefect": (
        {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["prefect==3.8.8"]\n'}, {}
    ),
}
_ASK = (
    "import json, sys; from flows.runtime.processes import configured_api_url; ours = configured_api_url(); "
    "imported = 'prefect' in sys.modules\n"
    "try:\n    from prefect.settings import Settings; theirs = Settings().api.url or None\n"
    "except Exception as exc:\n    theirs = 'error: ' + type(exc).__name__\n"
    "print(json.dumps([ours, theirs, imported]))"
)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_prefect_api_is_found_as_prefect_finds_it(tmp_path: Path, scenario: str) -> None:
    """In a fresh process, as `newsetl ingest` asks: our answer is Prefect's, and Prefect is imported
    to find it only where a file could set it."""
    import json

    files, environment = SCENARIOS[scenario]
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSETL_"))}
    env.update(PREFECT_HOME=str(tmp_path / "home"), **environment)
    done = subprocess.run(
        [sys.executable, "-c", _ASK], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    ours, theirs, imported = json.loads(done.stdout.strip().splitlines()[-1])
    if scenario == "an unreadable prefect.toml":
        assert ours is None and str(theirs).startswith("error")  # a flow run would fail; ours runs without
    else:
        assert ours == theirs, (ours, theirs)
    if scenario in (
        "nothing",
        "a pyproject.toml of another tool",
        "a .env of another tool",
        "PREFECT_API_URL",
        "prefect_api_url in lower case",
        "a pyproject.toml that depends on prefect",
    ):
        assert not imported  # no file that could set it: no Prefect import (1.2 s)


def test_a_fifo_in_the_working_directory_is_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / ".env")
    code = "from flows.runtime.processes import configured_api_url; print(configured_api_url())"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSETL_"))}
    env["PREFECT_HOME"] = str(tmp_path / "home")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "None", done.stderr[-2000:]


def test_liveness_is_asked_of_the_connection_only(tmp_path: Path) -> None:
    """A server with a certificate of its own, or slow to answer, is alive; a refused port is not."""
    import http.server
    import ssl
    import threading
    import time

    from flows.runtime.processes import answers

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            time.sleep(float(self.server.delay))  # type: ignore[attr-defined]
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    def serve(delay: float, tls: bool) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
        server.delay = delay  # type: ignore[attr-defined]
        if tls:
            key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1",
                 "-keyout", str(key), "-out", str(cert)],
                check=True, capture_output=True, timeout=60,
            )  # fmt: skip
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}/api/"

    assert answers(serve(0, tls=True))  # a self-signed certificate: alive
    assert answers(serve(3, tls=False), timeout=1)  # accepted, answering late: alive
    assert not answers("http://127.0.0.1:9/api")  # refused
    assert not answers("not a url")


def test_a_run_without_prefect_leaves_the_callers_logging_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`main` in a notebook or a test: the run's lines show once while it runs, and nothing stays."""
    import logging

    from flows.cli.console import RunConsoleHandler
    from flows.cli.main import main

    for var in ("PREFECT_API_URL",):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    newsetl = logging.getLogger("newsetl")
    before = (list(logging.getLogger().handlers), list(newsetl.handlers), newsetl.level, newsetl.propagate)
    code = main(["ingest", str(SEED), "--db", str(tmp_path / "w.duckdb"), "--no-progress", "--prefect", "never"])
    assert code == 0
    err = capsys.readouterr().err
    assert err.count("| INFO    | newsetl - batch 1: 1 articles") == 1
    after = (list(logging.getLogger().handlers), list(newsetl.handlers), newsetl.level, newsetl.propagate)
    assert after == before
    assert not any(isinstance(h, RunConsoleHandler) for h in logging.getLogger().handlers + newsetl.handlers)


def test_parse_workers_warnings_look_like_the_runs_lines(tmp_path: Path, inbox: Path) -> None:
    """A cache folder others can write to is refused, with a warning from each process that parses."""
    shared = tmp_path / "shared-cache"
    shared.mkdir()
    shared.chmod(0o777)
    env = _env(tmp_path, NEWSETL_CACHE_DIR=str(shared))
    args = ("ingest", str(inbox), "--db", str(tmp_path / "w.duckdb"), "--batch-size", "1", "--workers", "2")
    done = _newsetl(tmp_path, *args, "--no-progress", env=env)
    assert done.returncode == 3, done.stderr[-3000:]
    warnings = [line for line in done.stderr.splitlines() if "is not private" in line]
    assert warnings and all(re.match(r"\d\d:\d\d:\d\d\.\d{3} \| WARNING \| flows\.runtime\.cache - ", w) for w in warnings), warnings
