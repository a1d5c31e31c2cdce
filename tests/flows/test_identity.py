"""Nothing lost, nothing replaced by accident: a document is its file (and a JSON-lines record its id in
that file); two inputs that share a source_id are two documents; a text another name shares is never
lost when one of them is edited. Real files, the real flow, real DuckDB."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from flows.cli.main import main
from flows.ingest import ingest
from tests.conftest import ROOT

X = "Gunmen killed 14 people in Homs on Monday, police said."
Y = "An air strike killed 15 people in Hama on Tuesday, medics said."
Z = "Five soldiers were wounded in Mosul on Friday, the army said."


def run(db: Path, *paths: Path | str) -> dict:
    result = ingest(paths=[str(p) for p in paths], db=str(db), export=False)
    assert result["status"] == "completed"
    return result


def texts(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(r[0] for r in con.execute("SELECT text FROM v_articles").fetchall())


def names(db: Path) -> dict[str, str]:
    """Each input's name -> the text stored for it."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT s.source_key, a.text FROM article_sources s JOIN articles a USING (article_id)"
        ).fetchall()
    return {key.rsplit("/", 2)[-2] + "/" + key.rsplit("/", 1)[-1]: text for key, text in rows}


def write(folder: Path, files: dict[str, str]) -> None:
    """Files of the given texts in `folder` (made if need be), as a user would save them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def data_tests_pass(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        for sql in sorted((ROOT / "sql" / "tests").glob("*.sql")):
            assert con.execute(sql.read_text(encoding="utf-8")).fetchall() == [], sql.name


def test_editing_a_file_whose_text_another_shares_keeps_the_other(tmp_path: Path) -> None:
    """The issue's case: a.txt and b.txt hold X, a.txt is edited to Y: X stays, as b.txt's."""
    inbox = tmp_path / "i"
    write(inbox, {"a.txt": X, "b.txt": X})
    db = tmp_path / "w.duckdb"
    first = run(db, inbox)
    assert (first["new"], first["duplicate"]) == (1, 1)
    write(inbox, {"a.txt": Y})
    second = run(db, inbox)
    assert second["inputs"] == 2 and second["rejected"] == 0
    assert texts(db) == sorted([X, Y])
    assert names(db) == {"i/a.txt": Y, "i/b.txt": X}
    data_tests_pass(db)
    again = run(db, inbox)
    assert again["unchanged"] == 2 and again["rows"] == {}


def test_the_shared_text_survives_when_its_other_name_is_not_in_the_run(tmp_path: Path) -> None:
    """b.txt shares a.txt's text from another folder and is not ingested again: editing a.txt
    must not take b.txt's text with it (the load copies the text and its rows to b.txt's own article)."""
    one, two = tmp_path / "one", tmp_path / "two"
    write(one, {"a.txt": X})
    write(two, {"b.txt": X})
    db = tmp_path / "w.duckdb"
    run(db, one)
    assert run(db, two)["duplicate"] == 1
    with duckdb.connect(str(db), read_only=True) as con:
        [(figures_before,)] = con.execute("SELECT count(*) FROM figures").fetchall()
    write(one, {"a.txt": Y})
    assert run(db, one)["updated"] == 1
    assert names(db) == {"one/a.txt": Y, "two/b.txt": X}
    with duckdb.connect(str(db), read_only=True) as con:
        kept = con.execute(
            "SELECT count(*) FROM figures f JOIN articles a USING (article_id) WHERE a.text = ?", [X]
        ).fetchall()[0][0]
    assert kept == figures_before  # X's figures came along with its text
    data_tests_pass(db)
    assert run(db, two)["unchanged"] == 1  # and b.txt is now simply unchanged


def test_a_name_planned_before_the_edit_of_the_text_it_shares_keeps_it(tmp_path: Path) -> None:
    """The copy comes first in the run (0.txt), the owner's edit after it (z.txt)."""
    inbox = tmp_path / "in"
    write(inbox, {"z.txt": X})
    db = tmp_path / "w.duckdb"
    run(db, inbox)
    write(inbox, {"0.txt": X})
    run(db, inbox)
    write(inbox, {"z.txt": Y})
    run(db, inbox)
    assert names(db) == {"in/0.txt": X, "in/z.txt": Y}
    data_tests_pass(db)


def test_a_file_edited_into_a_copy_of_another_keeps_the_text_a_third_shared(tmp_path: Path) -> None:
    inbox = tmp_path / "i"
    write(inbox, {"a.txt": X, "b.txt": X, "c.txt": Z})
    db = tmp_path / "w.duckdb"
    run(db, inbox)
    (inbox / "a.txt").write_text(Z, encoding="utf-8")  # a's article is retired: it duplicates c now
    run(db, inbox / "a.txt", inbox / "c.txt")  # b.txt not in this run
    assert names(db) == {"i/a.txt": Z, "i/b.txt": X, "i/c.txt": Z}
    assert texts(db) == sorted([X, Z])
    data_tests_pass(db)


def test_two_files_with_one_name_in_two_folders_are_two_documents(tmp_path: Path, capsys) -> None:
    d1, d2 = tmp_path / "d1", tmp_path / "d2"
    write(d1, {"story.txt": X})
    write(d2, {"story.txt": Y})
    db = tmp_path / "w.duckdb"
    assert run(db, d1)["new"] == 1
    second = run(db, d2)
    assert second["new"] == 1 and second["updated"] == 0 and second["shared_ids"] == 1
    assert texts(db) == sorted([X, Y])
    # Given as files, or both at once through a glob: the same two documents, unchanged.
    assert run(db, d1 / "story.txt", d2 / "story.txt")["unchanged"] == 2
    both = run(db, str(tmp_path / "d*" / "story.txt"))
    assert both["unchanged"] == 2 and both["rejected"] == 0 and both["shared_ids"] == 2
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT source_id, source_key FROM v_article_sources ORDER BY source_key").fetchall()
    assert [r[0] for r in rows] == ["story.txt", "story.txt"]
    assert [r[1] for r in rows] == [str((d1 / "story.txt").resolve()), str((d2 / "story.txt").resolve())]
    data_tests_pass(db)
    # The CLI says so.
    write(d2, {"story.txt": Z})
    assert main(["ingest", str(d2), "--db", str(db), "--no-export", "--no-progress"]) == 0
    assert "source ids shared by different inputs: 1" in capsys.readouterr().out


def test_two_feeds_with_the_same_record_ids_are_different_documents(tmp_path: Path) -> None:
    a, b = tmp_path / "vendor_a.jsonl", tmp_path / "vendor_b.jsonl"
    a.write_text(json.dumps({"id": "1", "text": X}) + "\n", encoding="utf-8")
    b.write_text(json.dumps({"id": "1", "text": Y}) + "\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    one = run(db, a, b)
    assert one["new"] == 2 and one["rejected"] == 0 and one["shared_ids"] == 2
    assert texts(db) == sorted([X, Y])
    # The same id twice in one file is still one input too many.
    a.write_text(json.dumps({"id": "1", "text": X}) + "\n" + json.dumps({"id": "1", "text": Z}) + "\n")
    twice = ingest(paths=[str(a)], db=str(db), export=False)
    assert twice["unchanged"] == 1 and twice["rejected"] == 1


def test_a_warehouse_made_before_source_keys_is_migrated_in_place(tmp_path: Path) -> None:
    """Schema 2 keyed names by source_id alone; migrated, the same inputs are unchanged."""
    inbox = tmp_path / "in"
    write(inbox, {"a.txt": X})
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "r1", "text": Y}) + "\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    run(db, inbox, feed)
    with duckdb.connect(str(db)) as con:  # as schema 2 left it: no keys, ids from source ids
        con.execute("UPDATE article_sources SET source_key = NULL")
        con.execute("UPDATE articles SET source_key = NULL")
        for table in ("articles", "sentences", "entity_mentions", "figures", "article_sources"):
            con.execute(f"UPDATE {table} SET article_id = 'legacy_' || article_id")
        con.execute("UPDATE newsetl_schema SET version = 2")
        old_ids = sorted(r[0] for r in con.execute("SELECT article_id FROM articles").fetchall())
    again = run(db, inbox, feed)
    assert again["unchanged"] == 2 and again["rows"] == {}
    with duckdb.connect(str(db), read_only=True) as con:
        assert sorted(r[0] for r in con.execute("SELECT article_id FROM articles").fetchall()) == old_ids
    write(inbox, {"a.txt": Z})
    assert run(db, inbox)["updated"] == 1
    assert texts(db) == sorted([Y, Z])
    data_tests_pass(db)


def test_a_new_copy_planned_before_its_owner_is_edited_keeps_the_text(tmp_path: Path) -> None:
    """0copy.txt (new) holds a.txt's text and comes first in the run; a.txt is edited in the same run.
    The copy's name is written at the run's end: the load replacing a.txt keeps the text for it."""
    inbox = tmp_path / "i"
    write(inbox, {"a.txt": X})
    db = tmp_path / "w.duckdb"
    run(db, inbox)
    write(inbox, {"0copy.txt": X, "a.txt": Y})
    result = run(db, inbox)
    assert (result["duplicate"], result["updated"]) == (1, 1)
    assert names(db) == {"i/0copy.txt": X, "i/a.txt": Y}
    data_tests_pass(db)
    assert run(db, inbox)["unchanged"] == 2


def test_an_unchanged_copy_keeps_its_text_when_its_owner_is_retired_later_in_the_run(tmp_path: Path) -> None:
    """c.txt shares a.txt's article; in the next run c.txt comes first (unchanged), then a.txt becomes a
    copy of b.txt, which retires a.txt's article: c.txt's text stays."""
    inbox = tmp_path / "i"
    write(inbox, {"a.txt": X, "b.txt": Z})
    db = tmp_path / "w.duckdb"
    run(db, inbox)
    write(inbox, {"c.txt": X})
    run(db, inbox)
    write(inbox, {"a.txt": Z})
    result = run(db, inbox / "c.txt", inbox / "a.txt", inbox / "b.txt")
    assert (result["unchanged"], result["duplicate"]) == (2, 1)
    assert names(db) == {"i/a.txt": Z, "i/b.txt": Z, "i/c.txt": X}
    assert texts(db) == sorted([X, Z])
    data_tests_pass(db)


def test_two_files_that_swap_their_texts_keep_both(tmp_path: Path) -> None:
    """a.txt and c.txt swap texts in one run: each is planned against the other's article (a copy of
    c's, c's replaced by a's old text), and neither text may be lost on the way."""
    inbox = tmp_path / "i"
    write(inbox, {"a.txt": X, "c.txt": Z})
    db = tmp_path / "w.duckdb"
    run(db, inbox)
    write(inbox, {"a.txt": Z, "c.txt": X})
    swapped = run(db, inbox)
    assert swapped["inputs"] == 2 and swapped["rejected"] == 0
    assert names(db) == {"i/a.txt": Z, "i/c.txt": X}
    assert texts(db) == sorted([X, Z])
    data_tests_pass(db)
    assert run(db, inbox)["unchanged"] == 2


def test_a_swap_with_a_third_copy_keeps_every_text(tmp_path: Path) -> None:
    inbox = tmp_path / "i"
    write(inbox, {"a.txt": X, "b.txt": X, "c.txt": Z})
    db = tmp_path / "w.duckdb"
    run(db, inbox)
    write(inbox, {"a.txt": Z, "c.txt": X})
    run(db, inbox)
    assert names(db) == {"i/a.txt": Z, "i/b.txt": X, "i/c.txt": X}
    assert texts(db) == sorted([X, Z])
    data_tests_pass(db)
    assert run(db, inbox)["unchanged"] == 3
