"""The warehouse's schema version, and the steps that bring an older warehouse file up to date.

Version 1: warehouses made before versioning (no `newsetl_schema` table).
Version 2: articles.simhash and near-duplicate clusters, figure_changes, the schema table.
Version 3: source keys (a document's identity: its file's full path, and a JSON-lines record's id).
Version 4: what each figure is a claim about (scope, event_date, event_date_precision,
event_date_basis, counted_group, is_part) and the incidents made of them (`estimates`). Figures
stored before are `unknown` in scope until `newsetl rebuild` re-reads their articles (their
extractor version is older); the incidents are made of whatever claims there are.

`migrate` runs on every write (ingest, rebuild, `newsetl migrate`): the idempotent DDL in `sql/`,
then the numbered data steps (`MIGRATIONS`) of each version between the file's and this code's, in
one transaction; each step applied is a row of `newsetl_schema` (version, when, what), so a file
tells its own history. A new file gets one row: the version it was created at. Readers (`newsetl
sql`, `report`) only check, and say what to run.

A new version: add its DDL to `sql/` (idempotent: `IF NOT EXISTS`), a `_to_N` step here for the data,
and one `Migration` line; SCHEMA_VERSION follows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from flows.config.errors import NewsetlError
from transforms.dedup import simhash


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
    from flows.store.warehouse import apply_comments, run_ddl, transaction

    before = file_version(con)
    if before is not None and before > SCHEMA_VERSION:
        raise WarehouseTooNew(
            f"the warehouse has schema {before}, newer than this newsetl's {SCHEMA_VERSION}: upgrade newsetl"
        )
    with transaction(con):
        run_ddl(con)
        apply_comments(con)  # after the views are (re)made: replacing a view drops its comments
        if before is None:
            _note(con, SCHEMA_VERSION, f"created at schema {SCHEMA_VERSION}")
        for step in MIGRATIONS:
            if before is not None and step.version > before:
                step.apply(con)
                _note(con, step.version, step.title)
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
    from flows.store.warehouse import refresh_clusters

    refresh_clusters(con)


def _to_3(con: duckdb.DuckDBPyConnection) -> None:
    """Names stored before source keys get one from the file they were read from (`origin`, as the run
    gave it, taken from the folder this runs in: `make run` and the scheduled runs run from the
    project). Articles keep their ids; each is owned by the name it was made from. Where the guess is
    wrong, the file's next ingest finds its text stored and keeps it as a duplicate: nothing is lost."""
    rows = con.execute("SELECT DISTINCT source_id, origin FROM article_sources WHERE source_key IS NULL").fetchall()
    if rows:
        frame = pl.DataFrame(
            {
                "source_id": [r[0] for r in rows],
                "origin": [r[1] for r in rows],
                "key": [_legacy_key(sid, origin) for sid, origin in rows],
            },
            schema={"source_id": pl.String, "origin": pl.String, "key": pl.String},
        )
        con.register("_keys", frame.to_arrow())
        con.execute(
            "UPDATE article_sources SET source_key = k.key FROM _keys k WHERE article_sources.source_key IS NULL "
            "AND article_sources.source_id = k.source_id "
            "AND article_sources.origin IS NOT DISTINCT FROM k.origin"
        )
        con.unregister("_keys")
    con.execute(
        "UPDATE articles SET source_key = s.source_key FROM article_sources s WHERE articles.source_key IS NULL "
        "AND s.article_id = articles.article_id AND s.source_id = articles.source_id"
    )
    con.execute("UPDATE articles SET source_key = source_id WHERE source_key IS NULL")
    con.execute("UPDATE article_sources SET source_key = source_id WHERE source_key IS NULL")


def _legacy_key(source_id: str, origin: str | None) -> str:
    if not origin:
        return source_id
    file = re.sub(r":\d+$", "", origin)  # a JSON-lines record's origin is file:line
    path = str(Path(file).resolve())
    return f"{path}#{source_id}" if file.lower().endswith(".jsonl") else path


def _to_4(con: duckdb.DuckDBPyConnection) -> None:
    from flows.store.warehouse import refresh_estimates

    refresh_estimates(con)


@dataclass(frozen=True)
class Migration:
    version: int
    title: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


MIGRATIONS = (
    Migration(2, "near-duplicate clusters: articles.simhash, article_clusters, figure_changes", _to_2),
    Migration(3, "source keys: a document is its file's full path, a JSON-lines record its id in that file", _to_3),
    Migration(4, "claims and incidents: scope, event dates, counted group, is_part; the estimates table", _to_4),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def _note(con: duckdb.DuckDBPyConnection, version: int, title: str) -> None:
    con.execute("INSERT INTO newsetl_schema (version, migrated_at, step) VALUES (?, ?, ?)", [version, _now(), title])


def history(con: duckdb.DuckDBPyConnection) -> list[tuple[int, datetime, str | None]]:
    """The file's schema history, oldest first."""
    return [
        (int(v), at, step)
        for v, at, step in con.execute(
            "SELECT version, migrated_at, step FROM newsetl_schema ORDER BY migrated_at, version"
        ).fetchall()
    ]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
