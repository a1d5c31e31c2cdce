"""The data dictionary (sql/dictionary.csv) in the warehouse and its readers' snapshot: every view
and column described, seen by DuckDB 2, DuckDB 1.x and SQLAlchemy's reflection (as BI tools read
it), printed by `newsetl schema`, and the README's view table held to it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from flows.cli.main import main
from sql import describe
from tests.conftest import ROOT
from tests.flows.store.test_exports import duckdb1_python  # noqa: F401 - the DuckDB 1.x venv fixture

UNDESCRIBED = (
    "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' AND NOT internal "
    "AND database_name = current_database() AND coalesce(comment, '') = ''"
)


def test_every_table_view_and_column_is_described(fresh_warehouse: Path) -> None:
    with duckdb.connect(str(fresh_warehouse), read_only=True) as con:
        assert con.execute(UNDESCRIBED).fetchall() == []
        objects = con.execute(
            "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' "
            "UNION ALL SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main'"
        ).fetchall()
    assert objects and all(comment for _, comment in objects)
    assert describe("v_figures", "value_low") is not None and describe("v_figures", "no_such") is None


def test_the_snapshot_carries_the_dictionary(dev_warehouse: Path, duckdb1_python: Path) -> None:  # noqa: F811
    snap = dev_warehouse.parent / "exports-dev" / "warehouse.duckdb"
    with duckdb.connect(str(snap), read_only=True) as con:
        assert con.execute(UNDESCRIBED).fetchall() == []
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(duckdb.__version__); print(con.execute(sys.argv[2]).fetchall()); "
        "print(con.execute(\"SELECT count(*) FROM duckdb_columns() WHERE table_name LIKE 'v_%' "
        "AND comment <> ''\").fetchone()[0])"
    )
    out = subprocess.run(
        [str(duckdb1_python), "-c", code, str(snap), UNDESCRIBED], capture_output=True, text=True, check=True
    )
    version, missing, described = out.stdout.split("\n")[:3]
    assert version.startswith("1.") and missing == "[]" and int(described) > 100


def test_sqlalchemy_reflection_sees_every_comment(dev_warehouse: Path) -> None:
    snap = dev_warehouse.parent / "exports-dev" / "warehouse.duckdb"
    engine = sa.create_engine(f"duckdb:///{snap}", connect_args={"read_only": True}, poolclass=sa.pool.NullPool)
    with engine.connect() as con:
        inspector = sa.inspect(con)
        views = [v for v in inspector.get_view_names() if v.startswith("v_")]
        assert len(views) >= 12
        for view in views:
            assert inspector.get_table_comment(view)["text"] == describe(view)  # whole, commas and all
            for column in inspector.get_columns(view):
                assert column["comment"], (view, column["name"])


def test_schema_prints_the_dictionary(fresh_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--db", str(fresh_warehouse), "--live"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("v_article_sources: Every name a document was given")
    assert re.search(r"^  value_low +DOUBLE +Lower bound", out, re.M)
    assert "\narticles:" not in out  # views only, unless --tables
    assert main(["schema", "v_tolls", "articles", "--db", str(fresh_warehouse), "--live", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "### articles" in out and "### v_tolls" in out and "| as_of | DATE |" in out and "v_figures" not in out
    # a warehouse whose comments are missing (made before the dictionary): this newsetl's own words
    old = tmp_path / "old.duckdb"
    shutil.copy(fresh_warehouse, old)
    with duckdb.connect(str(old)) as con:
        con.execute("COMMENT ON COLUMN v_tolls.as_of IS NULL")
    assert main(["schema", "v_tolls", "--db", str(old), "--live"]) == 0
    assert re.search(r"^  as_of +DATE +The date the running total refers to", capsys.readouterr().out, re.M)
    assert main(["schema", "v_nope", "--db", str(fresh_warehouse), "--live"]) == 2
    assert "no such view or table: 'v_nope'" in capsys.readouterr().err


def test_the_readme_view_table_is_the_dictionarys(fresh_warehouse: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| view | one row per |", 1)[1].split("\n\n", 1)[0]
    listed = set(re.findall(r"`(v_[a-z_]+)`", "\n".join(line.split("|")[1] for line in table.splitlines()[2:])))
    with duckdb.connect(str(fresh_warehouse), read_only=True) as con:
        names = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'")
        views = {r[0] for r in names.fetchall() if r[0].startswith("v_")}
    assert listed == views
    assert all(describe(view) for view in listed)
