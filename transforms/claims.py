"""What a figure is a claim about: its scope (one incident or a running total), the date it refers to,
and the group its counted belong to. Pure: an article's text, date, sentences, mentions and figures
in; the same figures with `scope`, `event_date`, `event_date_precision`, `counted_group` and
`is_part` set out.

Scope (`incident`, `cumulative`, `unknown`):
- cumulative: a running total said in the figure's clause, before the number ("the death toll rose
  to", "a total of", "so far") or after it ("since 2011", "in the war", "so far this year"); a total
  over a period ("in the past ten days", "over the last three years"); a long
  period as the subject that "has killed" it ("the war, which has killed 400,000"); a date the figure
  runs from ("since March"); and a death toll of 10,000 or more not dated to a day (no single attack
  in these wars killed that many; war-wide tolls are how such numbers are said);
- incident: any other count of an event (killed, wounded, detained, kidnapped, displaced, strikes);
- unknown: the rest (fighters in a town, money, percentages): a stock, not an event.

Event date (and `event_date_basis`: said, earlier, published): the date said nearest the number in its sentence ("killed 12 on Monday"), one that says
when something was said ("said on Wednesday") only where the sentence has no other; else the last
day- or week-precise date of the sentences before (the lead's "on Saturday" holds for the story),
until a sentence starts another incident ("Elsewhere, ..."); else the week ending on the article's
date (a news report's figure refers to the days before it; precision `week`). A running total is
dated to its own date where said to the day, else as of the article's date. No anchor (no
dateline, no `published_at`) and no absolute date: null, `unknown`.

Counted group, from the counted words (data/claim_words.csv): civilians ("children", "residents",
"civilian lives"); a state's soldiers or police named by their people ("Syrian soldiers" -> "Syrian
army") or by "regime" / "government" with the state taken from the figure's place ("regime
soldiers" killed in Homs -> "Syrian army"); fighters and members of a group by the group, as the
figure's actor gives it where the actor is not the doer ("ISIS fighters" -> Islamic State, the
name across articles), else by their own word ("rebels", "militants"). Null for "people" and for
counts of things: "civilians" killed by the coalition are civilians, not the coalition's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from transforms.dates import DateRef, anchor_date, find_dates
from transforms.figures import PART_OF
from transforms.vocabulary import word_lists

if TYPE_CHECKING:
    from transforms.entities import Mention
    from transforms.figures import Figure
    from transforms.sentences import Sentence

INCIDENT_CATEGORIES = frozenset({"killed", "wounded", "detained", "kidnapped", "displaced", "strikes"})
WAR_TOLL = 10_000  # a death toll this large, not dated to a day, is a running total
_NEW_INCIDENT = re.compile(
    r"^\W*(?:elsewhere|separately|in a separate|in another|in an unrelated|in other news|meanwhile)\b", re.I
)
_ADJECTIVE = re.compile(r"\b([A-Z][a-z]+(?:ian|an|i|ese|ish|ch))\b(?=(?:\s+[\w-]+){0,2}\s*$)")
_CLAUSE_END = re.compile(r"[;:]|,\s+(?:while|whereas|but|and)\b|\s+(?:while|whereas|but)\s|—|\s-\s")


@lru_cache(maxsize=1)
def claim_words() -> dict[str, tuple[str, ...]]:
    """data/claim_words.csv by kind, longest first."""
    lists = word_lists("claim_words.csv")
    return {k: tuple(sorted({w.lower() for w in ws}, key=len, reverse=True)) for k, ws in lists.items()}


def _words(kind: str) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in claim_words()[kind])


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    return {
        "before": re.compile(rf"\b(?:{_words('cumulative_before')})\b", re.I),
        "after": re.compile(rf"^[^.;]{{0,120}}?\b(?:{_words('cumulative_after')})\b", re.I),
        "long": re.compile(
            rf"\b(?:{_words('period_subject')})\b[^.;]{{0,60}}?\b(?:has|have|had)\s+(?:been\s+)?"
            r"(?:(?:\w+ly|now|since|so\s+far|already)\s+)*"
            r"(?:killed|claimed|left|displaced|forced|cost|wounded|injured|uprooted)\b"
            rf"|\b(?:{_words('war')})\b\s+(?:\w+\s+)?(?:killing|claiming|costing|leaving)\b",
            re.I,
        ),
        **{
            kind: re.compile(rf"\b(?:{_words(kind)})(?:\s+lives)?$", re.I)
            for kind in ("civilians", "army", "police", "combatants", "members")
        },
        "period": re.compile(
            rf"\b(?:in|during|over|for|within)\s+(?:the\s+)?(?:past|last|previous|first)\s+(?:[\w-]+\s+){{0,2}}?"
            rf"(?:{_words('period_words')})\b",
            re.I,
        ),
        "state": re.compile(rf"\b(?:{_words('state_words')})\b", re.I),
    }


def annotate(
    text: str,
    published: datetime | date | None,
    sentences: Sequence[Sentence],
    mentions: Sequence[Mention],
    figures: Sequence[Figure],
) -> list[Figure]:
    """The article's figures with their claim columns set, in the order of their starts."""
    if not figures:
        return list(figures)
    anchor, dateline = anchor_date(text, published)
    by_index = {s.index: s for s in sentences}
    places = {m.entity_id: m.country_code for m in mentions if m.country_code}
    states = _state_names(text, mentions)
    names = {m.entity_id: m.entity_name or m.canonical_name for m in mentions}
    out: list[Figure] = []
    carried: DateRef | None = None
    refs_of: dict[int, list[DateRef]] = {}
    last_sentence = -1
    for fig in sorted(figures, key=lambda f: f.start):
        sent = by_index.get(fig.sentence_index)
        if sent is None:
            out.append(fig)
            continue
        # Dates of the sentences before this one carry over (the lead's "on Saturday"), the last figure's
        # sentence's too, wherever in it the date was said.
        if fig.sentence_index > last_sentence >= 0:
            carried = _last_precise(refs_of[last_sentence], anchor) or carried
        for i in range(last_sentence + 1, fig.sentence_index + 1):
            s = by_index.get(i)
            if s is None:
                continue
            if _NEW_INCIDENT.match(s.text):
                carried = None
            refs = _refs(s, anchor, dateline)
            refs_of[i] = refs
            if i < fig.sentence_index:
                carried = _last_precise(refs, anchor) or carried
        last_sentence = fig.sentence_index
        refs = refs_of[fig.sentence_index]
        lo, hi = fig.start - sent.start, fig.end - sent.start
        scope = _scope(sent.text, lo, hi, fig, refs)
        own = _nearest(refs, lo, hi, anchor)
        when: tuple[date | None, str, str | None]
        if scope == "cumulative" and own is not None and own.precision == "day":
            when = (own.day, "day", "said")
        elif scope == "cumulative":
            when = (anchor, "day", "published")  # a running total as of the article's date
        elif own is not None:
            when = (own.day, own.precision, "said")
        elif carried is not None:
            when = (carried.day, carried.precision, "earlier")
        else:
            when = (anchor, "week", "published")
        if when[0] is None:
            when = (None, "unknown", None)
        out.append(
            replace(
                fig,
                scope=scope,
                event_date=when[0],
                event_date_precision=when[1],
                event_date_basis=when[2],
                counted_group=counted_group(fig, places.get(fig.location_entity_id or ""), states, names),
                is_part=bool(PART_OF.search(sent.text[:lo])),
            )
        )
    return out  # in the order of their starts (a stable sort of the figures given)


def _refs(sent: Sentence, anchor: date | None, dateline: tuple[int, int] | None) -> list[DateRef]:
    refs = find_dates(sent.text, anchor)
    if dateline is not None:  # the dateline is when it was written, not when anything happened
        refs = [r for r in refs if not (sent.start + r.start < dateline[1] and dateline[0] < sent.start + r.end)]
    return refs


def _last_precise(refs: Sequence[DateRef], anchor: date | None) -> DateRef | None:
    good = [
        r
        for r in refs
        if r.precision in ("day", "week")
        and not r.since
        and not r.spoken
        and (anchor is None or r.day <= anchor + timedelta(days=1))
    ]
    return good[-1] if good else None


def _nearest(refs: Sequence[DateRef], lo: int, hi: int, anchor: date | None) -> DateRef | None:
    """The date said nearest the number; one of saying ("said on Wednesday") only if there is no other;
    never one after the text was written ("ahead of the June 3 poll")."""
    usable = [r for r in refs if not r.since and (anchor is None or r.day <= anchor + timedelta(days=1))]
    events = [r for r in usable if not r.spoken] or usable
    if not events:
        return None
    return min(events, key=lambda r: max(r.start - hi, lo - r.end, 0))


def _scope(sentence: str, lo: int, hi: int, fig: Figure, refs: Sequence[DateRef]) -> str:
    p = _patterns()
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(sentence, 0, lo)), default=0)
    before = sentence[max(clause_start, lo - 80) : lo]
    tail = sentence[hi:]
    end = _CLAUSE_END.search(tail)
    after = tail[: end.start()] if end else tail
    if p["before"].search(before) or p["after"].search(after) or p["long"].search(sentence[:lo]):
        return "cumulative"
    if p["period"].search(before) or p["period"].search(after):
        return "cumulative"  # "in the last ten days", "over the past three years": a total over a period
    if any(r.since and (lo - 80 <= r.start <= hi + 80) for r in refs):
        return "cumulative"
    if fig.category == "killed":
        value = fig.value_low if fig.value_low is not None else fig.value_high
        if value is not None and value >= WAR_TOLL and not any(r.precision == "day" for r in refs):
            return "cumulative"
    if fig.category in INCIDENT_CATEGORIES:
        return "incident"
    return "unknown"


def counted_group(
    fig: Figure, country_code: str | None, states: dict[str, str], names: dict[str, str] | None = None
) -> str | None:
    """The side or group the counted belong to (see the module's docstring)."""
    counted = (fig.counted or "").strip()
    if not counted:
        return None
    names = names or {}
    p = _patterns()
    words = re.sub(r"\s+", " ", counted)
    if p["civilians"].search(words):
        return "civilians"
    for kind, force in (("army", "army"), ("police", "police")):
        if p[kind].search(words):
            people = _people_word(words, states) or _people_word(fig.actor or "", states)
            if people:
                return f"{people} {force}"
            if country_code and country_code in states and (p["state"].search(words) or fig.location_entity_id):
                return f"{states[country_code]} {force}"
            return "government forces" if p["state"].search(words) else None
    m = p["combatants"].search(words) or p["members"].search(words)
    if m and fig.actor and not fig.actor_is_agent:
        return names.get(fig.actor_entity_id or "", fig.actor)  # "ISIS fighters" -> Islamic State
    if m:
        return m.group(0).lower()
    return None


def _people_word(words: str, states: dict[str, str]) -> str | None:
    """The people a count of soldiers names: "Syrian soldiers", "two Turkish troops" -> the adjective."""
    m = _ADJECTIVE.search(words)
    if m:
        return m.group(1)
    for name in states.values():
        if re.search(rf"\b{re.escape(name)}\b", words):
            return name
    return None


def _state_names(text: str, mentions: Sequence[Mention]) -> dict[str, str]:
    """Each country the article names a place in, by the adjective the text uses for its people
    ("Syria" -> "Syrian" where the text says "Syrian"), else the country's name."""
    from transforms.gazetteer import load_gazetteer

    out: dict[str, str] = {}
    gazetteer = load_gazetteer()
    for code in sorted({m.country_code for m in mentions if m.country_code}):
        name = gazetteer.country_name(code)
        if not name:
            continue
        out[code] = next(
            (adj for adj, said in _adjectives(name) if adj in text and said.search(text)), name
        )  # the substring test first: the pattern only where it can match
    return out


@lru_cache(maxsize=512)
def _adjectives(country: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    stem = country.rstrip("aeiouy") if country.endswith(("a", "e", "y")) else country
    forms = (country + "n", country + "i", stem + "ian", stem + "ese", stem + "ish", country + "ian")
    return tuple((f, re.compile(rf"\b{re.escape(f)}\b")) for f in forms)
