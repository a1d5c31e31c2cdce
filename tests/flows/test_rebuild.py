"""`newsetl rebuild` re-derives rows from stored text and records what an upgrade changed;
schema versions migrate forward, and a newer warehouse is refused with what to do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from flows.cli.main import main
from flows.ingest import ingest, rebuild
from flows.store import warehouse
from flows.store.migrations import MIGRATIONS, SCHEMA_VERSION, WarehouseTooNew, file_version
from tests.conftest import SEED
from transforms import EXTRACTOR_VERSION


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    db = tmp_path / "w.duckdb"
    ingest(paths=[str(folder)], db=str(db), export=False)
    shutil.rmtree(folder)  # rebuild needs no source files
    return db


def q(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_rebuild_rederives_old_versions_and_records_figure_changes(seeded: Path) -> None:
    before = q(seeded, "SELECT figure_id, surface, category FROM figures ORDER BY figure_id")
    sentences = q(seeded, "SELECT count(*) FROM sentences")
    with duckdb.connect(str(seeded)) as con:  # as if an older extractor had made these rows
        con.execute("UPDATE articles SET extractor_version = '0.0.9'")
        con.execute("DELETE FROM figures WHERE value_low = 100")  # the old version missed one
        con.execute("UPDATE figures SET category = 'people' WHERE value_low = 500")  # and miscategorised one
        con.execute(
            "INSERT INTO figures (figure_id, article_id, sentence_index, char_start, char_end, surface, value_low, "
            "value_high, qualifier, category) SELECT 'fig_old', article_id, 0, 0, 4, 'junk', 1, 1, 'exact', 'other' "
            "FROM articles"
        )  # and found one that is not there

    result = rebuild(db=str(seeded))
    assert (result["status"], result["updated"], result["rejected"]) == ("completed", 1, 0)
    assert q(seeded, "SELECT figure_id, surface, category FROM figures ORDER BY figure_id") == before
    assert q(seeded, "SELECT count(*) FROM sentences") == sentences
    assert q(seeded, "SELECT DISTINCT extractor_version FROM v_articles") == [(EXTRACTOR_VERSION,)]
    changes = q(seeded, "SELECT change, surface, old_values, new_values FROM v_figure_changes ORDER BY change")
    assert [(c, s) for c, s, _, _ in changes] == [
        ("added", "100 to 200"),
        ("changed", "500 to 1,000"),
        ("removed", "junk"),
    ]
    changed = changes[1]
    assert json.loads(changed[2])["category"] == "people" and json.loads(changed[3])["category"] == "fighters"
    assert q(
        seeded,
        "SELECT from_version, to_version, articles, figures_added, figures_removed, figures_changed "
        "FROM v_version_changes",
    ) == [("0.0.9", EXTRACTOR_VERSION, 1, 1, 1, 1)]

    again = rebuild(db=str(seeded))  # everything is at this version now: nothing to do
    assert again["updated"] == 0 and len(q(seeded, "SELECT * FROM figure_changes")) == 3


def test_rebuild_command_prints_the_version_table(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with duckdb.connect(str(seeded)) as con:
        con.execute("UPDATE articles SET extractor_version = '0.0.9'")
        con.execute("DELETE FROM figures WHERE value_low = 100")
    assert main(["rebuild", "--db", str(seeded), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "rebuild completed" in out and "inputs: 1 = 0 new + 1 updated" in out
    assert "figure changes by extractor version" in out and "0.0.9" in out
    assert main(["rebuild", "--db", str(seeded.parent / "none.duckdb")]) == 1
    assert "run `newsetl ingest` first" in capsys.readouterr().err


def test_an_old_warehouse_is_migrated_and_readers_are_told(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with duckdb.connect(str(seeded)) as con:  # back to a version-1 file: no schema table, no SimHash
        for view in ("v_articles", "v_near_duplicates", "v_figures", "v_estimates", "v_tolls"):
            con.execute(f"DROP VIEW IF EXISTS {view}")
        con.execute("DROP TABLE newsetl_schema")
        con.execute("DROP TABLE article_clusters")
        con.execute("DROP TABLE estimates")
        con.execute("ALTER TABLE articles DROP COLUMN simhash")
        for column in ("scope", "event_date", "event_date_precision", "event_date_basis", "counted_group", "is_part"):
            con.execute(f"ALTER TABLE figures DROP COLUMN {column}")
    with duckdb.connect(str(seeded), read_only=True) as con:
        assert file_version(con) == 1

    assert main(["sql", "SELECT count(*) FROM articles", "--db", str(seeded)]) == 0
    assert "run `newsetl migrate" in capsys.readouterr().err
    assert main(["migrate", "--db", str(seeded)]) == 0
    assert f"is at schema {SCHEMA_VERSION} (was 1)" in capsys.readouterr().out
    assert q(seeded, "SELECT count(*) FROM v_articles WHERE simhash IS NOT NULL") == [(1,)]
    # each numbered migration applied is recorded, in order, with what it did
    steps = q(seeded, "SELECT version, step FROM newsetl_schema ORDER BY version")
    assert [v for v, _ in steps] == [m.version for m in MIGRATIONS] == list(range(2, SCHEMA_VERSION + 1))
    assert all(step for _, step in steps)
    # figures read before claims had a scope are unknown until `newsetl rebuild`: no incident yet
    assert q(seeded, "SELECT DISTINCT scope FROM v_figures") == [("unknown",)]
    assert q(seeded, "SELECT count(*) FROM v_estimates") == [(0,)]


def test_a_newer_warehouse_is_refused(seeded: Path) -> None:
    with duckdb.connect(str(seeded)) as con:
        con.execute("UPDATE newsetl_schema SET version = 99")
    with warehouse.connect(seeded) as con, pytest.raises(WarehouseTooNew, match="upgrade newsetl"):
        warehouse.ensure_schema(con)
