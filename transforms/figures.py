"""Figures: numeric claims with bounds, qualifier, what is counted, category, actor, place and source.

Rules over the sentence text and the article's entity mentions; no parser is needed, which keeps
the spaCy pipeline to senter + ner (see transforms.nlp).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from transforms import EXTRACTOR_VERSION
from transforms.entities import PLACE_LABELS, Mention
from transforms.ids import short_id
from transforms.numbers import NumberSpan, find_numbers
from transforms.sentences import Sentence

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_BEFORE = re.compile(rf"\b{_MONTH}\.?\s*$", re.I)
_DAY_BEFORE = re.compile(rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s*$|\b\d{{1,2}}\s+{_MONTH}\.?,?\s*$", re.I)
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_DATE_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s*(?:of\s+)?{_MONTH}\b", re.I)
_TIME_AFTER = re.compile(r"^(?::\d\d|\s*(?:a\.?m\b\.?|p\.?m\b\.?|o['’]clock|hrs\b|GMT\b|UTC\b|local time\b))", re.I)
_DURATION_UNIT = r"(?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?|centuries|weekends?)"
_AGE_OR_DURATION_AFTER = re.compile(
    rf"^(?:-|\s)*(?:{_DURATION_UNIT}\b|year-olds?\b|-year\b|-month\b|-day\b|-hour\b|-week\b)", re.I
)
_AGE_BEFORE = re.compile(r"\b(?:aged|age|ages)\s*$", re.I)
_DISTANCE_AFTER = re.compile(
    r"^\s*(?:km\b|kms\b|kilomet(?:er|re)s?\b|miles?\b|met(?:er|re)s?\b|feet\b|ft\b|yards?\b|mph\b|kph\b|km/h)", re.I
)
_AREA_AFTER = re.compile(
    r"^\s*(?:square\s+(?:miles?|kilomet(?:er|re)s?|km|met(?:er|re)s?|feet)|sq\.?\s*(?:km|mi)\b|km2\b|km²|hectares?\b|acres?\b|dunums?\b)",
    re.I,
)
_PERCENT_AFTER = re.compile(r"^\s*(?:%|per\s*cent\b|percent\b|pct\b|percentage points?\b)", re.I)
_MONEY_AFTER = re.compile(
    r"^\s*(?:dollars?\b|usd\b|euros?\b|pounds?\s+sterling\b|pounds\b|dinars?\b|lira\b|rubles?\b|roubles?\b|riyals?\b|yuan\b)",
    re.I,
)
_IDENTIFIER_BEFORE = re.compile(
    r"(?:\b(?:no|nos|number|resolution|route|highway|flight|article|section|chapter|room|page|vol|volume|"
    r"part|phase|level|grade|class|type|model|mark|mk|channel|line|gate|sector|block|apartment|street|"
    r"road|unit|brigade|division|battalion|regiment|squadron|platoon|corps|task force|code|case|item|"
    r"paragraph|annex|protocol|week|day|round|stage|season|episode|tier|category|group|district|zone|"
    r"camp|spring|summer|autumn|fall|winter|covid|g)\.?\s*#?\s*|[A-Za-z]-|#|/|\d[.:/-])$",
    re.I,
)
_IDENTIFIER_AFTER = re.compile(r"^(?:-[A-Za-z]|/\d|\.\d|:\d)")
_ORDINAL_AFTER = re.compile(r"^(?:st|nd|rd|th)\b", re.I)
_IDIOMS = re.compile(
    r"\bat\s+one\s+(?:time|point|stage)\b|\bone\s+(?:of|another|day|way|side|hand|thing|time|more|last|"
    r"such|by one|or another|or two|or more)\b|\bno\s+one\b|\bnumber\s+one\b|\bone['’]s\b|\bthe\s+one\b|"
    r"\bonce\b|\b(?:last|first)\s+one\b|\bany\s+one\b|\bevery\s+one\b|\bon\s+the\s+one\b|\bone\s+(?:who|that|which)\b",
    re.I,
)

# What a counted noun (or a verb near it) says the figure is about. Checked in this order, so the
# more specific phrase wins ("vehicle bombs" are equipment before "bombs" are munitions).
_CATEGORY_NOUNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "strikes",
        re.compile(
            r"\b(?:air\s*strikes?|strikes?|raids?|sorties|airstrikes?|bombings|bombardments?|shelling|engagements)\b",
            re.I,
        ),
    ),
    (
        "equipment",
        re.compile(
            r"\b(?:vehicle(?:[\s-]borne)?\s+(?:bombs?|improvised)|vehicles?|tanks?|trucks?|humvees?|aircraft|planes?|jets?|helicopters?|drones?|"
            r"weapons?|guns?|machine\s?guns?|submachine\s?guns?|pistols?|revolvers?|radios?|rifles?|artillery|mortar\s+systems?|systems?|launchers?|boats?|ships?|vessels?|masks?|"
            r"loaders?|grenades?|bulldozers?|excavators?|cars?|pieces|armou?red|ieds?|explosive devices?|"
            r"weapons caches?|stockpiles?)\b",
            re.I,
        ),
    ),
    (
        "munitions",
        re.compile(
            r"\b(?:munitions?|ammunition|cartridges?|missiles?|rockets?|shells?|rounds|bullets|bombs?|barrel bombs?|ordnance|warheads?|mortars?)\b",
            re.I,
        ),
    ),
    (
        "targets",
        re.compile(
            r"\b(?:tactical units?|units?|buildings?|positions?|supply routes?|routes?|tunnels?|bunkers?|checkpoints?|"
            r"bridges?|headquarters|depots?|facilities|facility|caches?|nodes?|staging areas?|oil wells?|wells?|"
            r"command posts?|compounds?|camps?|bases?|hideouts?|targets?|command-and-control)\b",
            re.I,
        ),
    ),
    (
        "fighters",
        re.compile(
            r"\b(?:fighters?|militants?|troops?|soldiers?|insurgents?|rebels?|jihadists?|gunmen|militiam[ae]n|"
            r"combatants?|guerrill?as?|terrorists?|recruits?|policem[ae]n|police\s*officers?|officers?|"
            r"servicem[ae]n|marines?|paratroopers?|personnel|mercenaries|members|forces|snipers?|bombers?|"
            r"commanders?|guards?)\b",
            re.I,
        ),
    ),
    (
        "people",
        re.compile(
            r"\b(?:people|persons?|civilians?|children|child|kids|women|woman|men|man|residents?|villagers?|"
            r"victims?|famil(?:y|ies)|migrants?|students?|citizens?|protesters?|demonstrators?|worshippers?|"
            r"patients?|workers?|journalists?|doctors?|teachers?|boys?|girls?|babies|infants?|individuals?|"
            r"peasants?|inhabitants|detainees?|prisoners?|hostages?|refugees?|casualties|bodies|dead)\b",
            re.I,
        ),
    ),
]
# Verbs and nouns that say what happened to the people counted; they override people/fighters.
_EVENT_CATEGORIES: list[tuple[str, re.Pattern[str]]] = [
    ("kidnapped", re.compile(r"\b(?:kidnapp?(?:ed|ing)|abduct(?:ed|ing|ion)|hostages?|taken hostage)\b", re.I)),
    ("wounded", re.compile(r"\b(?:wound(?:ed|ing|s)|injur(?:ed|ing|ies|y)|hurt|maimed)\b", re.I)),
    (
        "killed",
        re.compile(
            r"\b(?:kill(?:ed|ing|s)?|dead|died|die|deaths?|death toll|bodies|fatalities|slain|massacred?|"
            r"executed|murdered|lost their lives|casualties|perished|beheaded)\b",
            re.I,
        ),
    ),
    (
        "detained",
        re.compile(
            r"\b(?:detain(?:ed|ing)|detainees?|arrest(?:ed|ing|s)?|captured?|prisoners?|jailed|imprisoned|"
            r"taken into custody|in custody|rounded up)\b",
            re.I,
        ),
    ),
    ("displaced", re.compile(r"\b(?:displaced|fled|flee(?:ing)?|refugees?|evacuated|homeless|idps?|uprooted)\b", re.I)),
]
_SPEECH_VERBS = (
    r"said|says|say|added|adds|told|tells|estimated|estimates|estimate|reported|reports|announced|announces|"
    r"explained|warned|claimed|claims|stated|states|confirmed|confirms|noted|notes|according to|"
    r"counted|documented|recorded|put the (?:death )?toll at|believes|believed|wrote|writes|posted"
)
_ACCORDING_TO = re.compile(r"\baccording\s+to\s+(?P<who>[^,;.]+)", re.I)
_SPEAKER_BEFORE = re.compile(
    rf"(?P<who>(?:the\s+)?(?:[\w.’'-]+\s+){{0,5}}?[\w.’'-]+)\s+(?:has\s+|have\s+|had\s+)?(?P<verb>{_SPEECH_VERBS})\b",
    re.I,
)
_SPEAKER_AFTER = re.compile(rf"\b(?:{_SPEECH_VERBS})\s+(?P<who>(?:the\s+)?[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){{0,4}})")
_PRONOUNS = {"he", "she", "they", "it", "officials", "spokesman", "spokeswoman", "spokesperson"}
_ACTOR_NOUN = re.compile(
    r"(?P<actor>(?:the\s+)?(?:(?:[A-Z][\w.’'-]*|military|armed|government|regime|security|rebel|opposition|allied)[\s-]+){0,3}(?:coalition|government|regime|army|military|"
    r"forces|militants|rebels|police|insurgents|militia|jihadists))\b",
)
# Words that end a counted noun phrase: function words, verbs of the event, clause starters.
_STOP_WORDS = frozenset(
    """
    in on at near from to with by for of and or but as than that which who whom whose where when while
    were was are is be been being have has had will would could should may might can do does did not no
    killed wounded injured died dead detained arrested captured kidnapped abducted displaced fled
    including among according said says told added estimated reported during after before since until
    into onto over under across around against between about through throughout within without per this
    these those there here it its their his her our your my they he she we you i also still just only
    yet so then now each every both either neither all some any most more less last first next such
    other another same own very if whether because although though unless
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_WEAPON_TAIL = re.compile(
    r"(?:\s+(?:air\s*strikes?|strikes?|attacks?|shelling|bombing|bombardment|raids?|fire|missiles?|rockets?|"
    r"drones?|bombs?|artillery|barrage|explosions?|blasts?|ambush|offensive))+$",
    re.I,
)
_ING_NOUNS = frozenset(
    {
        "building",
        "buildings",
        "bombing",
        "bombings",
        "shelling",
        "sibling",
        "siblings",
        "supply",
        "family",
        "ally",
        "rally",
        "assembly",
        "anomaly",
        "monopoly",
        "reply",
        "weekly",
        "daily",
        "monthly",
        "italy",
    }
)  # words ending in -ing or -ly that are nouns, not verbs or adverbs
# Participles that describe the counted noun rather than end the phrase ("12 wounded civilians").
_ED_ADJECTIVES = frozenset(
    {
        "armed",
        "unarmed",
        "wounded",
        "injured",
        "detained",
        "displaced",
        "suspected",
        "alleged",
        "unidentified",
        "masked",
        "trained",
        "armoured",
        "armored",
        "united",
        "so-called",
        "foreign-backed",
        "uniformed",
        "hooded",
    }
)
_MEMBER_NOUNS = frozenset(
    {"members", "fighters", "militants", "soldiers", "troops", "supporters", "followers", "elements"}
)
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|near|around|outside|at|across|throughout|inside|into|from|of|on|towards?|between|"
    r"in and around|west of|east of|north of|south of)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}$",
    re.I,
)
_PLACE_CUE = re.compile(
    r"\b(?:town|city|village|province|district|governorate|region|area|neighbou?rhood|camp|valley|suburb)s?\s+of\s+(?:the\s+)?$",
    re.I,
)


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


def extract_figures(article_id: str, text: str, sentences: list[Sentence], mentions: list[Mention]) -> list[Figure]:
    figures: list[Figure] = []
    last_speaker: Mention | None = None
    last_place: Mention | None = None
    for sent in sentences:
        sent_mentions = [m for m in mentions if sent.start <= m.start and m.end <= sent.end]
        speaker = _attribution(sent, sent_mentions, last_speaker)
        for num in _candidates(sent.text):
            figure = _figure(article_id, text, sent, num, sent_mentions, speaker, last_place)
            if figure is not None:
                figures.append(figure)
        people = [m for m in sent_mentions if m.label == "PERSON"]
        if people:
            last_speaker = people[-1]
        # A place carries over to the next sentence only ("... in Mosul. The coalition conducted 5 strikes.")
        places = [m for m in sent_mentions if m.label in PLACE_LABELS]
        last_place = places[-1] if places else None
    return figures


def _candidates(sentence: str) -> list[NumberSpan]:
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
    return out


def _figure(
    article_id: str,
    text: str,
    sent: Sentence,
    num: NumberSpan,
    mentions: list[Mention],
    speaker: tuple[str, str | None] | None,
    last_place: Mention | None,
) -> Figure | None:
    before, after = sent.text[: num.number_start], sent.text[num.end :]
    counted, counted_end = _counted(after, num)
    if _not_a_figure(sent.text, num, before, after, counted) is not None:
        return None
    category = _category(num, before, after, counted, after[counted_end:])
    if category is None:
        return None
    if category == "other" and _YEAR.fullmatch(sent.text[num.number_start : num.end]):
        return None  # "the 1881 agrarian reform": a year before a noun that is not a countable thing
    start, end = sent.start + num.start, sent.start + num.end
    actor = _actor(sent, num, counted, num.end + counted_end, mentions)
    location = _location(sent, num, mentions, last_place)
    return Figure(
        figure_id=short_id("fig", article_id, start, end, EXTRACTOR_VERSION),
        sentence_index=sent.index,
        start=start,
        end=end,
        surface=text[start:end],
        value_low=num.low,
        value_high=num.high,
        qualifier=num.qualifier,
        category=category,
        counted=counted,
        actor=actor[0] if actor else None,
        location=location[0] if location else None,
        attributed_to=speaker[0] if speaker else None,
        actor_entity_id=actor[1] if actor else None,
        location_entity_id=location[1] if location else None,
        attributed_entity_id=speaker[1] if speaker else None,
    )


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
    if _YEAR.fullmatch(surface) and re.search(r"\b(?:a|an|the)\s*$", before, re.I):
        return "year"  # "a 2008 raid", "the 2014 offensive"
    if _YEAR.fullmatch(surface.removesuffix("s")) and re.search(
        r"\b(?:in|since|by|of|until|from|during)\s*$", before, re.I
    ):
        return "year"
    window = sentence[max(0, num.number_start - 12) : num.end + 20]
    # "one" is mostly a pronoun or an idiom ("at one time"): a count only with a noun after it.
    if surface.lower() in {"one", "a dozen"} and (_IDIOMS.search(window) or not counted):
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
    for wm in re.finditer(r"\s*(?P<w>[A-Za-z][\w’'./-]*\w|[A-Za-z])(?P<p>[,;:.!?()\"”“]*)", after[pos:]):
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


def _category(num: NumberSpan, before: str, after: str, counted: str | None, rest: str) -> str | None:
    if num.currency or _MONEY_AFTER.match(after):
        return "money"
    if _PERCENT_AFTER.match(after):
        return "percent"
    if _AREA_AFTER.match(after):
        return "area"
    noun_category = None
    if counted:
        for category, pattern in _CATEGORY_NOUNS:
            if pattern.search(counted):
                noun_category = category
                break
    if noun_category in (None, "people", "fighters"):
        event = _event_category(counted or "", before, rest)
        if event:
            return event
    if noun_category:
        return noun_category
    return "other" if counted else _bare_number_category(before, after)


def _event_category(counted: str, before: str, rest: str) -> str | None:
    # The verb that tells what happened: after the counted phrase ("people were killed") or just
    # before the number ("killed at least 22"), within the same clause.
    after_clause = re.split(r"[;:]|\.\s", rest, maxsplit=1)[0]
    after_words = " ".join(after_clause.split()[:10])
    before_words = " ".join(re.split(r"[;:,]", before)[-1].split()[-4:])
    for category, pattern in _EVENT_CATEGORIES:
        if pattern.search(counted):
            return category
    # A verb right before the number governs it: "killed at least 58 and injured dozens".
    right_before = " ".join(before_words.split()[-3:])
    for category, pattern in _EVENT_CATEGORIES:
        if re.search(pattern.pattern + r"(?:\s+\w+){0,2}\s*$", right_before, re.I):
            return category
    # Otherwise the nearest event word wins: "10 million have been displaced" after, over "killed and" before.
    after_hits = [(m.start(), cat) for cat, p in _EVENT_CATEGORIES for m in [p.search(after_words)] if m]
    if after_hits:
        return min(after_hits)[1]
    before_hits = [(m.end(), cat) for cat, p in _EVENT_CATEGORIES for m in p.finditer(before_words)]
    return max(before_hits)[1] if before_hits else None


def _bare_number_category(before: str, after: str) -> str | None:
    """A number with no noun after it: a figure only when a verb says what it counts ("killed 70")."""
    tail = " ".join(re.split(r"[;:,]", before)[-1].split()[-3:])
    for category, pattern in _EVENT_CATEGORIES:
        if pattern.search(tail):
            return category
    total = re.search(
        r"\b(?:total|number|tally|count)\s+(?:number\s+)?of\s+(?P<noun>(?:[\w-]+\s+){0,2}[\w-]+)", before, re.I
    )
    if total and re.search(r"\b(?:totals?|totall?ing|to|at|is|was|reached|stands at|stood at)\s*$", before, re.I):
        # "the number of munitions ... now totals 6,602", "bring the total number of munitions ... to 922"
        noun = total.group("noun")
        return next((cat for cat, pattern in _CATEGORY_NOUNS if pattern.search(noun)), "other")
    if re.search(
        r"\b(?:totals?|totall?ing|toll|numbered|reached|rose to|climbed to|stands at)\s*(?:of\s+|at\s+|to\s+)?$",
        before,
        re.I,
    ):
        return "other"
    return None


def _mention_at(mentions: list[Mention], start: int, end: int) -> Mention | None:
    return next((m for m in mentions if start <= m.start and m.end <= end), None)


def _actor(
    sent: Sentence, num: NumberSpan, counted: str | None, counted_end: int, mentions: list[Mention]
) -> tuple[str, str | None] | None:
    base = sent.start
    # 1. The group the counted people belong to: "ISIS fighters", "ISIL-held buildings".
    if counted:
        # The phrase's own span: its words may be wrapped across lines, so never search for its text.
        c_start, c_end = base + num.end, base + counted_end
        inside = [
            m
            for m in mentions
            if c_start <= m.start and m.end <= c_end and m.label in ("ORG", "NORP", "GPE") and m.text != counted
        ]  # the counted noun itself is never its own actor (upper-case text fools the tagger)
        if inside:
            return inside[0].canonical_name, inside[0].entity_id
    # 2. Who did it: "killed by a US-led coalition air strike".
    after = sent.text[num.end :]
    by = re.search(
        r"\bby\s+(?P<who>(?:an?\s+|the\s+)?[^,;.]{2,60}?)(?=\s*(?:[,;.]|$|\bin\b|\bon\b|\bnear\b|\bat\b))", after
    )
    if by and len(after[: by.start()].split()) <= 6:
        # "by a US-led coalition air strike": the agent is the coalition, not the strike.
        who = _WEAPON_TAIL.sub("", _clean_phrase(by.group("who"))) or _clean_phrase(by.group("who"))
        m = _mention_at(mentions, base + num.end + by.start("who"), base + num.end + by.end("who"))
        if m is not None and m.label in ("ORG", "NORP", "GPE", "PERSON") and len(m.text) >= len(who) - 4:
            return m.canonical_name, m.entity_id
        return who, None
    # 3. The subject of the clause that states the figure: "ISIL has killed 70", "the coalition conducted 34 strikes".
    clause_start = max(sent.text.rfind(";", 0, num.start), -1) + 1
    clause = sent.text[clause_start : num.start]
    candidates = [
        m
        for m in mentions
        if base + clause_start <= m.start
        and m.end <= base + num.start
        and m.label in ("ORG", "NORP")
        and _close_subject(sent.text[m.end - base : num.start])
    ]
    nouns = [n for n in _ACTOR_NOUN.finditer(clause) if _close_subject(clause[n.end() :])]
    best_noun = nouns[-1] if nouns else None
    if candidates and (best_noun is None or candidates[-1].start >= base + clause_start + best_noun.start()):
        return candidates[-1].canonical_name, candidates[-1].entity_id
    if best_noun is not None:
        return _clean_phrase(best_noun.group("actor")), None
    return None


def _close_subject(between: str) -> bool:
    """A subject stated just before the figure: a few words, no clause break ("ISIL has killed 70")."""
    # A comma ends the subject's reach, except before a participle of the same subject:
    # "the coalition conducted five airstrikes, delivering 101 munitions".
    breaks = r"[;:()\"“”]|,(?!\s+\w+ing\s)|\b(?:which|who|that|after|when|while)\b"
    return len(between.split()) <= 6 and not re.search(breaks, between)


def _location(
    sent: Sentence, num: NumberSpan, mentions: list[Mention], last_place: Mention | None
) -> tuple[str, str | None] | None:
    base = sent.start

    def placelike(m: Mention) -> bool:
        lead = sent.text[: m.start - base]
        return m.label in PLACE_LABELS or bool(_PLACE_CUE.search(lead))

    def locative(m: Mention) -> bool:
        return bool(_LOCATIVE_BEFORE.search(sent.text[: m.start - base]))

    after = [m for m in mentions if m.start >= base + num.end and placelike(m)]
    before = [m for m in mentions if m.end <= base + num.start and placelike(m)]
    for pick in (
        next((m for m in after if locative(m)), None),
        next((m for m in reversed(before) if locative(m)), None),
        after[0] if after else None,
        before[-1] if before else None,
        last_place,
    ):
        if pick is not None:
            return pick.canonical_name, pick.entity_id
    return None


def _attribution(sent: Sentence, mentions: list[Mention], last_person: Mention | None) -> tuple[str, str | None] | None:
    """Who makes the sentence's claims: "according to X", "X said", "said X", "he added"."""
    base = sent.start
    acc = _ACCORDING_TO.search(sent.text)
    if acc:
        return _resolve(sent, acc.start("who"), acc.end("who"), acc.group("who"), mentions)
    for m in reversed(list(_SPEAKER_BEFORE.finditer(sent.text))):
        who = m.group("who")
        last_word = who.split()[-1].lower()
        if last_word in _PRONOUNS and last_word in {"he", "she"}:
            if last_person is not None:
                return last_person.canonical_name, last_person.entity_id
            continue
        ment = [
            x
            for x in mentions
            if base + m.start("who") <= x.start and x.end <= base + m.end("who") and x.label in ("PERSON", "ORG")
        ]
        if ment:
            pick = ment[-1]
            return pick.canonical_name, pick.entity_id
        noun = re.search(
            r"(?:the\s+)?(?:[\w.’'-]+\s+){0,2}(?:coalition|government|ministry|military|army|"
            r"observatory|officials?|spokes(?:man|woman|person)|police|monitor|group|agency|"
            r"organi[sz]ation|committee|council|command|office|department|authorities)$",
            who,
            re.I,
        )
        if noun:
            return _clean_phrase(noun.group()), None
    after = _SPEAKER_AFTER.search(sent.text)
    if after:
        return _resolve(sent, after.start("who"), after.end("who"), after.group("who"), mentions)
    return None


def _resolve(sent: Sentence, start: int, end: int, phrase: str, mentions: list[Mention]) -> tuple[str, str | None]:
    ment = [m for m in mentions if sent.start + start <= m.start and m.end <= sent.start + end]
    if ment:
        return ment[0].canonical_name, ment[0].entity_id
    return _clean_phrase(phrase), None


def _clean_phrase(phrase: str) -> str:
    phrase = re.sub(r"\s+", " ", phrase).strip(" ,;.")
    return re.sub(r"^(?:the|a|an)\s+", "", phrase, flags=re.I)
