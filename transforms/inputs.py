"""From an input's bytes to documents or rejects: decoding, HTML main-text extraction, JSON lines, e-mail.

Pure: bytes and names in, `RawDocument`s and `Reject`s out; never raises on bad input. Every input
becomes documents or a reject with a reason a person understands.

Each input format is a `Reader` in `READERS`, by file name ending: plain text and Markdown, JSON
lines (many records per file, read line by line), HTML pages, e-mail messages (.eml). A new format
is one function from bytes to documents and one `register(Reader(...))` line below it; discovery,
the CLI's help and the rejects of other files follow from the registry.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from typing import Any

from transforms.articles import RawDocument

# Byte-order marks, longest first (UTF-32 LE starts with the UTF-16 LE mark).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Below this, charset detection is a guess: such files are rejected rather than misread.
_MAX_CHAOS = 0.2
_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}
MIN_HTML_WORDS = 10
MAX_EMAIL_HEADER_BYTES = 256 * 1024  # real messages' headers are a few KB


@dataclass(frozen=True)
class Reject:
    source: str  # the file, or file:line for a JSON-lines record
    reason: str  # a short code: empty, binary, not_text, bad_json, too_large...
    detail: str  # one sentence a person can act on


@dataclass(frozen=True)
class Reader:
    """One input format: the file name endings it reads, and how a file's bytes become documents."""

    name: str
    suffixes: tuple[str, ...]
    read: Callable[[bytes, str, str], list[RawDocument | Reject]]  # (bytes, source_id, origin)
    # A file of many records, each a document keyed by its own id (JSON lines): discovery streams it
    # line by line through this, (line bytes, line number, origin) -> a document, a reject, or None
    # for a blank line; `read` still reads a whole file that cannot be split on newlines (UTF-16).
    read_record: Callable[[bytes, int, str], RawDocument | Reject | None] | None = None

    @property
    def records(self) -> bool:
        return self.read_record is not None


READERS: dict[str, Reader] = {}


def register(reader: Reader) -> Reader:
    for suffix in reader.suffixes:
        READERS[suffix.lower()] = reader
    return reader


def reader_for(suffix: str) -> Reader | None:
    return READERS.get(suffix.lower())


def read_input(raw: bytes, suffix: str, source_id: str, origin: str) -> list[RawDocument | Reject]:
    """One input file's documents (one, or one per record) or the reason it cannot be read."""
    reader = reader_for(suffix)
    if reader is None:
        return [Reject(origin, "unsupported_type", f"only {', '.join(READERS)} files are read")]
    if not raw.strip():
        return [Reject(origin, "empty", "the file holds no text")]
    return reader.read(raw, source_id, origin)


def read_text(raw: bytes, source_id: str, origin: str) -> list[RawDocument | Reject]:
    """A text or Markdown file: one article, its encoding detected (or the file rejected)."""
    decoded = decode(raw)
    if isinstance(decoded, str):
        return [Reject(origin, *_decode_failure(decoded))]
    text, extra = decoded
    if not text.strip():
        return [Reject(origin, "empty", "the file holds only white space")]
    return [RawDocument(source_id=source_id, text=text, origin=origin, metadata=_json(extra))]


def read_jsonl_file(raw: bytes, source_id: str, origin: str) -> list[RawDocument | Reject]:
    """A whole JSON-lines file (one that cannot be read line by line: UTF-16, another code page)."""
    decoded = decode(raw)
    if isinstance(decoded, str):
        return [Reject(origin, *_decode_failure(decoded))]
    text, extra = decoded
    return read_jsonl(text, origin, extra)


def read_eml(raw: bytes, source_id: str, origin: str) -> list[RawDocument | Reject]:
    """An e-mail message (a newsletter, a wire alert): its subject is the title, its sender the
    author, its Date the publication time, and its plain-text body (else its HTML body's main
    text) the article."""
    if looks_binary(raw):
        return [Reject(origin, "binary", "the file is binary (NUL or control bytes), not an e-mail message")]
    ends = [i for i in (raw.find(b"\n\n"), raw.find(b"\r\n\r\n")) if i >= 0]
    if (min(ends) if ends else len(raw)) > MAX_EMAIL_HEADER_BYTES:  # parsing them takes minutes
        return [Reject(origin, "bad_email", f"the headers are over {MAX_EMAIL_HEADER_BYTES // 1024} KB: not a message")]
    try:  # the email package parses each header when it is read: a broken one raises there
        return [_message(raw, source_id, origin)]
    except Exception as exc:  # noqa: BLE001 - a message the parser chokes on is a reject, never a crash
        return [Reject(origin, "bad_email", f"the message could not be read: {type(exc).__name__}")]


def _message(raw: bytes, source_id: str, origin: str) -> RawDocument | Reject:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    if not isinstance(msg, EmailMessage) or not (msg.keys() and (msg.get("Subject") or msg.get("From"))):
        return Reject(origin, "bad_email", "no e-mail headers (Subject, From) were found: is it an .eml file?")
    extra = {"format": "eml", "message_id": _header(msg.get("Message-ID")), "to": _header(msg.get("To"))}
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        return Reject(origin, "no_main_text", "the message has no text or HTML body")
    try:
        content = body.get_content()
    except (LookupError, ValueError) as exc:  # an unknown charset, a broken transfer encoding
        return Reject(origin, "not_text", f"the message body cannot be decoded: {exc}")
    if not isinstance(content, str):
        return Reject(origin, "no_main_text", "the message body is not text")
    if body.get_content_subtype() == "html":
        page = read_html(content.encode("utf-8", "replace"), source_id, origin)
        if isinstance(page, Reject):
            return page
        text = page.text
    else:
        text = _header(content.strip("\r\n")) or ""
    if not text.strip():
        return Reject(origin, "empty", "the message body is empty")
    return RawDocument(
        source_id=source_id,
        text=text,
        title=_header(msg.get("Subject")),
        author=_sender(msg.get("From")),
        published_at=_mail_date(msg.get("Date")),
        origin=origin,
        metadata=_json({k: v for k, v in extra.items() if v is not None}),
    )


def _header(value: object) -> str | None:
    """A header's text; raw 8-bit bytes in it (which the email package keeps as surrogate escapes,
    and nothing downstream can store) read as UTF-8, else Windows-1252."""
    text = _str(value)
    if text is None or not _SURROGATE.search(text):
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    for codec in ("utf-8", "cp1252"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def _sender(value: object) -> str | None:
    """The sender's display name ("Reuters Alerts"), else the address."""
    if value is None:
        return None
    addresses = getattr(value, "addresses", ())
    if addresses:
        return _header(addresses[0].display_name) or _header(addresses[0].addr_spec)
    return _header(str(value))


def _mail_date(value: object) -> datetime | None:
    try:
        ts = parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    if ts is None or ts.tzinfo is None:
        return ts
    return ts.astimezone(UTC).replace(tzinfo=None)


def decode(raw: bytes) -> tuple[str, dict[str, Any]] | str:
    """(text, what to record of its decoding: {} for UTF-8), or the failure: "binary" or "unknown_encoding"."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), ({} if codec == "utf-8-sig" else {"encoding": codec})
            except UnicodeDecodeError:
                return "unknown_encoding"
    if looks_binary(raw):
        return "binary"
    try:
        return raw.decode("utf-8"), {}
    except UnicodeDecodeError:
        pass
    damaged = damaged_utf8(raw)
    if damaged is not None:
        return damaged
    detected = _detect(raw)
    return detected if isinstance(detected, str) else (detected[0], {"encoding": detected[1]})


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # an invalid byte, as the "surrogateescape" handler gives it


def damaged_utf8(raw: bytes) -> tuple[str, dict[str, Any]] | None:
    """UTF-8 with a few invalid bytes (a transfer or editing accident), its bad bytes replaced by U+FFFD
    and counted; None when the bytes are not UTF-8 at all. The rule: at least as many valid multi-byte
    UTF-8 characters as invalid bytes. A single-byte code page (Windows-1252, Cyrillic, Greek) almost
    never forms a valid multi-byte sequence by chance (it needs a capital accented letter followed by
    a symbol byte), so such a file keeps the code-page rules below."""
    escaped = raw.decode("utf-8", "surrogateescape")
    invalid = len(escaped) - len(_ESCAPED_BYTE.sub("", escaped))
    multibyte = len(escaped) - len(escaped.encode("ascii", "ignore")) - invalid
    if not invalid or multibyte < invalid:
        return None
    return raw.decode("utf-8", "replace"), {"encoding": "utf-8", "invalid_bytes": invalid}


def looks_binary(raw: bytes) -> bool:
    """NUL bytes, or many control characters, in the first 64 KiB: an image, an archive, a PDF."""
    head = raw[:65536]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b in _CONTROL)
    return controls > 0.05 * max(len(head), 1)


# The pipeline reads English; a non-UTF-8 English file is nearly always Windows-1252 (a superset
# of Latin-1's printable range). Short texts fit many code pages equally well ("Caf\xe9" is also
# valid Urdu cp1006), so Windows-1252 is tried first and kept when it reads like Western text.


def _detect(raw: bytes) -> tuple[str, str] | str:
    from charset_normalizer import from_bytes

    western = _western(raw)
    if western is not None:
        return western, "cp1252"
    matches = [m for m in from_bytes(raw) if m.encoding is not None and m.chaos <= _MAX_CHAOS]
    if not matches:
        return "unknown_encoding"
    return str(matches[0]), str(matches[0].encoding)


_WESTERN_PUNCT = set("€‚„…†‡ˆ‰‹‘’“”•–—˜™›«»°±²³´·¹º¼½¾¿×÷§¶©®¬¦¨¯¸¡¢£¤¥ª\xa0")


def _western(raw: bytes) -> str | None:
    """The text as Windows-1252 if it reads like Western text there: its non-ASCII characters are
    letters or typographic punctuation, and few (Cyrillic or Greek read as 1252 is all accents)."""
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = [c for c in text if c.isalpha()]
    foreign = [c for c in text if ord(c) > 127]
    if not letters or not all(c.isalpha() or c in _WESTERN_PUNCT for c in foreign):
        return None
    accented = sum(1 for c in letters if ord(c) > 127)
    return text if accented <= 0.3 * len(letters) else None


def _decode_failure(code: str) -> tuple[str, str]:
    if code == "binary":
        return "binary", "the file is binary (NUL or control bytes), not text"
    return "unknown_encoding", "not UTF-8, and its encoding cannot be told with confidence: re-save it as UTF-8"


def read_html(raw: bytes, source_id: str, origin: str) -> RawDocument | Reject:
    """The page's main text and metadata (title, author, date, site, URL) through trafilatura."""
    import trafilatura

    if looks_binary(raw) and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Reject(origin, "binary", "the file is binary (NUL or control bytes), not an HTML page")
    page: bytes | str = raw
    damaged = None if _strict_utf8(raw) or raw.startswith(tuple(b for b, _ in _BOMS)) else damaged_utf8(raw)
    if damaged is not None:  # the extractor's own guess would read it as another code page
        page = damaged[0]
    try:
        doc = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False, include_tables=False)
    except Exception as exc:  # noqa: BLE001 - a page the extractor chokes on is a reject, not a crash
        return Reject(origin, "bad_html", f"the page could not be parsed: {type(exc).__name__}")
    text = _main_text(doc)
    # The extractor falls back to any text it finds; a few words ("Home | World") are not an article.
    if len(text.split()) < MIN_HTML_WORDS:
        return Reject(origin, "no_main_text", "no article text was found in the page (navigation or empty page)")
    title = _str(getattr(doc, "title", None))
    if title and text.startswith(title + "\n"):
        text = text[len(title) :].lstrip("\n")  # the headline is the title, not the body
    extra = {"format": "html", "html_bytes": len(raw), "hostname": _str(getattr(doc, "hostname", None))}
    extra |= damaged[1] if damaged is not None else {}
    return RawDocument(
        source_id=source_id,
        text=text,
        title=title,
        author=_str(getattr(doc, "author", None)),
        published_at=_timestamp(getattr(doc, "date", None)),
        source_name=_str(getattr(doc, "sitename", None)),
        url=_str(getattr(doc, "url", None)),
        origin=origin,
        metadata=_json({k: v for k, v in extra.items() if v is not None}),
    )


def _strict_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _main_text(doc: Any) -> str:
    raw = getattr(doc, "text", None) if doc is not None else None
    if not isinstance(raw, str):
        return ""
    # One paragraph per line from trafilatura; a blank line between them reads like a text file.
    paragraphs = [p.strip() for p in raw.split("\n") if p.strip()]
    return "\n\n".join(paragraphs)


def read_jsonl(text: str, origin: str, extra: dict[str, Any] | None = None) -> list[RawDocument | Reject]:
    """One document per line; a bad line is rejected with its number, the rest is read."""
    out: list[RawDocument | Reject] = []
    for lineno, line in enumerate(text.split("\n"), start=1):
        item = read_jsonl_line(line, lineno, origin, extra)
        if item is not None:
            out.append(item)
    return out


_TOO_DEEP = "is not JSON that can be read: arrays or objects nested too deep"


def _finite_or_text(text: str) -> float | str:
    value = float(text)
    return value if math.isfinite(value) else text


def read_jsonl_line(
    line: str, lineno: int, origin: str, extra: dict[str, Any] | None = None
) -> RawDocument | Reject | None:
    """One JSON line's document, or why it is rejected; None for a blank line. Never raises."""
    if not line.strip():
        return None
    where = f"{origin}:{lineno}"
    try:
        # NaN, Infinity and numbers beyond a float (1e400) are kept as the text they were: metadata
        # stays valid JSON.
        rec = json.loads(line, parse_constant=str, parse_float=_finite_or_text)
    except json.JSONDecodeError as exc:
        return Reject(where, "bad_json", f"line {lineno} is not JSON: {exc.msg} at column {exc.colno}")
    except ValueError:  # a number over Python's limit of digits
        return Reject(where, "bad_json", f"line {lineno} is not JSON that can be read: a number with too many digits")
    except RecursionError:
        return Reject(where, "bad_json", f"line {lineno} {_TOO_DEEP}")
    if _has_lone_surrogate(rec):
        return Reject(
            where,
            "bad_text",
            f"line {lineno}: the record holds invalid Unicode (a lone surrogate escape such as \\ud800): fix its text",
        )
    if not isinstance(rec, dict):
        return Reject(where, "bad_record", f"line {lineno} must hold a JSON object")
    rid, body = rec.get("id"), rec.get("text")
    if rid is None or isinstance(rid, dict | list) or str(rid).strip() == "":
        return Reject(where, "missing_id", f"line {lineno}: a record needs a non-empty 'id'")
    if not isinstance(body, str) or not body.strip():
        return Reject(where, "missing_text", f"line {lineno}: record {rid!r} has no 'text'")
    try:
        metadata = _metadata(rec, extra or {})
    except RecursionError:  # parsed just under the limit, then written out a few calls deeper
        return Reject(where, "bad_json", f"line {lineno} {_TOO_DEEP}")
    return RawDocument(
        source_id=str(rid),
        text=body,
        title=_str(rec.get("title")),
        author=_str(rec.get("author")),
        published_at=_timestamp(rec.get("published")),
        source_name=_str(rec.get("source")),
        url=_str(rec.get("url") or rec.get("source_url")),
        origin=where,
        metadata=metadata,
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(value: object) -> bool:
    """Whether any string in a parsed JSON value, keys included, holds a surrogate (JSON allows the
    escape "\\ud800" alone; no UTF-8 text can hold it). A loop, not recursion: values nest deep."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack += item.keys()
            stack += item.values()
        elif isinstance(item, list):
            stack += item
    return False


def read_jsonl_bytes(raw: bytes, lineno: int, origin: str) -> RawDocument | Reject | None:
    """One line of a JSON-lines file read line by line (its end of line removed): UTF-8 as a rule,
    otherwise decoded on its own as `decode` would decode a file."""
    if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return read_jsonl_line(raw.decode("utf-8"), lineno, origin)
    except UnicodeDecodeError:
        pass
    decoded = decode(raw)
    if isinstance(decoded, str):
        reason, detail = _decode_failure(decoded)
        return Reject(f"{origin}:{lineno}", reason, f"line {lineno}: {detail}")
    text, extra = decoded
    return read_jsonl_line(text, lineno, origin, extra)


def needs_whole_file(head: bytes) -> bool:
    """UTF-16 and UTF-32 files (by their byte-order mark) cannot be split on newline bytes."""
    return any(head.startswith(bom) for bom, codec in _BOMS if codec != "utf-8-sig")


_KNOWN_KEYS = {"id", "text", "title", "author", "published", "source", "url", "source_url"}


def _metadata(rec: dict[str, Any], extra: dict[str, Any]) -> str | None:
    """Record fields the warehouse has no column for, kept as JSON so nothing given is lost."""
    kept = {**extra, **{k: v for k, v in rec.items() if k not in _KNOWN_KEYS}}
    published = rec.get("published")
    if published not in (None, "") and _timestamp(published) is None:
        kept["published_raw"] = published  # kept verbatim when it is not a date we can read
    return _json(kept)


def _json(values: dict[str, Any]) -> str | None:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str) if values else None


def _str(value: object) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return str(value).strip() or None


_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%a, %d %b %Y %H:%M:%S")


def _named_month_date(text: str) -> datetime | None:
    """Unambiguous dates with a month name ("17 November 2017", "Nov 17, 2017"); never 01/02/03."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _timestamp(value: object) -> datetime | None:
    """ISO dates and datetimes, or dates with a month name; anything else is left null (and kept
    verbatim in metadata) rather than guessed."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    ts: datetime | None
    try:
        ts = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        ts = _named_month_date(text)
    if ts is None or ts.tzinfo is None:
        return ts
    try:
        return ts.astimezone(UTC).replace(tzinfo=None)  # stored as UTC
    except OverflowError:  # 0001-01-01T00:00+05:00 is before year 1 in UTC: not a date we can store
        return None


def _read_html_file(raw: bytes, source_id: str, origin: str) -> list[RawDocument | Reject]:
    return [read_html(raw, source_id, origin)]


# The formats, in the order the CLI lists them. A new one: a function above, and one line here.
register(Reader("text", (".txt", ".md"), read_text))
register(Reader("json lines", (".jsonl",), read_jsonl_file, read_record=read_jsonl_bytes))
register(Reader("html", (".html", ".htm"), _read_html_file))
register(Reader("e-mail", (".eml",), read_eml))
SUFFIXES = tuple(READERS)
