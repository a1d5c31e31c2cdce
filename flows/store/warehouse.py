"""DuckDB I/O: schema, what is loaded, batch loads in one transaction, run records.

One writing process at a time; readers in another process block the writer, so BI tools should
read a copy (see README), never the live file.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from flows.config.errors import QueryFailed, QueryRefused, WarehouseLocked, WarehouseMissing, WarehouseUnusable
from flows.readers.sources import Reject
from sql import describe, schema_scripts
from sql import read as read_sql
from transforms.articles import RawDocument, article_id_for, stored_document
from transforms.ids import figure_id_for, short_id
from transforms.plan import Known, SourceLink
from transforms.rows import FIGURE_CATEGORIES, ParsedBatch

CONTENT_TABLES = ("sentences", "entity_mentions", "figures", "articles")


_memory_limit: str | None = None
_reader_wait: float = 0.0
_on_wait: Callable[[str], None] | None = None


def limit_memory(megabytes: int | None) -> None:
    """Cap DuckDB's memory for every connection this process opens from now on (None: DuckDB's
    default, 80 % of RAM). A run sets it from NEWSETL_DUCKDB_MEMORY_MB."""
    global _memory_limit
    _memory_limit = f"{megabytes}MB" if megabytes else None


def wait_for_readers(seconds: float, on_wait: Callable[[str], None] | None = None) -> None:
    """From now on, a writing connection that finds the file open in another process (a reader:
    `duckdb -readonly`, a notebook, a BI tool on the live file) waits up to `seconds` for it to
    close, telling `on_wait` once, instead of failing at once. A run sets it from NEWSETL_LOCK_TIMEOUT."""
    global _reader_wait, _on_wait
    _reader_wait, _on_wait = seconds, on_wait


# DuckDB errors that mean the file or the disk failed, not our SQL: one line for the user.
_STORAGE_ERRORS = (
    duckdb.IOException,
    duckdb.FatalException,
    duckdb.SerializationException,
    duckdb.InternalException,
)


# A sealed session never spills (no `<db>.tmp` beside a file it only reads) and loads no extension.
_SEALED_CONFIG = {"temp_directory": "", "autoinstall_known_extensions": False, "autoload_known_extensions": False}


@contextmanager
def connect(db: Path | str, read_only: bool = False, sealed: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(db)
    config = _config()
    if sealed:
        read_only = True
        config.update(_SEALED_CONFIG)
    if read_only and not path.exists():
        raise WarehouseMissing(f"no warehouse at {path}: run `newsetl ingest` first (or pass --db)")
    if not read_only and path.parent != Path("") and not path.parent.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseUnusable(f"cannot create the folder {path.parent}: {exc.strerror or exc}") from None
    con = _open(path, read_only, config)
    try:
        if sealed:
            # Set here, not in `config`: DuckDB refuses some options given with these at connect time.
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
        yield con
    except duckdb.Error as exc:
        if not storage_failure(exc):
            raise
        msg = error_line(exc)
        raise WarehouseUnusable(f"{'reading' if read_only else 'writing'} {path} failed: {msg}{_hint(msg)}") from exc
    except OSError as exc:
        raise WarehouseUnusable(f"{'reading' if read_only else 'writing'} {path} failed: {exc}") from exc
    finally:
        with suppress(duckdb.Error):  # a connection DuckDB invalidated (full disk): its own error is reported
            con.close()


def _config() -> dict[str, Any]:
    # The same for every connection of a process: DuckDB refuses a second one to an open file with
    # another configuration.
    return {"memory_limit": _memory_limit} if _memory_limit else {}


def _open(path: Path, read_only: bool, config: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    """Open the file; a writer that finds it held by another process waits (see `wait_for_readers`)."""
    deadline = time.monotonic() + (0.0 if read_only else _reader_wait)
    told = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as exc:
            msg = error_line(exc)
            if "lock" not in msg.lower():
                raise WarehouseUnusable(f"cannot open {path}: {msg}{_hint(msg)}") from None
            holder = re.search(r"PID (\d+)", msg)
            who = f" (process {holder.group(1)})" if holder else ""
            if time.monotonic() >= deadline:
                waited = f"; gave up after {_reader_wait:.0f} s" if _reader_wait and not read_only else ""
                raise WarehouseLocked(
                    f"{path} is in use by another process{who}{waited}: close it, or let readers use the "
                    "readers' snapshot (exports/)"
                ) from None
            if not told and _on_wait is not None:
                _on_wait(f"{path} is open in another process{who}: waiting up to {_reader_wait:.0f} s for it to close")
                told = True
            time.sleep(0.25)
        except duckdb.Error as exc:
            msg = error_line(exc)
            raise WarehouseUnusable(f"cannot open {path}: {msg}{_hint(msg)}") from None


_STORAGE_MESSAGE = re.compile(
    r"No space left|Disk quota|Could not (write|read|truncate|fsync)|Read-only file system|Permission denied|"
    r"database has been invalidated|I/O error|Input/output error|Corrupt database|checksum",
    re.IGNORECASE,
)


def storage_failure(exc: BaseException) -> bool:
    """An error of the file or the disk (a full disk, a damaged file), not of our SQL."""
    return isinstance(exc, _STORAGE_ERRORS) or bool(_STORAGE_MESSAGE.search(str(exc)))


def error_line(exc: BaseException) -> str:
    """The error in one line: its first, and the line naming the disk's failure where another is first
    ("CHECKPOINT during DETACH failed" ... "No space left on device")."""
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    if not lines:
        return type(exc).__name__
    cause = next((ln for ln in lines[1:] if _STORAGE_MESSAGE.search(ln)), None)
    return lines[0] if cause is None or _STORAGE_MESSAGE.search(lines[0]) else f"{lines[0]} {cause}"


def _hint(msg: str) -> str:
    low = msg.lower()
    if "not a valid duckdb" in low or "could not read enough bytes" in low or "corrupt" in low or "checksum" in low:
        return " (the file is damaged or not a warehouse: move it away; its readers' snapshot in exports/ is a copy)"
    if "permission denied" in low or "read-only file system" in low:
        return " (the warehouse's folder must be writable)"
    return ""


_IN_TRANSACTION: set[int] = set()  # ids of the connections with a transaction opened by `transaction`


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """The one place a write transaction is begun, committed or rolled back: everything inside is
    written wholly or not at all. Inside another `transaction` on the same connection it joins that
    one (the outer one commits), so a step such as the clusters' refresh is one transaction on its
    own and part of the migration's when a migration runs it."""
    key = id(con)
    if key in _IN_TRANSACTION:
        yield con
        return
    con.execute("BEGIN TRANSACTION")
    try:
        _IN_TRANSACTION.add(key)
        yield con
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise
    finally:
        _IN_TRANSACTION.discard(key)


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open. After a fatal error (a full disk) DuckDB has
    already ended it, and a failing ROLLBACK must not hide the error that caused it."""
    with suppress(duckdb.Error):
        con.execute("ROLLBACK")


@contextmanager
def kept_open(db: Path | str) -> Iterator[None]:
    """Hold the warehouse open while a run loads batch after batch. Each load's own `connect` then
    joins this process's open database instead of opening the file anew, and its close no longer
    checkpoints the whole file: a checkpoint per batch was half the load's time at 10,000 articles
    (a rising share as the file grows). DuckDB still checkpoints when its write-ahead log passes its
    threshold, and when this closes; a killed run loses no committed batch (the log is replayed).
    Errors inside are the loads' own to report (this does not call them the warehouse's)."""
    con = _open(Path(db), False, _config())
    try:
        yield
    finally:
        with suppress(duckdb.Error):
            con.close()


def connect_sealed(db: Path | str) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """A read-only session on the DuckDB file `db` (the warehouse or its snapshot) that reads that
    file and nothing else: no other file, no network, no extension, no spill to disk, and its
    settings locked, whatever SQL it is given. `newsetl sql`, `report` and the readers' schema
    check use it."""
    return connect(db, sealed=True)


def check_writable(db: Path | str) -> None:
    """Fail before a run starts if the warehouse cannot be opened for writing (waiting for readers)."""
    with connect(db):
        pass


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create or migrate the schema to this version (see flows/store/migrations.py)."""
    from flows.store.migrations import migrate

    migrate(con)


def run_ddl(con: duckdb.DuckDBPyConnection) -> None:
    for script in schema_scripts():
        con.execute(script.read_text(encoding="utf-8"))


def apply_comments(con: duckdb.DuckDBPyConnection) -> int:
    """Write the data dictionary (sql/dictionary.csv) into the current database as COMMENT ON every
    table, view and column it describes, where the comment is not already that; returns how many
    were written. BI tools (through SQLAlchemy's reflection) and `duckdb_columns()` show them.
    Call it inside a transaction (`transaction(con)`) to write them with one commit."""
    db = con.execute("SELECT current_database()").fetchall()[0][0]
    wanted: list[tuple[str, str, str]] = []
    for name, kind, comment in con.execute(
        "SELECT table_name, 'TABLE', comment FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' "
        "AND NOT temporary UNION ALL SELECT view_name, 'VIEW', comment FROM duckdb_views() "
        "WHERE database_name = ? AND schema_name = 'main' AND NOT internal AND NOT temporary",
        [db, db],
    ).fetchall():
        text = describe(name)
        if text is not None and text != comment:
            wanted.append((kind, f'"{name}"', text))
    for table, column, comment in con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE database_name = ? "
        "AND schema_name = 'main' AND NOT internal",
        [db],
    ).fetchall():
        text = describe(table, column)
        if text is not None and text != comment:
            wanted.append(("COLUMN", f'"{table}"."{column}"', text))
    if wanted:  # one string of statements, inside the caller's transaction where it has one
        quoted = [(kind, target, text.replace("'", "''")) for kind, target, text in wanted]
        con.execute("".join(f"COMMENT ON {kind} {target} IS '{text}';\n" for kind, target, text in quoted))
    return len(wanted)


def data_dictionary(con: duckdb.DuckDBPyConnection, tables: bool = False) -> list[tuple[str, str, str, str, str]]:
    """(object, its comment, column, type, column comment) for every contract view (and with
    `tables`, every base table), in the order of their columns."""
    return con.execute(
        "SELECT c.table_name, coalesce(v.comment, t.comment, ''), c.column_name, c.data_type, "
        "coalesce(c.comment, '') FROM duckdb_columns() c "
        "LEFT JOIN duckdb_views() v ON v.database_name = c.database_name AND v.schema_name = c.schema_name "
        "AND v.view_name = c.table_name "
        "LEFT JOIN duckdb_tables() t ON t.database_name = c.database_name AND t.schema_name = c.schema_name "
        "AND t.table_name = c.table_name "
        "WHERE c.database_name = current_database() AND c.schema_name = 'main' AND NOT c.internal "
        "AND (c.table_name LIKE 'v\\_%' ESCAPE '\\' OR (? AND t.table_name IS NOT NULL)) "
        "ORDER BY t.table_name IS NOT NULL, c.table_name, c.column_index",
        [tables],
    ).fetchall()


def known_content(con: duckdb.DuckDBPyConnection) -> Known:
    rows = con.execute(
        "SELECT s.source_key, s.article_id, s.content_sha256, a.extractor_version, s.source_id "
        "FROM article_sources s JOIN articles a USING (article_id)"
    ).fetchall()
    by_source = {key: (aid, sha, ver) for key, aid, sha, ver, _ in rows}
    source_ids: dict[str, tuple[str, ...]] = {}
    for key, _, _, _, sid in rows:
        source_ids[sid] = (*source_ids.get(sid, ()), key)
    by_hash = dict(con.execute("SELECT content_sha256, article_id FROM articles").fetchall())
    owners = dict(con.execute("SELECT article_id, source_key FROM articles WHERE source_key IS NOT NULL").fetchall())
    return Known(by_source=by_source, by_hash=by_hash, owners=owners, source_ids=source_ids)


def load_batch(
    con: duckdb.DuckDBPyConnection,
    batch: ParsedBatch,
    run_id: str,
    now: datetime,
    links: Sequence[SourceLink] = (),
    pending: Sequence[SourceLink] = (),
) -> None:
    """Replace the batch's articles, all their rows and their source names in one transaction: no
    orphans, no half loads. `pending`: names the run planned against these articles and writes at
    its end; one that holds an article's current text keeps it (`_rehome_names`). A process killed at any point leaves the batch wholly in or wholly out.
    An article re-derived from the same text by a new extractor version has its figure changes
    recorded in `figure_changes`."""
    ids = batch.articles.get_column("article_id").to_list()
    articles = batch.articles.with_columns(
        pl.lit(now).cast(pl.Datetime("us")).alias("ingested_at"), pl.lit(run_id).alias("run_id")
    )
    frames = {
        "articles": articles,
        "sentences": batch.sentences,
        "entity_mentions": batch.mentions,
        "figures": batch.figures,
    }
    with transaction(con):
        upgraded = _remember_figures_of_upgrades(con, articles)
        _rehome_names(
            con, ids, {lk.key for lk in links}, articles.get_column("content_sha256").to_list(), run_id, now, pending
        )
        _delete_articles(con, ids)
        for table, frame in frames.items():
            _insert(con, table, frame)
        if upgraded:
            _record_figure_changes(con, run_id, now)
        loaded = set(ids)
        _write_sources(con, [lk for lk in links if lk.article_id in loaded], run_id, now)


_FIGURE_VALUES = (
    "value_low",
    "value_high",
    "qualifier",
    "category",
    "counted",
    "actor",
    "location",
    "attributed_to",
    "actor_entity_id",
    "location_entity_id",
    "attributed_entity_id",
    "scope",
    "event_date",
    "event_date_precision",
    "event_date_basis",
    "counted_group",
    "is_part",
    "actor_is_agent",
)


def _remember_figures_of_upgrades(con: duckdb.DuckDBPyConnection, articles: pl.DataFrame) -> int:
    """Keep the old figures of articles whose text is unchanged but whose extractor version is not."""
    con.register("_incoming", articles.select("article_id", "content_sha256", "extractor_version").to_arrow())
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _upgrades AS SELECT a.article_id, a.extractor_version AS from_version, "
        "i.extractor_version AS to_version FROM articles a JOIN _incoming i USING (article_id) "
        "WHERE a.content_sha256 = i.content_sha256 AND a.extractor_version <> i.extractor_version"
    )
    con.unregister("_incoming")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _old_figures AS SELECT f.* FROM figures f JOIN _upgrades USING (article_id)"
    )
    return int(con.execute("SELECT count(*) FROM _upgrades").fetchall()[0][0])


def _record_figure_changes(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime) -> None:
    values = ", ".join(f"{c} := {{t}}.{c}" for c in _FIGURE_VALUES)
    old_v, new_v = f"struct_pack({values.format(t='o')})", f"struct_pack({values.format(t='n')})"
    con.execute(read_sql("steps/record_figure_changes.sql").format(old=old_v, new=new_v), [run_id, now])


def stale_articles(
    con: duckdb.DuckDBPyConnection, version: str, limit: int, after: str, force_before: datetime | None = None
) -> list[RawDocument]:
    """The next `limit` articles (by article id, after `after`) not made by `version`, or with
    `force_before`, every article ingested before that time: as documents to parse again."""
    rows = con.execute(
        read_sql("steps/stale_articles.sql"), [after, version, force_before or datetime(1, 1, 1), limit]
    ).fetchall()
    return [stored_document(*row) for row in rows]


def stale_count(con: duckdb.DuckDBPyConnection, version: str, force_before: datetime | None = None) -> int:
    """How many articles `stale_articles` will page through."""
    return int(
        con.execute(
            "SELECT count(*) FROM articles WHERE extractor_version <> ? OR ingested_at < ?",
            [version, force_before or datetime(1, 1, 1)],
        ).fetchall()[0][0]
    )


def retire_articles(
    con: duckdb.DuckDBPyConnection,
    article_ids: Sequence[str],
    run_id: str = "",
    now: datetime | None = None,
    links: Sequence[SourceLink] = (),
    unwritten: Sequence[SourceLink] = (),
) -> None:
    """Delete articles whose source now duplicates another (`links`: every name of this run, whose
    stored rows are about to be rewritten; `unwritten`: those still to be written, which hold the
    text they were planned with); a text that names still hold stays, re-homed."""
    if article_ids:
        going = set(article_ids)
        moving = {lk.key for lk in links}
        holders = [lk for lk in unwritten if lk.article_id in going]
        with transaction(con):
            _rehome_names(con, list(article_ids), moving, [], run_id, now or datetime.now(), holders)
            _delete_articles(con, list(article_ids))


def _rehome_names(
    con: duckdb.DuckDBPyConnection,
    leaving: list[str],
    moving_keys: set[str],
    incoming_hashes: list[str],
    run_id: str,
    now: datetime,
    pending: Sequence[SourceLink] = (),
) -> None:
    """Articles in `leaving` are about to be deleted or given another text. A name not being written
    now (`moving_keys`) that still holds such an article's text, stored or planned by this run and
    written at its end (`pending`), would lose it: the article, its text and its rows are copied to a
    new article owned by the first such name, and those names follow (the planned ones when they are
    written: a name follows its text). Not needed when the same text arrives in this batch anyway
    (`incoming_hashes`)."""
    if not leaving:
        return
    con.register(
        "_pending",
        pl.DataFrame(
            {
                "source_key": [lk.key for lk in pending],
                "source_id": [lk.source_id for lk in pending],
                "article_id": [lk.article_id for lk in pending],
                "content_sha256": [lk.content_sha256 for lk in pending],
            },
            schema={
                "source_key": pl.String,
                "source_id": pl.String,
                "article_id": pl.String,
                "content_sha256": pl.String,
            },
        ).to_arrow(),
    )
    con.register("_leaving", pl.DataFrame({"article_id": leaving}).to_arrow())
    con.register(
        "_moving", pl.DataFrame({"source_key": sorted(moving_keys)}, schema={"source_key": pl.String}).to_arrow()
    )
    con.register("_incoming_hashes", pl.DataFrame({"h": incoming_hashes}, schema={"h": pl.String}).to_arrow())
    orphans = con.execute(read_sql("steps/orphaned_texts.sql")).fetchall()
    # Names of a leaving article whose text another article holds go there now.
    con.execute(
        "UPDATE article_sources SET article_id = o.article_id FROM articles o "
        "WHERE article_sources.article_id IN (SELECT article_id FROM _leaving) "
        "AND o.content_sha256 = article_sources.content_sha256 "
        "AND o.article_id NOT IN (SELECT article_id FROM _leaving)"
    )
    for unregister in ("_leaving", "_moving", "_incoming_hashes", "_pending"):
        con.unregister(unregister)
    for old_id, key, source_id, sha in orphans:
        new_id = article_id_for(key)
        if con.execute("SELECT count(*) FROM articles WHERE article_id = ?", [new_id]).fetchall()[0][0]:
            # That name's own article is still there (it is being retired: the name now holds another
            # text, such as the one of the article that is leaving): the copy gets an id of its own.
            new_id = short_id("art", key, sha)
        con.execute(
            "INSERT INTO articles SELECT * REPLACE (? AS article_id, ? AS source_id, ? AS source_key, "
            "CAST(? AS TIMESTAMP) AS ingested_at, ? AS run_id) FROM articles WHERE article_id = ?",
            [new_id, source_id, key, now, run_id, old_id],
        )
        for table in ("sentences", "entity_mentions"):
            con.execute(
                f"INSERT INTO {table} SELECT * REPLACE (? AS article_id) FROM {table} WHERE article_id = ?",
                [new_id, old_id],
            )
        figures = pl.DataFrame(
            con.sql(
                "SELECT f.*, a.extractor_version AS _version FROM figures f JOIN articles a USING (article_id) "
                "WHERE f.article_id = $old",
                params={"old": old_id},
            ).to_arrow_table()
        )
        if figures.height:
            ids = [
                figure_id_for(new_id, s, e, v)
                for s, e, v in zip(figures["char_start"], figures["char_end"], figures["_version"], strict=True)
            ]
            _insert(
                con,
                "figures",
                figures.drop("_version").with_columns(
                    pl.lit(new_id).alias("article_id"), pl.Series("figure_id", ids, dtype=pl.String)
                ),
            )
        con.execute(
            "UPDATE article_sources SET article_id = ? WHERE article_id = ? AND content_sha256 = ? "
            "AND source_key NOT IN (SELECT unnest(?::VARCHAR[]))",
            [new_id, old_id, sha, sorted(moving_keys)],
        )


def _delete_articles(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    if not ids:
        return
    con.register("_ids", pl.DataFrame({"article_id": ids}).to_arrow())
    for table in CONTENT_TABLES:
        con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM _ids)")
    con.unregister("_ids")


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    cols = ", ".join(frame.columns)
    con.register("_rows", frame.to_arrow())
    con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _rows")
    con.unregister("_rows")


def record_sources(con: duckdb.DuckDBPyConnection, links: list[SourceLink], run_id: str, now: datetime) -> None:
    """Every name given this run points at its article; first_seen survives re-runs."""
    if not links:
        return
    with transaction(con):
        _write_sources(con, links, run_id, now)


def _write_sources(con: duckdb.DuckDBPyConnection, links: Sequence[SourceLink], run_id: str, now: datetime) -> None:
    if not links:
        return
    frame = pl.DataFrame(
        {
            "source_key": [lk.key for lk in links],
            "source_id": [lk.source_id for lk in links],
            "article_id": [lk.article_id for lk in links],
            "content_sha256": [lk.content_sha256 for lk in links],
            "origin": [lk.origin for lk in links],
        }
    )
    con.register("_links", frame.to_arrow())
    # Where a name's planned article no longer holds its text (a later batch gave that article
    # another text, or retired it, after copying the text elsewhere), the name goes where its text is.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _targets AS SELECT l.*, coalesce(("
        "SELECT x.article_id FROM articles x WHERE x.article_id = l.article_id AND x.content_sha256 = l.content_sha256"
        "), (SELECT min(y.article_id) FROM articles y WHERE y.content_sha256 = l.content_sha256)) AS target FROM _links l"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _first AS SELECT s.source_key, s.first_seen FROM article_sources s "
        "JOIN _links l USING (source_key)"
    )
    # Only names whose text is stored: after a failed batch, its names wait for the next run.
    con.execute(
        "DELETE FROM article_sources WHERE source_key IN (SELECT source_key FROM _targets WHERE target IS NOT NULL)"
    )
    con.execute(
        "INSERT INTO article_sources (source_id, article_id, content_sha256, origin, first_seen, last_seen, "
        "last_run_id, source_key) SELECT l.source_id, l.target, l.content_sha256, l.origin, "
        "coalesce(f.first_seen, ?), ?, ?, l.source_key FROM _targets l LEFT JOIN _first f USING (source_key) "
        "WHERE l.target IS NOT NULL",
        [now, now, run_id],
    )
    con.execute("DROP TABLE _targets")
    # A name whose article has gone, or no longer holds its text (that article was given another text,
    # or the name was planned against it before), follows its text to the article that holds it.
    # Only names holding this batch's texts can have moved: the rest of the table is not scanned.
    con.execute(
        "UPDATE article_sources SET article_id = a.article_id FROM articles a "
        "WHERE a.content_sha256 = article_sources.content_sha256 AND article_sources.article_id <> a.article_id "
        "AND article_sources.content_sha256 IN (SELECT content_sha256 FROM _links) "
        "AND NOT EXISTS (SELECT 1 FROM articles h WHERE h.article_id = article_sources.article_id "
        "AND h.content_sha256 = article_sources.content_sha256)"
    )
    con.unregister("_links")


def close_abandoned_runs(
    con: duckdb.DuckDBPyConnection, now: datetime, outcomes: dict[str, tuple[str, str]] | None = None
) -> int:
    """Runs still 'running' when a new run holds the lock were killed, or could not write their end
    (`outcomes`, kept in the lock file: a full disk, a reader that never let go): say so."""
    for run_id, (status, error) in (outcomes or {}).items():
        con.execute(
            "UPDATE ingest_runs SET status = ?, error = ?, finished_at = coalesce(finished_at, ?) "
            "WHERE run_id = ? AND status IN ('running', 'completed')",
            [status, f"{error} (recorded by the next run)", now, run_id],
        )
    n = con.execute("SELECT count(*) FROM ingest_runs WHERE status = 'running'").fetchall()[0][0]
    if n:
        con.execute(
            "UPDATE ingest_runs SET status = 'interrupted', finished_at = ?, error = 'the process ended before "
            "the run finished (killed or crashed); its complete batches were kept, the next run did the rest' "
            "WHERE status = 'running'",
            [now],
        )
    return int(n)


def refresh_clusters(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute near-duplicate clusters over the whole warehouse; returns articles that have copies.

    A cluster is a connected component of `v_near_duplicates`, named by its smallest article id (so
    ids stay put as copies arrive). Computed in SQL by passing the smallest id along the pairs until
    nothing changes: a wire story with hundreds of copies makes a hundred thousand pairs, which
    would not fit this process's memory as Python objects.
    """
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _pairs AS SELECT article_id AS a, near_article_id AS b FROM v_near_duplicates"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _label AS SELECT a AS article_id, min(least(a, b)) AS c FROM _pairs GROUP BY a"
    )
    while True:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _next AS SELECT p.a AS article_id, least(min(l.c), min(n.c)) AS c "
            "FROM _pairs p JOIN _label l ON l.article_id = p.a JOIN _label n ON n.article_id = p.b GROUP BY p.a"
        )
        moved = con.execute("SELECT count(*) FROM _next JOIN _label USING (article_id) WHERE _next.c <> _label.c")
        if moved.fetchall()[0][0] == 0:
            break
        con.execute("CREATE OR REPLACE TEMP TABLE _label AS SELECT * FROM _next")
    with transaction(con):
        con.execute("DELETE FROM article_clusters")
        # Only articles with copies get a row; the views give every other article its own id.
        con.execute("INSERT INTO article_clusters SELECT article_id, c FROM _label")
    n = int(con.execute("SELECT count(*) FROM _label").fetchall()[0][0])
    con.execute("DROP TABLE _pairs; DROP TABLE _label; DROP TABLE _next")
    return n


def refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Near-duplicate clusters, then the incidents that count a story's copies once: one transaction,
    so the incidents never disagree with the clusters."""
    with transaction(con):
        refresh_clusters(con)
        refresh_estimates(con)


def refresh_estimates(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute the incidents (v_estimates) from every incident-scope claim; returns their number.

    Whole-warehouse, like the clusters it depends on: a new article can join an old incident."""
    from transforms.estimates import CLAIM_SCHEMA, ESTIMATE_SCHEMA, estimates

    query = read_sql("steps/estimate_claims.sql")
    claims = pl.DataFrame(pl.from_arrow(con.sql(query).to_arrow_table()))
    found = estimates(claims.select([pl.col(c).cast(t) for c, t in CLAIM_SCHEMA.items()]))
    con.register("_estimates", found.select(list(ESTIMATE_SCHEMA)).to_arrow())
    try:
        cols = ", ".join(ESTIMATE_SCHEMA)
        with transaction(con):
            con.execute("DELETE FROM estimates")
            con.execute(f"INSERT INTO estimates ({cols}) SELECT {cols} FROM _estimates")
    finally:
        con.unregister("_estimates")
    return found.height


def start_run(
    con: duckdb.DuckDBPyConnection, run_id: str, flow_run_id: str | None, paths: list[str], now: datetime, version: str
) -> None:
    con.execute(
        "INSERT INTO ingest_runs (run_id, flow_run_id, started_at, status, paths, extractor_version) "
        "VALUES (?, ?, ?, 'running', ?, ?)",
        [run_id, flow_run_id, now, paths, version],
    )


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    status: str,
    counts: dict[str, Any],
    now: datetime,
    error: str | None = None,
) -> None:
    cols = [
        "n_files_seen",
        "n_new",
        "n_updated",
        "n_unchanged",
        "n_duplicate",
        "n_rejected",
        "rows_articles",
        "rows_sentences",
        "rows_mentions",
        "rows_figures",
    ]
    sets = ", ".join(f"{c} = ?" for c in cols)
    con.execute(
        f"UPDATE ingest_runs SET finished_at = ?, status = ?, error = ?, {sets} WHERE run_id = ?",
        [now, status, error, *[counts.get(c) for c in cols], run_id],
    )


def set_run_status(
    con: duckdb.DuckDBPyConnection, run_id: str, status: str, now: datetime, error: str | None = None
) -> None:
    con.execute(
        "UPDATE ingest_runs SET status = ?, error = ?, finished_at = ? WHERE run_id = ?", [status, error, now, run_id]
    )


def record_rejects(con: duckdb.DuckDBPyConnection, rejects: list[Reject], run_id: str, now: datetime) -> None:
    if not rejects:
        return
    frame = pl.DataFrame(
        {
            "run_id": [run_id] * len(rejects),
            "source": [r.source for r in rejects],
            "reason": [r.reason for r in rejects],
            "detail": [r.detail for r in rejects],
            "rejected_at": [now] * len(rejects),
        },
        schema={
            "run_id": pl.String,
            "source": pl.String,
            "reason": pl.String,
            "detail": pl.String,
            "rejected_at": pl.Datetime("us"),
        },
    )
    _insert(con, "rejects", frame)


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
        for t in ("articles", "sentences", "entity_mentions", "figures", "article_sources", "rejects")
    }


# Figures that count people or things; money, percentages and areas would crowd out the rest.
_COUNTS = tuple(c for c in FIGURE_CATEGORIES if c not in {"money", "percent", "area", "other"})


def fetch_dicts(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """A query's rows as dicts keyed by column name."""
    cur = con.execute(sql, params) if params is not None else con.execute(sql)
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def largest_new_figures(con: duckdb.DuckDBPyConnection, run_id: str, limit: int = 10) -> list[dict[str, Any]]:
    """The largest counts among the figures of articles this run loaded."""
    return fetch_dicts(
        con,
        "SELECT f.surface, f.category, f.value_low, f.value_high, f.actor, f.location, f.attributed_to, a.source_id "
        "FROM figures f JOIN articles a USING (article_id) WHERE a.run_id = ? AND f.category IN "
        f"({', '.join('?' * len(_COUNTS))}) "
        "ORDER BY coalesce(f.value_high, f.value_low) DESC NULLS LAST, a.source_id, f.char_start LIMIT ?",
        [run_id, *_COUNTS, limit],
    )


def run_rejects(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, str, str]]:
    return con.execute(
        "SELECT source, reason, coalesce(detail, '') FROM rejects WHERE run_id = ? ORDER BY source", [run_id]
    ).fetchall()


_READS = "SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN"
# EXPLAIN [ANALYZE] [(options)], after any comments: what follows must itself be a read.
_EXPLAIN = re.compile(r"^(?:\s+|--[^\n]*|/\*.*?\*/)*EXPLAIN\s+(?:ANALY[SZ]E\s+)?(?:\([^)]*\)\s*)?", re.I | re.S)


def reading_statements(sql: str) -> list[duckdb.Statement]:
    """The statements of `sql` if every one only reads; else QueryRefused naming the first that does not."""
    try:
        statements = duckdb.extract_statements(sql)
    except (duckdb.Error, ValueError) as exc:  # ValueError: a statement type the client cannot name
        raise QueryFailed(str(exc).splitlines()[0]) from None
    if not statements:
        raise QueryFailed("the query is empty")
    for st in statements:
        if not _reads(st):
            word = (re.sub(r"^(?:\s+|--[^\n]*|/\*.*?\*/)*", "", st.query, flags=re.S).split() or ["?"])[0]
            raise QueryRefused(
                f"refused: `newsetl sql` runs only reading queries ({_READS}); {word.upper()} is not one"
            )
    return statements


def _reads(st: duckdb.Statement) -> bool:
    if st.type == duckdb.StatementType.SELECT:  # DuckDB types DESCRIBE, SHOW and SUMMARIZE as SELECT
        return True
    if st.type != duckdb.StatementType.EXPLAIN:
        return False
    prefix = _EXPLAIN.match(st.query)
    try:
        inner = duckdb.extract_statements(st.query[prefix.end() :]) if prefix else []
    except (duckdb.Error, ValueError):
        return False
    return len(inner) == 1 and inner[0].type == duckdb.StatementType.SELECT


def run_query(db: Path | str, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Reading statements only, in a sealed session (`connect_sealed`): neither the warehouse nor
    anything else can be changed or read through it. Returns the last statement's result."""
    statements = reading_statements(sql)
    with connect_sealed(db) as con:
        try:
            for st in statements:
                cur = con.execute(st)
            columns = [d[0] for d in cur.description or []]
            return columns, cur.fetchall() if columns else []
        except duckdb.PermissionException as exc:
            raise QueryRefused(
                f"refused: `newsetl sql` reads only the warehouse, not other files or the network "
                f"({str(exc).splitlines()[0]})"
            ) from None
        except duckdb.Error as exc:
            raise QueryFailed(str(exc).splitlines()[0]) from None
