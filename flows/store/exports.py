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
- `exports/.newsetl-snapshot.json`, whose warehouse this is and the state of the live file it
  copies (size and modification time once the run has ended). A directory holds the snapshot of one
  warehouse only, and a snapshot is *current* while the live file is as it was then: `newsetl sql`
  and `report` read it instead of the live file, so they never compete with a run.

Every completed run publishes: a snapshot never stays behind its warehouse once a run has
completed, whatever happened to the runs before (a failed publish, a run killed while publishing).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from flows.config.errors import NewsetlError
from flows.store.warehouse import apply_comments, error_line, transaction

SNAPSHOT = "warehouse.duckdb"
PARQUET = "parquet"
# Readable by DuckDB 1.0 and every later release, the drivers that Superset, Metabase and others ship.
STORAGE_VERSION = "v1.0.0"
_GENERATION = re.compile(r"^\.parquet-(\d{14}-[0-9a-f]+)$")
_PARTIAL = re.compile(r"^\.warehouse\.duckdb\.[0-9a-f-]+\.tmp(\.wal)?$")
MARKER = ".newsetl-snapshot.json"


class ExportFailed(NewsetlError):
    pass


@dataclass(frozen=True)
class Published:
    snapshot: Path
    parquet_dir: Path
    rows: dict[str, int]  # rows per contract view
    seconds: float


def publish(
    con: duckdb.DuckDBPyConnection,
    live_db: Path,
    exports: Path,
    stamp: str,
    run_id: str | None = None,
    finished_at: datetime | None = None,
) -> Published:
    """Publish the warehouse behind `con` (the writer's connection) to `exports`.

    `stamp` names this generation; it must sort after earlier ones (e.g. UTC time then run id).
    `run_id`, still `running` in the live file while it publishes, is `completed` in the copy: the
    copy exists only if the run completes. A failure leaves no partial file behind and raises
    ExportFailed with the reason in one line.
    """
    started = time.perf_counter()
    exports = exports.resolve()
    snapshot = exports / SNAPSHOT
    if snapshot == live_db.resolve():
        raise ExportFailed(f"the export directory {exports} holds the live warehouse: choose another --export-dir")
    if (exports / PARQUET).exists() and not (exports / PARQUET).is_symlink():
        raise ExportFailed(f"{exports / PARQUET} is not newsetl's link to its Parquet files: move it away")
    owner = _owner(exports)
    if owner is not None and owner != str(live_db.resolve()):
        raise ExportFailed(f"{exports} holds the readers' snapshot of {owner}: give {live_db} its own --export-dir")
    partial = exports / f".{SNAPSHOT}.{stamp.replace('-', '')}.tmp"
    generation = exports / f".parquet-{stamp}"
    try:
        exports.mkdir(parents=True, exist_ok=True)
        _remove_partial_snapshots(exports)
        _write_marker(exports, {"warehouse": str(live_db.resolve()), "state": "publishing"})
        tables, views = _relations(con)
        _write_snapshot(con, partial, tables, views, run_id, finished_at)
        os.replace(partial, snapshot)
        previous = _link_target(exports / PARQUET)
        rows = _write_parquet(con, generation, [name for name, _ in views])
        _swap_link(exports / PARQUET, generation)
        _fsync_dir(exports)
    except (duckdb.Error, OSError) as exc:
        _discard(partial, generation, exports)
        raise ExportFailed(f"publishing the readers' snapshot to {exports} failed: {error_line(exc)}") from exc
    except BaseException:
        _discard(partial, generation, exports)
        raise
    _remove_old_generations(exports, keep={generation.name, previous or ""})
    return Published(snapshot, exports / PARQUET, rows, round(time.perf_counter() - started, 2))


def mark_current(exports: Path, live_db: Path, run_id: str) -> None:
    """Once the run has written its last row: the snapshot matches the live file as it is now."""
    st = live_db.stat()
    _write_marker(
        exports.resolve(),
        {
            "warehouse": str(live_db.resolve()),
            "state": "current",
            "run_id": run_id,
            "db_size": st.st_size,
            "db_mtime_ns": st.st_mtime_ns,
        },
    )


def current_snapshot(live_db: Path, exports: Path) -> Path | None:
    """The snapshot of `live_db` in `exports` if it shows the live file as it is now, else None
    (never published, published by a run that did not complete, or the live file changed since)."""
    marker = _read_marker(exports)
    snapshot = exports / SNAPSHOT
    if marker is None or marker.get("state") != "current" or not snapshot.is_file():
        return None
    try:
        st = live_db.stat()
    except OSError:
        return None
    wal = live_db.with_name(live_db.name + ".wal")
    same = (
        marker.get("warehouse") == str(live_db.resolve())
        and marker.get("db_size") == st.st_size
        and marker.get("db_mtime_ns") == st.st_mtime_ns
    )
    return snapshot if same and not wal.exists() else None


def snapshot_of(live_db: Path, exports: Path) -> Path | None:
    """The last snapshot `live_db` published in `exports`, current or not; None if there is none."""
    snapshot = exports / SNAPSHOT
    return snapshot if _owner(exports) == str(live_db.resolve()) and snapshot.is_file() else None


def _owner(exports: Path) -> str | None:
    marker = _read_marker(exports)
    return str(marker["warehouse"]) if marker and marker.get("warehouse") else None


def _read_marker(exports: Path) -> dict[str, object] | None:
    try:
        data = json.loads((exports / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_marker(exports: Path, data: dict[str, object]) -> None:
    staged = exports / f".{MARKER}.{os.getpid()}.tmp"
    staged.write_text(json.dumps(data, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(staged, exports / MARKER)


def _discard(partial: Path, generation: Path, exports: Path) -> None:
    """A failed publish leaves the previous snapshot as it was and none of this one's files."""
    for path in (partial, partial.with_name(partial.name + ".wal")):
        path.unlink(missing_ok=True)
    if generation.exists() and _link_target(exports / PARQUET) != generation.name:
        shutil.rmtree(generation, ignore_errors=True)


def _link_target(link: Path) -> str | None:
    try:
        return os.readlink(link)
    except OSError:
        return None


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
    con: duckdb.DuckDBPyConnection,
    path: Path,
    tables: list[str],
    views: list[tuple[str, str]],
    run_id: str | None = None,
    finished_at: datetime | None = None,
) -> None:
    live = con.execute("SELECT current_database()").fetchall()[0][0]
    con.execute(f"ATTACH '{_quote(path)}' AS newsetl_snapshot (STORAGE_VERSION '{STORAGE_VERSION}')")
    try:
        for table in tables:
            con.execute(f'CREATE TABLE newsetl_snapshot.main."{table}" AS SELECT * FROM "{live}".main."{table}"')
        if run_id is not None and "ingest_runs" in tables:
            con.execute(
                "UPDATE newsetl_snapshot.main.ingest_runs SET status = 'completed', "
                "finished_at = coalesce(?, finished_at) WHERE run_id = ?",
                [finished_at, run_id],
            )
        # The views are created inside the snapshot, from the live warehouse's own definitions, so
        # readers (and SQLAlchemy's reflection) find the same views there.
        con.execute("USE newsetl_snapshot")
        try:
            with transaction(con):  # one commit for the views and their 300 comments
                for _, sql in views:
                    con.execute(sql)
                apply_comments(con)  # the data dictionary: a copied table or a re-made view has none
        finally:
            con.execute(f'USE "{live}"')
    except BaseException:
        with suppress(duckdb.Error):  # the error that stopped the copy is the one to report
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
    """Keep the current generation and the one the link showed before (a reader may still be listing
    it); any other, such as one a killed run left half written, goes."""
    for path in exports.iterdir():
        if _GENERATION.match(path.name) and path.is_dir() and path.name not in keep:
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
