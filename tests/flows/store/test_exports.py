"""The readers' snapshot: every view, DuckDB 1.x can open it, and a reader never blocks a run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from flows.config.errors import NewsetlError
from flows.store import exports, warehouse
from tests.conftest import ROOT, SEED

CONTRACT_VIEWS = {
    "v_articles",
    "v_sentences",
    "v_entity_mentions",
    "v_entities",
    "v_figures",
    "v_ingest_runs",
    "v_rejects",
}


def _count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchone()[0]  # type: ignore[index]


def test_a_run_publishes_every_view(dev_warehouse: Path) -> None:
    snap = dev_warehouse.parent / "exports-dev" / "warehouse.duckdb"  # dev.duckdb's own snapshot
    with duckdb.connect(str(snap), read_only=True) as con:
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert views >= CONTRACT_VIEWS
    for view in CONTRACT_VIEWS:
        live = _count(dev_warehouse, f"SELECT count(*) FROM {view}")
        assert _count(snap, f"SELECT count(*) FROM {view}") == live
        parquet = dev_warehouse.parent / "exports-dev" / "parquet" / f"{view}.parquet"
        assert duckdb.execute(f"SELECT count(*) FROM '{parquet}'").fetchone()[0] == live  # type: ignore[index]
    assert _count(snap, "SELECT count(*) FROM v_figures WHERE value_low = 500 AND value_high = 1000") == 1


@pytest.fixture
def live(tmp_path: Path) -> Path:
    db = tmp_path / "live.duckdb"
    with warehouse.connect(db) as con:
        warehouse.ensure_schema(con)
        con.execute("INSERT INTO rejects VALUES ('r1', 'a.bin', 'binary', 'not text', now())")
    return db


def _publish(db: Path, out: Path, stamp: str) -> exports.Published:
    with warehouse.connect(db) as con:
        return exports.publish(con, db, out, stamp)


def test_generations_swap_and_old_ones_are_cleared(live: Path, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    for i in range(4):
        published = _publish(live, out, f"2026010100000{i}-abcdef0{i}")
    assert published.rows["v_rejects"] == 1
    link = out / "parquet"
    assert link.is_symlink() and os.readlink(link) == ".parquet-20260101000003-abcdef03"
    kept = sorted(p.name for p in out.iterdir() if p.name.startswith(".parquet-"))
    assert kept == [".parquet-20260101000002-abcdef02", ".parquet-20260101000003-abcdef03"]  # current and previous


def test_a_killed_publish_leaves_nothing_behind(live: Path, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    (out / ".warehouse.duckdb.2026010100000000dead.tmp").write_bytes(b"half a file")
    _publish(live, out, "20260101000000-00000000")
    assert sorted(p.name for p in out.iterdir()) == [
        ".newsetl-snapshot.json",
        ".parquet-20260101000000-00000000",
        "parquet",
        "warehouse.duckdb",
    ]


def test_refuses_to_publish_over_the_live_file(live: Path) -> None:
    renamed = live.parent / "warehouse.duckdb"
    live.rename(renamed)
    with pytest.raises(NewsetlError, match="holds the live warehouse"):
        _publish(renamed, renamed.parent, "20260101000000-00000000")


def test_refuses_a_parquet_folder_it_did_not_make(live: Path, tmp_path: Path) -> None:
    (tmp_path / "exports" / "parquet").mkdir(parents=True)
    with pytest.raises(NewsetlError, match="move it away"):
        _publish(live, tmp_path / "exports", "20260101000000-00000000")


@pytest.fixture(scope="session")
def duckdb1_python() -> Path:
    """A separate venv with DuckDB 1.x, the version most BI drivers ship; built once, kept in .cache/."""
    venv = ROOT / ".cache" / "duckdb1-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "duckdb<2"], check=True, timeout=600)
    return python


def test_duckdb_1x_reads_the_snapshot(dev_warehouse: Path, duckdb1_python: Path) -> None:
    snap = dev_warehouse.parent / "exports-dev" / "warehouse.duckdb"
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(duckdb.__version__); "
        "print(con.execute('SELECT count(*) FROM v_figures WHERE value_low = 500 AND value_high = 1000').fetchone()[0]); "
        "print(con.execute('SELECT count(*) FROM v_entities').fetchone()[0])"
    )
    out = subprocess.run([str(duckdb1_python), "-c", code, str(snap)], capture_output=True, text=True, check=True)
    version, fighters, entities = out.stdout.split()
    assert version.startswith("1.") and fighters == "1"
    assert int(entities) == _count(dev_warehouse, "SELECT count(*) FROM v_entities")


def test_a_reader_on_the_snapshot_never_blocks_a_run(tmp_path: Path, proc_env: dict[str, str]) -> None:
    """A BI tool (SQLAlchemy + duckdb-engine, as Superset connects) holds the snapshot while
    `newsetl ingest` writes the live file in another process; it sees whole runs only."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEED, inbox / SEED.name)
    db = tmp_path / "live.duckdb"
    env = proc_env  # the session's Prefect server: no temporary one to start for each run
    cmd = [sys.executable, "-m", "flows.cli.main", "ingest", str(inbox), "--db", str(db), "--no-progress"]
    first = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]

    snap = tmp_path / "exports-live" / "warehouse.duckdb"
    # NullPool: every connect opens the file anew, as a BI tool reopening its source does.
    engine = sa.create_engine(f"duckdb:///{snap}", connect_args={"read_only": True}, poolclass=sa.pool.NullPool)
    holder = engine.connect()  # held open for the whole second run
    assert set(sa.inspect(holder).get_view_names()) >= CONTRACT_VIEWS
    assert holder.execute(sa.text("SELECT count(*) FROM v_articles")).scalar() == 1

    (inbox / "new.txt").write_text("Gunmen killed 12 villagers near Hawija, police said.\n", encoding="utf-8")
    second = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = set()
    while second.poll() is None:  # other readers come and go while the run writes
        with engine.connect() as con:
            assert set(sa.inspect(con).get_view_names()) >= CONTRACT_VIEWS
            seen.add(con.execute(sa.text("SELECT count(*) FROM v_articles")).scalar())
        time.sleep(0.2)
    stdout, stderr = second.communicate()
    assert second.returncode == 0, stderr[-2000:]
    assert seen <= {1, 2}  # the old state or the new, never a half load

    assert holder.execute(sa.text("SELECT count(*) FROM v_articles")).scalar() == 1  # its file is unchanged
    holder.close()
    with engine.connect() as con:  # reopening shows the new article
        assert con.execute(sa.text("SELECT count(*) FROM v_articles")).scalar() == 2
        assert con.execute(sa.text("SELECT count(*) FROM v_figures WHERE category = 'killed'")).scalar() >= 1
    engine.dispose()


def test_publishing_stays_within_the_memory_cap(tmp_path: Path) -> None:
    # Long texts in many rows: Parquet's default row group would buffer them all at once.
    db = tmp_path / "w.duckdb"
    warehouse.limit_memory(128)
    try:
        with warehouse.connect(db) as con:
            warehouse.ensure_schema(con)
            con.execute(
                "INSERT INTO articles (article_id, source_id, text, body_start, body_end, content_sha256, "
                "extractor_version, ingested_at, run_id) SELECT 'a' || i, 's' || i, repeat('word ' || i, 1200), "
                "0, 10, 'h' || i, 'v', now(), 'r' FROM range(8000) t(i)"
            )
            published = exports.publish(con, db, tmp_path / "exports", "20261124000000-test")
    finally:
        warehouse.limit_memory(None)
    assert published.rows["v_articles"] == 8000
