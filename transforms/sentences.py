"""Sentences with exact character offsets into the article text."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str


def sentences_in_body(doc: Doc, text: str, body: tuple[int, int]) -> list[Sentence]:
    """The body's sentences, trimmed of surrounding white space; boilerplate outside the body is left out."""
    out: list[Sentence] = []
    for sent in doc.sents:
        start, end = max(sent.start_char, body[0]), min(sent.end_char, body[1])
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            out.append(Sentence(len(out), start, end, text[start:end]))
    return out


def sentence_index_at(sentences: list[Sentence], offset: int) -> int | None:
    """The index of the sentence holding `offset` (sentences are sorted and disjoint)."""
    lo, hi = 0, len(sentences)
    while lo < hi:
        mid = (lo + hi) // 2
        if sentences[mid].end <= offset:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(sentences) and sentences[lo].start <= offset:
        return sentences[lo].index
    return None
