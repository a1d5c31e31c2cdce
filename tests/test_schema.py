"""Each row schema is declared once (transforms/rows.py); this one test holds the other places to it:
the DDL of a new warehouse, the dataclasses the rows are filled from, and the contract views of
../shared/CONTRACT.md (read from the file itself, not copied)."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.conftest import SHARED
from transforms.articles import Article
from transforms.entities import Mention
from transforms.figures import Figure
from transforms.rows import ARTICLE_SCHEMA, COMPUTED, FIGURE_CATEGORIES, FROM_FIELDS, QUALIFIERS, TABLES
from transforms.sentences import Sentence

DUCKDB_TYPE = {
    pl.String: "VARCHAR",
    pl.Int32: "INTEGER",
    pl.Float64: "DOUBLE",
    pl.Boolean: "BOOLEAN",
    pl.Date: "DATE",
    pl.Datetime("us"): "TIMESTAMP",
    pl.UInt64: "UBIGINT",
    pl.List(pl.String): "VARCHAR[]",
}
SOURCES = {"sentences": Sentence, "entity_mentions": Mention, "figures": Figure}
# Contract views with no parseable column list (prose).
CONTRACT_PROSE = {
    "v_ingest_runs": ["run_id", "flow_run_id", "started_at", "finished_at", "status", "files_seen",
                      "articles_new", "articles_updated", "articles_unchanged", "rejected"],
    "v_rejects": ["run_id", "source", "reason", "detail"],
}  # fmt: skip


def contract_views(text: str) -> dict[str, list[str]]:
    """Each `## v_*` section's columns, in order: from its tables' first cells, else from the
    comma-separated list its first paragraph starts with."""
    views: dict[str, list[str]] = {}
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        head, _, body = section.partition("\n")
        name = head.split()[0]
        if not name.startswith("v_") or head.split()[1:2] == ["and"]:
            continue
        rows = [ln for ln in body.splitlines() if ln.startswith("| ") and not ln.startswith("| column")]
        if rows:
            cells = [ln.split("|")[1] for ln in rows]
        else:
            paragraph = re.sub(r"\([^)]*\)", "", body.strip().split("\n\n")[0].replace("\n", " "))
            cells = [re.split(r"[.:](?:\s|$)", paragraph)[0]]
        views[name] = [c.strip() for cell in cells for c in cell.split(",") if re.fullmatch(r"\s*[a-z_0-9]+\s*", c)]
    return views


@pytest.mark.parametrize("table", sorted(TABLES))
def test_each_table_is_its_declaration(fresh_warehouse: Path, table: str) -> None:
    with duckdb.connect(str(fresh_warehouse), read_only=True) as con:
        ddl = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {table})").fetchall())
    declared = {column: DUCKDB_TYPE[dtype] for column, dtype in TABLES[table].items()}
    assert ddl == declared


@pytest.mark.parametrize("table", ["articles", *sorted(SOURCES)])
def test_the_dataclasses_fill_every_column(table: str) -> None:
    schema = ARTICLE_SCHEMA if table == "articles" else TABLES[table]
    if table == "articles":
        filled = {f.name for f in fields(Article)}
    else:
        attributes = {f.name for f in fields(SOURCES[table])}
        assert set(FROM_FIELDS[table].values()) <= attributes, set(FROM_FIELDS[table].values()) - attributes
        filled = set(FROM_FIELDS[table])
    assert filled | COMPUTED[table] == set(schema)
    assert not filled & COMPUTED[table]


def test_contract_views_have_their_columns_in_order(fresh_warehouse: Path) -> None:
    parsed = contract_views((SHARED / "CONTRACT.md").read_text(encoding="utf-8"))
    assert all(parsed.values()), {v: c for v, c in parsed.items() if not c}  # a section read as no columns
    contract = parsed | CONTRACT_PROSE
    assert {"v_articles", "v_figures", "v_estimates", "v_tolls", "v_entities"} <= set(contract)
    assert len(contract["v_figures"]) >= 22 and contract["v_sentences"][-1] == "text"
    with duckdb.connect(str(fresh_warehouse), read_only=True) as con:
        for view, columns in contract.items():
            have = [r[0] for r in con.execute(f"DESCRIBE {view}").fetchall()]
            assert [c for c in have if c in columns] == columns, view


def test_readers_start_without_the_model(fresh_warehouse: Path) -> None:
    """`newsetl sql` (and the loader's types) import no spaCy: a query answers in a second, not five."""
    code = (
        "import sys; from flows.cli.main import main; "
        f"rc = main(['sql', 'SELECT count(*) AS n FROM v_figures', '--db', {str(fresh_warehouse)!r}]); "
        "import flows.cli.report, flows.store.warehouse, transforms.rows; "
        "sys.exit(rc or ('spacy' in sys.modules and 9))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "(1 row)" in run.stdout


def _listed(sql: str, column: str) -> list[list[str]]:
    """Each `column NOT IN ('a', 'b', ...)` list in a query."""
    return [re.findall(r"'([a-z_]+)'", m) for m in re.findall(rf"\b{column} NOT IN \(([^)]*)\)", sql)]


def test_every_list_of_categories_and_qualifiers_is_the_declared_one() -> None:
    from sql import data_tests

    found = {"category": 0, "qualifier": 0}
    for script in data_tests():
        text = script.read_text(encoding="utf-8")
        for column, declared in (("category", FIGURE_CATEGORIES), ("qualifier", QUALIFIERS)):
            for listed in _listed(text, column):
                assert tuple(listed) == declared, f"{script.name}: {column} list differs from transforms/rows.py"
                found[column] += 1
    assert found["category"] >= 2 and found["qualifier"] >= 2
    contract = (SHARED / "CONTRACT.md").read_text(encoding="utf-8")
    row = {line.split("|")[1].strip(): line.split("|")[3] for line in contract.splitlines() if line.startswith("| ")}
    assert [w.strip() for w in row["category"].split(",")] == list(FIGURE_CATEGORIES)
    assert [w.strip() for w in row["qualifier"].split(",")] == list(QUALIFIERS)
