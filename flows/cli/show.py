"""`newsetl show ARTICLE`: one article with its figures, entities and sentence boundaries marked, in
the terminal (colours and a legend; plain brackets when the output is not a terminal) or as a
self-contained HTML page (`--html FILE`). The marks are made by the pure `transforms.show`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb

from flows.config.errors import InputNotFound
from transforms.show import FIGURE_COLUMNS, LABEL_COLOURS, OTHER_COLOUR, segments

_ARTICLE = (
    "SELECT article_id, source_id, source_key, title, source_name, published_at, text, body_start, body_end "
    "FROM v_articles WHERE {where} ORDER BY article_id"
)


def find_article(con: duckdb.DuckDBPyConnection, key: str) -> dict[str, Any]:
    """The article named by its article_id, its source_id (when one article has it) or its source_key."""
    for where in ("article_id = ?", "source_id = ?", "source_key = ?"):
        cur = con.execute(_ARTICLE.format(where=where), [key])
        names = [d[0] for d in cur.description or []]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            listed = ", ".join(f"{r['article_id']} ({r['source_key']})" for r in rows[:5])
            raise InputNotFound(f"{len(rows)} articles have the source_id {key!r}: give an article_id: {listed}")
    raise InputNotFound(f"no article with the article_id, source_id or source_key {key!r}")


def article_marks(
    con: duckdb.DuckDBPyConnection, key: str
) -> tuple[dict[str, Any], list[tuple[int, int]], list[tuple[int, int, str, str | None]], list[dict[str, Any]]]:
    article = find_article(con, key)
    aid = article["article_id"]
    sentences = [
        (int(s), int(e))
        for s, e in con.execute(
            "SELECT char_start, char_end FROM v_sentences WHERE article_id = ? ORDER BY sentence_index", [aid]
        ).fetchall()
    ]
    mentions = [
        (int(s), int(e), str(label), eid)
        for s, e, label, eid in con.execute(
            "SELECT char_start, char_end, label, entity_id FROM v_entity_mentions WHERE article_id = ? "
            "ORDER BY char_start",
            [aid],
        ).fetchall()
    ]
    cur = con.execute(
        f"SELECT figure_id, char_start, char_end, surface, {', '.join(FIGURE_COLUMNS)} FROM v_figures "
        "WHERE article_id = ? ORDER BY char_start, char_end",
        [aid],
    )
    names = [d[0] for d in cur.description or []]
    figures = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return article, sentences, mentions, figures


def write_html(path: Path, page: str) -> None:
    if path.is_dir():
        raise InputNotFound(f"--html {path} is a directory: give a file name such as article.html")
    if path.suffix.lower() not in (".html", ".htm"):
        raise InputNotFound(f"--html must name an .html file, not {path.name!r}")
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(page, encoding="utf-8")
    partial.replace(path)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # C0 controls but tab and newline: never to a terminal


def _printable(text: str) -> str:
    """An escape sequence in an article's text must not reach the terminal (colours, links, titles)."""
    return _CONTROL.sub("\ufffd", text)


def render_terminal(
    article: dict[str, Any],
    sentences: list[tuple[int, int]],
    mentions: list[tuple[int, int, str, str | None]],
    figures: list[dict[str, Any]],
    colour: bool,
) -> Any:
    """A rich renderable: header, legend, the body with its marks, and each figure's columns."""
    from rich.console import Group
    from rich.text import Text

    spans = [(int(f["char_start"]), int(f["char_end"])) for f in figures]
    body = Text()
    open_figure = 0
    for seg in segments(
        str(article["text"]), sentences, mentions, spans, int(article["body_start"]), int(article["body_end"])
    ):
        if seg.sentence_start:
            body.append("¦" if not colour else "▏", style="dim")
        figure = seg.figures[0] if seg.figures else 0
        style = ""
        if figure:
            style += " bold black on yellow"
        if seg.label:
            style += f" underline {LABEL_COLOURS.get(seg.label, OTHER_COLOUR)}"
        piece = _printable(seg.text)
        if not colour:  # plain text: brackets say what colours would
            if seg.label:
                piece = "{" + piece + "}"
            if figure and figure != open_figure:
                piece = "[[" + piece
            if figure and seg.end == spans[figure - 1][1]:
                piece = piece + f"]]{figure}"
        if colour and figure and seg.end == spans[figure - 1][1]:
            body.append(piece, style=style.strip())
            body.append(f"{figure}", style="bold yellow")
        else:
            body.append(piece, style=style.strip())
        open_figure = figure
    head = Text(_printable(str(article.get("title") or article["source_id"])), style="bold")
    meta = Text(
        _printable(
            " · ".join(str(v) for v in (article["source_id"], article.get("source_name"), article.get("published_at")) if v)
            + f" · article {article['article_id']}"
        ),
        style="dim",
    )
    legend = Text("legend: ")
    if colour:
        legend.append("figure", style="bold black on yellow")
        legend.append("N (its row below)  ")
        for label, c in LABEL_COLOURS.items():
            legend.append(label, style=f"underline {c}")
            legend.append(" ")
        legend.append(" ▏ sentence start", style="dim")
    else:
        legend.append("[[figure]]N (its row below)  {entity mention}  ¦ sentence start")
    listed = [Text(f"figures ({len(figures)})", style="bold")]
    for n, f in enumerate(figures, start=1):
        listed.append(Text(_printable(f"{n}. {f['surface']}"), style="bold"))
        values = [f"{c} {_shown(f.get(c))}" for c in FIGURE_COLUMNS]
        listed.append(Text(_printable("   " + " · ".join(values))))
    return Group(head, meta, legend, Text(""), body, Text(""), *listed)


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return str(value)
