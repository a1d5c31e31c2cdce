"""Figures: numeric claims with bounds, qualifier, what is counted, category, actor, place and source.

Rules over the sentence text and the article's entity mentions; no parser is needed, which keeps
the spaCy pipeline to senter + ner (see transforms.nlp). This module decides which numbers are
figures and what noun phrase they count; `figure_category` says what kind of count it is and
`figure_roles` who and where.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from itertools import chain as _chain

from spacy.tokens import Doc

from transforms import EXTRACTOR_VERSION, syntax
from transforms.dates import MONTH
from transforms.entities import Mention
from transforms.figure_category import (
    PERCENT_AFTER,
    categorise,
    event_of_word,
    first_event_in,
    is_event,
    last_event_in,
    noun_category,
)
from transforms.figure_roles import (
    Named,
    SpeakerContext,
    actor,
    actor_in_counted,
    attribution,
    clean_name,
    lead_doer,
    location,
    named_span,
    observatory_in,
    place_in,
    places_in,
    places_outside,
)
from transforms.ids import figure_id_for
from transforms.numbers import MEASURE, NumberSpan, find_numbers
from transforms.sentences import Sentence
from transforms.vocabulary import alternation, words

_DATE_BEFORE = re.compile(rf"\b{MONTH}\.?\s*$", re.I)
_DAY_BEFORE = re.compile(rf"\b{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s*$|\b\d{{1,2}}\s+{MONTH}\.?,?\s*$", re.I)
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_DATE_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s*(?:of\s+)?{MONTH}\b", re.I)
_FURNITURE_BEFORE = re.compile(r"(?:\bshort\s+URL|©|\(c\)|\bcopyright)\s*$", re.I)
_CREDIT_BEFORE = re.compile(r"\b(?:AFP|Reuters|AP|Sputnik|EPA|ANSA|Getty(?:\s+Images)?|Photo)\s*/?\s*$")
_TIME_AFTER = re.compile(r"^(?::\d\d|\s*(?:a\.?m\b\.?|p\.?m\b\.?|o['’]clock|hrs\b|GMT\b|UTC\b|local time\b))", re.I)
_DURATION_UNIT = rf"(?:{alternation(words('figure_words.csv', 'duration_unit'))})"
_AGE_OR_DURATION_AFTER = re.compile(
    rf"^(?:-|\s)*(?:(?:more|additional|other|further|consecutive|straight|long|full|successive)\s+)?"
    rf"(?:{_DURATION_UNIT}\b|years?-olds?\b|-years?\b|-months?\b|-days?\b|-hours?\b|-weeks?\b)",
    re.I,
)
_AGE_BEFORE = re.compile(r"\b(?:aged|age|ages)\s*$", re.I)
_DISTANCE_AFTER = re.compile(
    r"^\s*(?:km\b|kms\b|kilomet(?:er|re)s?\b|miles?\b|met(?:er|re)s?\b|feet\b|ft\b|yards?\b|mph\b|kph\b|km/h)", re.I
)
_IDENTIFIER_BEFORE = re.compile(
    r"(?:\b(?:no|nos|number|resolution|route|highway|flight|article|section|chapter|room|page|vol|volume|"
    r"part|phase|level|grade|class|type|model|mark|mk|channel|line|gate|sector|block|apartment|street|"
    r"road|unit|brigade|division|battalion|regiment|squadron|platoon|corps|task force|code|case|item|"
    r"paragraph|annex|protocol|week|day|round|stage|season|episode|tier|category|group|district|zone|"
    r"camp|spring|summer|autumn|fall|winter|covid|g)\.?\s*#?\s*|[A-Za-z]-|#|/|\d[.:/-])$",
    re.I,
)
_IDENTIFIER_AFTER = re.compile(r"^(?:-[A-Za-z]|/\d|\.\d|:\d|-\d{1,2}-\d)")  # "F-16", "29-07-2016"
_ORDINAL_AFTER = re.compile(r"^(?:st|nd|rd|th)\b", re.I)
_MULTIPLIER_AFTER = re.compile(r"^\s*(?:times|fold)\b|^-fold\b", re.I)  # "three times bigger"
# An age said as an aside after a name: "Scott C. Dayton, 42, of Woodbridge".
_AGE_APPOSITION = re.compile(r"[A-Z][\w.'’-]*\s*,\s*$")
# Idioms with "one", read at the number itself: what stands before it and what follows it.
_IDIOM_BEFORE = re.compile(r"\b(?:at|no|number|the|last|first|any|every|on the|from|in|for|with|into)\s*$", re.I)
_IDIOM_AFTER = re.compile(
    r"^(?:\s+(?:of|another|day|way|side|hand|thing|time|more|last|such|by one|or another|or two|or more|"
    r"who|that|which|point|stage)\b|['’]s\b)",
    re.I,
)

# Words that end a counted noun phrase: function words, verbs of the event, clause starters.
_STOP_WORDS = frozenset(words("figure_words.csv", "stop_word"))
# Words ending in -ing or -ly that are nouns or adjectives, not verbs or adverbs.
_ING_NOUNS = frozenset(words("figure_words.csv", "ing_noun"))
# Participles that describe the counted noun rather than end the phrase ("12 wounded civilians").
_ED_ADJECTIVES = frozenset(words("figure_words.csv", "ed_adjective"))
_MEMBER_NOUNS = frozenset(words("figure_words.csv", "member_noun"))


@dataclass(frozen=True)
class Figure:
    figure_id: str
    sentence_index: int
    start: int
    end: int
    surface: str
    value_low: float | None
    value_high: float | None
    qualifier: str
    category: str
    counted: str | None
    actor: str | None
    location: str | None
    attributed_to: str | None
    actor_entity_id: str | None
    location_entity_id: str | None
    attributed_entity_id: str | None
    actor_is_agent: bool = False  # the actor did it (not the group the counted belong to)
    # What the figure is a claim about (transforms.claims sets them once the article's figures are read)
    scope: str = "unknown"
    event_date: date | None = None
    event_date_precision: str = "unknown"
    event_date_basis: str | None = None  # said (in its sentence), earlier (a sentence before), published
    counted_group: str | None = None
    is_part: bool = False  # "including three children": a part of the figure before it


def _mentions_by_sentence(sentences: Sequence[Sentence], mentions: Sequence[Mention]) -> list[list[Mention]]:
    """Each sentence's mentions, in the order given; found by their starts in log time, not by a scan
    of every mention per sentence (quadratic: an hour on a 5 MB article)."""
    order = sorted(range(len(mentions)), key=lambda i: mentions[i].start)
    starts = [mentions[i].start for i in order]
    out = []
    for sent in sentences:
        inside = order[bisect_left(starts, sent.start) : bisect_right(starts, sent.end)]
        out.append([mentions[i] for i in sorted(inside) if mentions[i].end <= sent.end])
    return out


_NEW_INCIDENT = re.compile(
    r"(?:" + "|".join(sorted(syntax.role_words()["new_incident"], key=len, reverse=True)) + r")\b", re.I
)
# The lead: the sentences whose first place is the article's own (a dateline, the lead sentence's place).
_LEAD_SENTENCES = 3


def figure_sentences(sentences: Sequence[Sentence]) -> list[int]:
    """The indices of the sentences that may hold a figure: the ones worth a dependency parse."""
    return [
        sent.index
        for sent in sentences
        if any(_number_reading(sent.text, num)[2] is not None for num in _candidates(sent.text))
    ]


# Asked twice per number: which sentences to parse, then the figure itself, a whole batch apart (256
# articles of about 20 sentences): the cache holds a batch's numbers, or the second ask pays again.
@lru_cache(maxsize=16_384)
def _number_reading(sentence: str, num: NumberSpan) -> tuple[str | None, int, str | None]:
    """The number's counted phrase, where that phrase ends, and its category (None: not a figure)."""
    before, after = sentence[: num.number_start], sentence[num.end :]
    counted, counted_end = _counted(after, num)
    if _not_a_figure(sentence, num, before, after, counted) is not None:
        return counted, counted_end, None
    return counted, counted_end, categorise(num, before, after, counted, after[counted_end:])


def extract_figures(
    article_id: str,
    text: str,
    sentences: Sequence[Sentence],
    mentions: Sequence[Mention],
    trees: Mapping[int, Doc] | None = None,
) -> list[Figure]:
    """Every figure of an article, with its roles resolved against the article's own mentions only.

    `trees` holds the dependency parse of the sentences that hold a figure, by sentence index; a
    sentence without one is read by the text rules alone."""
    trees = trees or {}
    context = SpeakerContext(observatory=observatory_in(mentions))
    previous_place: Named | None = None
    by_sentence = _mentions_by_sentence(sentences, mentions)
    speakers = _speakers(text, sentences, by_sentence, context)
    all_places = [places_in(sent, sent_mentions) for sent, sent_mentions in zip(sentences, by_sentence, strict=True)]
    # The article's own place: the first one its lead gives (a dateline, or the lead sentence's place).
    lead_place = next((p for p in _chain(*all_places[:_LEAD_SENTENCES]) if not _speaks(text, p)), None)
    figures: list[Figure] = []
    # The doer the headline names ("ISIS begins to kill ...") stands for events no later sentence names one for.
    lead_agent = lead_doer(sentences[0], by_sentence[0]) if sentences else None
    if lead_agent is not None:
        lead_agent = Named(_as_said(lead_agent, text) or "", lead_agent.entity_id)
    paragraph_agent: Named | None = lead_agent
    for sent, sent_mentions, speaker, places in zip(sentences, by_sentence, speakers, all_places, strict=True):
        if _NEW_INCIDENT.match(sent.text):
            previous_place, paragraph_agent = None, None  # "Elsewhere, ...", "In a separate incident, ..."
        found = [
            fig
            for num in _candidates(sent.text)
            if (
                fig := _figure(
                    article_id,
                    text,
                    sent,
                    num,
                    sent_mentions,
                    speaker,
                    places,
                    previous_place or lead_place,
                    trees.get(sent.index),
                    context,
                )
            )
            is not None
        ]
        found = _inherit_within(sent, found, figures)
        # An event the sentence gives no doer for is the paragraph's last named doer's ("ISIS seized the
        # village. Some 12 men were abducted."), for as long as the paragraph runs.
        for i, fig in enumerate(found):
            if (
                is_event(fig.category)
                and fig.actor is None
                and paragraph_agent is not None
                and paragraph_agent.name != fig.location  # a place is never the doer of what happened in it
            ):
                found[i] = replace(fig, actor=paragraph_agent.name, actor_entity_id=paragraph_agent.entity_id)
            elif fig.actor_is_agent and fig.actor is not None and is_event(fig.category):
                paragraph_agent = Named(fig.actor, fig.actor_entity_id)
        figures.extend(found)
        # A place carries over to the next sentences of the paragraph ("... in Mosul. The coalition conducted
        # 5 strikes."); a paragraph with none of its own falls back to the article's lead place.
        where = [p for p in places if not _speaks(text, p)]
        if _paragraph_ends(text, sentences, sent.index):
            paragraph_agent = lead_agent
            previous_place = where[-1] if where else None
        elif where:
            previous_place = where[-1]
    return _inherit_strike_actor(figures)


def _speakers(
    text: str, sentences: Sequence[Sentence], by_sentence: Sequence[list[Mention]], context: SpeakerContext
) -> list[Named | None]:
    """Who makes each sentence's claims; a quote's speaker covers every sentence of the quote.

    `by_sentence` holds each sentence's own mentions, in the order of `sentences`."""
    out: list[Named | None] = []
    for sent, sent_mentions in zip(sentences, by_sentence, strict=True):
        speaker = attribution(sent, sent_mentions, context)
        out.append(speaker)
        people = [m for m in sent_mentions if m.label == "PERSON"]
        if people or speaker:
            context = replace(
                context,
                last_person=people[-1] if people else context.last_person,
                last_speaker=speaker or context.last_speaker,
            )
    return _spread_over_statement(sentences, _spread_over_quotes(text, sentences, out))


_QUOTES = '"“”'


def _spread_over_quotes(text: str, sentences: Sequence[Sentence], speakers: list[Named | None]) -> list[Named | None]:
    """ "The fighters are in the valley. They will not leave," Dillon added. -> both sentences are Dillon's."""
    out = list(speakers)
    for i, sent in enumerate(sentences):
        if out[i] is not None or not _quoted(sent.text):
            continue
        for j in (i + 1, i - 1):
            if (
                0 <= j < len(sentences)
                and speakers[j] is not None
                and _quoted(sentences[j].text)
                and not _paragraph_ends(text, sentences, min(i, j))  # the same paragraph
            ):
                out[i] = speakers[j]
                break
    return out


def _spread_over_statement(sentences: Sequence[Sentence], speakers: list[Named | None]) -> list[Named | None]:
    """ "Tobias Ellwood said:" introduces a statement: what follows is his until someone else speaks."""
    out = list(speakers)
    holder: Named | None = None
    for i, sent in enumerate(sentences):
        if out[i] is not None:
            holder = out[i] if re.search(r":\s*$", sent.text) else None
        elif holder is not None:
            out[i] = holder
    return out


def _paragraph_ends(text: str, sentences: Sequence[Sentence], i: int) -> bool:
    """A line break between sentence `i` and the next one (the last sentence ends nothing)."""
    return i + 1 < len(sentences) and "\n" in text[sentences[i].end : sentences[i + 1].start]


def _quoted(sentence: str) -> bool:
    return any(q in sentence for q in _QUOTES)


@lru_cache(maxsize=16_384)  # asked twice per sentence, a batch apart, as `_number_reading`
def _candidates(sentence: str) -> tuple[NumberSpan, ...]:
    """Numbers in the sentence; a "range" that starts with a day of a month is a date and a number
    ("since Dec. 5 to 922"), so its second half is read on its own."""
    out: list[NumberSpan] = []
    for num in find_numbers(sentence):
        if num.qualifier == "range" and _DATE_BEFORE.search(sentence[: num.number_start]):
            sep = re.match(r"[\d,.]+\s*(?:-|–|—|to|and|or)\s*", sentence[num.number_start : num.end])
            if sep:
                offset = num.number_start + sep.end()
                out.extend(
                    replace(n, start=n.start + offset, end=n.end + offset, number_start=n.number_start + offset)
                    for n in find_numbers(sentence[offset : num.end])
                )
                continue
        out.append(num)
    return tuple(out)


def _figure(
    article_id: str,
    text: str,
    sent: Sentence,
    num: NumberSpan,
    mentions: Sequence[Mention],
    speaker: Named | None,
    places: Sequence[Named],
    previous_place: Named | None,
    tree: Doc | None,
    context: SpeakerContext,
) -> Figure | None:
    after = sent.text[num.end :]
    counted, counted_end, category = _number_reading(sent.text, num)
    if category is None:
        return None
    if category == "other" and _YEAR.fullmatch(sent.text[num.number_start : num.end]):
        return None  # "the 1881 agrarian reform": a year before a noun that is not a countable thing
    start, end = sent.start + num.start, sent.start + num.end
    unit = PERCENT_AFTER.match(after)
    if unit and category == "percent":
        end += unit.end()  # "2.4%": the sign belongs to the figure's surface
    noun = noun_category(counted) if counted is not None else None
    victims = noun == "people"
    reading = syntax.read(tree, num.number_start, num.end) if tree is not None else None
    if reading is not None and reading.governor and category in ("people", "fighters"):
        # "killed a nurse, a hospital employee and two soldiers": the verb that governs the list decides
        category = event_of_word(reading.governor) or category
        if reading.governor in syntax.CLAIMED and noun in ("people", "fighters"):
            category = "killed"  # "its air strikes claimed more than 100 civilians"
    if reading is not None and reading.governor in ("lives", "life"):
        category = "killed"  # "claiming the lives of at least 40 people and injuring 120": not the next verb's
    who, where = None, None
    if reading is not None:
        if reading.agent is not None and (noun not in ("people", "fighters") or _harms(reading.governor)):
            # "Medics found 40 wounded men": who found the people counted did nothing to them
            who = named_span(sent, reading.agent, mentions, context)
        source = _tree_source(sent, reading, num, counted_end, mentions, context, speaker)
        if source is not None:
            speaker = source
        elif reading.governor in syntax.CLAIMED:
            speaker = None  # "Cholera has claimed 45 lives": the event's subject, not a speaker
        where = place_in(reading.places, sent, places_outside(places, (who, speaker)))
    if who is None and reading is not None and reading.attack_owners and is_event(category):
        who = named_span(sent, reading.attack_owners[0], mentions, context)  # "... killed in rebel shelling"
    if who is not None and reading is not None and _is_place(who, places):
        who = None  # "the Kabul airport bombing": where, not who
    agent = who is not None
    if who is None and not victims:
        who = actor_in_counted(sent, num, counted, num.end + counted_end, mentions)
    if who is None and reading is not None and reading.counted_head is not None:
        lo, hi = reading.counted_head
        if counted and syntax.is_word_text(sent.text[lo:hi].split()[-1], "combatant"):
            who = named_span(sent, reading.counted_head, mentions, context)
    agent_found = who is not None
    if who is None:  # the text rules, where the parse named nobody
        who = actor(sent, num, counted, num.end + counted_end, mentions, victims=victims)
        agent = who is not None
    if where is None:
        where = location(sent, num, places, previous_place, (who, speaker))
    if who is not None and where is not None and not agent_found and who.name == where.name:
        who = None  # the text rules' "Damascus" for deaths in Damascus: where, not who
    return Figure(
        figure_id=figure_id_for(article_id, start, end, EXTRACTOR_VERSION),
        sentence_index=sent.index,
        start=start,
        end=end,
        surface=text[start:end],
        value_low=num.low,
        value_high=num.high,
        qualifier=num.qualifier,
        category=category,
        counted=counted,
        actor=_as_said(who, text),
        location=where.name if where else None,
        attributed_to=_as_said(speaker, text),
        actor_entity_id=who.entity_id if who else None,
        location_entity_id=where.entity_id if where else None,
        attributed_entity_id=speaker.entity_id if speaker else None,
        actor_is_agent=agent and who is not None,
    )


PART_OF = re.compile(r"\b(?:including|includes|included|among them|among whom|of whom|of them|mostly|mainly)\s*$", re.I)
_AMONG_AFTER = re.compile(r"^[^,;.]{0,40}?\b(?:were|are|was|is)\s+among\b", re.I)
_NEXT_IN_LIST = re.compile(r"(?:\s+[\w-]+){0,3}\s*(?:,\s*(?:and\s+)?|\s+and\s+)")
_NUMBER_OF_BEFORE = re.compile(
    r"\b(?:number|total|toll|tally|count) of (?P<what>[^.;]{1,120}?)\s+(?:now\s+)?(?:stands|stood|is|was|has\s+(?:risen|reached|climbed)|"
    r"had\s+(?:risen|reached)|reached|rose|climbed)\s+(?:at\s+|to\s+)?$",
    re.I,
)
_UPDATE_BEFORE = re.compile(r"\b(?:updated|revised|raised|rose|risen|climbed|increased|jumped)\s+to\s*$", re.I)


def _inherit_within(sent: Sentence, found: list[Figure], earlier: Sequence[Figure]) -> list[Figure]:
    """A part counts what its whole counts: "80 civilians including three children" are both killed;
    "Six civilians ... were among at least 22 people killed"; "the toll was updated to 82"."""
    out = list(found)
    parts: set[int] = set()  # figures that are parts of the one before them
    for i, fig in enumerate(out):
        lead = sent.text[: fig.start - sent.start]
        if i > 0 and PART_OF.search(lead):
            parts.add(i)
        if is_event(fig.category) or fig.category not in ("people", "fighters", "other"):
            continue
        tail = sent.text[fig.end - sent.start :]
        source: Figure | None = None
        if i in parts:
            source = out[i - 1]
        elif i - 1 in parts and _NEXT_IN_LIST.fullmatch(
            sent.text[out[i - 1].end - sent.start : fig.start - sent.start]
        ):
            source = out[i - 1]  # "among them 15 children and four teachers": the list goes on
            parts.add(i)
        elif _AMONG_AFTER.match(tail) and i + 1 < len(out):
            source = out[i + 1]
        elif fig.counted is None and _UPDATE_BEFORE.search(lead) and earlier:
            source = earlier[-1]
        elif (
            fig.counted is None
            and (total := _NUMBER_OF_BEFORE.search(lead))
            and (counts := first_event_in(total.group("what")))
        ):
            # "The number of ... abducted in the last three days stands at 220": what the number counts
            # (its first event word: "the number of people displaced since strikes killed 40" counts the displaced)
            out[i] = replace(fig, category=counts)
            continue
        if source is not None and is_event(source.category):
            out[i] = replace(fig, category=source.category)
            if fig.actor is None or not fig.actor_is_agent and source.actor_is_agent:
                out[i] = replace(
                    out[i],
                    actor=source.actor,
                    actor_entity_id=source.actor_entity_id,
                    actor_is_agent=source.actor_is_agent,
                )
        elif re.search(r"\bas well as\s*$", lead, re.I):
            # "HAVE KILLED THE MAYOR OF HOSTIGAL, AS WELL AS TWO PEASANTS": the verb before the list governs.
            verb = last_event_in(lead)
            if verb:
                out[i] = replace(fig, category=verb)
    return out


def _inherit_strike_actor(figures: list[Figure]) -> list[Figure]:
    """ "Near Mosul, three strikes ...": a strike report's strikes (and munitions) are the ones its lead names
    ("Coalition military forces conducted 23 strikes"), so they keep that actor."""
    out: list[Figure] = []
    last: Figure | None = None
    for fig in figures:
        if fig.category in ("strikes", "munitions"):  # the munitions are the ones the strikes delivered
            if fig.actor is None and last is not None:
                fig = replace(fig, actor=last.actor, actor_entity_id=last.actor_entity_id)
            elif fig.actor is not None:
                last = fig
        out.append(fig)
    return out


# "the group said": a bare noun that points back to a source the article named.
_GENERIC_SOURCES = frozenset(words("figure_words.csv", "generic_source"))


def _tree_source(
    sent: Sentence,
    reading: syntax.Reading,
    num: NumberSpan,
    counted_end: int,
    mentions: Sequence[Mention],
    context: SpeakerContext,
    speaker: Named | None,
) -> Named | None:
    """The reporting verb's subject or "according to" object, where it is not the figure itself
    (a mis-parse of "killed 1102 people said the Observatory") nor a bare noun pointing back."""
    if reading.source is None:
        return None
    lo, hi = reading.source
    if lo < num.end + counted_end and num.number_start < hi:
        return None  # the counted phrase is not its own source
    named = named_span(sent, reading.source, mentions, context)
    if named.entity_id is None and reading.source_whole is not None:
        # "Head of operations in the Russian General Staff General Sergey Rudskoy said": the person
        a, b = sent.start + reading.source_whole[0], sent.start + reading.source_whole[1]
        people = [m for m in mentions if a <= m.start and m.end <= b and m.label == "PERSON"]
        if people:
            return Named(people[-1].canonical_name, people[-1].entity_id, people[-1].start, people[-1].end)
    if named.entity_id is None and named.name.lower() in _GENERIC_SOURCES:
        if context.observatory is not None and named.name.lower() != "agency":
            return Named(context.observatory.canonical_name, context.observatory.entity_id)
        return speaker  # the text rules' reading, which remembers who spoke last
    return named


def _speaks(text: str, place: Named) -> bool:
    """ "Russia says 62 troops killed": a country that speaks or acts is who, not where."""
    return place.end is not None and _SPEAKS_AFTER.match(text, place.end) is not None


_SPEAKS_AFTER = re.compile(
    r"\s+(?:(?:has|have|had|also)\s+)?(?:says|said|say|claims|claimed|accuses|accused|denies|denied|warns|warned)\b",
    re.I,
)


def _as_said(who: Named | None, text: str) -> str | None:
    """A doer or source as the text names it ("U.S.", not the entity's "United States"; but "Ryan Dillon"
    for a later "Dillon"); the entity id links it to its other names."""
    if who is None:
        return None
    if who.entity_id is None or who.start is None or who.end is None:
        return who.name
    said = clean_name(text[who.start : who.end])
    if not said or said.casefold() in who.name.casefold() and len(said) < len(who.name):
        return who.name  # "Dillon" said, "Ryan Dillon" known: the fuller name of the same words
    return said


def _is_place(who: Named, places: Sequence[Named]) -> bool:
    return who.start is not None and any(p.start == who.start and p.end == who.end for p in places)


def _harms(word: str | None) -> bool:
    """A verb that does something to the people counted: "killed", "left", "struck"."""
    return word is not None and (last_event_in(word) is not None or syntax.is_word_text(word, "harm"))


def _not_a_figure(sentence: str, num: NumberSpan, before: str, after: str, counted: str | None) -> str | None:
    """Why this number is not a claimed count (date, time, year, age, ...), or None if it may be one."""
    if num.qualifier == "vague":
        return None
    surface = sentence[num.number_start : num.end]
    if _DATE_BEFORE.search(before) or _DATE_AFTER.match(after):
        return "date"
    if re.fullmatch(r"\d{4}", surface) and _DAY_BEFORE.search(before):
        return "date"  # the year of "July 5 2015"
    if _TIME_AFTER.match(after):
        return "time"
    if _AGE_OR_DURATION_AFTER.match(after) or _AGE_BEFORE.search(before):
        return "duration or age"
    if _DISTANCE_AFTER.match(after):
        return "distance"
    if _ORDINAL_AFTER.match(after):
        return "ordinal"
    if _IDENTIFIER_BEFORE.search(before) or _IDENTIFIER_AFTER.match(after) or re.fullmatch(r"0\d+", surface):
        return "identifier"  # "Route 47", "F-16", "0914"
    if re.search(r"\b(?:the|these|those|both|all)\s*$", before, re.I) and _small_word_number(surface):
        return "anaphora"  # "the two leaders", "the six families": things already counted, not a new claim
    if _YEAR.fullmatch(surface) and not counted:
        return "year"
    if before.endswith("[") and after.startswith("]"):
        return "citation"  # Wikipedia's "[3]"
    if _FURNITURE_BEFORE.search(before) or _YEAR.fullmatch(surface) and _CREDIT_BEFORE.search(before):
        return "page furniture"  # "Get short URL 9427" (a share count), "© AFP 2018"
    if _YEAR.fullmatch(surface) and re.search(r"\b(?:a|an|the)\s*$", before, re.I):
        return "year"  # "a 2008 raid", "the 2014 offensive"
    if _YEAR.fullmatch(surface.removesuffix("s")) and re.search(
        r"\b(?:in|since|by|of|until|from|during)\s*$", before, re.I
    ):
        return "year"
    if _MULTIPLIER_AFTER.match(after):
        return "multiplier"
    if not counted and _AGE_APPOSITION.search(before) and re.match(r"\s*(?:,|of\b|\))", after):
        return "age"
    # "one" is mostly a pronoun or an idiom ("at one time", "from one family"): a count only with a
    # noun after it, and not after a preposition or an article.
    if surface.lower() in {"one", "a dozen"} and (
        (not counted and not is_event(categorise(num, before, after, None, after) or ""))
        or _IDIOM_BEFORE.search(before)
        or _IDIOM_AFTER.match(after)
    ):
        return "idiom"
    return None


def _small_word_number(surface: str) -> bool:
    return surface.isalpha() and surface.lower() in {
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
    }


def _counted(after: str, num: NumberSpan) -> tuple[str | None, int]:
    """The noun phrase right after the number ("ISIS fighters", "members of the Nimr tribe")."""
    pos = 0
    m = re.match(r"\s*(?:of\s+(?:the\s+)?)?", after) if num.qualifier == "vague" else None
    if m:
        pos = m.end()
    m = re.match(r"\s*(?:more|other|additional|further|new|fresh)\s+", after[pos:], re.I)
    if m:
        pos += m.end()
    words: list[str] = []
    end = pos
    # An initialism keeps its dots ("10 U.S. Marines"); any other word ends before punctuation.
    for wm in re.finditer(
        rf"\s*(?P<w>{MEASURE}|" r"(?:[A-Z]\.){2,}(?:-[\w-]+)?|[A-Za-z][\w’'./-]*\w|[A-Za-z])(?P<p>[,;:.!?()\"”“]*)",
        after[pos:],
    ):
        if wm.start() != (end - pos):
            break
        word = wm.group("w")
        lower = word.lower()
        if lower in ("and", "or") and words and words[-1].lower().endswith("s"):
            break  # "insurgents and took", "soldiers and fighters": a plural noun is the phrase's end
        if lower in ("and", "or") and words:
            nxt = after[pos + wm.end() :].lstrip()
            numbers_next = find_numbers(nxt[:25])
            if not nxt or (numbers_next and numbers_next[0].start == 0):
                break
            if re.match(r"(?:a|an|the)\b", nxt, re.I) or len(words) >= 4:
                break
        elif lower in _ED_ADJECTIVES and not words and _word_follows(after[pos + wm.end() :]):
            pass  # "12 wounded civilians": the participle describes the noun that follows
        elif lower == "of" and words and words[-1].lower() in _MEMBER_NOUNS:
            pass  # "members of the Al bu Nimr tribe": the group is part of what is counted
        elif lower == "the" and words and words[-1].lower() == "of":
            pass
        elif lower in _STOP_WORDS or (lower.endswith("ed") and "-" not in lower and lower not in _ED_ADJECTIVES):
            break  # a verb ("3 moved north", "people killed") ends the phrase
        elif lower.endswith(("ing", "ly")) and lower not in _ING_NOUNS:
            break  # "58 saying", "people and severely": a verb or adverb ends the noun phrase
        elif words and word[:1].isupper() and words[-1][:1].islower() and words[-1].endswith("s"):
            break  # "25 others Ibrahim Abu Leys told": a new name starts a new phrase
        words.append(word)
        end = pos + wm.end() - len(wm.group("p"))
        if wm.group("p") or len(words) >= 6:
            break
    # A participle cannot head the phrase ("two perpetrated it"); "and"/"of" cannot end it.
    while words and (words[-1].lower() in ("and", "or", "of") or words[-1].lower().endswith("ed")):
        words.pop()
    if not words:
        return None, pos
    phrase = " ".join(words)
    return phrase, end


def _word_follows(rest: str) -> bool:
    nxt = re.match(r"\s+([A-Za-z][\w-]*)", rest)
    return nxt is not None and nxt.group(1).lower() not in _STOP_WORDS


