"""Input formats as readers in one registry: every listed ending has a reader, and the e-mail reader
(the format added through the registry alone) reads real-shaped messages."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.articles import RawDocument
from transforms.inputs import READERS, SUFFIXES, Reject, read_input, reader_for

BODY = "Rebels said at least 40 fighters were killed in clashes near Idlib on Monday, a monitor said."


def _message(html: bool = False) -> bytes:
    msg = EmailMessage()
    msg["Subject"] = "Clashes near Idlib"
    msg["From"] = "Wire Alerts <alerts@example.org>"
    msg["To"] = "desk@example.org"
    msg["Date"] = "Mon, 06 Nov 2017 14:30:00 +0300"
    msg["Message-ID"] = "<abc@example.org>"
    if html:
        msg.set_content(f"<html><body><article><h1>Clashes</h1><p>{BODY}</p><p>{BODY}</p></article></body></html>",
                        subtype="html")  # fmt: skip
    else:
        msg.set_content(BODY + "\n")
    return bytes(msg)


def test_every_ending_has_one_reader() -> None:
    assert set(SUFFIXES) == set(READERS) == {".txt", ".md", ".jsonl", ".html", ".htm", ".eml"}
    assert [r.name for r in READERS.values() if r.records] == ["json lines"]
    assert reader_for(".TXT") is reader_for(".txt") and reader_for(".csv") is None


def test_an_unknown_ending_is_a_reject_naming_the_formats() -> None:
    (reject,) = read_input(b"a,b\n", ".csv", "x.csv", "x.csv")
    assert isinstance(reject, Reject) and reject.reason == "unsupported_type" and ".eml" in reject.detail


def test_a_plain_text_message_is_an_article() -> None:
    (doc,) = read_input(_message(), ".eml", "alert.eml", "/in/alert.eml")
    assert isinstance(doc, RawDocument)
    assert doc.text == BODY and doc.title == "Clashes near Idlib" and doc.author == "Wire Alerts"
    assert doc.published_at == datetime(2017, 11, 6, 11, 30)  # stored as UTC
    assert doc.metadata is not None and "abc@example.org" in doc.metadata and '"format": "eml"' in doc.metadata


def test_an_html_message_gives_its_main_text() -> None:
    (doc,) = read_input(_message(html=True), ".eml", "alert.eml", "/in/alert.eml")
    assert isinstance(doc, RawDocument) and BODY in doc.text and "<p>" not in doc.text
    assert doc.title == "Clashes near Idlib"


def test_what_is_not_a_message_is_rejected_with_its_reason() -> None:
    cases = {
        b"just some words\nand more words\n": "bad_email",
        b"\x00\x01\x02binary" * 20: "binary",
        b"Subject: nothing inside\nFrom: a@b.c\n\n": "empty",
        b"  \n": "empty",
    }
    for raw, reason in cases.items():
        (reject,) = read_input(raw, ".eml", "m.eml", "m.eml")
        assert isinstance(reject, Reject) and reject.reason == reason, (raw[:20], reject)


def test_broken_headers_are_rejects_never_crashes() -> None:
    """The email package parses a header when it is read; a broken one raises there."""
    for raw in (
        b"From: a@b.c\r\nSubject: hi\r\nMessage-ID: <<<>>>\r\n\r\nBody\r\n",
        b'From: "\r\nSubject: hi\r\n\r\nBody\r\n',
        b"From: " + b"(" * 5000 + b"\r\nSubject: hi\r\n\r\nBody\r\n",
        b"From: " + b"a@b.c, " * 50_000 + b"\r\nSubject: hi\r\n\r\nBody\r\n",  # quadratic to parse: refused
    ):
        (item,) = read_input(raw, ".eml", "m.eml", "m.eml")
        assert isinstance(item, Reject) and item.reason == "bad_email", item


def test_raw_8bit_headers_become_storable_text() -> None:
    raw = b"From: \xc3\xa9lise <a@b.c>\r\nSubject: Caf\xe9 attack\r\n\r\nBody of the report.\r\n"
    (doc,) = read_input(raw, ".eml", "m.eml", "m.eml")
    assert isinstance(doc, RawDocument)
    for text in (doc.title or "", doc.author or "", doc.text):
        text.encode("utf-8")  # no surrogate escapes left: the row can be stored
    assert doc.author == "élise" and doc.text == "Body of the report."


@settings(max_examples=150, deadline=None)
@given(
    headers=st.lists(
        st.tuples(st.sampled_from(["From", "Subject", "Date", "Message-ID", "To", "Content-Type"]), st.text(max_size=80)),
        max_size=6,
    ),
    body=st.text(max_size=300),
)
def test_any_headers_and_body_give_a_document_or_a_reject(headers: list[tuple[str, str]], body: str) -> None:
    lines = [f"{name}: {value}".replace("\r", " ").replace("\n", " ") for name, value in headers]
    raw = ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8", "surrogatepass")
    for item in read_input(raw, ".eml", "m.eml", "m.eml"):
        if isinstance(item, RawDocument):
            for text in (item.title or "", item.author or "", item.text):
                text.encode("utf-8")
            assert item.text.strip()
        else:
            assert item.reason and item.detail
