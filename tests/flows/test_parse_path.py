"""The parse path through the real flow: the ledger when a document breaks the parser, articles
over spaCy's 1,000,000-character limit, and articles not in English."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from flows.cli.main import format_summary
from flows.ingest import ingest
from tests.conftest import ROOT, SEED, corpus_records
from tests.transforms.test_language import FRENCH, GERMAN
from transforms.articles import RawDocument
from transforms.nlp import load_pipeline
from transforms.pipeline import MAX_ARTICLE_CHARS, parse_batch


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def ledger(result: dict) -> tuple[int, ...]:
    return tuple(result[k] for k in ("inputs", "new", "updated", "unchanged", "duplicate", "rejected"))


def test_a_document_the_parser_rejects_is_counted_once_as_rejected(tmp_path: Path) -> None:
    """An article over the parse limit (MAX_ARTICLE_CHARS) passes the reader and the planner and is
    rejected by the parse: the input is rejected, not also new or updated; a copy of its text,
    planned as its duplicate, is rejected with it (its text is stored nowhere)."""
    folder, db = tmp_path / "in", tmp_path / "w.duckdb"
    folder.mkdir()
    feed = folder / "feed.jsonl"
    good = "Five soldiers were killed in Homs on Monday, the army said in a statement issued in Damascus."
    first = [{"id": "a", "text": good}, {"id": "b", "text": "Ten civilians died in Idlib, the monitor said."}]
    feed.write_text("".join(json.dumps(r) + "\n" for r in first), encoding="utf-8")
    assert ledger(ingest(paths=[str(folder)], db=str(db), export=False)) == (2, 2, 0, 0, 0, 0)

    huge = "Seven fighters were killed. " * (MAX_ARTICLE_CHARS // 28 + 1)
    lines = [
        {"id": "a", "text": huge},  # updated, too long
        {"id": "b", "text": "Ten civilians died in Idlib, the monitor said."},  # unchanged
        {"id": "c", "text": huge + "!"},  # new, too long
        {"id": "d", "text": "Forty families fled Deir ez-Zor overnight, aid workers said."},  # new
        {"id": "e", "text": huge + "!"},  # a copy of c's text: planned as its duplicate
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    result = ingest(paths=[str(folder)], db=str(db), export=False)
    assert ledger(result) == (5, 1, 0, 1, 0, 3)
    run = query(
        db,
        f"SELECT n_new, n_updated, n_unchanged, n_duplicate, n_rejected FROM ingest_runs "
        f"WHERE run_id = '{result['run_id']}'",
    )
    assert run == [(1, 0, 1, 0, 3)]
    rejects = query(db, f"SELECT source, reason FROM rejects WHERE run_id = '{result['run_id']}' ORDER BY 1")
    assert [(Path(source).name, reason) for source, reason in rejects] == [
        ("feed.jsonl:1", "too_long"),
        ("feed.jsonl:3", "too_long"),
        ("feed.jsonl:5", "too_long"),
    ]
    # The updated document keeps its earlier article; the new ones have no name pointing at nothing.
    assert query(
        db, "SELECT a.text FROM article_sources s JOIN articles a USING (article_id) WHERE s.source_id = 'a'"
    ) == [(good,)]
    assert query(db, "SELECT count(*) FROM article_sources WHERE source_id IN ('c', 'e')") == [(0,)]
    assert query(db, (ROOT / "sql" / "tests" / "names_hold_their_text.sql").read_text()) == []


def test_an_article_over_a_million_characters_is_parsed_whole(tmp_path: Path) -> None:
    # A FA-KES casualty report (no boilerplate tail, so the body is every copy), 440 times over.
    seed = corpus_records("fakes_syria", ids={"fakes-1914947530"})[0]["text"]
    copies = 1_000_000 // (len(seed) + 2) + 2
    text = "\n\n".join([seed] * copies)
    assert len(text) > 1_000_000
    folder, db = tmp_path / "in", tmp_path / "w.duckdb"
    folder.mkdir()
    (folder / "long.jsonl").write_text(json.dumps({"id": "long", "text": text}) + "\n", encoding="utf-8")
    result = ingest(paths=[str(folder)], db=str(db), export=False)
    assert ledger(result) == (1, 1, 0, 0, 0, 0)
    assert query(db, "SELECT length(text) FROM articles") == [(len(text),)]
    offsets = (ROOT / "sql" / "tests" / "offsets_slice_back.sql").read_text(encoding="utf-8")
    assert query(db, offsets) == []
    # Every copy gives the figures the report alone gives (pieces are cut between copies, at blank lines).
    alone = parse_batch(load_pipeline(), [RawDocument("one", seed, origin="one.jsonl")]).figures
    one = sorted(alone.select("char_start", "surface", "value_low", "value_high", "qualifier").rows())
    assert one
    merged = query(db, "SELECT char_start, surface, value_low, value_high, qualifier FROM figures")
    assert len(merged) == copies * len(one)
    shifted = sorted((start - (start // (len(seed) + 2)) * (len(seed) + 2), *rest) for start, *rest in merged)
    assert shifted == sorted(one * copies)


def test_french_and_german_are_stored_not_parsed_and_counted(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "w.duckdb"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    (folder / "douma-fr.txt").write_text("Frappes sur Douma\n\n" + FRENCH, encoding="utf-8")
    (folder / "duma-de.txt").write_text("Angriffe auf Duma\n\n" + GERMAN, encoding="utf-8")
    result = ingest(paths=[str(folder)], db=str(db), export=False)
    assert ledger(result) == (3, 3, 0, 0, 0, 0)
    assert result["not_english"] == {"fr": 1, "de": 1}
    assert "  not English (stored, not parsed): 2 (de 1, fr 1)" in format_summary(result).splitlines()
    rows = query(
        db,
        "SELECT a.source_id, a.language, a.title, length(a.text), "
        "(SELECT count(*) FROM sentences s WHERE s.article_id = a.article_id), "
        "(SELECT count(*) FROM entity_mentions m WHERE m.article_id = a.article_id), "
        "(SELECT count(*) FROM figures f WHERE f.article_id = a.article_id) FROM articles a ORDER BY 1",
    )
    assert rows[1:] == [
        ("douma-fr.txt", "fr", "Frappes sur Douma", len(FRENCH) + 19, 0, 0, 0),
        ("duma-de.txt", "de", "Angriffe auf Duma", len(GERMAN) + 19, 0, 0, 0),
    ]
    source, language, *_, figures = rows[0]
    assert (source, language, figures) == (SEED.name, "en", 2)  # the English seed parses as before
