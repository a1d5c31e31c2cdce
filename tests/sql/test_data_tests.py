"""sql/tests/*.sql must return zero rows on a real warehouse; the contract views' types (their columns,
from CONTRACT.md itself, are checked in tests/test_schema.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT

DATA_TESTS = sorted((ROOT / "sql" / "tests").glob("*.sql"))

# Columns added to v_figures with the estimates layer (CONTRACT.md), after the first release's.
FIGURE_CLAIM_COLUMNS = {
    "scope": "VARCHAR",
    "event_date": "DATE",
    "event_date_precision": "VARCHAR",
    "counted_group": "VARCHAR",
}


@pytest.mark.parametrize("script", DATA_TESTS, ids=[p.stem for p in DATA_TESTS])
def test_data_test_returns_no_rows(dev_warehouse: Path, script: Path) -> None:
    with duckdb.connect(str(dev_warehouse), read_only=True) as con:
        rows = con.execute(script.read_text(encoding="utf-8")).fetchall()
    assert rows == [], f"{script.name}: {rows[:5]}"


def test_figure_claim_columns(dev_warehouse: Path) -> None:
    with duckdb.connect(str(dev_warehouse), read_only=True) as con:
        types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE v_figures)").fetchall())
        scopes = {r[0] for r in con.execute("SELECT DISTINCT scope FROM v_figures").fetchall()}
        precisions = {r[0] for r in con.execute("SELECT DISTINCT event_date_precision FROM v_figures").fetchall()}
        estimate_types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE v_estimates)").fetchall())
    assert {c: types.get(c) for c in FIGURE_CLAIM_COLUMNS} == FIGURE_CLAIM_COLUMNS
    assert scopes == {"incident", "cumulative", "unknown"}  # the dev warehouse has all three
    assert precisions <= {"day", "week", "month", "year", "unknown"} and "day" in precisions
    assert estimate_types["sources"] == "VARCHAR[]" and estimate_types["disagree"] == "BOOLEAN"
    assert estimate_types["date_from"] == "DATE" and estimate_types["n_claims"] == "INTEGER"


def test_contract_column_types(dev_warehouse: Path) -> None:
    with duckdb.connect(str(dev_warehouse), read_only=True) as con:
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'v_figures'"
            ).fetchall()
        )
        aliases = con.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'v_entities' AND column_name = 'aliases'"
        ).fetchone()
    assert types["value_low"] == "DOUBLE" and types["char_start"] == "INTEGER"
    assert aliases == ("VARCHAR[]",)


def test_entities_roll_up_across_articles(dev_warehouse: Path) -> None:
    with duckdb.connect(str(dev_warehouse), read_only=True) as con:
        [(n_articles, aliases)] = con.execute(
            "SELECT n_articles, aliases FROM v_entities WHERE canonical_name = 'Ryan Dillon'"
        ).fetchall()
    assert n_articles == 1 and "Dillon" in aliases
