from __future__ import annotations

from tests.conftest import SEED
from transforms.articles import RawDocument, article_id_for, body_span, build_article, infer_title
from transforms.ids import sha256_text


def test_seed_article_facts() -> None:
    text = SEED.read_text(encoding="utf-8")
    art = build_article(RawDocument(SEED.name, text, origin=str(SEED)))
    assert art.author == "Shawn Snow"  # from the closing bio line
    assert art.title is None  # the first line is a sentence, not a headline
    assert art.language == "en"
    assert art.text == text and art.content_sha256 == sha256_text(text)
    assert art.text[art.body_start : art.body_end].endswith("a Marine Corps veteran.")
    assert "In Other News" not in art.text[art.body_start : art.body_end]
    assert art.article_id == article_id_for(SEED.name)


def test_crlf_is_folded_and_offsets_follow() -> None:
    art = build_article(RawDocument("a.txt", "One line.\r\nTwo line.\r\n", origin="a.txt"))
    assert art.text == "One line.\nTwo line.\n"
    assert art.text[art.body_start : art.body_end] == "One line.\nTwo line."


def test_markdown_heading_is_the_title() -> None:
    art = build_article(RawDocument("a.md", "# Raqqa falls\n\nThe city fell today.", origin="a.md"))
    assert art.title == "Raqqa falls"
    assert art.text[art.body_start : art.body_end] == "The city fell today."


def test_short_first_line_set_apart_is_a_title() -> None:
    assert infer_title("Iraqis hold the line\n\nIraqi forces held.", ".txt")[0] == "Iraqis hold the line"
    assert infer_title("Iraqi forces held the line today.\n\nMore.", ".txt")[0] is None


def test_byline_gives_author() -> None:
    art = build_article(RawDocument("a.txt", "Headline here\n\nBy Jane Doe\n\nThe story.", origin="a.txt"))
    assert art.author == "Jane Doe"


def test_given_metadata_wins() -> None:
    art = build_article(RawDocument("x", "Body text here.", title="T", author="A", origin="f.jsonl:1"))
    assert (art.title, art.author) == ("T", "A")


def test_trailing_boilerplate_is_cut_only_at_the_tail() -> None:
    text = "Story sentence.\n\nRelated\nOther link\nLoad More\n"
    assert text[slice(*body_span(text))] == "Story sentence."
