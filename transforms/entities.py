"""Named-entity mentions with one canonical name per entity within an article."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc

from transforms.ids import short_id

NAME_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_TRAILING = re.compile(r"(?:['’]s|['’])$")
# Ranks and honorifics are not part of a person's name ("Col. Ryan Dillon" is Ryan Dillon).
_TITLES = re.compile(
    r"^(?:(?:Marine|Army|Navy|Air Force|Lt\.|Lieut\.|Gen\.|Col\.|Maj\.|Capt\.|Sgt\.|Cpl\.|Pvt\.|Adm\.|Cmdr\.|"
    r"Brig\.|Dr\.|Mr\.|Mrs\.|Ms\.|Sen\.|Rep\.|Gov\.|Pres\.|President|Prime Minister|Minister|General|"
    r"Colonel|Major|Captain|Sheikh|King|Queen|Prince|Sir)\s+)+"
)
_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"})
_SMALL_WORDS = frozenset({"of", "the", "for", "and", "in", "on", "de", "al", "el"})


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    label: str  # the entity's label after voting across the article's mentions
    ner_label: str  # what the model said for this span
    canonical_name: str
    entity_id: str


def entity_type(label: str) -> str:
    """Coarse type used for identity: GPE, LOC and FAC name the same kind of thing (a place)."""
    return "PLACE" if label in PLACE_LABELS else label


def entity_id_for(label: str, canonical_name: str) -> str:
    return short_id("ent", entity_type(label), canonical_name.casefold())


def _clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading article and a trailing possessive so the mention is the bare name."""
    surface = text[start:end]
    lead = _LEADING.match(surface)
    if lead:
        start += lead.end()
    tail = _TRAILING.search(text[start:end])
    if tail and end - start > len(tail.group()):
        end -= len(tail.group())
    return start, end


def _strip_title(name: str) -> str:
    stripped = _TITLES.sub("", name).strip()
    return stripped if len(stripped.split()) >= 1 and stripped else name


def _initials(name: str) -> str:
    words = re.findall(r"[A-Za-z][\w'-]*", name)
    return "".join(w[0] for w in words if w.lower() not in _SMALL_WORDS).upper()


def _canonical(surface: str, label: str, full_names: list[str], orgs: list[str]) -> tuple[str, str]:
    """Canonical name and label for one mention, given the article's full person names and orgs."""
    name = _strip_title(surface) if label == "PERSON" else surface
    words = name.split()
    for full in full_names:
        full_words = [w for w in full.split() if w not in _SUFFIXES]
        if len(full_words) > len(words) and full_words[-len(words) :] == words:
            return full, "PERSON"  # "Dillon" -> "Ryan Dillon", whatever the model called it
    if surface.isupper() and 2 <= len(surface) <= 6:
        for org in orgs:
            if org != surface and _initials(org) == surface:
                return org, "ORG"  # "SDF" -> "Syrian Democratic Forces"
    return name, label


def extract_mentions(doc: Doc, text: str, body: tuple[int, int]) -> list[Mention]:
    spans: list[tuple[int, int, str]] = []
    for ent in doc.ents:
        if ent.label_ not in NAME_LABELS or ent.start_char < body[0] or ent.end_char > body[1]:
            continue
        start, end = _clean_span(text, ent.start_char, ent.end_char)
        surface = text[start:end]
        # The small model tags stray tokens ("n’t" as GPE); a name starts with a capital or a digit.
        if not surface or not (surface[0].isupper() or surface[0].isdigit()):
            continue
        spans.append((start, end, ent.label_))

    person_names = {_strip_title(text[s:e]) for s, e, lab in spans if lab == "PERSON"}
    full_names = sorted((n for n in person_names if len(n.split()) > 1), key=lambda n: -len(n))
    orgs = sorted({text[s:e] for s, e, lab in spans if lab == "ORG" and " " in text[s:e]}, key=len)
    resolved = [(s, e, lab, *_canonical(text[s:e], lab, full_names, orgs)) for s, e, lab in spans]

    # One label per entity: the most common among its mentions, a person's full name winning ties.
    votes: dict[str, Counter[str]] = {}
    for _, _, _, canon, lab in resolved:
        votes.setdefault(canon, Counter())[lab] += 1
    label_of = {canon: counter.most_common(1)[0][0] for canon, counter in votes.items()}
    for canon in full_names:
        label_of[canon] = "PERSON"

    return [
        Mention(s, e, text[s:e], label_of[canon], ner, canon, entity_id_for(label_of[canon], canon))
        for s, e, ner, canon, _ in resolved
    ]
