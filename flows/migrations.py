"""The warehouse's schema version, and the steps that bring an older warehouse file up to date.

Version 1: warehouses made before versioning (no `newsetl_schema` table).
Version 2: articles.simhash and near-duplicate clusters, figure_changes, the schema table.

`migrate` runs on every write (ingest, rebuild, `newsetl migrate`): the idempotent DDL in `sql/`,
then the data steps of each version between the file's and this code's. Readers (`newsetl sql`,
`report`) only check, and say what to run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import duckdb
import polars as pl

from flows.errors import NewsetlError
from transforms.dedup import simhash

SCHEMA_VERSION = 2


class WarehouseTooNew(NewsetlError):
    pass


def file_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The schema version of the open warehouse; None for an empty (new) file."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
    if "newsetl_schema" in tables:
        row = con.execute("SELECT max(version) FROM newsetl_schema").fetchall()[0]
        if row[0] is not None:
            return int(row[0])
    return 1 if "articles" in tables else None


def check(con: duckdb.DuckDBPyConnection, db: str) -> str | None:
    """For readers: None when the file is current, else one line saying what to do."""
    version = file_version(con)
    if version is None or version == SCHEMA_VERSION:
        return None
    if version > SCHEMA_VERSION:
        return f"{db} has schema {version}, newer than this newsetl's {SCHEMA_VERSION}: upgrade newsetl"
    return f"{db} has schema {version}, older than {SCHEMA_VERSION}: run `newsetl migrate --db {db}` (or any ingest)"


def migrate(con: duckdb.DuckDBPyConnection) -> int | None:
    """Bring the warehouse to SCHEMA_VERSION; returns the version it had (None if new)."""
    from flows.warehouse import run_ddl

    before = file_version(con)
    if before is not None and before > SCHEMA_VERSION:
        raise WarehouseTooNew(
            f"the warehouse has schema {before}, newer than this newsetl's {SCHEMA_VERSION}: upgrade newsetl"
        )
    con.execute("BEGIN TRANSACTION")
    try:
        run_ddl(con)
        for version in range((before or SCHEMA_VERSION) + 1, SCHEMA_VERSION + 1):
            STEPS.get(version, lambda c: None)(con)
        if before != SCHEMA_VERSION:
            con.execute("DELETE FROM newsetl_schema")
            con.execute("INSERT INTO newsetl_schema VALUES (?, ?)", [SCHEMA_VERSION, _now()])
        con.execute("COMMIT")
    except BaseException:
        from flows.warehouse import rollback

        rollback(con)
        raise
    return before


def _to_2(con: duckdb.DuckDBPyConnection) -> None:
    """Near-duplicate detection needs each stored article's SimHash, computed from its stored body."""
    rows = con.execute(
        "SELECT article_id, substring(text, body_start + 1, body_end - body_start) FROM articles WHERE simhash IS NULL"
    ).fetchall()
    if not rows:
        return
    frame = pl.DataFrame(
        {"article_id": [r[0] for r in rows], "simhash": [simhash(r[1] or "") for r in rows]},
        schema={"article_id": pl.String, "simhash": pl.UInt64},
    )
    con.register("_hashes", frame.to_arrow())
    con.execute("UPDATE articles SET simhash = h.simhash FROM _hashes h WHERE articles.article_id = h.article_id")
    con.unregister("_hashes")
    from flows.warehouse import refresh_clusters

    refresh_clusters(con, in_transaction=True)


STEPS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {2: _to_2}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
