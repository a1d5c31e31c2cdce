"""Bytes in, documents or rejects out: encodings, binary, HTML, JSON lines. Never an exception."""

from __future__ import annotations

import json

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from transforms.articles import RawDocument, build_article
from transforms.inputs import SUFFIXES, Reject, _detect, decode, read_input, read_jsonl_bytes, read_jsonl_line

REASONS = {
    "unsupported_type",
    "bad_email",
    "not_text",
    "empty",
    "binary",
    "unknown_encoding",
    "bad_html",
    "no_main_text",
    "bad_json",
    "bad_record",
    "missing_id",
    "missing_text",
    "bad_text",
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


# Issue 14: one bad line is a reject of that line only, whatever is in it.
BAD_LINES = {
    "int_limit": '{"id": ' + "7" * 5000 + ', "text": "Five soldiers died."}',  # over Python's int digit limit
    "deep": "[" * 100_000,  # deeper than the parser's recursion limit
    "surrogate_text": '{"id": "s1", "text": "Caf\\ud800 attack"}',  # a lone surrogate: not Unicode text
    "surrogate_key": '{"id": "s2", "text": "Five soldiers died.", "\\udfff": 1}',
    "surrogate_deep": '{"id": "s3", "text": "Five soldiers died.", "x": [[{"y": "\\ud83d"}]]}',
}


def test_a_line_the_parser_cannot_take_is_a_reject_of_that_line_only() -> None:
    lines = [BAD_LINES[k] for k in ("int_limit", "deep")] + [json.dumps({"id": "ok", "text": STORY})]
    items = read_input("\n".join(lines).encode(), ".jsonl", "r.jsonl", "in/r.jsonl")
    assert [(i.source, i.reason) for i in items if isinstance(i, Reject)] == [
        ("in/r.jsonl:1", "bad_json"),
        ("in/r.jsonl:2", "bad_json"),
    ]
    assert [i.source_id for i in items if isinstance(i, RawDocument)] == ["ok"]
    assert all(i.detail.startswith(f"line {n} ") for n, i in enumerate(items[:2], start=1))


def test_a_record_holding_invalid_unicode_is_rejected() -> None:
    for key in ("surrogate_text", "surrogate_key", "surrogate_deep"):
        item = read_jsonl_line(BAD_LINES[key], 4, "in/r.jsonl")
        assert isinstance(item, Reject) and (item.source, item.reason) == ("in/r.jsonl:4", "bad_text"), key
        assert "surrogate" in item.detail
    pair = read_jsonl_line('{"id": "p", "text": "A \\ud83d\\ude00 pair is fine."}', 1, "in/r.jsonl")
    assert isinstance(pair, RawDocument) and pair.text == "A \U0001f600 pair is fine."


def test_a_date_out_of_range_is_kept_verbatim_not_a_crash() -> None:
    for published in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"):
        line = json.dumps({"id": "d", "text": STORY, "published": published})
        doc = read_jsonl_line(line, 1, "in/r.jsonl")
        assert isinstance(doc, RawDocument) and doc.published_at is None
        assert json.loads(doc.metadata or "{}") == {"published_raw": published}
    doc = read_jsonl_line(json.dumps({"id": "d", "text": STORY, "published": "0001-01-01T00:00:00"}), 1, "o")
    assert isinstance(doc, RawDocument) and doc.published_at is not None  # naive: a valid timestamp, kept


_JSON_BITS = st.sampled_from(
    ['{"id": ', '"text": ', '"published": ', '"x"', ", ", "}", "{", "[", "]", "1" * 4400, "-0", "1e999", "NaN",
     '"\\ud800"', '"\\udc00\\ud800"', '"0001-01-01T00:00:00+05:00"', '"9999-12-31T23:59:59-14:00"', "null", ":"]
)  # fmt: skip
_RECORD = st.dictionaries(
    st.sampled_from(["id", "text", "published", "title", "source", "url", "extra"]),
    st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.lists(st.text(), max_size=3)),
)


@settings(max_examples=300, deadline=None)
@given(
    line=st.one_of(
        st.text(),
        st.lists(_JSON_BITS, max_size=30).map("".join),
        _RECORD.map(lambda r: json.dumps(r, ensure_ascii=False)),
        _RECORD.map(json.dumps),
    )
)
def test_any_line_gives_a_document_nothing_or_a_reject(line: str) -> None:
    item = read_jsonl_line(line, 1, "in/r.jsonl")
    assert item is None or isinstance(item, Reject | RawDocument)
    if isinstance(item, RawDocument):  # everything in it can be stored: valid Unicode throughout
        for value in (item.text, item.source_id, item.title, item.author, item.metadata, item.url):
            assert value is None or value.encode("utf-8")
        build_article(item)
    byte_item = read_jsonl_bytes(line.encode("utf-8", "surrogatepass"), 2, "in/r.jsonl")
    assert byte_item is None or isinstance(byte_item, Reject | RawDocument)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=500))
def test_any_bytes_line_gives_a_document_nothing_or_a_reject(raw: bytes) -> None:
    item = read_jsonl_bytes(raw, 1, "in/r.jsonl")
    assert item is None or isinstance(item, Reject | RawDocument)
    if isinstance(item, Reject):
        assert item.reason in REASONS


# Issue 14: a UTF-8 file with a few bad bytes is UTF-8 with those bytes replaced, never cp1252 mojibake.


def test_a_bad_byte_in_utf8_is_replaced_and_counted_not_read_as_cp1252() -> None:
    raw = "Café in Aleppo: 12 people were killed, the Syrian Observatory said.".encode() + b" \xff\n"
    doc = one(raw)
    assert isinstance(doc, RawDocument) and doc.text.startswith("Café in Aleppo") and "Ã" not in doc.text
    assert doc.text.endswith("\ufffd\n")
    assert json.loads(doc.metadata or "{}") == {"encoding": "utf-8", "invalid_bytes": 1}
    line = json.dumps({"id": "x", "text": "Café in Homs."}, ensure_ascii=False).encode().replace(b"Homs", b"H\x8fms")
    item = read_jsonl_bytes(line, 3, "in/r.jsonl")
    assert isinstance(item, RawDocument) and item.text == "Café in H\ufffdms."
    assert json.loads(item.metadata or "{}") == {"encoding": "utf-8", "invalid_bytes": 1}


def test_a_bad_byte_in_a_utf8_page_is_replaced_not_read_as_another_code_page() -> None:
    body = "Le café de la gare a été détruit par une frappe aérienne à Raqqa, selon la police locale. " * 2
    page = f"<html><head><title>Raqqa</title></head><body><article><p>{body}</p></article></body></html>"
    doc = one(page.encode().replace(b"gare", b"g\xffre", 1), ".html")
    assert isinstance(doc, RawDocument) and "café" in doc.text and "g\ufffdre" in doc.text
    assert json.loads(doc.metadata or "{}")["invalid_bytes"] == 1


_NON_ASCII = st.characters(min_codepoint=0xA0, blacklist_categories=("Cs", "Cc", "Co", "Cn"))
_ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), text=st.text(st.one_of(_ASCII, _NON_ASCII), min_size=1, max_size=400))
def test_utf8_with_a_few_corrupt_bytes_is_never_read_as_another_code_page(data: st.DataObject, text: str) -> None:
    multibyte = sum(1 for c in text if ord(c) > 127)
    assume(multibyte >= 6)
    raw = bytearray(text.encode("utf-8"))
    k = data.draw(st.integers(1, (multibyte - 1) // 5), label="corrupt bytes")
    for _ in range(k):  # each bad byte breaks at most one character and leaves at most 4 invalid bytes
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0x80, 0xFF))
    decoded = decode(bytes(raw))
    assert isinstance(decoded, tuple) and decoded[1].get("encoding", "utf-8") == "utf-8"  # {}: still valid
    assert decoded[0] == bytes(raw).decode("utf-8", "replace")


_WESTERN_WORDS = ["café", "déjà", "été", "garçon", "naïve", "señor", "año", "Köln", "Zürich", "Straße", "Ärzte",
                  "Société", "forces", "police", "killed", "said", "the", "in", "Homs", "Raqqa", "12", "–", "—",
                  "…", "“", "”", "’", "€", "°", "«", "»"]  # fmt: skip
_CYRILLIC_WORDS = ["взрыв", "в", "Алеппо", "убил", "человек", "сообщили", "источники", "полиции", "города", "12"]


@settings(max_examples=60, deadline=None)
@given(
    words=st.one_of(
        st.lists(st.sampled_from(_WESTERN_WORDS), min_size=1, max_size=60).map(lambda w: (w, "cp1252")),
        st.lists(st.sampled_from(_CYRILLIC_WORDS), min_size=3, max_size=60).map(lambda w: (w, "cp1251")),
    )
)
def test_genuine_single_byte_text_is_decoded_as_before(words: tuple[list[str], str]) -> None:
    text, codec = " ".join(words[0]), words[1]
    raw = text.encode(codec)
    assume(not raw.isascii())
    detected = _detect(raw)  # no valid UTF-8 sequence in it: the code-page rules, as before
    assert decode(raw) == (detected if isinstance(detected, str) else (detected[0], {"encoding": detected[1]}))
    letters = sum(map(str.isalpha, text))
    if codec == "cp1252" and 0 < sum(c.isalpha() and ord(c) > 127 for c in text) <= 0.3 * letters:
        assert decode(raw) == (text, {"encoding": "cp1252"})


def test_non_finite_numbers_stay_valid_json_in_metadata() -> None:
    import json as _json

    from transforms.inputs import read_jsonl_line

    doc = read_jsonl_line('{"id": "1", "text": "Five killed.", "published": NaN, "x": 1e400, "y": Infinity}', 1, "f")
    assert doc is not None and not isinstance(doc, Reject)
    assert _json.loads(doc.metadata or "{}", parse_constant=lambda c: 1 / 0) == {
        "published_raw": "NaN",
        "x": "1e400",
        "y": "Infinity",
    }
