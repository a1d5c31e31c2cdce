"""Entities, stage 2: what the model misses but the text states plainly, merged with its spans.

Names on the shipped alias list, acronyms the article defines ("Syrian Democratic Forces, or SDF"),
natural features ("the Jazeera desert", "the Omar oil fields"), peoples ("Shia"), and bodies named for
a nationality ("Iraqi Security Forces").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from transforms.aliases import AliasList
from transforms.entity_places import _PEOPLES, _is_people
from transforms.entity_spans import _NAME_PARTICLE, _SMALL_WORDS, _initials, _Shouted, _Span, _Taken
from transforms.vocabulary import alternation, words

_NATURAL = re.compile(
    r"\b(?P<name>(?:[A-Z][\w'’-]+\s){1,3}?)(?P<feature>desert|oil ?fields?|gas ?fields?|river|valley|mountains?|"
    r"plains?|lake|dam|barrage|airbase|air base|refinery|border crossing)\b"
)


def _alias_spans(text: str, body: tuple[int, int], aliases: AliasList, shouted: _Shouted) -> list[_Span]:
    found = []
    short_matches = aliases.short_pattern.finditer(text, body[0], body[1]) if aliases.short_pattern else iter(())
    for matches, short in ((short_matches, True), (aliases.find_long(text, body[0], body[1]), False)):
        for m in matches:
            start, end = m.start(), m.end()
            if short and shouted(start):
                continue  # "IT IS" in a shouted wire is not the Islamic State
            if not short and not text[start].isupper() and not _NAME_PARTICLE.match(text[start:end]):
                continue  # "islamic state" in lower case is a phrase, not the group
            alias = aliases.lookup(text[start:end])
            if alias is not None:
                found.append(_Span(start, end, alias.label, "alias", canonical=alias.canonical_name))
    return found


_DEFINED = re.compile(
    r"(?P<long>(?:[A-Z][\w'’\-]*|of|the|for|and|al|al-\w+)(?:\s+(?:[A-Z][\w'’\-]*|of|the|for|and|al|al-\w+|-)){1,8})"
    r"\s*(?:\(|,\s+(?:or|known as|also known as)\s+|\s+or\s+)(?P<short>[A-Z][A-Za-z]?[A-Z]{1,6}s?)\b\)?"
)


def _acronym_definitions(text: str, body: tuple[int, int]) -> dict[str, str]:
    """ "Syrian Democratic Forces (SDF)", "Syrian Democratic Forces, or SDF": SDF means the long name."""
    defined: dict[str, str] = {}
    for m in _DEFINED.finditer(text, body[0], body[1]):
        short = m.group("short")[:-1] if m.group("short").endswith("s") else m.group("short")
        long_name = _expansion(m.group("long").split(), short)
        if long_name:
            defined.setdefault(short, long_name)
    return defined


def _expansion(words: list[str], short: str) -> str | None:
    """The longest tail of the words before an acronym that it abbreviates: "Officials of the Kurdistan
    Regional Government (KRG)" -> "Kurdistan Regional Government"."""
    for k in range(len(words) - 1):
        tail = words[k:]
        if tail[0][:1].isupper() and tail[0][:1] == short[0] and _plausible_acronym(short, " ".join(tail)):
            return " ".join(tail)
    return None


def _plausible_acronym(short: str, long_name: str) -> bool:
    """Its letters are the name's initials, or (ISIL, CENTCOM) come from its words in order."""
    initials = _initials(long_name)
    letters = short.upper()
    if len(letters) < 2:
        return False
    if initials == letters:
        return True
    words = [w.upper() for w in re.findall(r"[A-Za-z]+", long_name) if w.lower() not in _SMALL_WORDS]
    pos = 0
    for word in words:  # every word gives its first letter, and perhaps the next few
        if pos >= len(letters) or word[0] != letters[pos]:
            return False
        pos += 1
        for c in word[1:4]:
            if pos < len(letters) and c == letters[pos] and len(letters) - pos > len(words) - words.index(word) - 1:
                pos += 1
    return pos == len(letters)


def _acronym_spans(text: str, body: tuple[int, int], defined: dict[str, str]) -> list[_Span]:
    found = []
    for short, long_name in defined.items():
        for m in re.finditer(rf"\b{re.escape(short)}\b", text[body[0] : body[1]]):
            start = body[0] + m.start()
            found.append(_Span(start, start + len(short), "ORG", "acronym", canonical=long_name))
        for m in re.finditer(re.escape(long_name), text[body[0] : body[1]]):
            start = body[0] + m.start()
            found.append(_Span(start, start + len(long_name), "ORG", "acronym", canonical=long_name))
    return found


def _feature_spans(text: str, body: tuple[int, int]) -> list[_Span]:
    """ "the Jazeera desert", "the Omar oil fields": a name and the kind of place it is."""
    found = []
    for m in _NATURAL.finditer(text, body[0], body[1]):
        name = m.group("name").strip()
        if name.split()[0] in {"The", "A", "An", "This", "That", "Its", "Their"}:
            name = " ".join(name.split()[1:])
        if not name:
            continue
        start = text.rfind(name, body[0], m.end("feature"))
        kind = "FAC" if re.search(r"field|dam|barrage|base|refinery|crossing", m.group("feature")) else "LOC"
        found.append(_Span(start, m.end(), kind, "feature"))
    return found


def _norp_spans(text: str, body: tuple[int, int], country_words: frozenset[str]) -> list[_Span]:
    found = []
    for m in re.finditer(r"\b[A-Z][a-z]+\b", text[body[0] : body[1]]):
        word = m.group()
        if _is_people(word, country_words):
            start = body[0] + m.start()
            if text[start + len(word) : start + len(word) + 1] != "-" or word in _PEOPLES:
                found.append(_Span(start, start + len(word), "NORP", "people"))
    return found


# "Iraqi Security Forces", "Syrian Arab Army": a nationality and a capitalised body is one organisation.
_BODY_AFTER = re.compile(
    rf"\s+(?:(?:{alternation(words('entity_words.csv', 'body_modifier'))})\s+)*"
    rf"(?:{alternation(words('entity_words.csv', 'body_noun'))})\b"
)


def _body_spans(text: str, spans: Sequence[_Span]) -> list[_Span]:
    found = []
    for s in spans:
        if s.label in {"NORP", "GPE"}:
            m = _BODY_AFTER.match(text, s.end)
            if m:
                found.append(_Span(s.start, m.end(), "ORG", "body"))
    return found


def _merge(model: list[_Span], extra: Iterable[_Span]) -> list[_Span]:
    """Where spans overlap the longer wins, a rule's on a tie: "Islamic State of Iraq and the Levant"
    over the model's two halves, but the model's "U.S. Air Force" over the listed "U.S."."""
    chosen: list[_Span] = []
    taken = _Taken()
    ranked = sorted([*extra, *model], key=lambda s: (-(s.end - s.start), s.source == "ner", s.start))
    for span in ranked:
        if not taken.overlaps(span.start, span.end):
            chosen.append(span)
            taken.add(span.start, span.end)
    said = {(s.start, s.end): s.model_label for s in model if s.model_label}
    relabelled = (
        c
        if said.get((c.start, c.end), c.model_label) == c.model_label
        else replace(c, model_label=said[(c.start, c.end)])
        for c in chosen
    )
    return sorted(relabelled, key=lambda s: s.start)
