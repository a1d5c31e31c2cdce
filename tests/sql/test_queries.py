"""The ready analyst queries in sql/queries/, run on the seed and corpus articles, assert on real rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from tests.conftest import ROOT

QUERIES = ROOT / "sql" / "queries"


def run(db: Path, name: str) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute((QUERIES / f"{name}.sql").read_text(encoding="utf-8"))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def test_every_query_file_is_tested() -> None:
    tested = {"fighter_estimates_by_place", "casualty_claims_by_source", "disagreeing_figures", "entity_cooccurrence"}
    assert {p.stem for p in QUERIES.glob("*.sql")} == tested


def test_fighter_estimates_by_place(dev_warehouse: Path) -> None:
    rows = run(dev_warehouse, "fighter_estimates_by_place")
    [abu_kamal] = [r for r in rows if r["place"] == "Abu Kamal"]
    assert (abu_kamal["country_code"], abu_kamal["lowest"], abu_kamal["highest"]) == ("SY", 500, 1000)
    assert "ISIS" in abu_kamal["whose"]


def test_casualty_claims_by_source(dev_warehouse: Path) -> None:
    rows = run(dev_warehouse, "casualty_claims_by_source")
    assert rows and {r["category"] for r in rows} == {"killed", "wounded"}
    sohr = [r for r in rows if r["source"] == "Syrian Observatory for Human Rights" and r["category"] == "killed"]
    assert sohr and sohr[0]["n_claims"] >= 1 and sohr[0]["sum_of_lower_bounds"] > 0
    assert [r["n_claims"] for r in rows] == sorted((r["n_claims"] for r in rows), reverse=True)


def test_disagreeing_figures_cannot_all_be_true(dev_warehouse: Path) -> None:
    rows = run(dev_warehouse, "disagreeing_figures")
    assert rows
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["place"], r["category"], r["month"]), []).append(r)
    for figs in groups.values():
        lows = [f["value_low"] or 0 for f in figs]
        highs = [f["value_high"] if f["value_high"] is not None else float("inf") for f in figs]
        assert max(lows) > min(highs) and len({f["source_id"] for f in figs}) > 1


def test_entity_cooccurrence(dev_warehouse: Path) -> None:
    rows = run(dev_warehouse, "entity_cooccurrence")
    top = {frozenset((r["entity_a"], r["entity_b"])) for r in rows[:5]}
    assert frozenset(("Syria", "Islamic State")) in top  # ISIS, ISIL and Daesh count as one entity
    assert all(r["entity_a"] != r["entity_b"] for r in rows)
    assert [r["n_sentences"] for r in rows] == sorted((r["n_sentences"] for r in rows), reverse=True)


def test_cli_runs_a_query_file(dev_warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = QUERIES / "fighter_estimates_by_place.sql"
    assert main(["sql", "--file", str(path), "--db", str(dev_warehouse)]) == 0
    assert "Abu Kamal" in capsys.readouterr().out
    assert main(["sql", "--file", "nope.sql", "--db", str(dev_warehouse)]) == 2
    assert "no such query file" in capsys.readouterr().err
