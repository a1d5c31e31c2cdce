"""Bytes in, documents or rejects out: encodings, binary, HTML, JSON lines. Never an exception."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.articles import RawDocument, build_article
from transforms.inputs import SUFFIXES, Reject, read_input

REASONS = {
    "unsupported_type",
    "empty",
    "binary",
    "unknown_encoding",
    "bad_html",
    "no_main_text",
    "bad_json",
    "bad_record",
    "missing_id",
    "missing_text",
}
STORY = "Gunmen killed 12 villagers near Hawija on Monday, police said. The attack was the third this month.\n"


def one(raw: bytes, suffix: str = ".txt") -> RawDocument | Reject:
    [item] = read_input(raw, suffix, "a" + suffix, "in/a" + suffix)
    return item


def test_bom_and_crlf() -> None:
    doc = one(b"\xef\xbb\xbf" + STORY.replace("\n", "\r\n").encode())
    assert isinstance(doc, RawDocument) and not doc.text.startswith("\ufeff") and doc.metadata is None
    assert "\r" not in build_article(doc).text  # stored text folds CRLF, offsets follow the stored text


def test_utf16_with_bom_and_windows_1252_are_decoded_and_say_so() -> None:
    doc = one(STORY.encode("utf-16"))
    assert (
        isinstance(doc, RawDocument)
        and doc.text == STORY
        and json.loads(doc.metadata or "{}") == {"encoding": "utf-16"}
    )
    text = "Les forces françaises ont tué 12 combattants à Raqqa, a déclaré le ministère. " * 3
    doc = one(text.encode("cp1252"))
    assert isinstance(doc, RawDocument) and doc.text == text
    assert json.loads(doc.metadata or "{}")["encoding"] == "cp1252"
    short = one("Café attack".encode("latin-1"))  # too short for a detector; read as Western text
    assert isinstance(short, RawDocument) and short.text == "Café attack"
    russian = "Взрыв в Алеппо убил 12 человек, сообщили источники в полиции города."
    doc = one(russian.encode("cp1251"))
    assert isinstance(doc, RawDocument) and doc.text == russian


def test_binary_empty_and_whitespace_are_rejected() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    assert one(png) == Reject("in/a.txt", "binary", "the file is binary (NUL or control bytes), not text")
    assert isinstance(one(b""), Reject) and one(b"").reason == "empty"  # type: ignore[union-attr]
    assert one(b" \n\t\r\n").reason == "empty"  # type: ignore[union-attr]
    assert one(b"x", ".pdf").reason == "unsupported_type"  # type: ignore[union-attr]


def test_jsonl_bad_line_is_rejected_with_its_number_and_the_rest_read() -> None:
    lines = [
        json.dumps({"id": "a", "text": STORY, "lang": "en"}),
        "{oops",
        json.dumps(["x"]),
        json.dumps({"id": "", "text": "t"}),
        json.dumps({"id": "c"}),
        json.dumps({"id": "d", "text": STORY}),
    ]
    items = read_input("\n".join(lines).encode(), ".jsonl", "r.jsonl", "in/r.jsonl")
    docs = [i for i in items if isinstance(i, RawDocument)]
    rejects = {i.source: i.reason for i in items if isinstance(i, Reject)}
    assert [d.source_id for d in docs] == ["a", "d"] and json.loads(docs[0].metadata or "{}") == {"lang": "en"}
    assert rejects == {
        "in/r.jsonl:2": "bad_json",
        "in/r.jsonl:3": "bad_record",
        "in/r.jsonl:4": "missing_id",
        "in/r.jsonl:5": "missing_text",
    }
    [bad] = [i for i in items if isinstance(i, Reject) and i.reason == "bad_json"]
    assert bad.detail.startswith("line 2 is not JSON")


PAGE = b"""<!doctype html><html><head><title>12 villagers killed | Example News</title>
<meta name="author" content="Jane Doe"><meta property="og:site_name" content="Example News">
<meta property="og:url" content="https://news.example.org/hawija">
<meta property="article:published_time" content="2017-11-06T10:00:00Z"></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>12 villagers killed</h1><p>Gunmen killed 12 villagers near Hawija on Monday, police said,
in the third such attack this month.</p><p>More than 100 families have fled the area since October,
according to the United Nations refugee agency.</p></article>
<footer>Copyright 2017 Example News. All rights reserved.</footer></body></html>"""


def test_html_main_text_and_metadata() -> None:
    doc = one(PAGE, ".html")
    assert isinstance(doc, RawDocument)
    assert doc.text.startswith("Gunmen killed 12 villagers") and "Copyright" not in doc.text and "Home" not in doc.text
    assert (doc.title, doc.author, doc.source_name, doc.url) == (
        "12 villagers killed",
        "Jane Doe",
        "Example News",
        "https://news.example.org/hawija",
    )
    assert doc.published_at is not None and doc.published_at.year == 2017
    assert json.loads(doc.metadata or "{}")["format"] == "html"


def test_html_without_an_article_is_rejected() -> None:
    page = b"<html><body><nav><a href='/'>Home</a></nav></body></html>"
    assert one(page, ".htm").reason == "no_main_text"  # type: ignore[union-attr]


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES + (".csv",)))
def test_any_bytes_give_documents_or_rejects(raw: bytes, suffix: str) -> None:
    for item in read_input(raw, suffix, "x" + suffix, "in/x" + suffix):
        if isinstance(item, Reject):
            assert item.reason in REASONS and item.detail
        else:
            assert item.text.strip() and item.source_id
            article = build_article(item)
            assert 0 <= article.body_start <= article.body_end <= len(article.text)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=2000))
def test_any_text_in_any_wrapper_is_read_or_rejected(text: str) -> None:
    record = json.dumps({"id": "k", "text": text}).encode()
    for raw, suffix in (
        (text.encode("utf-8", "surrogatepass"), ".txt"),
        (record, ".jsonl"),
        (f"<html><body><p>{text}</p></body></html>".encode("utf-8", "surrogatepass"), ".html"),
    ):
        for item in read_input(raw, suffix, "k" + suffix, "in/k" + suffix):
            assert isinstance(item, Reject | RawDocument)
