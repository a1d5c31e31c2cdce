from __future__ import annotations

from pathlib import Path

import pytest

from flows.config.errors import SettingsInvalid
from flows.config.settings import Settings


def test_defaults() -> None:
    s = Settings.load()
    assert (s.db, s.paths, s.batch_size) == (Path("warehouse.duckdb"), ["seeds"], 256)


def test_env_then_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSETL_DB", "env.duckdb")
    monkeypatch.setenv("NEWSETL_BATCH_SIZE", "8")
    assert Settings.load().db == Path("env.duckdb")
    s = Settings.load(db="flag.duckdb", batch_size=None)
    assert (s.db, s.batch_size) == (Path("flag.duckdb"), 8)  # None means "not given"


@pytest.mark.parametrize(
    ("value", "paths"), [('["a", "b c"]', ["a", "b c"]), ("a:b", ["a", "b"]), ("seeds", ["seeds"])]
)
def test_paths_from_env(monkeypatch: pytest.MonkeyPatch, value: str, paths: list[str]) -> None:
    monkeypatch.setenv("NEWSETL_PATHS", value)
    assert Settings.load().paths == paths


@pytest.mark.parametrize(
    ("kwargs", "env", "needle"),
    [
        ({"batch_size": 0}, {}, "--batch-size=0"),
        ({}, {"NEWSETL_BATCH_SIZE": "many"}, "NEWSETL_BATCH_SIZE='many'"),
        ({}, {"NEWSETL_PATHS": "[oops"}, "NEWSETL_PATHS"),
        ({}, {"NEWSETL_COLOUR": "red"}, "NEWSETL_COLOUR"),
        ({}, {"NEWSETL_DUCKDB_MEMORY_MB": "1"}, "64 to 1048576"),
    ],
)
def test_bad_values_say_what_to_fix(monkeypatch: pytest.MonkeyPatch, kwargs: dict, env: dict, needle: str) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(SettingsInvalid) as exc:
        Settings.load(**kwargs)
    assert needle in str(exc.value) and "\n" not in str(exc.value)


def test_db_cannot_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(SettingsInvalid, match="--db"):
        Settings.load(db=str(tmp_path))


def test_a_run_caps_duckdb_memory(tmp_path: Path) -> None:
    from flows.store import warehouse

    warehouse.limit_memory(Settings.load().duckdb_memory_mb)
    try:
        with warehouse.connect(tmp_path / "w.duckdb") as con:
            limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    finally:
        warehouse.limit_memory(None)
    assert limit in {"256.0 MiB", "244.1 MiB", "256 MiB"}, limit
