"""A non-editable install carries everything a run needs: the SQL, the vocabularies, the command.

The wheel is built from this checkout and installed into a folder of its own (no dependencies: they
come from the test environment); `newsetl ingest` then runs from a directory outside the checkout,
so nothing can be found by accident in the project."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, SEED


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (found,) = out.glob("newsetl-*.whl")
    return found


def test_the_wheel_holds_the_sql_and_the_vocabularies(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in sorted(ROOT.glob("sql/**/*.sql")) + sorted(ROOT.glob("transforms/data/*.csv")):
        assert str(path.relative_to(ROOT)) in names
    assert {"flows/cli/main.py", "flows/store/warehouse.py", "sql/__init__.py"} <= names


def test_an_installed_newsetl_ingests_from_anywhere(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    work = tmp_path / "work"
    (work / "seeds").mkdir(parents=True)
    (work / "seeds" / SEED.name).write_bytes(SEED.read_bytes())
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_HOME"}
    env |= {"PYTHONPATH": str(target), "NEWSETL_WORKERS": "1"}
    where = subprocess.run(
        [sys.executable, "-c", "import flows, sql, transforms; print(flows.__file__, sql.SQL_DIR, transforms.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert all(str(target) in p for p in where.stdout.split())  # the installed copy, not the checkout
    run = subprocess.run(
        # a flow run (a small input would run without Prefect): Prefect's state must land beside the work
        [str(target / "bin" / "newsetl"), "ingest", "seeds/", "--db", "w.duckdb", "--prefect", "always"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "ingest completed" in run.stdout
    with duckdb.connect(str(work / "w.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM v_figures").fetchone()[0] > 0
    assert (work / ".prefect").is_dir() and not (target / ".prefect").exists()  # state beside the work
    ready = subprocess.run(
        [str(target / "bin" / "newsetl"), "sql", "--file", "killed_by_place", "--db", "w.duckdb"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ready.returncode == 0 and "row" in ready.stdout, ready.stderr
