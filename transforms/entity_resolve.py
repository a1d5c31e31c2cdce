"""Entities, stage 4: a name found again wherever it is repeated, short forms resolved to the full
name ("Dillon" -> "Ryan Dillon", "SDF" -> "Syrian Democratic Forces", "Iraqis" -> "Iraqi"), and one
label voted per entity over all its mentions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace

from transforms.aliases import AliasList
from transforms.entity_spans import _NAME_PARTICLE, _SUFFIXES, PLACE_LABELS, _initials, _Span, _Taken, _word_at
from transforms.truecase import CALENDAR_WORDS


def _surname_like(word: str) -> bool:
    return len(word) > 3 and word[0].isupper() and word.isalpha() and word not in _SUFFIXES


def _occurrences(text: str, needle: str, body: tuple[int, int]) -> Iterator[int]:
    """Where `needle` starts in the body, left to right without overlaps (as re.finditer would find
    it; a pattern per name would be compiled anew for every article, which cost more than the search)."""
    pos = text.find(needle, body[0], body[1])
    while pos != -1:
        yield pos
        pos = text.find(needle, pos + len(needle), body[1])


def _repeated(text: str, body: tuple[int, int], spans: Sequence[_Span]) -> list[_Span]:
    """The model tags "Japan" in one sentence and misses it in the next: a name found once is a
    mention wherever the article says it again."""
    taken = _Taken((s.start, s.end) for s in spans)
    by_surface: dict[str, _Span] = {}
    for s in spans:
        surface = text[s.start : s.end]
        if len(surface) >= 3 and surface not in CALENDAR_WORDS and not surface.islower():
            by_surface.setdefault(surface, s)
    for s in spans:  # a person's surname on its own: "Dillon explained"
        words = text[s.start : s.end].split()
        if s.label == "PERSON" and s.source == "ner" and len(words) > 1 and _surname_like(words[-1]):
            by_surface.setdefault(words[-1], replace(s, role=None))
    found: list[_Span] = []
    for surface, first in sorted(by_surface.items(), key=lambda kv: -len(kv[0])):
        for start in _occurrences(text, surface, body):
            end = start + len(surface)
            if not _word_at(text, start, end) or taken.overlaps(start, end):
                continue
            found.append(replace(first, start=start, end=end, source="repeat", role=None, model_label=None))
            taken.add(start, end)
    return found


def _singular_norp(name: str) -> str:
    """ "Iraqis" -> "Iraqi", "Kurds" -> "Kurd": one entity for the people and the adjective."""
    if name.endswith("s") and not name.endswith("ss") and len(name) > 4 and name[-2] in "intdh":
        return name[:-1]
    return name


def _canonical(
    surface: str, span: _Span, full_names: list[str], orgs: list[str], aliases: AliasList, towns: frozenset[str]
) -> str:
    if span.canonical:
        return span.canonical
    alias = aliases.lookup(surface)
    if alias is not None:
        return alias.canonical_name
    words = surface.split()
    # "Syria" the model called a place is not the "Tags Aleppo Idlib Syria" it mistook for a person.
    for full in [] if span.label in PLACE_LABELS and surface in towns else full_names:
        full_words = [w for w in full.split() if w not in _SUFFIXES]
        if len(full_words) > len(words) and full_words[-len(words) :] == words:
            return full  # "Dillon" -> "Ryan Dillon", whatever the model called it
        if len(words) == 1 and len(full_words) > 1 and _NAME_PARTICLE.sub("", full_words[-1]) == words[0]:
            return full  # "Asad" -> "Bashar al-Asad"
    if len(words) == 1 and len(surface) > 2 and surface not in towns:  # "Aleppo" is not "Aleppo Death"
        known_by = [f for f in full_names if f.split()[0] == surface and not _NAME_PARTICLE.match(f)]
        if len(known_by) == 1 and surface not in {"Abu", "Umm", "Tal", "Tel", "Deir"}:
            return known_by[0]  # "Karim" -> "Karim Wasifi", told apart from nobody else
    if surface.isupper() and 2 <= len(surface) <= 6:
        for org in orgs:
            if org != surface and _initials(org) == surface:
                return org  # "SDF" -> "Syrian Democratic Forces"
    return _singular_norp(surface) if span.label == "NORP" else surface


def _vote(
    resolved: Sequence[tuple[_Span, str]], full_names: set[str], aliases: AliasList, countries: frozenset[str]
) -> dict[str, str]:
    """One label per entity: the rules' word weighs more than the model's; a full name leans PERSON."""
    votes: dict[str, Counter[str]] = {}
    ruled: set[str] = set()
    for span, canon in resolved:
        weight = 0 if span.source == "repeat" else 1 if span.source == "ner" else 3  # a copy is no evidence
        votes.setdefault(canon, Counter())[span.label] += weight
        if span.source == "repeat":
            continue
        if span.source != "ner":
            ruled.add(canon)
    label_of = {canon: counter.most_common(1)[0][0] for canon, counter in votes.items()}
    for canon in label_of:
        alias = aliases.lookup(canon)
        if alias is not None and alias.canonical_name == canon:
            label_of[canon] = alias.label
        elif canon in full_names and canon not in ruled and canon.casefold() not in countries:
            # "Dillon" tagged ORG five times is still Col. Ryan Dillon; a country is never a surname
            label_of[canon] = "PERSON"
    return label_of


def _names_in_article(text: str, resolved: Sequence[tuple[_Span, str]], aliases: AliasList) -> dict[str, str]:
    """An alias-listed entity goes by the article's own fullest name for it ("ISIS" where the article
    never says "Islamic State"); its id and its name across articles stay the list's."""
    forms: dict[str, set[str]] = {}
    for span, canon in resolved:
        if span.source == "alias":
            forms.setdefault(canon, set()).add(text[span.start : span.end])
    return {
        canon: canon if any(f.casefold() == canon.casefold() for f in said) else max(said, key=lambda f: (len(f), f))
        for canon, said in forms.items()
    }
