"""`newsetl show` on real articles: the seed's figures, mentions and sentences marked, in plain text
and as an HTML page whose DOM carries every mark, checked again in a real headless browser."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
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


# Measures what the browser drew: appended to a copy of the page, it writes its findings into the DOM
# that `--dump-dom` prints.
_PROBE = """<script>
window.addEventListener('load', () => {
  const seen = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const figs = [...document.querySelectorAll('mark.fig[data-figure]')];
  const ents = [...document.querySelectorAll('span.ent[data-label]')];
  const sbs = [...document.querySelectorAll('span.sb[data-sentence]')];
  const out = {
    figures: figs.length, figures_drawn: figs.filter(seen).length,
    figure_colours: [...new Set(figs.map((el) => getComputedStyle(el).backgroundColor))],
    entities: ents.length, entities_drawn: ents.filter(seen).length,
    entity_borders: [...new Set(ents.map((el) => getComputedStyle(el).borderBottomStyle))],
    sentences: sbs.length, sentences_drawn: sbs.filter(seen).length,
    rows: document.querySelectorAll('tr[id^="figure-"]').length,
    title: document.title,
  };
  const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "no headless chromium: `make test` installs Debian's (as root, with apt-get)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def _browse(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--hide-scrollbars",
    ]  # fmt: skip
    return subprocess.run([browser, *flags, *args], capture_output=True, text=True, timeout=180)


def test_the_page_in_a_headless_browser(dev_warehouse: Path, tmp_path: Path) -> None:
    """Debian's chromium opens the page `newsetl show --html` writes: a screenshot lands in the test's
    folder, and the DOM it built has every figure, mention and sentence mark, each drawn on the page
    (a size on screen, the figure colour)."""
    browser = _chromium()
    ((aid,),) = _one(dev_warehouse, "SELECT article_id FROM v_articles WHERE source_id = ?", SEED.name)
    page = tmp_path / "seed.html"
    assert main(["show", aid, "--html", str(page), "--db", str(dev_warehouse)]) == 0

    shot = tmp_path / "seed.png"
    done = _browse(browser, tmp_path / "profile", "--window-size=1200,1600", f"--screenshot={shot}", page.as_uri())
    assert shot.is_file(), done.stderr[-2000:]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24]) == (1200, 1600) and len(png) > 20_000  # a page, not a blank

    probed = tmp_path / "probed.html"
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    done = _browse(browser, tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", probed.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stdout[-2000:]
    drawn = json.loads(html.unescape(found.group(1)))
    marks = _Marks()  # the same marks in the DOM the browser built as in the file
    marks.feed(done.stdout)
    ((figures,),) = _one(dev_warehouse, "SELECT count(*) FROM v_figures WHERE article_id = ?", aid)
    ((sentences,),) = _one(dev_warehouse, "SELECT count(*) FROM v_sentences WHERE article_id = ?", aid)
    assert drawn["figures"] == drawn["figures_drawn"] == drawn["rows"] == len(marks.figures) == figures == 2
    assert drawn["figure_colours"] == ["rgb(255, 224, 102)"]  # mark.fig's #ffe066
    assert drawn["sentences"] == drawn["sentences_drawn"] == marks.sentences == sentences
    assert drawn["entities"] == drawn["entities_drawn"] == len(marks.entities) > 10
    assert "none" not in drawn["entity_borders"]
    assert drawn["title"] == SEED.name  # the seed has no title of its own: its name stands in
