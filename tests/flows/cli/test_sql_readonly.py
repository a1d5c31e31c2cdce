"""`newsetl sql` and `newsetl report` only read the warehouse: nothing else is read, nothing is written.

Every attack runs against real DuckDB files, through `flows.cli.main.main` or the real CLI in a
subprocess, and is checked for its effect: the other warehouse intact, no file written, no secret
printed. The ready queries and the everyday read statements keep working.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from flows.cli.main import main
from flows.store import warehouse
from flows.store.exports import publish
from tests.conftest import ROOT

SECRET = "TOPSECRET-4f7e-not-for-printing"
VIEWS = [
    "v_articles",
    "v_entities",
    "v_entity_mentions",
    "v_figures",
    "v_figure_changes",
    "v_ingest_runs",
    "v_near_duplicates",
    "v_rejects",
    "v_sentences",
    "v_version_changes",
]


def make_warehouse(db: Path) -> None:
    """A real warehouse file with the schema and one run record."""
    with warehouse.connect(db) as con:
        warehouse.ensure_schema(con)
        warehouse.start_run(con, "run-1", None, ["seeds"], datetime(2024, 1, 1), "v1")


def state(db: Path) -> tuple[list[str], int]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = sorted(r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall())
        runs = con.execute("SELECT count(*) FROM ingest_runs").fetchall()[0][0]
    return tables, runs


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


@pytest.fixture
def place(tmp_path: Path) -> dict[str, Path]:
    """The warehouse queried, another (live) warehouse beside it, a secret, and a CSV to read."""
    paths = {
        "db": tmp_path / "query" / "warehouse.duckdb",
        "live": tmp_path / "live" / "warehouse.duckdb",
        "secret": tmp_path / "secret.txt",
        "csv": tmp_path / "runs.csv",
        "out": tmp_path / "written",
    }
    make_warehouse(paths["db"])
    make_warehouse(paths["live"])
    paths["secret"].write_text(SECRET + "\n", encoding="utf-8")
    paths["csv"].write_text(f"run_id\n{SECRET}\n", encoding="utf-8")
    return paths


ATTACKS = [
    "ATTACH '{live}' AS l (READ_WRITE); DROP TABLE l.articles CASCADE",
    "ATTACH '{live}' AS l",
    "ATTACH ':memory:' AS m",
    "DETACH warehouse",
    "COPY (SELECT 42 AS x) TO '{out}'",
    "COPY ingest_runs TO '{out}' (FORMAT parquet)",
    "COPY ingest_runs FROM '{csv}'",
    "EXPORT DATABASE '{out}'",
    "IMPORT DATABASE '{out}'",
    "INSTALL httpfs",
    "FORCE INSTALL httpfs",
    "LOAD httpfs",
    "SELECT * FROM read_text('{secret}')",
    "SELECT * FROM read_blob('{secret}')",
    "SELECT * FROM read_csv('{csv}')",
    "SELECT * FROM read_parquet('{csv}')",
    "SELECT * FROM '{csv}'",
    "FROM '{csv}'",
    "SELECT * FROM glob('{out}/../*')",
    "WITH s AS (SELECT * FROM read_text('{secret}')) SELECT content FROM s",
    "SELECT 1; SELECT content FROM read_text('{secret}')",
    "SELECT * FROM read_csv('https://example.com/x.csv')",
    "SET threads = 1",
    "SET GLOBAL enable_external_access = true",
    "RESET threads",
    "SET VARIABLE x = 1",
    "PRAGMA memory_limit = '1GB'",
    "PRAGMA table_info('articles')",
    "USE memory",
    "CREATE TABLE x AS SELECT 1",
    "CREATE TEMP TABLE x AS SELECT 1",
    "CREATE MACRO m(x) AS x",
    "INSERT INTO ingest_runs (run_id, started_at, status) VALUES ('x', now(), 'running')",
    "UPDATE ingest_runs SET status = 'x'",
    "DELETE FROM ingest_runs",
    "DROP TABLE articles",
    "ALTER TABLE articles ADD COLUMN x INTEGER",
    "CHECKPOINT",
    "CALL checkpoint()",
    "VACUUM",
    "BEGIN TRANSACTION",
    "SELECT 1; DROP TABLE articles",
    "EXPLAIN ANALYZE DELETE FROM ingest_runs",
    "EXPLAIN DELETE FROM ingest_runs",
    "PREPARE p AS SELECT 1",
]


def sql(db: Path, query: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["sql", query, "--db", str(db)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("attack", ATTACKS)
def test_sql_refuses_what_is_not_a_read(
    attack: str, place: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = files_under(tmp_path)
    code, out, err = sql(place["db"], attack.format(**{k: str(v) for k, v in place.items()}), capsys)
    assert code == 2, (out, err)
    assert err.startswith("newsetl: error: refused:") and err.count("\n") == 1, err
    assert SECRET not in out + err
    assert state(place["live"]) == state(place["db"]) == (state(place["db"])[0], 1)
    assert "articles" in state(place["live"])[0]
    assert files_under(tmp_path) == before  # no file written, no .wal, no temp directory


def test_attack_through_the_real_command_leaves_the_live_warehouse_intact(
    place: dict[str, Path], proc_env: dict[str, str]
) -> None:
    for attack in (
        f"ATTACH '{place['live']}' AS l (READ_WRITE); DROP TABLE l.articles CASCADE",
        f"SELECT * FROM read_text('{place['secret']}')",
        "SELECT * FROM read_text('/etc/shadow')",
        "INSTALL httpfs",
    ):
        done = subprocess.run(
            [sys.executable, "-m", "flows.cli.main", "sql", attack, "--db", str(place["db"])],
            cwd=ROOT,
            env=proc_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("newsetl: error: refused:") and done.stderr.count("\n") == 1, done.stderr
        assert done.stdout == "" and SECRET not in done.stderr and "root:" not in done.stderr
    assert "articles" in state(place["live"])[0] and state(place["live"])[1] == 1


def test_a_failing_read_is_still_exit_1(place: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = sql(place["db"], "SELECT no_such_column FROM v_articles", capsys)
    assert code == 1 and err.startswith("newsetl: error:") and "refused" not in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "query",
    [
        "SELECT count(*) AS n FROM v_ingest_runs",
        "WITH r AS (SELECT * FROM v_ingest_runs) SELECT run_id FROM r",
        "FROM v_ingest_runs SELECT status",
        "DESCRIBE v_figures",
        "DESCRIBE SELECT * FROM v_articles",
        "SUMMARIZE v_ingest_runs",
        "SHOW TABLES",
        "SHOW ALL TABLES",
        "EXPLAIN SELECT * FROM v_figures",
        "EXPLAIN ANALYZE SELECT count(*) FROM v_figures",
        "SELECT 1 AS a; SELECT 2 AS b",
        "SELECT * FROM pragma_table_info('articles')",
        "SELECT * FROM duckdb_views() WHERE NOT internal",
        "SELECT current_setting('threads') AS t",
        "VALUES (1, 'a')",
    ],
)
def test_everyday_reads_still_run(query: str, place: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = sql(place["db"], query, capsys)
    assert code == 0, err
    assert err == "" and "row" in out.splitlines()[-1]


@pytest.mark.parametrize("query_file", sorted((ROOT / "sql" / "queries").glob("*.sql")), ids=lambda p: p.stem)
def test_ready_queries_run_sealed(query_file: Path, dev_warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = files_under(dev_warehouse.parent)
    assert main(["sql", "--file", str(query_file), "--db", str(dev_warehouse)]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "row" in captured.out.splitlines()[-1]
    assert files_under(dev_warehouse.parent) == before


def test_sealed_session_reads_every_contract_view_and_a_v1_snapshot(dev_warehouse: Path, tmp_path: Path) -> None:
    live = tmp_path / "live.duckdb"
    shutil.copy(dev_warehouse, live)
    with warehouse.connect(live) as con:  # the snapshot as a run writes it, in storage v1.0.0
        expected = {v: con.execute(f"SELECT count(*) FROM {v}").fetchall()[0][0] for v in VIEWS}
        published = publish(con, live, tmp_path / "exports", "20240101000000-abc")
    with duckdb.connect(str(published.snapshot), read_only=True) as con:
        tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'warehouse'").fetchall()
    assert tags[0][0]["storage_version"].startswith("v1.0.0")
    for db in (dev_warehouse, published.snapshot):
        before = files_under(db.parent)
        with warehouse.connect_sealed(db) as con:
            assert {v: con.execute(f"SELECT count(*) FROM {v}").fetchall()[0][0] for v in VIEWS} == expected
            assert con.execute("SELECT current_setting('enable_external_access')").fetchall() == [(False,)]
            with pytest.raises(duckdb.Error, match="locked"):
                con.execute("SET enable_external_access = true")
        assert files_under(db.parent) == before
    assert expected["v_articles"] > 0


def test_report_writes_only_its_out_file(dev_warehouse: Path, tmp_path: Path, proc_env: dict[str, str]) -> None:
    work, home, tmp = tmp_path / "work", tmp_path / "home", tmp_path / "tmp"
    for d in (work, home, tmp):
        d.mkdir()
    out = tmp_path / "site" / "report.html"
    env = {**proc_env, "HOME": str(home), "TMPDIR": str(tmp), "PYTHONPATH": str(ROOT)}
    watched = [tmp_path, dev_warehouse.parent]
    before = set().union(*(files_under(d) for d in watched))
    for args in (
        ["report", "--db", str(dev_warehouse), "--out", str(out)],
        ["sql", "SELECT count(*) FROM v_figures", "--db", str(dev_warehouse)],
        ["sql", "--file", str(ROOT / "sql" / "queries" / "disagreeing_sources.sql"), "--db", str(dev_warehouse)],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "flows.cli.main", *args], cwd=work, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
    after = set().union(*(files_under(d) for d in watched))
    prefect = Path(proc_env["PREFECT_HOME"])
    new = {p for p in after - before if prefect not in (p, *p.parents)}
    articles = out.parent / "report_articles"  # the marked-up pages the report's claim tables link
    pages = set(articles.glob("art_*.html"))
    assert pages and new == {out.parent, out, articles} | pages
    assert os.path.getsize(out) > 1000
