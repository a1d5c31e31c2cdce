"""Entities, stage 1: the model's spans cleaned and typed by their own words.

A leading "the" or "Near", a possessive or a citation is dropped; a title becomes the role ("Col. Ryan
Dillon" is Ryan Dillon, "Col."); junk is dropped ("n't", "Sgt", "December" as a place); a name is typed
by its own words ("Samarra Barrage" FAC, "USS Mahan" PRODUCT, "the Asad regime" PERSON).
"""

from __future__ import annotations

import re
from dataclasses import replace

from spacy.tokens import Doc

from transforms.entity_spans import _NAME_PARTICLE, NAME_LABELS, PLACE_LABELS, _Span
from transforms.truecase import CALENDAR_WORDS
from transforms.vocabulary import alternation, words

_LEADING = re.compile(
    r"(?:(?:the|The|THE|Near|NEAR|In|IN|At|From|Outside|Inside|Across|Around)\s+|"
    r"(?:Town|City|Village|Province|TOWN|CITY|VILLAGE|PROVINCE)\s+(?:of|OF)\s+)+"
)
_TRAILING = re.compile(r"(?:['’]s|['’]|\s*\[\d*\]?|[.,;:]\[\d*)$")
_RANKS = alternation(words("entity_words.csv", "title"))
# Ranks and offices are roles, not names ("Col. Ryan Dillon" is Ryan Dillon, a colonel).
_TITLES = re.compile(rf"(?:(?:{_RANKS})\s+)+")
_TITLE_BEFORE = re.compile(rf"(?:(?:{_RANKS})\s+)+$")
_ONLY_TITLE = re.compile(rf"^(?:(?:{_RANKS})\s*)+$", re.I)


# Capitalised common nouns the model tags as organisations.
_NOT_NAMES = frozenset(words("entity_words.csv", "not_name"))


def _clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading article or preposition and a trailing possessive so the mention is the bare name."""
    lead = _LEADING.match(text, start, end)
    if lead and lead.end() < end:
        start = lead.end()
    tail = _TRAILING.search(text[start:end])
    if tail and end - start > len(tail.group()):
        end -= len(tail.group())
    # "traditions.[3" (a Wikipedia citation), "Abboud Qanbar(Arabic": a bracket ends the name.
    bracket = min((i for i in (text.find("[", start, end), text.find("(", start, end)) if i > start), default=-1)
    if bracket > start:
        end = bracket
        while end > start and text[end - 1] in " .,;:":
            end -= 1
    return start, end


def _strip_title(text: str, start: int, end: int) -> tuple[int, int, str | None]:
    """A title inside or just before a person's name becomes the role; the name is what remains."""
    inside = _TITLES.match(text, start, end)
    role = None
    if inside and inside.end() < end:
        role = text[start : inside.end()].strip()
        start = inside.end()
    before = _TITLE_BEFORE.search(text, max(0, start - 40), start)
    if before and before.group().strip():
        role = " ".join(filter(None, [before.group().strip(), role]))
    return start, end, role


def _is_junk(surface: str, label: str) -> bool:
    if len(surface) < 2 or not any(c.isalpha() for c in surface):
        return True
    if not (surface[0].isupper() or surface[0].isdigit() or (label == "PERSON" and _NAME_PARTICLE.match(surface))):
        return True  # "n't" tagged as a place: a name starts with a capital (or is a person's "al-Abadi")
    if (
        surface.casefold() in _NOT_NAMES
        or _ONLY_TITLE.match(surface)
        or (label != "PERSON" and surface.rstrip(".") in CALENDAR_WORDS)
    ):
        return True  # "December" tagged as a place (but "May" may be Theresa May)
    return label == "PERSON" and any(c.isdigit() for c in surface)


_ARABIC_HEAD = re.compile(
    r"(?:Dayr|Deir|Ras|Tal|Tell|Jisr|Bab|Khan|Ain|Ayn|Umm|Abu|Bir|Qasr)\s(?:a[zdrsnlt]|ash|el|al)[\s-]$"
)


def _with_arabic_head(text: str, start: int) -> int:
    """ "Dayr az Zawr" tagged as "Zawr": take the name's head back."""
    head = _ARABIC_HEAD.search(text, max(0, start - 12), start)
    return head.start() if head else start


def _split_off_people(text: str, spans: list[_Span]) -> list[_Span]:
    """ "the Minister for the Middle East Tobias Ellwood" tagged as one ORG: the article calls him
    "Ellwood" elsewhere, so the last two words are a person and the rest is what it is."""
    surnames = {text[s.start : s.end].split()[-1] for s in spans if s.label == "PERSON"}
    out = []
    for s in spans:
        words = text[s.start : s.end].split()
        if s.label != "PERSON" and len(words) >= 3 and words[-1] in surnames and words[-2][:1].isupper():
            cut = text.rfind(words[-2], s.start, s.end)
            rest_end = cut - 1
            rest_label = _label_by_form(text, s.start, rest_end, s.label)
            out.append(replace(s, end=rest_end, label=rest_label, source="split", model_label=None))
            out.append(replace(s, start=cut, label="PERSON", source="split", model_label=None))
        else:
            out.append(s)
    return out


def _model_spans(doc: Doc, text: str, body: tuple[int, int]) -> list[_Span]:
    spans = []
    for ent in doc.ents:
        if ent.label_ not in NAME_LABELS or ent.start_char < body[0] or ent.end_char > body[1]:
            continue
        start, end = _clean_span(text, ent.start_char, ent.end_char)
        if ent.label_ in PLACE_LABELS:
            start = _with_arabic_head(text, start)
        role = None
        if ent.label_ == "PERSON":
            start, end, role = _strip_title(text, start, end)
        if start < end and not _is_junk(text[start:end], ent.label_):
            label = _label_by_form(text, start, end, ent.label_)
            source = "ner" if label == ent.label_ else "form"
            spans.append(_Span(start, end, label, source, role, model_label=ent.label_))
    return _split_off_people(text, spans)


# What a name is, told by its own words: "Samarra Barrage" is a facility, "Mount Sinjar" a place,
# "U.S. Marines" an organisation; and by the word after it: the Asad regime, the Obama administration.
_FACILITY_END = re.compile(rf"\s(?:{alternation(words('entity_words.csv', 'facility_end'))})$")
_LOCATION_END = re.compile(rf"\s(?:{alternation(words('entity_words.csv', 'location_end'))})$")
_LOCATION_START = re.compile(rf"^(?:{alternation(words('entity_words.csv', 'location_start'))})\s")
_BODY_END = re.compile(rf"\s(?:{alternation(words('entity_words.csv', 'body_end'))})$")
_REGIONS = frozenset(words("entity_words.csv", "region"))
_OPERATION = re.compile(r"^Operation\s+[A-Z]")
_SHIP = re.compile(rf"^(?:{alternation(words('entity_words.csv', 'ship_prefix'))})\s+[A-Z]")
_LEADER_OF = re.compile(rf"\s+(?:{alternation(words('entity_words.csv', 'leader_word'))})\b")


def _label_by_form(text: str, start: int, end: int, label: str) -> str:
    name = text[start:end]
    if name in _REGIONS:
        return "LOC"
    if _SHIP.match(name):
        return "PRODUCT"  # OntoNotes files vessels under PRODUCT: "USS Mahan" is not a person
    if _OPERATION.match(name):
        return "EVENT"  # "Operation Inherent Resolve", the campaign (its task force is an ORG on the alias list)
    if _FACILITY_END.search(name):
        return "FAC"
    if _LOCATION_END.search(name) or _LOCATION_START.match(name):
        return "LOC"
    if label == "NORP" and _BODY_END.search(name):
        return "ORG"
    named_for_leader = " " not in name and text[start - 4 : start] == "the " and _LEADER_OF.match(text, end)
    if label in {"ORG", "NORP"} and named_for_leader and not re.search(r"(?:i|an|ese|ish)$", name):
        return "PERSON"  # "the Asad regime": a regime named for its leader, not "the Syrian regime"
    return label
