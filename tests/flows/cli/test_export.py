"""`newsetl export`: a view to CSV, Parquet or JSON lines from the readers' snapshot, filtered,
whole or not at all, and nothing but the warehouse read."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from flows.cli.main import main

WHERE = "category = 'killed' AND value_low >= 2"


def _count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return int(con.execute(sql).fetchone()[0])  # type: ignore[index]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_a_filtered_view_in_each_format(
    dev_warehouse: Path, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"killed.{fmt}"
    assert main(["export", "v_figures", "--where", WHERE, "--out", str(out), "--db", str(dev_warehouse)]) == 0
    expected = _count(dev_warehouse, f"SELECT count(*) FROM v_figures WHERE {WHERE}")
    assert expected > 3 and f"({expected:,} rows of v_figures, {fmt})" in capsys.readouterr().out
    ids = {r[0] for r in duckdb.connect(str(dev_warehouse), read_only=True).execute(
        f"SELECT figure_id FROM v_figures WHERE {WHERE}").fetchall()}  # fmt: skip
    if fmt == "csv":
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        got = {r["figure_id"] for r in rows}
        assert rows[0].keys() >= {"figure_id", "surface", "value_low", "attributed_to", "event_date"}
    elif fmt == "parquet":
        got = {r[0] for r in duckdb.execute(f"SELECT figure_id FROM '{out}'").fetchall()}
        assert duckdb.execute(f"SELECT count(*) FROM '{out}' WHERE category <> 'killed'").fetchone()[0] == 0  # type: ignore[index]
    else:
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        got = {r["figure_id"] for r in rows}
        assert all(r["category"] == "killed" and r["value_low"] >= 2 for r in rows)
    assert got == ids
    assert not list(tmp_path.glob(".*partial"))


def test_lists_are_json_text_in_csv(dev_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "incidents.csv"
    assert main(["export", "v_estimates", "--out", str(out), "--db", str(dev_warehouse)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == _count(dev_warehouse, "SELECT count(*) FROM v_estimates")
    assert all(isinstance(json.loads(r["sources"]), list) and json.loads(r["figure_ids"]) for r in rows)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["v_figures", "--where", "1=1) ; DROP TABLE figures; SELECT (1"], 1, "--where"),
        (["v_figures", "--where", "false) UNION ALL BY NAME SELECT article_id AS figure_id FROM articles --"], 1, "--where"),
        (["v_figures", "--where", "surface IN (SELECT content FROM read_text('/etc/passwd'))"], 2, "refused"),
        (["v_figures", "--where", "no_such_column = 1"], 1, "no_such_column"),
        (["v_nope"], 2, "no such view: 'v_nope'"),
        (["figures"], 2, "no such view"),  # base tables are not the interface
    ],
)
def test_what_it_refuses(
    dev_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str
) -> None:
    before = _count(dev_warehouse, "SELECT count(*) FROM figures")
    out = tmp_path / "x.csv"
    assert main(["export", *args, "--out", str(out), "--db", str(dev_warehouse)]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists() and not list(tmp_path.iterdir())
    assert _count(dev_warehouse, "SELECT count(*) FROM figures") == before


def test_bad_targets_are_one_line(dev_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "v_figures", "--out", str(tmp_path), "--db", str(dev_warehouse)]) == 2
    assert main(["export", "v_figures", "--out", str(tmp_path / "f.txt"), "--db", str(dev_warehouse)]) == 2
    assert main(["export", "v_figures", "--out", str(tmp_path / "no" / "f.csv"), "--db", str(dev_warehouse)]) == 2
    err = capsys.readouterr().err
    assert "is a directory" in err and "does not say which" in err and "no such folder" in err


def test_it_never_writes_over_the_warehouse_or_its_snapshot(
    dev_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file read is the snapshot; the live file, its sidecars and the snapshot folder are refused too."""
    snapshot = dev_warehouse.parent / "exports-dev"
    before = dev_warehouse.read_bytes()[:4096]
    for out in (dev_warehouse, Path(f"{dev_warehouse}.wal"), snapshot / "warehouse.duckdb", snapshot / "x.csv"):
        assert main(["export", "v_figures", "--format", "csv", "--out", str(out), "--db", str(dev_warehouse)]) == 2
    assert capsys.readouterr().err.count("is the warehouse, its snapshot or one of their files") == 4
    assert dev_warehouse.read_bytes()[:4096] == before and not (snapshot / "x.csv").exists()
    beside = dev_warehouse.parent / "exports-dev.csv"  # a file named like the snapshot folder is fine
    assert main(["export", "v_rejects", "--out", str(beside), "--db", str(dev_warehouse)]) == 0
    beside.unlink()
