"""Entities, stage 3: places and peoples by the gazetteer.

Peoples' names are never places ("Syrian"); a country's possessive that lost its apostrophe is the
country ("Syrias Idlib"); the model's non-place labels are retyped where the gazetteer and the context
both say place (Rawa tagged ORG, Abu Kamal PERSON); towns the gazetteer knows, listed or introduced as
places, are added ("liberating Tal Afar, Hawija and Al Qaim", "areas of Western Anbar").
"""

from __future__ import annotations

import re
from bisect import bisect_right, insort
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from transforms.entity_clean import _label_by_form
from transforms.entity_spans import _NAME_PARTICLE, PLACE_LABELS, _Shouted, _Span, _Taken
from transforms.gazetteer import Gazetteer, Place, load_gazetteer
from transforms.vocabulary import rows, words

# Labels the small model gives to places it does not know: "Rawa" ORG, "Abu Kamal" PERSON.
_RETYPABLE = frozenset({"PERSON", "ORG", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "NORP"})


_ADMIN_AFTER = re.compile(r"^\s+(?:district|province|governorate|sub-district|subdistrict|region|county|state)\b")
# Words after which a capitalised name is a place: "liberating Tal Afar", "the border town of Abu Kamal".
_PLACE_CUE = re.compile(
    r"(?:\b(?:in|near|at|from|into|outside|around|across|toward|towards|to|between|inside|"
    r"liberat\w*|captur\w*|retak\w*|retook|recaptur\w*|seiz\w*|enter\w*|besieg\w*|shell\w*|bomb\w*|fled|"
    r"(?:liberation|capture|recapture|fall|siege|control|outskirts|battle|assault|residents|people)\s+of|"
    r"[\w-]+-held|[\w-]+-controlled|assault\s+on|attack\s+on|offensive\s+on|"
    r"(?:town|city|village|province|governorate|district|region|areas?|border|outskirts|countryside|"
    r"south|north|east|west|southern|northern|eastern|western|parts|villages|towns)(?:\s+of)?)\s+)$",
    re.I,
)
_NAMED_AS_PLACE = re.compile(
    r"\b(?:town|city|village|province|governorate|district|suburb|neighbou?rhood|region|capital)\s+of\s+$", re.I
)
_STRIKE_LIST = re.compile(r"(?:^|\n)[\s.\u00a0]*(?:Near|In|At)\s+$")
_CAPITALISED_RUN = re.compile(r"(?:(?:al-|Al-|el-|Al |Tal |Tel |Abu |Deir |Jabal |Ras |Khan |Bab )?[A-Z][\w'’-]+)")


# Peoples and faiths the model leaves untagged now and then ("Shia", "Kurdish"), and demonyms that do
# not follow from the country's name; the rest are derived from country names (Iraq -> Iraqi).
_PEOPLES = frozenset(words("entity_words.csv", "people"))


def is_people_name(name: str) -> bool:
    """ "Syrian", "Turkish": a people's name, whatever the article's vote labelled it."""
    return _is_people(name, load_gazetteer().country_names)


def _is_people(name: str, country_words: frozenset[str]) -> bool:
    """ "Syrian", "Turkish", "Kurds", "Iraqis": a people or its adjective, never a place."""
    return name in _PEOPLES or name in _demonyms() or _demonym_country(name, country_words) is not None


# "Syria's Idlib" with its apostrophe lost (FA-KES strips them): "Syrias Idlib", "Turkeys".
_COUNTRY_POSSESSIVE = re.compile(r"(?P<country>[A-Z][a-z]+)s(?=\s+[A-Z]|$)")


def _known_place(name: str, gazetteer: Gazetteer) -> bool:
    """A country, a province or a city of 100,000 people spelt so: no people's name."""
    return any(p.kind != "city" or p.population >= 100_000 for p in gazetteer.spelt(name))


def _peoples_and_possessives(text: str, spans: Sequence[_Span], gazetteer: Gazetteer) -> list[_Span]:
    """A people's name typed as a place is a NORP ("Syrian" GPE); a country's possessive that lost
    its apostrophe is the country, and the name after it stands alone ("Syrias Idlib" is Syria and
    Idlib, "Syrias Al Qaeda" Syria and Al Qaeda, "Turkeys" Turkey)."""
    countries = gazetteer.country_names
    out: list[_Span] = []
    for s in spans:
        name = text[s.start : s.end]
        if s.label in PLACE_LABELS and " " not in name and _is_people(name, countries):
            out.append(replace(s, label="NORP", source="people"))
            continue
        if s.label == "NORP" and not _is_people(name, countries) and _known_place(name, gazetteer):
            out.append(replace(s, label="GPE", source="place"))  # "Aleppo" tagged NORP
            continue
        m = _COUNTRY_POSSESSIVE.match(name)
        if m is None or m.group("country") not in countries or s.source not in {"ner", "form"}:
            out.append(s)
            continue
        country = m.group("country")
        country_place = gazetteer.resolve(country)
        country_code = country_place.country_code if country_place is not None else None
        out.append(replace(s, end=s.start + m.end(), label="GPE", source="possessive", canonical=country))
        rest = s.start + m.end() + len(name[m.end() :]) - len(name[m.end() :].lstrip())
        if rest < s.end:
            rest_name = text[rest : s.end]
            place = gazetteer.resolve(rest_name, frozenset({country_code or ""}))
            label = "NORP" if _is_people(rest_name, countries) else s.label
            if place is not None and place.country_code == country_code and label != "NORP":
                label = "GPE"  # "Syrias Idlib": a place in that country
            out.append(replace(s, start=rest, label=_label_by_form(text, rest, s.end, label), source="split"))
    return out


def _article_countries(text: str, spans: Sequence[_Span], gazetteer: Gazetteer) -> frozenset[str]:
    """Countries the article is about: named countries and provinces, their peoples ("Salvadoran"),
    and towns with one meaning."""
    codes: set[str] = set()
    for s in spans:
        if s.label not in PLACE_LABELS and s.label != "NORP":
            continue
        name = text[s.start : s.end]
        if s.label == "NORP":
            name = _demonym_country(name, gazetteer.country_names) or name
        found = gazetteer.candidates(name)
        if len(found) == 1 or any(p.kind == "country" for p in found):
            place = max(found, key=lambda p: p.kind == "country")
            if place.country_code:
                codes.add(place.country_code)
    return frozenset(codes)


_DEMONYM_ENDINGS = (("ian", "ia"), ("ian", ""), ("an", "a"), ("an", ""), ("ese", ""), ("ese", "on"), ("i", ""))


def _demonym_country(name: str, country_words: frozenset[str]) -> str | None:
    """ "Iraqi" -> "Iraq", "Syrians" -> "Syria", "Salvadoran" -> "Salvador" (of El Salvador)."""
    stem = name[:-1] if name.endswith("s") else name
    for suffix, add in _DEMONYM_ENDINGS:
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 3 and stem[: -len(suffix)] + add in country_words:
            return stem[: -len(suffix)] + add
    return None


def _place_cue(text: str, start: int) -> bool:
    return bool(_PLACE_CUE.search(text, max(0, start - 40), start))


def _listed_with_place(text: str, span: _Span, places: Sequence[_Span]) -> bool:
    """Is this name in a list ("Tal Afar, Hawija and Al Qaim") with a known place? `places` are
    disjoint and sorted by start (`_add_place`): only the nearest on either side can be next to it."""
    i = bisect_right(places, span.start, key=lambda p: p.start)
    for p in places[max(0, i - 1) : i + 1]:
        gap = text[p.end : span.start] if p.end <= span.start else text[span.end : p.start]
        if (p.end <= span.start or span.end <= p.start) and re.fullmatch(r"\s*(?:,|and|or|,\s*and)\s*", gap):
            return True
    return False


def _add_place(places: list[_Span], span: _Span) -> None:
    insort(places, span, key=lambda p: p.start)


def _is_place_here(text: str, span: _Span, place: Place, countries: frozenset[str], places: Sequence[_Span]) -> bool:
    """ "the border town of X", "X province": a place wherever it is. "in X", "X, Y and Z": a place if the
    gazetteer has X in a country the article is about (or X is a country or a province)."""
    if _ADMIN_AFTER.match(text, span.end) or _NAMED_AS_PLACE.search(text, max(0, span.start - 40), span.start):
        return True
    in_scope = place.kind in {"country", "region"} or place.country_code in countries
    return in_scope and (_place_cue(text, span.start) or _listed_with_place(text, span, places))


def _surnames(text: str, spans: Sequence[_Span]) -> set[str]:
    """Parts of the names of people the article names in full: "Dillon" is Col. Ryan Dillon and
    "Karim" is Karim Wasifi, not towns. (The full name itself may still be a town: "Abu Kamal".)"""
    out: set[str] = set()
    for s in spans:
        words = text[s.start : s.end].split()
        if s.label == "PERSON" and len(words) > 1:
            out.update(w for w in words if w not in {"Abu", "Al", "al", "Tal", "Tel", "Deir", "Ras", "Khan"})
            if len(words) > 2:
                out.add(" ".join(words[-2:]))
            out.add(_NAME_PARTICLE.sub("", words[-1]))
    return out


def _type_places(
    text: str, spans: list[_Span], gazetteer: Gazetteer, countries: frozenset[str], people: set[str]
) -> list[_Span]:
    """Retype the model's non-place labels where the gazetteer and the context both say place."""
    places = [s for s in spans if s.label in PLACE_LABELS]
    out = []
    for s in spans:
        name = text[s.start : s.end]
        demonym = s.label == "NORP" and bool(re.search(r"(?:i|an|ese|ish|s)$", name))  # "Iraqi", "Kurds"
        if s.source == "ner" and s.label in _RETYPABLE and not demonym and name not in people:
            place = gazetteer.resolve(name, countries)
            if place is not None and _is_place_here(text, s, place, countries, places):
                s = replace(s, label="GPE", source="place")
                _add_place(places, s)
        out.append(s)
    return out


def _towns(text: str, spans: Sequence[_Span], gazetteer: Gazetteer, countries: frozenset[str]) -> frozenset[str]:
    """One-word names that are countries or sizeable towns of the article's countries: never a person's
    first name, nor (where the model called them a place) the last word of one."""
    out = set()
    for s in spans:
        name = text[s.start : s.end]
        if " " not in name:
            place = gazetteer.resolve(name, countries)
            if place is not None and (
                place.kind == "country" or place.country_code in countries and place.population >= 15000
            ):
                out.add(name)
    return frozenset(out)


def _unlabelled_places(
    text: str,
    body: tuple[int, int],
    spans: list[_Span],
    gazetteer: Gazetteer,
    countries: frozenset[str],
    shouted: _Shouted,
) -> list[_Span]:
    """Names the model missed but the text lists or introduces as places: "Tal Afar, Hawija and Al Qaim"."""
    places = [s for s in spans if s.label in PLACE_LABELS]
    found: list[_Span] = []
    taken = _Taken((s.start, s.end) for s in spans)
    for m in _CAPITALISED_RUN.finditer(text, body[0], body[1]):
        start, end = m.start(), m.end()
        while True:  # extend over "Western Anbar", "Deir ez-Zor"
            nxt = re.match(r"\s(?:[ae][zsdrl][ -])?[A-Z][\w'’-]+", text[end : end + 40])
            if not nxt:
                break
            end += nxt.end()
        if taken.overlaps(start, end) or shouted(start):
            continue
        if start > 0 and re.search(r"[.!?\"“]\s*$|^\s*$", text[max(0, start - 3) : start]):
            continue  # a sentence's first word is capitalised anyway
        span = _Span(start, end, "GPE", "place")
        if _STRIKE_LIST.search(text, max(0, start - 12), start) and text[end : end + 1] == ",":
            found.append(span)  # CENTCOM's "Near Al Huwayjah, two strikes engaged...": a place, known or not
            _add_place(places, span)
            taken.add(start, end)
            continue
        place = gazetteer.resolve(text[start:end], countries)
        if place is not None and _is_place_here(text, span, place, countries, places):
            found.append(span)
            _add_place(places, span)
            taken.add(start, end)
    return found


@lru_cache(maxsize=1)
def _demonyms() -> dict[str, str]:
    """data/demonyms.csv: peoples' names that do not follow from their country's ("Turkish" TR)."""
    return {r["demonym"]: r["country_code"] for r in rows("demonyms.csv")}


def _people_country(name: str, gazetteer: Gazetteer) -> str | None:
    """The country a people's name comes from: "Syrian" SY, "Iraqis" IQ, "Turkish" TR ("Kurdish": none)."""
    if name in _demonyms():
        return _demonyms()[name]
    country = _demonym_country(name, gazetteer.country_names)
    place = gazetteer.resolve(country) if country else None
    return place.country_code if place is not None and place.kind == "country" else None
