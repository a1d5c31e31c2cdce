"""Article-level facts: identity, hash, title, author, language and the body span."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from transforms.ids import sha256_text, short_id

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

# Lines that publishers append after the story. Once one of these starts the tail, everything
# after it is boilerplate too (link lists, "Load More" buttons).
_TAIL_MARKERS = re.compile(
    r"^\s*(in other news|load more|related( articles| stories| coverage)?|read more|more from .{0,40}"
    r"|recommended( for you)?|advertisement|share this( article| story)?|subscribe( now)?.{0,40}"
    r"|sign up for .{0,60}|follow us on .{0,40}|trending( now)?|most read|you may also like)\s*:?\s*$",
    re.IGNORECASE,
)
_BIO_LINE = re.compile(
    r"^(?P<name>[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){1,3}) (?:is|was|has been) (?:the |a |an )?"
    r"(?:[\w-]+ ){0,4}(?:reporter|correspondent|writer|editor|journalist|columnist|contributor|"
    r"producer|staff writer|analyst)\b",
)
_BYLINE = re.compile(r"^\s*By (?P<name>[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){1,3})\s*$", re.MULTILINE)
# The pipeline's language: its spaCy model and every extractor (sentences, entities, figures) are
# English. Another language is stored (text, title, language) but not parsed.
PIPELINE_LANGUAGE = "en"
# The detector (py3langid: naive Bayes over byte n-grams, its model shipped in the package) reads
# the start of the body, lower-cased so that upper-case wire text reads as the words it is. It has
# its say only on enough words and with enough confidence; anything shorter or less sure is taken
# as the pipeline's language. On the 2,621 shared corpus articles, the only texts it put in another
# language were two 15-word FA-KES headlines it called Nigerian Pidgin at confidence 0.27 and 0.43.
LANGUAGE_SAMPLE_CHARS = 1000  # about 150 words: plenty, and 3-6 ms a document
LANGUAGE_MIN_WORDS = 20
LANGUAGE_MIN_CONFIDENCE = 0.9


@dataclass(frozen=True)
class RawDocument:
    """One input document as read, before any parsing."""

    source_id: str
    text: str
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    source_name: str | None = None
    url: str | None = None
    origin: str = ""  # the file (and line) it came from, for messages and rejects
    metadata: str | None = None  # JSON of the record's other fields, kept verbatim
    # Identity: the file's full path, or for a JSON-lines record that file and the record's id
    # (source_id alone where not given). Two inputs never share one.
    source_key: str = ""
    article_id: str | None = None  # the article the plan stores it as; article_id_for(key) where not set


@dataclass(frozen=True)
class Article:
    article_id: str
    source_id: str
    source_name: str | None
    url: str | None
    title: str | None
    author: str | None
    published_at: datetime | None
    language: str | None
    text: str
    body_start: int
    body_end: int
    content_sha256: str
    metadata: str | None = None
    source_key: str | None = None


def normalise_text(raw: str) -> str:
    """The stored text: CRLF and lone CR folded to LF (the contract allows it), a BOM dropped."""
    return raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def article_id_for(source_key: str) -> str:
    """Identity follows the source: an edited file keeps its article and replaces its rows."""
    return short_id("art", source_key)


def body_span(text: str, title_line_end: int = 0) -> tuple[int, int]:
    """The story proper: after a title line if one was inferred, before trailing boilerplate."""
    end = len(text)
    offset = 0
    cut: int | None = None
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if cut is None and stripped and _TAIL_MARKERS.match(stripped) and offset > 0:
            cut = offset
        offset += len(line)
    if cut is not None:
        end = cut
    start = title_line_end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def infer_title(text: str, suffix: str) -> tuple[str | None, int]:
    """A title from the document itself: a Markdown heading, or a short first line set apart.

    Returns the title and the offset where the line holding it ends (0 when there is none).
    """
    first, sep, rest = text.partition("\n")
    line = first.strip()
    if not line or not sep:
        return None, 0
    if line.startswith("#"):
        return line.lstrip("#").strip() or None, len(first) + 1
    headline_like = (
        suffix != ".jsonl"
        and len(line.split()) <= 14
        and not line.endswith((".", "?", "!", ":", ",", ";", "”", '"'))
        and rest.startswith("\n")
    )
    return (line, len(first) + 1) if headline_like else (None, 0)


def infer_author(text: str, body: tuple[int, int]) -> str | None:
    """A byline at the top ("By Jane Doe") or a bio line near the end ("Jane Doe is a reporter for")."""
    head = text[body[0] : body[0] + 300]
    by = _BYLINE.search(head)
    if by:
        return by.group("name")
    lines = [ln.strip() for ln in text[body[0] : body[1]].splitlines() if ln.strip()]
    for line in reversed(lines[-3:]):
        bio = _BIO_LINE.match(line)
        if bio:
            return bio.group("name")
    return None


def decide_language(n_words: int, detected: str, confidence: float) -> str:
    """The article's language (ISO 639-1) from the detector's guess on `n_words` words: the guess
    when there are at least LANGUAGE_MIN_WORDS words and its confidence is LANGUAGE_MIN_CONFIDENCE
    or more, else the pipeline's language ("X: 14 killed in Homs." is English)."""
    if n_words < LANGUAGE_MIN_WORDS or confidence < LANGUAGE_MIN_CONFIDENCE:
        return PIPELINE_LANGUAGE
    return detected


def language_sample(text: str, body: tuple[int, int]) -> str:
    """The start of the body (the whole text if the body is empty), cut at a word, lower-cased."""
    start, end = body if body[0] < body[1] else (0, len(text))
    sample = text[start : min(end, start + LANGUAGE_SAMPLE_CHARS)]
    if end - start > LANGUAGE_SAMPLE_CHARS and " " in sample:
        sample = sample[: sample.rindex(" ")]
    return sample.lower()


def detect_language(text: str, body: tuple[int, int]) -> str:
    sample = language_sample(text, body)
    detected, confidence = load_language_identifier().classify(sample)
    return decide_language(len(sample.split()), detected, confidence)


def build_language_identifier() -> LanguageIdentifier:
    """py3langid's model (97 languages, shipped in the package: nothing is downloaded; 0.5 s to
    decompress)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


_GIVEN: list[LanguageIdentifier] = []  # one given by the caller (a copy read from a cache), else empty


def use_language_identifier(identifier: LanguageIdentifier) -> None:
    """Have `load_language_identifier` answer with this one (the runtime's cached copy)."""
    _GIVEN[:] = [identifier]
    load_language_identifier.cache_clear()


@lru_cache(maxsize=1)
def load_language_identifier() -> LanguageIdentifier:
    """One per process: the one given by `use_language_identifier`, else built here."""
    return _GIVEN[0] if _GIVEN else build_language_identifier()


def build_article(doc: RawDocument) -> Article:
    text = normalise_text(doc.text)
    suffix = "." + doc.origin.rsplit(".", 1)[-1].split(":")[0] if "." in doc.origin else ""
    inferred_title, title_end = (None, 0) if doc.title else infer_title(text, suffix)
    start, end = body_span(text, title_end)
    key = doc.source_key or doc.source_id
    return Article(
        article_id=doc.article_id or article_id_for(key),
        source_id=doc.source_id,
        source_name=doc.source_name,
        url=doc.url,
        title=doc.title or inferred_title,
        author=doc.author or infer_author(text, (start, end)),
        published_at=doc.published_at,
        language=detect_language(text, (start, end)),
        text=text,
        body_start=start,
        body_end=end,
        content_sha256=sha256_text(text),
        metadata=doc.metadata,
        source_key=key,
    )


def stored_document(
    source_id: str,
    text: str,
    origin: str,
    title: str | None,
    author: str | None,
    published_at: datetime | None,
    source_name: str | None,
    url: str | None,
    metadata: str | None,
    article_id: str | None = None,
    source_key: str | None = None,
) -> RawDocument:
    """A stored article as a document to parse again (`newsetl rebuild`). A title the text itself
    gave (its first line) is left to be inferred again, so the body span comes out as it did."""
    suffix = "." + origin.rsplit(".", 1)[-1].split(":")[0] if "." in origin else ""
    inferred, _ = infer_title(text, suffix)
    return RawDocument(
        source_id=source_id,
        text=text,
        title=None if title == inferred else title,
        author=author,
        published_at=published_at,
        source_name=source_name,
        url=url,
        origin=origin,
        metadata=metadata,
        source_key=source_key or source_id,
        article_id=article_id,
    )
