"""What a figure counts: the category from the unit after the number, the counted noun and its verb.

Pure string rules; see `transforms.figures` for how a number becomes a figure. The categories are
CONTRACT.md's, declared once in `transforms.rows.FIGURE_CATEGORIES`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from transforms.numbers import NumberSpan
from transforms.vocabulary import alternation, rows, words

_AREA_AFTER = re.compile(
    r"^\s*(?:square\s+(?:miles?|kilomet(?:er|re)s?|km|met(?:er|re)s?|feet)|sq\.?\s*(?:km|mi)\b|km2\b|km²|"
    r"hectares?\b|acres?\b|dunums?\b)",
    re.I,
)
PERCENT_AFTER = re.compile(r"^\s*(?:%|per\s*cent\b|percent\b|pct\b|percentage points?\b)", re.I)
_CURRENCY = alternation(words("category_words.csv", "currency"), space=r"\s+")
_MONEY_AFTER = re.compile(rf"^\s*(?:{_CURRENCY})\b", re.I)
_MONEY_HEAD = re.compile(rf"\b(?:{_CURRENCY})$", re.I)

# Multi-word things checked on the whole counted phrase before its head word: the phrase's
# meaning differs from its head's ("vehicle-borne bombs" are equipment, not munitions).
_PHRASES: list[tuple[str, re.Pattern[str]]] = [
    ("equipment", re.compile(r"\bvehicle(?:[\s-]borne)?\s+(?:\w+\s+)?(?:bombs?|improvised|explosive)", re.I)),
    ("targets", re.compile(r"\b(?:tactical\s+units?|supply\s+routes?|staging\s+areas?|fighting\s+positions?)\b", re.I)),
    ("targets", re.compile(r"\b(?:weapons?|ammunition|arms)\s+(?:caches?|depots?|storage)", re.I)),
]

_CONTAINER = re.compile(rf"\b(?:{alternation(words('category_words.csv', 'container'))})$", re.I)

# One word each, matched against the counted phrase's head first, then the words before it.
_WORDS: list[tuple[str, re.Pattern[str]]] = [
    (category, re.compile(alternation(words("category_words.csv", category)), re.I))
    for category in ("strikes", "munitions", "equipment", "targets", "fighters", "people")
]
# "Syrians", "Iraqis", "Kurds": nationality plurals count people.
_DEMONYM = re.compile(r"[A-Z][a-z]+(?:ians|ans|is|ese|ds|ks|ens|ites)|[A-Z]+(?:IANS|ANS|IS|ESE)")

# Verbs and nouns that say what happened to the people counted; they override people/fighters. The words,
# every inflected form written out, are data (data/event_words.csv); a row that `applies_to` people only
# ("seized", "held") says nothing of a count of things or of a bare number.
_LEFT_HOME = r"left(?=\s+(?:the|their|[\w-]+-(?:controlled|held)|areas|homes|villages)\b)"  # "left their homes"


@lru_cache(maxsize=1)
def _event_words() -> list[tuple[str, str, str]]:
    return [
        (row["category"], form, row["applies_to"])
        for row in rows("event_words.csv")
        for form in row["forms"].split("|")
    ]


def _event_patterns(people_only: bool) -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for category in dict.fromkeys(c for c, _, _ in _event_words()):
        forms = [f for c, f, applies in _event_words() if c == category and (people_only or applies == "any")]
        words = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in sorted(forms, key=len, reverse=True))
        if category == "displaced":
            words += "|" + _LEFT_HOME
        out.append((category, re.compile(rf"\b(?:{words})\b", re.I)))
    return out


EVENT_CATEGORIES = _event_patterns(people_only=False)  # any count: "killed 70", "12 vehicles destroyed"
_PEOPLE_EVENTS = _event_patterns(people_only=True)  # a count of people, who may also be seized or held
_EVENTS = frozenset(c for c, _ in EVENT_CATEGORIES)
# Between a verb and the number it governs only these may stand ("killed nearly", "wounded some");
# a coordinator starts a new clause ("were killed and twenty civilians were treated").
_GOVERNED_GAP = r"(?:\s+(?!and\b|or\b|but\b|while\b|as\b|whereas\b)[\w'-]+){0,2}\s*$"
_AUXILIARY = r"(?:(?:were|was|are|is|have|has|had|been|being|be|reportedly|also|later|all|mostly|allegedly)\s+)"
# Where the counted phrase's own clause ends: a coordinator, a subordinator, punctuation or the next number.
_CONJUNCT_END = re.compile(
    r"[,;:()]|\.(?:\s|$)|\b(?:and|or|but|while|whereas|after|before|when|as|because|since|during|including|"
    r"among|said|says|according)\b|\d",
    re.I,
)
_OWN_OBJECT = re.compile(
    r"(?:\s+(?:at|least|more|than|nearly|almost|about|around|some|another|over|up|to|as|many|no|fewer))*\s+"
    r"(?:\d|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens|scores|hundreds|thousands|"
    r"several|many)\b)",
    re.I,
)


def categorise(num: NumberSpan, before: str, after: str, counted: str | None, rest: str) -> str | None:
    """The figure's category, or None when nothing says the number counts anything.

    `before`/`after` are the sentence around the number; `rest` is what follows the counted phrase."""
    if num.currency or _MONEY_AFTER.match(after) or (counted and _MONEY_HEAD.search(counted)):
        return "money"
    if PERCENT_AFTER.match(after):
        return "percent"
    if _AREA_AFTER.match(after):
        return "area"
    noun = noun_category(counted) if counted else None
    if noun in (None, "people", "fighters"):
        event = event_category(counted or "", before, rest, people=noun is not None)
        if event:
            return event
    if noun:
        return noun
    return "other" if counted else bare_number_category(before, after)


def noun_category(counted: str) -> str | None:
    """The category of the counted phrase's head noun: "ISIL-held buildings" -> targets."""
    for category, pattern in _PHRASES:
        if pattern.search(counted):
            return category
    # "members of the Al bu Nimr tribe": the head is the word before "of".
    head_part, *of_part = re.split(r"\s+of\s+", counted, maxsplit=1)
    if of_part and _CONTAINER.search(head_part):
        head_part = of_part[0]  # "250 sticks of dynamite", "two crates of ammunition": what they hold
    words = re.findall(r"[\w'-]+", head_part)
    for word in reversed(words):
        for part in reversed(word.split("-")):
            for category, pattern in _WORDS:
                if pattern.fullmatch(part):
                    return category
    if words and _DEMONYM.fullmatch(words[-1]):
        return "people"
    return None


def event_category(counted: str, before: str, rest: str, people: bool = True) -> str | None:
    """What happened to the counted people: the verb of the number's own conjunct, else the counted noun.

    1. a verb right after the phrase ("16 others were injured"); 2. a verb right before the number that
    governs it ("killed at least 58 and injured dozens"); 3. a verb later in the same conjunct ("900 civilians
    in the city were killed"); 4. the counted noun itself ("hostages", "bodies", "lives"); 5. the nearest
    event word in the clause. A verb followed by its own number governs that one ("12 people and wounded 30").
    `people`: the counted are people, who may also be seized or held."""
    events = _PEOPLE_EVENTS if people else EVENT_CATEGORIES
    head = re.split(r"\s+(?:and|or)\s+", counted, maxsplit=1)[0]  # "people and injures": the verb is not counted
    tail = counted[len(head) :] + rest
    right_after = re.match(rf"\s*(?:,\s*)?(?:(?:who|that)\s+)?{_AUXILIARY}{{0,3}}(?P<verb>[\w-]+(?:\s+\w+)?)", tail)
    # An -ing form starts a new clause of the same subject ("killing 2 children injuring 9 others").
    if right_after and not right_after.group("verb").split()[0].lower().endswith("ing"):
        for category, pattern in events:
            m = pattern.match(right_after.group("verb"))
            if m and not _OWN_OBJECT.match(tail, right_after.start("verb") + m.end()):
                return category
    clause_before = re.split(r"[;:,]", before)[-1]
    right_before = " ".join(clause_before.split()[-4:])
    governing = [
        (m.end(), category)
        for category, pattern in events
        for m in re.finditer(pattern.pattern + _GOVERNED_GAP, right_before, re.I)
    ]
    if governing:
        return max(governing)[1]
    own = _CONJUNCT_END.search(tail)
    conjunct = (head + " " + tail[: own.start() if own else len(tail)]).split()[:12]
    hits = [(m.start(), c) for c, p in events for m in p.finditer(" ".join(conjunct))]
    if hits:
        return min(hits)[1]
    for category, pattern in events:
        if pattern.search(head):
            return category
    after_clause = re.split(r"[;:]|\.\s", rest, maxsplit=1)[0]
    after_words = " ".join(after_clause.split()[:10])
    after_hits = [
        (m.start(), cat)
        for cat, p in EVENT_CATEGORIES
        for m in p.finditer(after_words)
        if not _OWN_OBJECT.match(after_words, m.end())
    ]
    if after_hits:
        return min(after_hits)[1]
    return last_event_in(" ".join(clause_before.split()[-4:]))


def _event_hits(text: str) -> list[tuple[int, int, str]]:
    """Every event word in `text`: (start, end, category)."""
    return [(m.start(), m.end(), cat) for cat, p in EVENT_CATEGORIES for m in p.finditer(text)]


def last_event_in(text: str) -> str | None:
    """The category of the last event word in `text` ("... killed ... and" -> killed)."""
    hits = _event_hits(text)
    return max(hits, key=lambda h: (h[1], h[2]))[2] if hits else None


def first_event_in(text: str) -> str | None:
    """The category of the first event word in `text` ("displaced since strikes killed" -> displaced)."""
    hits = _event_hits(text)
    return min(hits, key=lambda h: (h[0], h[2]))[2] if hits else None


def bare_number_category(before: str, after: str) -> str | None:
    """A number with no noun after it is a figure only when a verb or a total says what it counts:
    "killed 70", "22 injured", "the toll rose to 82", "now totals 6,602"."""
    nxt = re.match(rf"\s*{_AUXILIARY}{{0,2}}(?P<verb>[\w-]+)", after)
    if nxt:
        for category, pattern in EVENT_CATEGORIES:
            if pattern.fullmatch(nxt.group("verb")):
                return category
    listed = re.search(r"([\w-]+)\s*(?:--|—|–|:|\()\s*$", before)
    if listed and (listed_category := noun_category(listed.group(1))):
        return listed_category  # "air strikes -- eight in the last 24 hours"
    tail = " ".join(re.split(r"[;:,]", before)[-1].split()[-3:])
    for category, pattern in EVENT_CATEGORIES:
        if re.search(pattern.pattern + _GOVERNED_GAP, tail, re.I):
            return category
    total = re.search(
        r"\b(?:total|number|tally|count)\s+(?:number\s+)?of\s+(?P<noun>(?:[\w-]+\s+){0,2}[\w-]+)", before, re.I
    )
    if total and re.search(r"\b(?:totals?|totall?ing|to|at|is|was|reached|stands at|stood at)\s*$", before, re.I):
        # "the number of munitions ... now totals 6,602", "bring the total number of munitions ... to 922"
        return noun_category(total.group("noun")) or "other"
    if re.search(r"\btoll\b[^.;]*\b(?:at|to|of|is|was|reached)\s*$", before, re.I):
        return "killed"  # "put the death toll at 16", "the toll rose to 82"
    if re.search(
        r"\b(?:totals?|totall?ing|numbered|reached|(?:rose|risen|climbed|updated|revised|raised|increased|"
        r"jumped)\s+to|stands at)\s*(?:of\s+|at\s+|to\s+)?$",
        before,
        re.I,
    ):
        return "other"
    return None


def event_of_word(word: str, people: bool = True) -> str | None:
    """The event category one governing word names ("killed", "abduction"), whole word only."""
    for category, pattern in _PEOPLE_EVENTS if people else EVENT_CATEGORIES:
        if pattern.fullmatch(word):
            return category
    return None


def is_event(category: str) -> bool:
    return category in _EVENTS
