"""`newsetl report`: read the warehouse (in a sealed read-only session, briefly), render the HTML page, write it atomically."""

from __future__ import annotations

import os
import re
from contextlib import suppress
from pathlib import Path
from typing import Any

import duckdb

from flows.cli.show import article_marks
from flows.config.errors import NewsetlError
from flows.store import warehouse
from sql import read as read_sql
from transforms.report import ReportData, render
from transforms.show import render_html

TOP_PLACES = 25
TOP_SOURCES = 15
TOP_DISAGREEING = 12
ARTICLE_PAGE = re.compile(r"art_[0-9a-f]{16}\.html")  # the pages the report writes beside itself


class ReportFailed(NewsetlError):
    pass


def check_out(out: Path) -> None:
    """The one file `report` writes: an HTML page (never the warehouse or another file by mistake),
    replacing at most a regular file."""
    if out.suffix.lower() not in (".html", ".htm"):
        raise ReportFailed(f"--out {out}: the report is an HTML page: give a file name ending in .html")
    if out.exists() and not out.is_file():
        raise ReportFailed(f"--out {out} exists and is not a regular file: give another name")


def write_report(db: Path, out: Path) -> ReportData:
    """The page, and beside it (`<name>_articles/`) one marked-up page per article its claim tables
    name, which the tables link to (as `newsetl show ARTICLE --html` writes it)."""
    check_out(out)
    folder = out.with_name(f"{out.stem}_articles")
    with warehouse.connect_sealed(db) as con:
        data = read_report_data(con)
        articles = sorted({str(r["article_id"]) for r in data.disagreeing if r.get("article_id")})
        pages = {aid: render_html(*article_marks(con, aid)) for aid in articles}
    staged = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if pages:
            folder.mkdir(exist_ok=True)
            for aid, page in pages.items():
                (folder / f"{aid}.html").write_text(page, encoding="utf-8")
        for old in folder.glob("art_*.html") if folder.is_dir() else ():
            # a page this report wrote before for an article it no longer links (no other file)
            if ARTICLE_PAGE.fullmatch(old.name) and old.stem not in pages:
                old.unlink()
        staged.write_text(render(data, title=f"newsetl: {db.name}", articles=folder.name), encoding="utf-8")
        os.replace(staged, out)  # a browser reloading the page never gets half of it
    except OSError as exc:
        with suppress(OSError):
            staged.unlink(missing_ok=True)
        raise ReportFailed(f"cannot write {out}: {exc.strerror or exc}") from None
    return data


def read_report_data(con: duckdb.DuckDBPyConnection) -> ReportData:
    totals = _one(
        con,
        "SELECT (SELECT count(*) FROM v_articles) AS articles, (SELECT count(*) FROM v_figures) AS figures, "
        "(SELECT count(*) FROM v_entities) AS entities, "
        "(SELECT count(*) FROM v_estimates) AS incidents, "
        "(SELECT CAST(min(published_at) AS DATE) FROM v_articles) AS first_published, "
        "(SELECT CAST(max(published_at) AS DATE) FROM v_articles) AS last_published, "
        "(SELECT max(finished_at) FROM v_ingest_runs WHERE status = 'completed') AS last_run",
    )
    span = _one(
        con,
        "SELECT date_diff('month', min(a.published_at), max(a.published_at)) AS months, "
        "count(*) FILTER (WHERE a.published_at IS NULL) AS undated "
        "FROM v_figures f JOIN v_articles a USING (article_id)",
    )
    # Monthly bars while they fit on a page (three years), yearly beyond.
    unit = "month" if (span["months"] or 0) <= 36 else "year"
    fmt = "%Y-%m" if unit == "month" else "%Y"
    periods = con.execute(
        f"SELECT strftime(date_trunc('{unit}', a.published_at), '{fmt}') AS period, f.category, count(*) "
        "FROM v_figures f JOIN v_articles a USING (article_id) WHERE a.published_at IS NOT NULL "
        "GROUP BY ALL ORDER BY period, f.category"
    ).fetchall()
    places = warehouse.fetch_dicts(con, f"SELECT * FROM ({ready_query('killed_by_place')}) LIMIT {TOP_PLACES}")
    # Each claim's article, for the link to its marked-up page (`newsetl show`).
    rows = warehouse.fetch_dicts(
        con,
        "SELECT q.*, (SELECT min(f.article_id) FROM v_estimates e "
        "JOIN v_figures f ON list_contains(e.figure_ids, f.figure_id) JOIN v_articles a USING (article_id) "
        "WHERE e.estimate_id = q.estimate_id AND a.source_id = q.source_id AND f.surface = q.surface) AS article_id "
        f"FROM ({ready_query('disagreeing_sources')}) q",
    )
    first = list(dict.fromkeys(r["estimate_id"] for r in rows))[:TOP_DISAGREEING]
    disagreeing = [r for r in rows if r["estimate_id"] in set(first)]
    sources = warehouse.fetch_dicts(
        con,
        "SELECT coalesce(e.canonical_name, f.attributed_to) AS source, count(*) AS n_figures, "
        "count(DISTINCT f.article_id) AS n_articles FROM v_figures f "
        "LEFT JOIN v_entities e ON e.entity_id = f.attributed_entity_id WHERE f.attributed_to IS NOT NULL "
        f"GROUP BY ALL ORDER BY n_figures DESC, source LIMIT {TOP_SOURCES}",
    )
    return ReportData(totals, periods, unit, int(span["undated"] or 0), places, sources, disagreeing)


def ready_query(name: str) -> str:
    """A ready query of sql/queries/, to use as a subquery."""
    return read_sql(f"queries/{name}.sql").strip().rstrip(";")


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    return warehouse.fetch_dicts(con, sql)[0]
