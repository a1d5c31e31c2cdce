"""`newsetl show` on real articles: the seed's figures, mentions and sentences marked, in plain text
and as an HTML page whose DOM carries every mark."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.cli.main import main
from tests.conftest import SEED
from tests.transforms.test_show import _Marks


def _one(db: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_the_seed_in_the_terminal(dev_warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", SEED.name, "--db", str(dev_warehouse)]) == 0
    out = capsys.readouterr().out
    assert "[[500 to 1,000]]1" in out and "[[100 to 200]]2" in out  # figures, numbered as listed below
    assert "{ISIS}" in out and "{Ryan Dillon}" in out  # mentions
    ((sentences,),) = _one(dev_warehouse, "SELECT count(*) FROM v_sentences WHERE source_id = ?", SEED.name)
    assert out.count("¦") == sentences + 1  # each sentence start, and the legend
    assert "1. 500 to 1,000" in out and "location Abu Kamal" in out and "category fighters" in out


def test_the_seed_as_a_page(dev_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ((aid,),) = _one(dev_warehouse, "SELECT article_id FROM v_articles WHERE source_id = ?", SEED.name)
    out = tmp_path / "seed.html"
    assert main(["show", aid, "--html", str(out), "--db", str(dev_warehouse)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    marks = _Marks()
    marks.feed(out.read_text(encoding="utf-8"))
    figures = _one(dev_warehouse, "SELECT count(*), count(DISTINCT figure_id) FROM v_figures WHERE article_id = ?", aid)
    sentences = _one(dev_warehouse, "SELECT count(*) FROM v_sentences WHERE article_id = ?", aid)
    assert len(marks.figures) == marks.rows == figures[0][0] == 2
    assert marks.sentences == sentences[0][0]
    assert {"ORG", "GPE", "PERSON"} <= set(marks.entities)


def test_what_it_cannot_show_is_one_line(dev_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "no-such-article", "--db", str(dev_warehouse)]) == 2
    assert main(["show", SEED.name, "--html", str(tmp_path / "x.txt"), "--db", str(dev_warehouse)]) == 2
    err = capsys.readouterr().err
    assert "no article with the article_id, source_id or source_key 'no-such-article'" in err
    assert "--html must name an .html file" in err and "Traceback" not in err


def test_escape_sequences_in_a_text_never_reach_the_terminal() -> None:
    from rich.console import Console

    from flows.cli.show import render_terminal

    text = "Gunmen \x1b[31mkilled\x1b]8;;http://x\x07 12 people.\tThey fled."
    article = {"article_id": "art_1", "source_id": "\x1b[2Ja.txt", "text": text, "body_start": 0,
               "body_end": len(text)}  # fmt: skip
    figure = {"figure_id": "f", "char_start": text.index("12"), "char_end": text.index("12") + 2, "surface": "12"}
    console = Console(record=True, width=120, force_terminal=True)
    console.print(render_terminal(article, [(0, len(text))], [], [figure], colour=False))
    shown = console.export_text(styles=False)
    assert "\x1b" not in shown and "\x07" not in shown and "[[12]]1" in shown
