"""benchmarks/compare_warehouses.py on small DuckDB files made here (no newsetl run)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from benchmarks.compare_warehouses import run
from tests.conftest import ROOT

_ARTICLES = [
    ("art_1", "s1", "first text", "2024-01-01 10:00:00", "run-a"),
    ("art_2", "s2", "second text", "2024-01-01 10:00:01", "run-a"),
    ("art_2", "s2", "second text", "2024-01-01 10:00:01", "run-a"),  # a duplicate row counts twice
]
_FIGURES = [("fig_1", "art_1", 3.0, ["x", "y"]), ("fig_2", "art_2", None, None)]


def _make(path: Path, articles=_ARTICLES, figures=_FIGURES, runs: str = "run-a", tables=("figures",)) -> Path:
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE articles (article_id VARCHAR, source_id VARCHAR, text VARCHAR, ingested_at TIMESTAMP, "
        "run_id VARCHAR)"
    )
    con.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?)", list(articles))
    con.execute(
        "CREATE TABLE ingest_runs (run_id VARCHAR, flow_run_id VARCHAR, started_at TIMESTAMP, "
        "finished_at TIMESTAMP, status VARCHAR, n_new INTEGER)"
    )
    con.execute(
        "INSERT INTO ingest_runs VALUES (?, ?, now()::TIMESTAMP, now()::TIMESTAMP, 'completed', 2)", [runs, runs]
    )
    if "figures" in tables:
        con.execute("CREATE TABLE figures (figure_id VARCHAR, article_id VARCHAR, value_low DOUBLE, tags VARCHAR[])")
        con.executemany("INSERT INTO figures VALUES (?, ?, ?, ?)", list(figures))
    con.execute("CREATE VIEW v_articles AS SELECT * FROM articles")  # views are not compared
    con.close()
    return path


def _run(before: Path, after: Path, **kw) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(before, after, out=out, err=err, **kw)
    return code, out.getvalue(), err.getvalue()


def _line(text: str, table: str) -> str:
    return next(ln for ln in text.splitlines() if ln.split()[:1] == [table])


def test_equal_files_exit_0_in_any_row_order(tmp_path: Path) -> None:
    a = _make(tmp_path / "a.duckdb")
    b = _make(tmp_path / "b.duckdb", articles=list(reversed(_ARTICLES)), figures=list(reversed(_FIGURES)))
    code, out, err = _run(a, b)
    assert code == 0, out
    assert err == ""
    assert _line(out, "articles").split()[1:] == ["3", "3", "0", "0", "equal"]
    assert "v_articles" not in out
    assert "all tables equal" in out


def test_file_compared_with_itself_or_its_copy(tmp_path: Path) -> None:
    a = _make(tmp_path / "a.duckdb")
    assert _run(a, a)[0] == 0
    shutil.copy(a, tmp_path / "copy.duckdb")
    assert _run(a, tmp_path / "copy.duckdb")[0] == 0


def test_a_changed_row_is_different_and_named(tmp_path: Path) -> None:
    a = _make(tmp_path / "a.duckdb")
    figures = [_FIGURES[0], ("fig_2", "art_2", 7.0, None)]
    b = _make(tmp_path / "b.duckdb", figures=figures)
    code, out, _ = _run(a, b, show=3)
    assert code == 1
    assert _line(out, "figures").split()[1:] == ["2", "2", "1", "1", "DIFFERENT"]
    assert _line(out, "articles").split()[-1] == "equal"
    assert "('fig_2', 'art_2', None, None)" in out  # the sample row from each side
    assert "('fig_2', 'art_2', 7.0, None)" in out
    assert "1 of 3 tables DIFFERENT" in out


def test_a_lost_duplicate_row_is_different(tmp_path: Path) -> None:
    a = _make(tmp_path / "a.duckdb")
    b = _make(tmp_path / "b.duckdb", articles=_ARTICLES[:2])
    code, out, _ = _run(a, b)
    assert code == 1
    assert _line(out, "articles").split()[1:] == ["3", "2", "1", "0", "DIFFERENT"]


def test_volatile_columns_are_ignored_and_listed(tmp_path: Path) -> None:
    a = _make(tmp_path / "a.duckdb")
    later = [(*r[:3], "2025-06-30 23:59:59", "run-b") for r in _ARTICLES]
    b = _make(tmp_path / "b.duckdb", articles=later, runs="run-b")
    code, out, _ = _run(a, b)
    assert code == 0, out
    ignored = next(ln for ln in out.splitlines() if ln.startswith("ignored columns"))
    for col in ("articles.ingested_at", "articles.run_id", "ingest_runs.run_id", "ingest_runs.started_at"):
        assert col in ignored


def test_ignore_columns_option(tmp_path: Path) -> None:
    a = _make(tmp_path / "a.duckdb")
    b = _make(tmp_path / "b.duckdb", figures=[_FIGURES[0], ("fig_2", "art_2", 7.0, None)])
    assert _run(a, b, ignore_columns="figures.value_low")[0] == 0
    assert _run(a, b, ignore_columns="*.value_low")[0] == 0
    assert _run(a, b, ignore_columns="value_low")[0] == 2


def test_a_missing_table_is_reported(tmp_path: Path) -> None:
    a = _make(tmp_path / "a.duckdb")
    b = _make(tmp_path / "b.duckdb", tables=())
    code, out, _ = _run(a, b)
    assert code == 1
    assert _line(out, "figures").split()[1:] == ["2", "-", "0", "0", "DIFFERENT", "(only", "in", "before)"]
    code, out, _ = _run(b, a)
    assert code == 1
    assert "only in after" in _line(out, "figures")


def test_a_column_in_one_file_only_is_reported(tmp_path: Path) -> None:
    a = _make(tmp_path / "a.duckdb")
    b = _make(tmp_path / "b.duckdb")
    con = duckdb.connect(str(b))
    con.execute("ALTER TABLE figures ADD COLUMN scope VARCHAR")
    con.close()
    code, out, _ = _run(a, b)
    assert code == 1
    assert "figures: columns only in after: scope" in out
    assert _line(out, "figures").split()[1:] == ["2", "2", "0", "0", "DIFFERENT"]  # rows agree on shared columns


def test_missing_file_exit_2_with_one_line(tmp_path: Path) -> None:
    a = _make(tmp_path / "a.duckdb")
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.compare_warehouses", str(a), str(tmp_path / "nope.duckdb")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "nope.duckdb" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "nope.duckdb").exists()  # read-only: nothing created


def test_not_a_duckdb_file_exit_2(tmp_path: Path) -> None:
    a = _make(tmp_path / "a.duckdb")
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a database\n")
    code, out, err = _run(a, junk)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1


def test_cli_equal_exit_0(tmp_path: Path) -> None:
    a = _make(tmp_path / "a.duckdb")
    b = _make(tmp_path / "b.duckdb")
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.compare_warehouses", str(a), str(b), "--show", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "all tables equal" in out.stdout
