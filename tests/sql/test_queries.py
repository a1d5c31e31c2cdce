"""The ready analyst queries in sql/queries/, run on the seed and corpus articles, assert on real rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.cli.main import main
from tests.conftest import ROOT

QUERIES = ROOT / "sql" / "queries"


def run(db: Path, name: str) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute((QUERIES / f"{name}.sql").read_text(encoding="utf-8"))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def test_every_query_file_is_tested() -> None:
    tested = {
        "fighter_estimates_by_place",
        "casualty_claims_by_source",
        "disagreeing_sources",
        "entity_cooccurrence",
        "killed_by_place",
    }
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
    assert sohr and sohr[0]["n_claims"] >= 1 and 1 <= sohr[0]["n_incidents"] <= sohr[0]["n_claims"]
    assert [r["n_claims"] for r in rows] == sorted((r["n_claims"] for r in rows), reverse=True)


def test_disagreeing_sources_cannot_all_be_true(dev_warehouse: Path) -> None:
    rows = run(dev_warehouse, "disagreeing_sources")
    assert rows
    incidents: dict[str, list[dict]] = {}
    for r in rows:
        incidents.setdefault(r["estimate_id"], []).append(r)
    for claims in incidents.values():
        lows = [c["value_low"] or 0 for c in claims]
        highs = [c["value_high"] if c["value_high"] is not None else float("inf") for c in claims]
        assert max(lows) > min(highs) and all(c["sentence"] for c in claims)
        assert claims[0]["low"] <= claims[0]["best"] <= claims[0]["high"]


def test_killed_by_place_adds_incidents_not_claims(dev_warehouse: Path) -> None:
    rows = run(dev_warehouse, "killed_by_place")
    assert [r["n_figures"] for r in rows] == sorted((r["n_figures"] for r in rows), reverse=True)
    with duckdb.connect(str(dev_warehouse), read_only=True) as con:
        claimed = con.execute(
            "SELECT sum(coalesce(value_low, value_high)) FROM v_figures WHERE category = 'killed' AND scope = 'incident'"
        ).fetchone()[0]
        best = con.execute("SELECT sum(best) FROM v_estimates WHERE category = 'killed'").fetchone()[0]
    with_incidents = [r for r in rows if r["incidents"]]
    assert with_incidents and all(r["killed"] > 0 for r in with_incidents)
    assert sum(r["killed"] for r in with_incidents) <= best <= claimed  # each incident once, never each claim


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
