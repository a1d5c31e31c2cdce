"""The `newsetl` command as a user runs it: real subprocesses, real files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from flows.cli.main import format_table, main
from tests.conftest import ROOT, SEED

NEWSETL = [sys.executable, "-m", "flows.cli.main"]


def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([*NEWSETL, *args], cwd=cwd, capture_output=True, text=True, env=full_env, timeout=300)


@pytest.mark.parametrize("args", [["--help"], ["ingest", "--help"], ["sql", "--help"]])
def test_help(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 0 and "usage: newsetl" in capsys.readouterr().out


def test_missing_path_is_one_clear_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["ingest", str(tmp_path / "nope"), "--db", str(tmp_path / "w.duckdb")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("newsetl: error: no such file or directory") and "\n" not in err


def test_bad_setting_says_how_to_fix(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSETL_BATCH_SIZE", "lots")
    assert main(["ingest"]) == 2
    err = capsys.readouterr().err
    assert "NEWSETL_BATCH_SIZE='lots'" in err and "whole number" in err
    monkeypatch.delenv("NEWSETL_BATCH_SIZE")
    assert main(["ingest", "--batch-size", "0"]) == 2
    assert "--batch-size=0" in capsys.readouterr().err


def test_sql_on_missing_warehouse(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb")]) == 1
    assert "run `newsetl ingest` first" in capsys.readouterr().err


def test_sql_prints_a_table_and_stays_read_only(dev_warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "sql",
                "SELECT surface, category FROM v_figures WHERE value_high = 1000 AND value_low = 500",
                "--db",
                str(dev_warehouse),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "500 to 1,000" in out and "fighters" in out and "(1 row)" in out
    assert main(["sql", "DELETE FROM articles", "--db", str(dev_warehouse)]) == 2
    assert "refused" in capsys.readouterr().err.lower()


def test_format_table_truncates() -> None:
    text = format_table(["a"], [(i,) for i in range(5)], max_rows=2)
    assert text.splitlines()[-1] == "(5 rows, 3 not shown (--max-rows))"


def test_cli_ingest_end_to_end(tmp_path: Path) -> None:
    """The console entry point on its own Prefect (ephemeral server), as `make run` uses it."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    db = tmp_path / "w.duckdb"
    env = {"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_API_URL": ""}
    first = run("ingest", str(folder), "--db", str(db), env=env)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "inputs: 1 = 1 new" in first.stdout and "figures 2" in first.stdout
    second = run("ingest", str(folder), "--db", str(db), env=env)
    assert "0 new + 0 updated + 1 unchanged" in second.stdout
    out = run("sql", "SELECT count(*) AS n FROM v_sentences", "--db", str(db))
    assert out.returncode == 0 and "35" in out.stdout


def test_prefect_yaml_points_at_the_flow() -> None:
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    assert spec["pull"], "prefect deploy needs an explicit pull step"
    for dep in spec["deployments"]:
        module, name = dep["entrypoint"].split(":")
        assert (ROOT / module).exists() and name == "ingest"
        assert set(dep["parameters"]) <= {"paths", "db", "batch_size"}


def test_missing_model_fails_before_any_work(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEWSETL_MODEL", "no_such_model")
    assert main(["ingest", str(SEED), "--db", str(tmp_path / "w.duckdb")]) == 2
    assert "NEWSETL_MODEL='no_such_model'" in capsys.readouterr().err
    assert not (tmp_path / "w.duckdb").exists()


def test_locked_warehouse_is_one_clear_line(tmp_path: Path) -> None:
    """Another process keeps the live file open past NEWSETL_LOCK_TIMEOUT: the run says it waited,
    then gives up in one line, before Prefect starts."""
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('ok', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        out = run("ingest", str(SEED), "--db", str(db), env={"NEWSETL_LOCK_TIMEOUT": "2"})
        assert out.returncode == 1
        last = out.stderr.strip().splitlines()[-1]
        assert (
            last.startswith("newsetl: error:") and "in use by another process" in last and "gave up after 2 s" in last
        )
        assert "waiting up to 2 s for it to close" in out.stderr
        assert "Traceback" not in out.stderr
    finally:
        holder.kill()
        holder.wait()


def test_progress_bar_over_batches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(
            f"Gunmen killed {i + 2} villagers near Hawija, police said.\n", encoding="utf-8"
        )
    assert main(["ingest", str(folder), "--db", str(tmp_path / "w.duckdb"), "--batch-size", "1", "--progress"]) == 0
    captured = capsys.readouterr()
    assert "parsing" in captured.err and "3/3" in captured.err and "words/s" in captured.err
    # an estimate from the first document on, before the last batch: "eta 0:00:01"
    assert "eta: estimating" in captured.err and re.search(r"eta \d+:\d\d:\d\d", captured.err)
    assert "inputs: 3 = 3 new" in captured.out and "seconds: open" in captured.out


def test_report_writes_one_offline_page(
    dev_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site" / "report.html"
    mine = out.parent / "report_articles" / "art_mynotes.html"  # a file of the user's: never removed
    mine.parent.mkdir(parents=True)
    mine.write_text("notes", encoding="utf-8")
    assert main(["report", "--db", str(dev_warehouse), "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") == 3 and "http://" not in page.replace("http://www.w3", "")
    # The warehouse's most located place and the seed's source are on the page.
    with duckdb.connect(str(dev_warehouse), read_only=True) as con:
        (top,) = con.execute(
            "SELECT coalesce(any_value(e.canonical_name), any_value(f.location)) FROM v_figures f "
            "LEFT JOIN v_entities e ON e.entity_id = f.location_entity_id WHERE f.location IS NOT NULL "
            "GROUP BY coalesce(f.location_entity_id, lower(f.location)) ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    assert top in page and "Syrian Observatory for Human Rights" in page
    # no temporary file left; the claim tables link each claim's article, marked up, beside the page
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.html", "report_articles"]
    links = re.findall(r'<a href="(report_articles/art_[0-9a-f]{16}\.html)">', page)
    assert links and {out.parent / link for link in links} | {mine} == set((out.parent / "report_articles").iterdir())
    linked = (out.parent / links[0]).read_text(encoding="utf-8")
    assert '<mark class="fig"' in linked and 'class="sb"' in linked
