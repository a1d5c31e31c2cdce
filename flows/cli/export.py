"""`newsetl export`: one contract view (optionally filtered) to a CSV, Parquet or JSON-lines file.

It reads the file `newsetl sql` reads (the readers' snapshot while it is current) in the same
sealed read-only session, streams the rows in Arrow batches (memory holds one batch, whatever the
view's size), writes a temporary file beside the target and renames it into place when complete:
an interrupted export leaves no half file under the name asked for.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from flows.config.errors import InputNotFound, QueryFailed, QueryRefused
from flows.store.warehouse import connect_sealed

FORMATS = ("csv", "parquet", "jsonl")
BATCH_ROWS = 50_000


def export_view(
    db: Path,
    view: str,
    fmt: str,
    out: Path,
    where: str | None = None,
    progress: Callable[[int, int], None] = lambda done, total: None,
    protected: Sequence[Path] = (),
) -> int:
    """Write `view` (rows matching `where`, one SQL condition on its columns) to `out` as `fmt`;
    returns the rows written. `protected`: files and folders `out` must never be (the live
    warehouse, its snapshot folder)."""
    if fmt not in FORMATS:
        raise InputNotFound(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    out = Path(out)
    if out.is_dir():
        raise InputNotFound(f"--out {out} is a directory: give a file name, e.g. {out / (view + '.' + fmt)}")
    target = out.resolve()
    databases = [Path(db), *(p for p in protected if not p.is_dir() and p.suffix == ".duckdb")]
    for path in (Path(db), *protected):
        guarded = path.resolve()
        # a database's own files beside it (.wal, .lock); not "exports.csv" beside the exports/ folder
        sidecar = path in databases and target.parent == guarded.parent and target.name.startswith(guarded.name + ".")
        if target == guarded or guarded in target.parents or sidecar:
            raise InputNotFound(f"--out {out} is the warehouse, its snapshot or one of their files: give another name")
    if not out.parent.exists():
        raise InputNotFound(f"no such folder: {out.parent}")
    with connect_sealed(db) as con:
        views = _views(con)
        if view not in views:
            raise InputNotFound(f"no such view: {view!r} (the views: {', '.join(views)})")
        types = dict(con.execute(f'SELECT column_name, column_type FROM (DESCRIBE "{view}")').fetchall())
        try:
            # filter() parses one expression, nothing more: a condition cannot close the query,
            # add a UNION or start another statement.
            rows = con.table(view).filter(where) if where else con.table(view)
            total = int(rows.aggregate("count(*)").fetchall()[0][0])
            reader = _projected(rows, types, fmt).to_arrow_reader(BATCH_ROWS)
        except duckdb.PermissionException as exc:
            raise QueryRefused(f"refused: export reads only the warehouse ({str(exc).splitlines()[0]})") from None
        except duckdb.Error as exc:
            raise QueryFailed(f"--where {where!r}: {str(exc).splitlines()[0]}") from None
        partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
        try:
            written = _write(reader, fmt, partial, total, progress)
            os.replace(partial, out)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return written


def _views(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' "
        "AND NOT internal ORDER BY view_name"
    ).fetchall()
    return [r[0] for r in rows if r[0].startswith("v_")]





def _projected(rows: duckdb.DuckDBPyRelation, types: dict[str, str], fmt: str) -> duckdb.DuckDBPyRelation:
    """CSV has no lists or nested values: those columns are written as JSON text there."""
    nested = [c for c, t in types.items() if fmt == "csv" and (t.endswith("]") or t.startswith(("STRUCT", "MAP")))]
    if not nested:
        return rows
    replaced = ", ".join(f'CAST(to_json("{c}") AS VARCHAR) AS "{c}"' for c in nested)
    return rows.project(f"* REPLACE ({replaced})")


def _write(
    reader: pa.RecordBatchReader, fmt: str, path: Path, total: int, progress: Callable[[int, int], None]
) -> int:
    done = 0
    progress(0, total)
    with _writer(fmt, path, reader.schema) as out:
        for batch in reader:
            out.write_batch(batch)
            done += batch.num_rows
            progress(done, total)
    return done


def _writer(fmt: str, path: Path, schema: pa.Schema) -> Any:
    """A writer of Arrow batches for the format, used as a context manager."""
    if fmt == "parquet":
        return pq.ParquetWriter(path, schema)
    if fmt == "csv":
        return pa_csv.CSVWriter(path, schema)
    return _JsonLinesWriter(path)


class _JsonLinesWriter:
    """One JSON object per row; NaN and infinities (not JSON) as null, dates as ISO text."""

    def __init__(self, path: Path) -> None:
        self.fh = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by __exit__

    def __enter__(self) -> _JsonLinesWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fh.close()

    def write_batch(self, batch: pa.RecordBatch) -> None:
        for row in batch.to_pylist():
            clean = {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in row.items()}
            self.fh.write(json.dumps(clean, ensure_ascii=False, allow_nan=False, default=_json_value) + "\n")


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
