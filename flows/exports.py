"""The readers' snapshot: a copy of the warehouse that BI tools and analysts open instead of the live file.

DuckDB lets one process write, and a reader in another process blocks the writer. So after each
successful run the flow publishes, from its own connection:

- `exports/warehouse.duckdb`, written in DuckDB's 1.0 storage format (most BI drivers ship DuckDB
  1.x, which cannot open 2.0 files), built under a temporary name and renamed over the old one.
  A reader that holds the old file keeps reading it (on POSIX its open file survives the rename)
  and sees the new articles when it reopens; it never sees a half-built file and never blocks a run.
- `exports/parquet/<view>.parquet`, one file per contract view. `parquet` is a symbolic link to a
  directory of one generation; the link is swapped in one rename, so the files a reader sees are
  always of one run. The previous generation is kept for readers still listing it.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.errors import NewsetlError

SNAPSHOT = "warehouse.duckdb"
PARQUET = "parquet"
# Readable by DuckDB 1.0 and every later release, the drivers that Superset, Metabase and others ship.
STORAGE_VERSION = "v1.0.0"
_GENERATION = re.compile(r"^\.parquet-(\d{14}-[0-9a-f]+)$")
_PARTIAL = re.compile(r"^\.warehouse\.duckdb\.[0-9a-f-]+\.tmp(\.wal)?$")


class ExportFailed(NewsetlError):
    pass


@dataclass(frozen=True)
class Published:
    snapshot: Path
    parquet_dir: Path
    rows: dict[str, int]  # rows per contract view
    seconds: float


def publish(con: duckdb.DuckDBPyConnection, live_db: Path, exports: Path, stamp: str) -> Published:
    """Publish the warehouse behind `con` (the writer's connection) to `exports`.

    `stamp` names this generation; it must sort after earlier ones (e.g. UTC time then run id).
    """
    started = time.perf_counter()
    exports = exports.resolve()
    snapshot = exports / SNAPSHOT
    if snapshot == live_db.resolve():
        raise ExportFailed(f"the export directory {exports} holds the live warehouse: choose another --export-dir")
    if (exports / PARQUET).exists() and not (exports / PARQUET).is_symlink():
        raise ExportFailed(f"{exports / PARQUET} is not newsetl's link to its Parquet files: move it away")
    exports.mkdir(parents=True, exist_ok=True)
    _remove_partial_snapshots(exports)

    tables, views = _relations(con)
    partial = exports / f".{SNAPSHOT}.{stamp.replace('-', '')}.tmp"
    _write_snapshot(con, partial, tables, views)
    os.replace(partial, snapshot)

    generation = exports / f".parquet-{stamp}"
    rows = _write_parquet(con, generation, [name for name, _ in views])
    _swap_link(exports / PARQUET, generation)
    _fsync_dir(exports)
    _remove_old_generations(exports, keep={generation.name})
    return Published(snapshot, exports / PARQUET, rows, round(time.perf_counter() - started, 2))


def _relations(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple[str, str]]]:
    """Base tables and (view name, CREATE VIEW statement) of the live warehouse's main schema."""
    db = con.execute("SELECT current_database()").fetchall()[0][0]
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' "
            "AND NOT temporary ORDER BY table_name",
            [db],
        ).fetchall()
    ]
    views = [
        (r[0], r[1])
        for r in con.execute(
            "SELECT view_name, sql FROM duckdb_views() WHERE database_name = ? AND schema_name = 'main' "
            "AND NOT internal AND NOT temporary ORDER BY view_name",
            [db],
        ).fetchall()
    ]
    return tables, views


def _write_snapshot(
    con: duckdb.DuckDBPyConnection, path: Path, tables: list[str], views: list[tuple[str, str]]
) -> None:
    live = con.execute("SELECT current_database()").fetchall()[0][0]
    con.execute(f"ATTACH '{_quote(path)}' AS newsetl_snapshot (STORAGE_VERSION '{STORAGE_VERSION}')")
    try:
        for table in tables:
            con.execute(f'CREATE TABLE newsetl_snapshot.main."{table}" AS SELECT * FROM "{live}".main."{table}"')
        # The views are created inside the snapshot, from the live warehouse's own definitions, so
        # readers (and SQLAlchemy's reflection) find the same views there.
        con.execute("USE newsetl_snapshot")
        try:
            for _, sql in views:
                con.execute(sql)
        finally:
            con.execute(f'USE "{live}"')
    except BaseException:
        con.execute("DETACH newsetl_snapshot")
        path.unlink(missing_ok=True)
        raise
    con.execute("DETACH newsetl_snapshot")  # detaching checkpoints: one self-contained file, no WAL


def _write_parquet(con: duckdb.DuckDBPyConnection, folder: Path, views: list[str]) -> dict[str, int]:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    rows = {}
    for view in views:
        target = folder / f"{view}.parquet"
        # Row groups by size, not by DuckDB's 122,880 rows: 50,000 articles' texts in one row group
        # are 110 MB, more than a run's memory cap (NEWSETL_DUCKDB_MEMORY_MB) allows.
        con.execute(
            f"COPY (SELECT * FROM main.\"{view}\") TO '{_quote(target)}' (FORMAT parquet, ROW_GROUP_SIZE_BYTES '16MB')"
        )
        rows[view] = con.execute(f'SELECT count(*) FROM main."{view}"').fetchall()[0][0]
    return rows


def _swap_link(link: Path, target: Path) -> None:
    """Point `link` at `target` in one rename: readers see the old generation or the new one."""
    staged = link.with_name(f".{link.name}.link-{os.getpid()}")
    staged.unlink(missing_ok=True)
    os.symlink(target.name, staged)  # relative, so the exports directory can be moved or mounted
    os.replace(staged, link)


def _remove_old_generations(exports: Path, keep: set[str]) -> None:
    """Keep the current generation and the one before it (a reader may still be listing it)."""
    generations = sorted(p for p in exports.iterdir() if _GENERATION.match(p.name) and p.is_dir())
    stale = [p for p in generations if p.name not in keep][:-1]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)


def _remove_partial_snapshots(exports: Path) -> None:
    """A run killed while writing its snapshot leaves a temporary file behind; the next run clears it."""
    for path in exports.iterdir():
        if _PARTIAL.match(path.name):
            path.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
