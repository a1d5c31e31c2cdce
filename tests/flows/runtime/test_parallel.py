"""Parse batches in a pool of worker processes: the same rows as one process, and a re-run of an
unchanged corpus does no more than it must."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from flows.ingest import ingest
from tests.conftest import corpus_records

TABLES = {
    "articles": "article_id",
    "sentences": "article_id, sentence_index",
    "entity_mentions": "article_id, char_start, char_end",
    "figures": "figure_id",
}


def rows(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        out = {}
        for table, key in TABLES.items():
            drop = " EXCLUDE (ingested_at, run_id)" if table == "articles" else ""
            out[table] = con.execute(f"SELECT *{drop} FROM {table} ORDER BY {key}").fetchall()
        return out


def test_two_workers_give_the_rows_of_one(tmp_path: Path) -> None:
    src = tmp_path / "wires.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in corpus_records("fakes_syria", limit=40)), encoding="utf-8")
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    ingest(paths=[str(src)], db=str(one), batch_size=8, workers=1, export=False)
    result = ingest(paths=[str(src)], db=str(two), batch_size=8, workers=2, export=False)
    assert result["new"] == 40 and result["rejected"] == 0
    assert rows(one) == rows(two)


def test_an_unchanged_rerun_skips_parsing_and_republishes_the_snapshot(tmp_path: Path) -> None:
    """Nothing to parse, but the run itself is news for readers: the snapshot is never left behind."""
    src = tmp_path / "a.txt"
    src.write_text("Gunmen killed 12 villagers near Hawija on Monday, police said.", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    first = ingest(paths=[str(src)], db=str(db))
    again = ingest(paths=[str(src)], db=str(db))
    assert again["unchanged"] == 1 and again["rows"] == {} and "parse" not in again["timings"]
    assert again["published"] == first["published"]
    with duckdb.connect(again["published"], read_only=True) as con:
        runs = con.execute("SELECT run_id, status FROM v_ingest_runs ORDER BY started_at").fetchall()
    assert runs == [(first["run_id"], "completed"), (again["run_id"], "completed")]
