"""Two newsetl warehouses compared table by table: does a refactoring leave the warehouse rows unchanged?

    .venv/bin/python -m benchmarks.compare_warehouses BEFORE.duckdb AFTER.duckdb \\
        [--ignore-columns table.col,...] [--show N]

Both files are attached read-only to one in-memory DuckDB connection. Every base table of schema main
in either file is compared: a table in only one file is reported, and so are columns in only one
table. The rows of a table are compared as multisets (order-independent, duplicates counted) with
EXCEPT ALL in both directions, on the columns both files have minus the volatile ones.

Volatile columns (ignored by default, listed in the output) are a run's identity or a wall-clock
time, which differ between two runs of the same code on the same inputs (sql/010_tables.sql):

- articles.run_id, articles.ingested_at: the run that loaded the row and when;
- article_sources.last_run_id, .first_seen, .last_seen: the run that last saw a name, and when;
- ingest_runs.run_id, .flow_run_id, .started_at, .finished_at: the run's ids and clock times;
- rejects.run_id, .rejected_at; figure_changes.run_id, .changed_at; newsetl_schema.migrated_at.

Input paths are not volatile: article_id is a hash of source_key (the input's full path), so the
figure, sentence and mention ids hang on it too; two warehouses are only comparable when both were
built from inputs at the same paths, and then ingest_runs.paths and the source_key columns agree.
That includes the default seeds/ of the checkout that ran (a run from another worktree names its
seed article /other/worktree/seeds/...): pass the same absolute paths to both runs.
--ignore-columns adds to the list (`*.col` means that column in every table).

Output: the ignored columns, then one line per table (rows before and after, rows only before and
only after, equal or DIFFERENT), then up to --show sample rows from each side of each different
table. Exit status: 0 all equal, 1 any difference, 2 bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import duckdb

VOLATILE: dict[str, tuple[str, ...]] = {
    "articles": ("run_id", "ingested_at"),
    "article_sources": ("last_run_id", "first_seen", "last_seen"),
    "ingest_runs": ("run_id", "flow_run_id", "started_at", "finished_at"),
    "rejects": ("run_id", "rejected_at"),
    "figure_changes": ("run_id", "changed_at"),
    "newsetl_schema": ("migrated_at",),
}

EQUAL, DIFFERENT = "equal", "DIFFERENT"


class BadInput(Exception):
    """A file that is missing or not a DuckDB database, or an unreadable option: exit status 2."""


@dataclass
class TableResult:
    table: str
    rows_before: int | None  # None: the table is not in that file
    rows_after: int | None
    only_before: int = 0
    only_after: int = 0
    compared: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    cols_only_before: list[str] = field(default_factory=list)
    cols_only_after: list[str] = field(default_factory=list)
    type_changes: list[str] = field(default_factory=list)
    sample_before: list[tuple] = field(default_factory=list)
    sample_after: list[tuple] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return (
            self.rows_before is not None
            and self.rows_after is not None
            and self.only_before == 0
            and self.only_after == 0
            and not self.cols_only_before
            and not self.cols_only_after
        )

    @property
    def status(self) -> str:
        if self.rows_after is None:
            return f"{DIFFERENT} (only in before)"
        if self.rows_before is None:
            return f"{DIFFERENT} (only in after)"
        return EQUAL if self.equal else DIFFERENT


def parse_ignore(spec: str | Iterable[str] | None) -> dict[str, set[str]]:
    """`table.col,other.col` (or a list of such) -> {table: {col}}; table `*` stands for every table."""
    if spec is None:
        return {}
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out: dict[str, set[str]] = {}
    for item in (i.strip() for i in items):
        if not item:
            continue
        table, dot, col = item.partition(".")
        if not dot or not table or not col:
            raise BadInput(f"--ignore-columns wants table.col, got {item!r}")
        out.setdefault(table, set()).add(col)
    return out


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _tables(con: duckdb.DuckDBPyConnection, db: str) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' "
        "AND NOT temporary ORDER BY table_name",
        [db],
    ).fetchall()
    return [r[0] for r in rows]


def _columns(con: duckdb.DuckDBPyConnection, db: str, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' "
        "AND table_name = ? ORDER BY column_index",
        [db, table],
    ).fetchall()
    return {name: dtype for name, dtype in rows}


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()
    return int(row[0]) if row else 0


def _attach(con: duckdb.DuckDBPyConnection, path: Path, alias: str) -> None:
    if not path.is_file():
        raise BadInput(f"no such warehouse file: {path}")
    try:
        con.execute(f"ATTACH {_lit(str(path))} AS {alias} (READ_ONLY)")
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BadInput(f"cannot open {path} read-only: {first}") from None


def compare_table(
    con: duckdb.DuckDBPyConnection, a: str, b: str, table: str, ignore: dict[str, set[str]], show: int
) -> TableResult:
    cols_a, cols_b = _columns(con, a, table), _columns(con, b, table)
    dropped = set(VOLATILE.get(table, ())) | ignore.get(table, set()) | ignore.get("*", set())
    shared = [c for c in cols_a if c in cols_b]
    res = TableResult(
        table,
        _count(con, f"SELECT * FROM {a}.main.{_q(table)}"),
        _count(con, f"SELECT * FROM {b}.main.{_q(table)}"),
        compared=[c for c in shared if c not in dropped],
        ignored=[c for c in [*cols_a, *(c for c in cols_b if c not in cols_a)] if c in dropped],
        cols_only_before=[c for c in cols_a if c not in cols_b and c not in dropped],
        cols_only_after=[c for c in cols_b if c not in cols_a and c not in dropped],
    )
    # A column whose type changed is compared as text, so that 1 (INTEGER) and 1 (BIGINT) agree but 1 and 1.5 do not.
    exprs = []
    for c in res.compared:
        if cols_a[c] != cols_b[c]:
            res.type_changes.append(f"{c}: {cols_a[c]} -> {cols_b[c]}")
            exprs.append(f"CAST({_q(c)} AS VARCHAR) AS {_q(c)}")
        else:
            exprs.append(_q(c))
    if not exprs:  # nothing left to compare: the row counts are the comparison
        res.only_before = max(0, res.rows_before - res.rows_after) if res.rows_before is not None else 0
        res.only_after = max(0, res.rows_after - res.rows_before) if res.rows_after is not None else 0
        return res
    select = ", ".join(exprs)
    before_minus = f"SELECT {select} FROM {a}.main.{_q(table)} EXCEPT ALL SELECT {select} FROM {b}.main.{_q(table)}"
    after_minus = f"SELECT {select} FROM {b}.main.{_q(table)} EXCEPT ALL SELECT {select} FROM {a}.main.{_q(table)}"
    res.only_before = _count(con, before_minus)
    res.only_after = _count(con, after_minus)
    if show > 0:
        if res.only_before:
            res.sample_before = con.execute(f"SELECT * FROM ({before_minus}) ORDER BY ALL LIMIT {show}").fetchall()
        if res.only_after:
            res.sample_after = con.execute(f"SELECT * FROM ({after_minus}) ORDER BY ALL LIMIT {show}").fetchall()
    return res


def compare(
    before: str | Path, after: str | Path, ignore: dict[str, set[str]] | None = None, show: int = 5
) -> list[TableResult]:
    """Compare two warehouse files; raises BadInput for a missing or unreadable file."""
    ignore = ignore or {}
    before, after = Path(before), Path(after)
    con = duckdb.connect(":memory:")
    try:
        _attach(con, before, "wh_before")
        # DuckDB attaches one file once: a file compared with itself is read through one alias.
        if after.is_file() and before.is_file() and os.path.samefile(before, after):
            b = "wh_before"
        else:
            _attach(con, after, "wh_after")
            b = "wh_after"
        in_a, in_b = _tables(con, "wh_before"), _tables(con, b)
        results = []
        for table in sorted(set(in_a) | set(in_b)):
            if table not in in_b:
                results.append(TableResult(table, _count(con, f"SELECT * FROM wh_before.main.{_q(table)}"), None))
            elif table not in in_a:
                results.append(TableResult(table, None, _count(con, f"SELECT * FROM {b}.main.{_q(table)}")))
            else:
                results.append(compare_table(con, "wh_before", b, table, ignore, show))
        return results
    finally:
        con.close()


def _n(v: int | None) -> str:
    return "-" if v is None else f"{v:,}"


def report(results: Sequence[TableResult], before: str | Path, after: str | Path, out: TextIO) -> None:
    print(f"before: {before}\nafter:  {after}", file=out)
    ignored = [f"{r.table}.{c}" for r in results for c in r.ignored]
    print(f"ignored columns ({len(ignored)}): {', '.join(ignored) or 'none'}", file=out)
    width = max([len("table"), *(len(r.table) for r in results)])
    print(
        f"{'table':<{width}}  {'rows_before':>11} {'rows_after':>11}  {'only_before':>11} {'only_after':>11}  status",
        file=out,
    )
    for r in results:
        print(
            f"{r.table:<{width}}  {_n(r.rows_before):>11} {_n(r.rows_after):>11}  "
            f"{_n(r.only_before):>11} {_n(r.only_after):>11}  {r.status}",
            file=out,
        )
    for r in results:
        if r.cols_only_before:
            print(f"  {r.table}: columns only in before: {', '.join(r.cols_only_before)}", file=out)
        if r.cols_only_after:
            print(f"  {r.table}: columns only in after: {', '.join(r.cols_only_after)}", file=out)
        if r.type_changes:
            print(f"  {r.table}: types changed (compared as text): {'; '.join(r.type_changes)}", file=out)
    for r in results:
        if not (r.sample_before or r.sample_after):
            continue
        print(f"\n{r.table} ({', '.join(r.compared)}):", file=out)
        for side, rows, total in (("before", r.sample_before, r.only_before), ("after", r.sample_after, r.only_after)):
            if rows:
                print(f"  only in {side} ({len(rows)} of {total:,}):", file=out)
                for row in rows:
                    print(f"    {_short(row)}", file=out)
    n_diff = sum(not r.equal for r in results)
    print(f"\n{'all tables equal' if not n_diff else f'{n_diff} of {len(results)} tables DIFFERENT'}", file=out)


def _short(row: tuple, limit: int = 400) -> str:
    text = repr(row)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def run(
    before: str | Path,
    after: str | Path,
    ignore_columns: str | Iterable[str] | None = None,
    show: int = 5,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Compare, print the report; 0 all equal, 1 any difference, 2 bad input (one line on err)."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        results = compare(before, after, parse_ignore(ignore_columns), show)
    except BadInput as exc:
        print(f"error: {exc}", file=err)
        return 2
    report(results, before, after, out)
    return 0 if all(r.equal for r in results) else 1


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", help="the warehouse before the change")
    ap.add_argument("after", help="the warehouse after the change")
    ap.add_argument("--ignore-columns", default="", help="more columns to ignore: table.col,... (*.col: every table)")
    ap.add_argument("--show", type=int, default=5, help="sample rows per side of a different table (default 5)")
    args = ap.parse_args(argv)
    if args.show < 0:
        print("error: --show wants a number >= 0", file=sys.stderr)
        return 2
    return run(args.before, args.after, args.ignore_columns, args.show)


if __name__ == "__main__":
    sys.exit(main())
