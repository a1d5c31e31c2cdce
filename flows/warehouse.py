"""DuckDB I/O: schema, what is loaded, batch loads in one transaction, run records.

One writing process at a time; readers in another process block the writer, so BI tools should
read a copy (see README), never the live file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from flows.errors import QueryFailed, WarehouseLocked, WarehouseMissing
from flows.sources import Reject
from transforms.pipeline import ParsedBatch
from transforms.plan import Known, SourceLink

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
CONTENT_TABLES = ("sentences", "entity_mentions", "figures", "articles")


@contextmanager
def connect(db: Path | str, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(db)
    if read_only and not path.exists():
        raise WarehouseMissing(f"no warehouse at {path}: run `newsetl ingest` first (or pass --db)")
    if not read_only and path.parent != Path("") and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        msg = str(exc)
        if "lock" in msg.lower():
            holder = re.search(r"PID (\d+)", msg)
            who = f" (process {holder.group(1)})" if holder else ""
            raise WarehouseLocked(
                f"{path} is in use by another process{who}: close it, or let BI tools read a copy"
            ) from None
        raise WarehouseMissing(f"cannot open {path}: {msg.splitlines()[0]}") from None
    try:
        yield con
    finally:
        con.close()


def check_writable(db: Path | str) -> None:
    """Fail before a run starts if another process holds the warehouse."""
    with connect(db):
        pass


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for script in sorted(SQL_DIR.glob("*.sql")):
        con.execute(script.read_text(encoding="utf-8"))


def known_content(con: duckdb.DuckDBPyConnection) -> Known:
    rows = con.execute(
        "SELECT s.source_id, s.article_id, a.content_sha256, a.extractor_version "
        "FROM article_sources s JOIN articles a USING (article_id)"
    ).fetchall()
    by_source = {sid: (aid, sha, ver) for sid, aid, sha, ver in rows}
    by_hash = dict(con.execute("SELECT content_sha256, article_id FROM articles").fetchall())
    return Known(by_source=by_source, by_hash=by_hash)


def load_batch(con: duckdb.DuckDBPyConnection, batch: ParsedBatch, run_id: str, now: datetime) -> None:
    """Replace the batch's articles and all their rows in one transaction: no orphans, no half loads."""
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
    con.execute("BEGIN TRANSACTION")
    try:
        _delete_articles(con, ids)
        for table, frame in frames.items():
            _insert(con, table, frame)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def retire_articles(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> None:
    if article_ids:
        con.execute("BEGIN TRANSACTION")
        _delete_articles(con, list(article_ids))
        con.execute("COMMIT")


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
    frame = pl.DataFrame(
        {
            "source_id": [lk.source_id for lk in links],
            "article_id": [lk.article_id for lk in links],
            "content_sha256": [lk.content_sha256 for lk in links],
            "origin": [lk.origin for lk in links],
        }
    )
    con.register("_links", frame.to_arrow())
    con.execute("BEGIN TRANSACTION")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _first AS SELECT s.source_id, s.first_seen FROM article_sources s "
        "JOIN _links l USING (source_id)"
    )
    con.execute(
        "DELETE FROM article_sources WHERE source_id IN "
        "(SELECT source_id FROM _links WHERE article_id IN (SELECT article_id FROM articles))"
    )
    con.execute(
        "INSERT INTO article_sources SELECT l.source_id, l.article_id, l.content_sha256, l.origin, "
        "coalesce(f.first_seen, ?), ?, ? FROM _links l LEFT JOIN _first f USING (source_id) "
        # Only names whose article is stored: after a failed batch, its names wait for the next run.
        "WHERE l.article_id IN (SELECT article_id FROM articles)",
        [now, now, run_id],
    )
    # A name whose article has gone (its source became a duplicate elsewhere) follows the content.
    con.execute(
        "UPDATE article_sources SET article_id = a.article_id FROM articles a "
        "WHERE a.content_sha256 = article_sources.content_sha256 AND article_sources.article_id <> a.article_id"
    )
    con.execute("COMMIT")
    con.unregister("_links")


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
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
        for t in ("articles", "sentences", "entity_mentions", "figures", "article_sources", "rejects")
    }


# Figures that count people or things; money, percentages and areas would crowd out the rest.
_COUNTS = (
    "fighters",
    "killed",
    "wounded",
    "detained",
    "kidnapped",
    "displaced",
    "people",
    "strikes",
    "munitions",
    "equipment",
    "targets",
)


def largest_new_figures(con: duckdb.DuckDBPyConnection, run_id: str, limit: int = 10) -> list[dict[str, Any]]:
    """The largest counts among the figures of articles this run loaded."""
    cur = con.execute(
        "SELECT f.surface, f.category, f.value_low, f.value_high, f.actor, f.location, f.attributed_to, a.source_id "
        "FROM figures f JOIN articles a USING (article_id) WHERE a.run_id = ? AND f.category IN "
        f"({', '.join('?' * len(_COUNTS))}) "
        "ORDER BY coalesce(f.value_high, f.value_low) DESC NULLS LAST, a.source_id, f.char_start LIMIT ?",
        [run_id, *_COUNTS, limit],
    )
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def run_rejects(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, str, str]]:
    return con.execute(
        "SELECT source, reason, coalesce(detail, '') FROM rejects WHERE run_id = ? ORDER BY source", [run_id]
    ).fetchall()


def run_query(db: Path | str, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """A read-only query: the warehouse cannot be changed through it."""
    with connect(db, read_only=True) as con:
        try:
            cur = con.execute(sql)
        except duckdb.Error as exc:
            raise QueryFailed(str(exc).splitlines()[0]) from None
        if cur.description is None:
            return [], []
        return [d[0] for d in cur.description], cur.fetchall()
