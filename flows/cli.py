"""The `newsetl` command: `ingest` runs the Prefect flow, `sql` queries the warehouse read-only."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from flows.errors import NewsetlError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsetl",
        description="Turn news articles into a DuckDB warehouse of articles, sentences, entities and figures.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ing = sub.add_parser(
        "ingest",
        help="ingest articles into the warehouse (runs the Prefect flow 'ingest')",
        description="Ingest .txt, .md and .jsonl articles. Re-running on the same input changes nothing; "
        "an edited file replaces its article's rows.",
    )
    ing.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="directory (walked for *.txt, *.md, *.jsonl), file or glob; default: NEWSETL_PATHS if set, else seeds/",
    )
    ing.add_argument("--db", help="warehouse file (default warehouse.duckdb; NEWSETL_DB overrides)")
    ing.add_argument("--batch-size", type=int, help="documents per parse task (default 64)")

    sql = sub.add_parser(
        "sql",
        help="run a read-only SQL query on the warehouse and print a table",
        description="Run a read-only SQL query; the views v_articles, v_sentences, "
        "v_entity_mentions, v_entities, v_figures, v_ingest_runs and v_rejects are the interface.",
    )
    sql.add_argument("query", help='e.g. "SELECT surface, category, actor FROM v_figures"')
    sql.add_argument("--db", help="warehouse file (default warehouse.duckdb; NEWSETL_DB overrides)")
    sql.add_argument("--max-rows", type=int, default=100, help="rows to print at most (default 100)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "ingest":
            return _ingest(args)
        return _sql(args)
    except NewsetlError as exc:
        print(f"newsetl: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("newsetl: interrupted", file=sys.stderr)
        return 130


def _ingest(args: argparse.Namespace) -> int:
    from flows.settings import Settings, check_model, prefect_environment
    from flows.sources import expand_paths
    from flows.warehouse import check_writable

    # Fail on bad settings and missing inputs before Prefect starts its server (10-20 s).
    settings = Settings.load(paths=args.paths or None, db=args.db, batch_size=args.batch_size)
    expand_paths(settings.paths)
    check_model(settings.model)
    check_writable(settings.db)
    prefect_environment()
    from flows.ingest import ingest

    result = ingest(paths=settings.paths, db=str(settings.db), batch_size=settings.batch_size)
    print(format_summary(result))
    return 0 if result.get("status") == "completed" else 1


def format_summary(s: dict[str, Any]) -> str:
    rows = s.get("rows", {})
    totals = s.get("totals", {})
    tables = ("articles", "sentences", "entity_mentions", "figures")
    lines = [
        f"ingest {s['status']} in {s['seconds']:.1f} s -> {s['db']} (run {s['run_id'][:12]})",
        f"  files seen: {s['files_seen']}"
        + (f" ({s['files_ignored']} other files skipped)" if s["files_ignored"] else ""),
        f"  articles: {s['new']} new, {s['updated']} updated, {s['unchanged']} unchanged, "
        f"{s['duplicate']} duplicate, {s['rejected']} rejected",
        "  rows written: " + ", ".join(f"{t} {rows.get(t, 0):,}" for t in tables),
        "  warehouse now: " + ", ".join(f"{t} {totals.get(t, 0):,}" for t in tables),
    ]
    if s["rejected"]:
        lines.append('  see rejects: newsetl sql "SELECT * FROM v_rejects ORDER BY rejected_at DESC"')
    return "\n".join(lines)


def _sql(args: argparse.Namespace) -> int:
    from flows.settings import Settings
    from flows.warehouse import run_query

    settings = Settings.load(db=args.db)
    columns, rows = run_query(settings.db, args.query)
    print(format_table(columns, rows, args.max_rows))
    return 0


def format_table(columns: list[str], rows: list[tuple[Any, ...]], max_rows: int = 100) -> str:
    if not columns:
        return "(no result)"
    shown = [[_cell(v) for v in row] for row in rows[:max_rows]]
    widths = [max([len(c), *(len(r[i]) for r in shown)]) for i, c in enumerate(columns)]
    line = "+".join("-" * (w + 2) for w in widths)
    out = [" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)), line]
    out += [" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in shown]
    more = f", {len(rows) - max_rows} not shown (--max-rows)" if len(rows) > max_rows else ""
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''}{more})")
    return "\n".join(out)


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    text = str(value).replace("\n", "\\n")
    return text if len(text) <= 80 else text[:77] + "..."


if __name__ == "__main__":
    sys.exit(main())
