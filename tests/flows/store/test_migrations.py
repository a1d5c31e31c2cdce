"""Numbered migrations and the one transaction helper, on real DuckDB files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.store import warehouse
from flows.store.migrations import MIGRATIONS, SCHEMA_VERSION, history, migrate


def test_migrations_are_numbered_in_order() -> None:
    versions = [m.version for m in MIGRATIONS]
    assert versions == list(range(2, SCHEMA_VERSION + 1))
    assert all(m.title for m in MIGRATIONS)


def test_a_new_warehouse_records_the_version_it_was_created_at(tmp_path: Path) -> None:
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        assert migrate(con) is None
        assert migrate(con) == SCHEMA_VERSION  # the second time there is nothing to do
        rows = history(con)
    assert [(v, step) for v, _, step in rows] == [(SCHEMA_VERSION, f"created at schema {SCHEMA_VERSION}")]


def test_a_transaction_commits_wholly_or_not_at_all(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "t.duckdb")) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
        with warehouse.transaction(con):
            con.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(ZeroDivisionError), warehouse.transaction(con):
            con.execute("INSERT INTO t VALUES (2)")
            raise ZeroDivisionError
        assert con.execute("SELECT x FROM t").fetchall() == [(1,)]


def test_an_inner_transaction_joins_the_outer_one(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "t.duckdb")) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
        with pytest.raises(RuntimeError), warehouse.transaction(con):
            with warehouse.transaction(con):  # a step that is its own transaction elsewhere
                con.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("the outer one fails after the inner one ended")
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(0,)]
        with warehouse.transaction(con):  # and the connection is usable again
            con.execute("INSERT INTO t VALUES (3)")
        assert con.execute("SELECT x FROM t").fetchall() == [(3,)]
