"""`newsetl ingest` on small inputs with no Prefect server to report to runs without Prefect: the same
steps, the same warehouse, the run recorded, 6 s sooner; `--prefect` chooses (flows/cli/main.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from benchmarks.compare_warehouses import VOLATILE, compare
from flows.cli.main import SMALL_INPUT_BYTES, _with_prefect
from flows.config.errors import SettingsInvalid
from flows.config.settings import Settings
from flows.runtime.processes import configured_api_url
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
    plain, flow = tmp_path / "plain.duckdb", tmp_path / "flow.duckdb"
    done = _newsetl(tmp_path, "ingest", str(inbox), "--db", str(plain), "--no-progress")
    assert done.returncode == 3, done.stderr[-3000:]  # one input rejected, as a flow run says too
    assert NOTICE in done.stderr and "newsetl server" in done.stderr
    assert "temporary server" not in done.stderr and "Flow run" not in done.stderr
    assert "| INFO    | newsetl - batch 1: 2 articles" in done.stderr  # the run's log, on the console
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "prefect-home" / "prefect.db").exists()  # Prefect's database never made
    assert "ingest completed" in done.stdout and "1 rejected" in done.stdout
    assert (plain.parent / "exports-plain" / "warehouse.duckdb").is_file()  # the snapshot published
    [(status, flow_run_id, _)] = _runs(plain)
    assert (status, flow_run_id) == ("completed", None)

    # The same inputs as a Prefect flow run (the session's test server): the same rows, but its id.
    done = _newsetl(tmp_path, "ingest", str(inbox), "--db", str(flow), "--no-progress", env=proc_env)
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
    assert err.startswith("newsetl: error:") and "--prefect never" in err and "\n" not in err
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


def test_when_a_run_is_a_flow_run(nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _with_prefect(_settings(), small=True) is False
    assert _with_prefect(_settings(), small=False) is True  # over SMALL_INPUT_BYTES
    assert _with_prefect(_settings(task_runner="dask"), small=True) is True
    assert _with_prefect(_settings(prefect="always"), small=True) is True
    assert _with_prefect(_settings(), small=False, verb="rebuild") is True
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    assert _with_prefect(_settings(), small=True) is True  # a server to report to
    assert _with_prefect(_settings(prefect="never"), small=False) is False
    with pytest.raises(SettingsInvalid, match="--prefect never"):
        _with_prefect(_settings(prefect="never", task_runner="dask"), small=True)
    assert SMALL_INPUT_BYTES == 1_000_000


def test_the_prefect_api_is_found_where_prefect_finds_it(nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert configured_api_url() is None  # Prefect's own default profile has none
    url = "http://127.0.0.1:4299/api"
    (nowhere / "home").mkdir()
    profiles = nowhere / "home" / "profiles.toml"
    profiles.write_text(f'active = "mine"\n[profiles.mine]\nPREFECT_API_URL = "{url}"\n', encoding="utf-8")
    assert configured_api_url() == url
    monkeypatch.setenv("PREFECT_PROFILE", "other")
    assert configured_api_url() is None  # another profile is active
    monkeypatch.setenv("PREFECT_PROFILE", "local")  # Prefect's own "local" profile names 4200
    assert configured_api_url() == "http://127.0.0.1:4200/api"
    monkeypatch.delenv("PREFECT_PROFILE")
    profiles.write_text("not toml [", encoding="utf-8")
    assert configured_api_url() is None  # unreadable: says nothing
    (nowhere / "pyproject.toml").write_text(f'[tool.prefect.api]\nurl = "{url}/py"\n', encoding="utf-8")
    assert configured_api_url() == f"{url}/py"
    (nowhere / "prefect.toml").write_text(f'[api]\nurl = "{url}/toml"\n', encoding="utf-8")
    assert configured_api_url() == f"{url}/toml"
    (nowhere / ".env").write_text(f"# settings\nexport PREFECT_API_URL='{url}/env'\n", encoding="utf-8")
    assert configured_api_url() == f"{url}/env"
    monkeypatch.setenv("PREFECT_API_URL", url)
    assert configured_api_url() == url
