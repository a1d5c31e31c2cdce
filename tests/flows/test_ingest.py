"""The real `ingest` flow under Prefect's test harness, on real DuckDB files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from flows.ingest import ingest
from tests.conftest import SEED

TABLES = ("articles", "sentences", "entity_mentions", "figures", "article_sources")


def counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder


def test_seed_flow_loads_every_table(seeds: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    result = ingest(paths=[str(seeds)], db=str(db))
    assert result["status"] == "completed"
    assert (result["files_seen"], result["new"], result["rejected"]) == (1, 1, 0)
    c = counts(db)
    assert c["articles"] == 1 and c["sentences"] == 35 and c["figures"] == 2 and c["entity_mentions"] > 50
    [(sid, author)] = query(db, "SELECT source_id, author FROM v_articles")
    assert (sid, author) == (SEED.name, "Shawn Snow")
    runs = query(db, "SELECT status, files_seen, articles_new, flow_run_id FROM v_ingest_runs")
    assert runs[0][:3] == ("completed", 1, 1) and runs[0][3]


def test_rerun_changes_nothing_and_edit_replaces_rows(seeds: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    ingest(paths=[str(seeds)], db=str(db))
    before = counts(db)
    again = ingest(paths=[str(seeds)], db=str(db))
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 1)
    assert counts(db) == before

    (seeds / SEED.name).write_text("Gunmen killed 12 villagers in Hawija, police said.\n", encoding="utf-8")
    edited = ingest(paths=[str(seeds)], db=str(db))
    assert (edited["new"], edited["updated"]) == (0, 1)
    after = counts(db)
    assert after["articles"] == 1 and after["sentences"] == 1  # the old rows are gone, none orphaned
    [(low, cat)] = query(db, "SELECT value_low, category FROM v_figures")
    assert (low, cat) == (12, "killed")
    assert query(db, "SELECT count(*) FROM v_ingest_runs")[0][0] == 3


def test_same_text_under_two_names_is_stored_once(seeds: Path, tmp_path: Path) -> None:
    shutil.copy(SEED, seeds / "copy.txt")
    db = tmp_path / "w.duckdb"
    result = ingest(paths=[str(seeds)], db=str(db))
    assert (result["new"], result["duplicate"]) == (1, 1)
    assert counts(db)["articles"] == 1
    names = query(db, "SELECT source_id, article_id FROM article_sources ORDER BY source_id")
    assert [n for n, _ in names] == [SEED.name, "copy.txt"] and names[0][1] == names[1][1]


def test_unreadable_inputs_become_rejects(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("At least 22 people were killed in Raqqa.", encoding="utf-8")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Caf\xe9 attack".encode("latin-1"))
    (folder / "notes.pdf").write_bytes(b"%PDF")
    lines = [
        json.dumps({"id": "r1", "text": "Five soldiers died.", "published": "2017-11-17"}),
        "{not json",
        json.dumps({"text": "no id"}),
        json.dumps({"id": "r1", "text": "again"}),
    ]
    (folder / "recs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    result = ingest(paths=[str(folder)], db=str(db))
    assert result["files_seen"] == 5 and result["files_ignored"] == 0
    reasons = sorted(r for (r,) in query(db, "SELECT reason FROM v_rejects"))
    assert reasons == ["bad_json", "duplicate_source_id", "empty", "missing_id", "unsupported_type"]
    assert result["rejected"] == 5 and result["new"] == 3  # the Latin-1 file is decoded, and says so
    assert result["inputs"] == 8
    [(meta,)] = query(db, "SELECT metadata FROM v_articles WHERE source_id = 'latin1.txt'")
    assert json.loads(meta) == {"encoding": "cp1252"}
    [(ts,)] = query(db, "SELECT published_at FROM v_articles WHERE source_id = 'r1'")
    assert ts.year == 2017


def test_batches_are_tasks_not_documents(tmp_path: Path) -> None:
    recs = [{"id": f"d{i}", "text": f"Attack number {i}: {i + 2} people were wounded in Mosul."} for i in range(7)]
    src = tmp_path / "many.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in recs), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    result = ingest(paths=[str(src)], db=str(db), batch_size=3)
    assert result["new"] == 7 and counts(db)["articles"] == 7
    assert result["rows"]["figures"] == 7


def test_a_failed_run_is_recorded(seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSETL_MODEL", "no_such_model")
    db = tmp_path / "w.duckdb"
    with pytest.raises(Exception, match="no_such_model"):
        ingest(paths=[str(seeds)], db=str(db))
    [(status, error)] = query(db, "SELECT status, error FROM v_ingest_runs")
    assert status == "failed" and "no_such_model" in error
    assert counts(db)["articles"] == 0 and counts(db)["article_sources"] == 0  # nothing half-recorded


def test_a_run_with_a_missing_input_is_recorded_as_failed(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with pytest.raises(Exception, match="no such file"):
        ingest(paths=[str(tmp_path / "missing")], db=str(db))
    [(status, error)] = query(db, "SELECT status, error FROM v_ingest_runs")
    assert status == "failed" and "InputNotFound" in error


def test_an_entity_keeps_its_id_across_runs_and_warehouses(seeds: Path, tmp_path: Path) -> None:
    ids = []
    for name in ("one", "two"):
        db = tmp_path / f"{name}.duckdb"
        assert ingest(paths=[str(seeds)], db=str(db))["status"] == "completed"
        ids.append(
            dict(query(db, "SELECT canonical_name, entity_id FROM v_entities WHERE label IN ('GPE', 'ORG', 'PERSON')"))
        )
    assert ids[0] == ids[1]
    assert ids[0]["Islamic State"] and ids[0]["Abu Kamal"] and ids[0]["Ryan Dillon"]


def test_v_entities_and_figures_carry_names_counts_and_places(seeds: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert ingest(paths=[str(seeds)], db=str(db))["status"] == "completed"
    [(name, aliases, n, lat, lon, cc)] = query(
        db,
        "SELECT canonical_name, aliases, n_mentions, latitude, longitude, country_code FROM v_entities "
        "WHERE 'ISIS' IN aliases",
    )
    assert name == "Islamic State" and n >= 15 and "ISIS" in aliases and lat is None and cc is None
    rows = query(
        db,
        "SELECT f.surface, f.location, e.canonical_name, e.latitude, e.longitude, f.location_country_code "
        "FROM v_figures f JOIN v_entities e ON e.entity_id = f.location_entity_id WHERE f.category = 'fighters' "
        "AND f.location = 'Abu Kamal'",
    )
    assert [r[:3] for r in rows] == [("500 to 1,000", "Abu Kamal", "Abu Kamal")]
    assert abs(rows[0][3] - 34.452) < 0.01 and abs(rows[0][4] - 40.919) < 0.01 and rows[0][5] == "SY"


def test_each_run_leaves_a_markdown_artifact(seeds: Path, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    db = tmp_path / "w.duckdb"
    ingest(paths=[str(seeds)], db=str(db))
    [(flow_run_id,)] = query(db, "SELECT flow_run_id FROM v_ingest_runs")
    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    assert artifact.key == "ingest-summary" and artifact.type == "markdown"
    md = str(artifact.data)
    assert "# ingest completed" in md and "| sentences | 35 | 35 |" in md
    assert "| 500 to 1,000 | fighters | 500 | 1,000 | ISIS | Abu Kamal |" in md
    assert "| parse |" in md and "| publish |" in md


def test_export_can_be_turned_off_or_moved(seeds: Path, tmp_path: Path) -> None:
    ingest(paths=[str(seeds)], db=str(tmp_path / "a.duckdb"), export=False)
    assert not (tmp_path / "exports").exists()
    result = ingest(paths=[str(seeds)], db=str(tmp_path / "b.duckdb"), export_dir=str(tmp_path / "bi"))
    assert result["published"] == str((tmp_path / "bi" / "warehouse.duckdb").resolve())
    assert (tmp_path / "bi" / "parquet" / "v_figures.parquet").exists()


def test_a_run_with_rejects_ends_in_a_named_completed_state(seeds: Path, tmp_path: Path) -> None:
    from flows.ingest import REJECTS_STATE

    db = tmp_path / "w.duckdb"
    clean = ingest(paths=[str(seeds)], db=str(db), export=False, return_state=True)
    assert (clean.type.value, clean.name) == ("COMPLETED", "Completed")
    (seeds / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    state = ingest(paths=[str(seeds)], db=str(db), export=False, return_state=True)
    assert (state.type.value, state.name) == ("COMPLETED", REJECTS_STATE)
    assert state.message == "1 of 2 inputs rejected: see v_rejects and the ingest-summary artifact"
    summary = state.result()
    assert summary["rejected"] == 1 and summary["unchanged"] == 1
    assert ingest(paths=[str(seeds)], db=str(db), export=False)["rejected"] == 1  # called directly: the summary
