"""Who and where of a figure: the actor, the place and who made the claim.

Rules over one sentence's text and the article's entity mentions (the small model's NER is the only
linguistic input; no parser), so each rule names the surface cue it relies on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from transforms.entities import PLACE_LABELS, Mention, is_people_name
from transforms.figure_category import last_event_in
from transforms.numbers import NumberSpan
from transforms.patterns import one_of_words
from transforms.sentences import Sentence
from transforms.syntax import CLAIMED, is_calendar_word, is_deed, role_words
from transforms.vocabulary import alternation, words


@dataclass(frozen=True)
class Named:
    """A name as said in the text, linked to an entity where the article's mentions know it."""

    name: str
    entity_id: str | None = None
    start: int | None = None  # absolute offsets of the words it came from, where there are such
    end: int | None = None


def _named(m: Mention) -> Named:
    return Named(m.canonical_name, m.entity_id, m.start, m.end)


def clean_name(phrase: str) -> str:
    phrase = re.sub(r"\s+", " ", phrase).strip(" ,;.:\"'“”()")
    return re.sub(r"^(?:the|a|an)\s+", "", phrase, flags=re.I)


def _agent_name(phrase: str) -> str:
    """ "a US-led coalition air strike" -> "US-led coalition": the agent, not its weapon."""
    cleaned = clean_name(phrase)
    owner = _WEAPON_TAIL.sub("", cleaned)
    if owner != cleaned and owner.lower() in role_words()["weapon_word"]:
        return ""  # "by a car bomb": a weapon, nobody named
    return owner or cleaned


def _span_of(name: str, raw: str, raw_start: int) -> tuple[int | None, int | None]:
    """Where a cleaned name sits inside the raw phrase it came from (absolute offsets), if it does."""
    k = raw.find(name)
    return (raw_start + k, raw_start + k + len(name)) if name and k >= 0 else (None, None)


def _link(name: str, mentions: Sequence[Mention], start: int | None = None, end: int | None = None) -> Named:
    """A phrase from the text, linked to an entity when a mention of the article says the same name."""
    key = name.casefold()
    for m in mentions:
        if m.text.casefold() == key or m.canonical_name.casefold() == key:
            return Named(m.canonical_name, m.entity_id, start, end)
    return Named(name, None, start, end)


# Armed groups that the small model often leaves untagged inside a counted phrase ("ISIL tactical units").
_GROUP_TOKEN = re.compile(rf"\b(?:{alternation(words('figure_words.csv', 'armed_group'))})\b")
# Weapons and attacks: "air strikes" may be written "airstrikes".
_WEAPONS = alternation(words("figure_words.csv", "weapon"), space=r"\s*")
_WEAPONS_BY = alternation(words("figure_words.csv", "weapon_by"), space=r"\s*")
_WEAPON_TAIL = re.compile(rf"(?:\s+(?:{_WEAPONS}))+$", re.I)
_WEAPON_HEAD = re.compile(rf"^(?:an?\s+|the\s+)?(?:[\w-]+\s+){{0,3}}?(?:{_WEAPONS_BY})\s+by\s+", re.I)
_ACTOR_NOUN = re.compile(
    r"(?P<actor>(?:the\s+)?(?:(?:[A-Z][\w.’'-]*|military|armed|government|regime|security|rebel|opposition|"
    r"allied|pro-government|terrorist|jihadist|extremist|militant)[\s-]+){0,3}(?i:coalition|government|regime|"
    r"army|military|forces|militants|rebels|police|insurgents|militias?|jihadists|terrorists|terrorist groups?|"
    r"terrorist organi[sz]ations?|gunmen|group|warplanes|aircraft|jets|troops|fighters|guerrill?as|squads?))\b",
)
_LOCATIVE_PREP = re.compile(
    r"\b(?:in|near|around|outside|at|across|throughout|inside|into|from|on|towards?|between|"
    r"in and around|west of|east of|north of|south of|northeast of|northwest of|southeast of|southwest of|"
    r"outskirts of|parts of)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}$",
    re.I,
)


# --------------------------------------------------------------------------------------- actor


def actor(
    sent: Sentence,
    num: NumberSpan,
    counted: str | None,
    counted_end: int,
    mentions: Sequence[Mention],
    victims: bool = False,
) -> Named | None:
    """The party the figure is about: the group the counted belong to, who did it, or the subject.

    `counted_end` is the end of the counted phrase, relative to the sentence. `victims` says the
    counted are people something happened to: "900 Kurdish civilians" are not Kurdish-made."""
    return _after_dateline(
        (None if victims else actor_in_counted(sent, num, counted, counted_end, mentions))
        or _actor_by_agent(sent, num, mentions)
        or _actor_in_attack(sent, num, counted_end, mentions)
        or _actor_by_agent_before(sent, num, mentions)
        or _actor_subject(sent, num, mentions)
        or _actor_of_when_clause(sent, num, counted_end, mentions)
        or _actor_of_main_clause(sent, num, mentions),
        mentions,
    )


def _after_dateline(who: Named | None, mentions: Sequence[Mention]) -> Named | None:
    """A name that runs over a dateline ("Aleppo Monitor AFP Monday 17 Oct 2016") keeps what follows
    its date, and a wire agency alone is nobody's doer."""
    if who is None:
        return None
    words = role_words()
    tokens = who.name.split()

    def dated(i: int) -> bool:  # a weekday, a month, or a day or year beside one ("Monday 17 Oct 2016")
        if is_calendar_word(tokens[i]):
            return True
        near = [tokens[j].lower().strip(",.") for j in (i - 1, i + 1) if 0 <= j < len(tokens)]
        return tokens[i].strip(",.").isdigit() and any(n in words["calendar"] for n in near)

    cut = max((i + 1 for i in range(len(tokens)) if dated(i)), default=0)
    if cut == 0:
        return None if who.name.lower() in words["news_agency"] else who
    rest = " ".join(tokens[cut:])
    if not rest or rest.lower() in words["news_agency"]:
        return None
    return _link(rest, mentions)  # offsets dropped: the name may not be the text's words one for one


def actor_in_counted(
    sent: Sentence, num: NumberSpan, counted: str | None, counted_end: int, mentions: Sequence[Mention]
) -> Named | None:
    """ "ISIS fighters", "ISIL-held buildings": the group named inside the counted phrase."""
    if not counted:
        return None
    # The phrase's own span: its words may be wrapped across lines, so never search for its text.
    c_start, c_end = sent.start + num.end, sent.start + counted_end
    inside = [
        m
        for m in mentions
        if c_start <= m.start and m.end <= c_end and m.label in ("ORG", "NORP", "GPE") and m.text != counted
    ]  # the counted noun itself is never its own actor (upper-case text fools the tagger)
    if inside:
        return _named(inside[0])
    group = _GROUP_TOKEN.search(sent.text, num.end, counted_end)
    if group and group.group() != counted:
        return _link(group.group(), mentions, sent.start + group.start(), sent.start + group.end())
    return None


def _actor_by_agent(sent: Sentence, num: NumberSpan, mentions: Sequence[Mention]) -> Named | None:
    """ "killed by a US-led coalition air strike": the agent is the coalition, not the strike."""
    after = sent.text[num.end :]
    by = re.search(
        r"\bby\s+(?P<who>(?:an?\s+|the\s+)?[^,;.]{2,80}?)(?=\s*(?:[,;.]|$|\bin\b|\bon\b|\bnear\b|\bat\b|\bfrom\b|"
        r"\bwho\b|\bwhich\b|\bafter\b|\bduring\b))",
        after,
    )
    if not by or len(after[: by.start()].split()) > 6:
        return None
    start, who = num.end + by.start("who"), by.group("who")
    inner = _WEAPON_HEAD.match(who)
    if inner:  # "raids by Russian aircraft": the agent is after the second "by"
        start, who = start + inner.end(), who[inner.end() :]
    cleaned = _agent_name(who)
    if not cleaned:
        return None
    abs_start, abs_end = sent.start + start, sent.start + start + len(who)
    names = [m for m in mentions if abs_start <= m.start and m.end <= abs_end]
    agents = [m for m in names if m.label in ("ORG", "NORP", "GPE", "PERSON")]
    if agents and len(agents[0].text) >= len(cleaned) - 4:
        return _named(agents[0])
    return Named(cleaned, None, *_span_of(cleaned, who, abs_start))


_IN_ATTACK = re.compile(
    r"^\s*(?:(?:were|was|have been|had been|are)\s+)?(?:[\w-]+\s+){0,12}?(?:in|during)\s+(?:an?\s+|the\s+)?"
    r"(?P<who>(?:[A-Z]|al-|el-)[^,;.]{1,60}?)(?:['’]s)?\s+(?:\w+\s+)?(?:attacks?|strikes?|air\s*strikes?|shelling|fire|"
    r"raids?|bombings?|bombardment|assault|offensive|ambush)\b"
)


def _actor_in_attack(sent: Sentence, num: NumberSpan, counted_end: int, mentions: Sequence[Mention]) -> Named | None:
    """ "45 civilians were killed ... in Fatah al-Sham mortar fire": the attack's owner did it."""
    m = _IN_ATTACK.match(sent.text[counted_end:])
    if m is None:
        return None
    who = _agent_name(m.group("who"))
    who = re.sub(r"\s+(?:rocket|mortar|artillery|missile|terrorists?|militants?|rebels?)$", "", who)
    if not who:
        return None
    return _link(who, mentions, *_span_of(who, m.group("who"), sent.start + counted_end + m.start("who")))


_WHEN_CLAUSE = re.compile(r"^[^;.]{0,40}?\b(?:when|as|after)\s+")


def _actor_of_when_clause(
    sent: Sentence, num: NumberSpan, counted_end: int, mentions: Sequence[Mention]
) -> Named | None:
    """ "Two persons were injured when terrorist organizations ... fired mortar shells"."""
    rest = sent.text[counted_end:]
    when = _WHEN_CLAUSE.match(rest)
    if when is None:
        return None
    noun = _ACTOR_NOUN.match(rest, when.end())
    if noun is None:
        return None
    phrase = noun.group("actor")
    start = sent.start + counted_end + noun.start("actor")
    return _link(clean_name(phrase), mentions, start, start + len(phrase))


# An event participle that governs the number: "..., killing 3 citizens".
_GOVERNING_EVENT = re.compile(
    r"\b(?:killing|injuring|wounding|leaving|claiming the lives of)\s+(?:(?:at least|about|some|nearly|more than|"
    r"over|around|up to)\s+)?$",
    re.I,
)


def _actor_of_main_clause(sent: Sentence, num: NumberSpan, mentions: Sequence[Mention]) -> Named | None:
    """ "... said that terrorists fired a rocket shell on ... killing 3 citizens": the clause's first
    subject did it, when an event verb governs the number and nothing nearer named anyone."""
    before = sent.text[: num.start]
    if not _GOVERNING_EVENT.search(before):
        return None
    that = list(re.finditer(rf"\b(?:{_SPEECH_VERBS})\s+(?:that\s+)?", before, re.I))
    start = that[-1].end() if that else 0
    clause = before[start:]
    by = re.search(
        r"\bby\s+(?P<who>(?:the\s+)?[\w-]+(?:\s+[\w-]+){0,2}?)(?=\s+(?:positioned|based|in|on|from|who|which|and)\b|[,;])",
        clause,
    )
    if by and _ACTOR_NOUN.fullmatch(by.group("who")):
        s = sent.start + start + by.start("who")
        return _link(clean_name(by.group("who")), mentions, s, s + len(by.group("who")))
    noun = _ACTOR_NOUN.search(clause)
    group = _GROUP_TOKEN.search(clause)
    picks = [p for p in (noun, group) if p is not None]
    if not picks:
        return None
    first = min(picks, key=lambda p: p.start())
    phrase = first.group()
    s = sent.start + start + first.start()
    return _link(clean_name(phrase), mentions, s, s + len(phrase))


_BY_BEFORE = re.compile(
    r"\b(?:by|from)\s+(?P<who>(?:the\s+)?[^,;.\"“”]{2,60}?)\s+(?:(?:has|have|had|reportedly|also)\s+)?"
    rf"(?:{alternation(words('figure_words.csv', 'harm_verb'))})\s+$"
)


def _actor_by_agent_before(sent: Sentence, num: NumberSpan, mentions: Sequence[Mention]) -> Named | None:
    """ "Intense bombardment by the Assad regime and its ally Russia killed over 80 civilians"."""
    by = _BY_BEFORE.search(sent.text[: num.start])
    if by is None:
        return None
    who = _agent_name(by.group("who"))
    if not who:
        return None
    return _link(who, mentions, *_span_of(who, by.group("who"), sent.start + by.start("who")))


_AFTER_PREPOSITION = re.compile(
    r"\b(?:of|for|against|with|to|by|from|into|than|on|at|about|in|near|inside|outside|across|around)\s+(?:the\s+)?$",
    re.I,
)


def _actor_subject(sent: Sentence, num: NumberSpan, mentions: Sequence[Mention]) -> Named | None:
    """The subject of the clause that states the figure: "ISIL has killed 70", "the UK has flown 870"."""
    base = sent.start
    clause_start = max(sent.text.rfind(";", 0, num.start), -1) + 1
    clause = sent.text[clause_start : num.start]

    def subject_like(m: Mention) -> bool:
        lead = sent.text[: m.start - base]
        if _AFTER_PREPOSITION.search(lead):
            return False  # the object of a preposition ("in support of the SDF") is not the subject
        if m.label in ("ORG", "NORP"):
            return True
        # A country is an actor when it is not the place of a preposition and a verb follows it
        # ("the UK has flown 870", not "in Syria" nor a dateline's "Syria At least 45").
        return (
            m.label == "GPE" and not _LOCATIVE_PREP.search(lead) and bool(sent.text[m.end - base : num.start].split())
        )

    candidates = [
        m
        for m in mentions
        if base + clause_start <= m.start
        and m.end <= base + num.start
        and subject_like(m)
        and _close_subject(sent.text[m.end - base : num.start])
        and not re.match(r"[-‐]?(?:backed|led|based|held|controlled|allied)\b", sent.text[m.end - base :])
    ]
    nouns = [n for n in _ACTOR_NOUN.finditer(clause) if _close_subject(clause[n.end() :])]
    nouns += [
        g
        for g in _GROUP_TOKEN.finditer(clause)
        if _close_subject(clause[g.end() :]) and not _AFTER_PREPOSITION.search(clause[: g.start()])
    ]
    best_noun = max(nouns, key=lambda n: n.end()) if nouns else None
    if candidates and (best_noun is None or candidates[-1].start >= base + clause_start + best_noun.end()):
        return _named(candidates[-1])
    if best_noun is not None:
        phrase = best_noun.group()
        s = base + clause_start + best_noun.start()
        return _link(clean_name(phrase), mentions, s, s + len(phrase))
    return None


def _close_subject(between: str) -> bool:
    """A subject stated just before the figure: a few words, no clause break ("ISIL has killed 70")."""
    # A comma ends the subject's reach, except before a participle of the same subject:
    # "the coalition conducted five airstrikes, delivering 101 munitions".
    breaks = r"[;:()\"“”]|,(?!\s+\w+ing\s)|\b(?:which|who|that|after|when|while|said|says|toll|reported)\b"
    return len(between.split()) <= 8 and not re.search(breaks, between)


# ------------------------------------------------------------------------------------ location

# Place names said with a cue, whatever the model called them: "Near Ar Raqqah, ...", "the town of Rawa".
_NAME = (
    r"(?:(?:Al|Ar|As|Ad|Az|An|At|El|Abu|Ain|Ayn|Tal|Tall|Deir|Dayr|Ras|Jabal|Jebel|Kafr|Bab|Umm|Wadi)[\s-]+|"
    r"(?:al|el|ar|as|ad|az|an)-)*[A-Z][\w'’`-]*(?:\s+(?:al-|Al-|el-|az-|ez-|az|ez|al|el|ash|ad|as|bin)?\s*[A-Z][\w'’`-]*){0,3}"
)
_PLACE_NOUN = rf"(?:{alternation(words('figure_words.csv', 'place_noun'))})"
_CUE_PLACE = re.compile(
    # Every cue starts at a comma or semicolon or at a word's first character: the lookahead skips the
    # other positions before the alternatives are tried (a third of the search's time, the same matches).
    r"(?=[,;]|\b\w)"
    rf"(?:(?P<lead>^|[,;]\s+)(?:[Nn]ear|[Nn]earby|[Oo]utside|[Aa]round|[Ii]n and around|[Ii]n|[Aa]t)\s+(?:the\s+)?"
    rf"|\b(?i:{_PLACE_NOUN}s?\s+of\s+(?:the\s+)?)|\b(?:[Nn]ear|[Oo]utside|[Ii]n and around)\s+(?:the\s+)?"
    rf"|(?P<prep>\b(?:in|at|from|into|on)\s+(?:the\s+)?))(?P<name>{_NAME})(?P<noun>\s+{_PLACE_NOUN}\b)?"
)
_NOT_A_PLACE = re.compile(rf"(?:^|\s)(?:{alternation(words('figure_words.csv', 'not_place'))})$")
# "U.S. officials", "Syrian regime forces": a country naming whose people or weapons, not where.
_MODIFIER_NEXT = re.compile(
    r"\s+(?:officials?|forces|troops|army|military|government|regime|strikes?|air\s*strikes?|warplanes|jets|"
    r"aircraft|soldiers|Marines|embassy|president|authorities|ministry|envoy|diplomats?|spokes\w+|media|"
    r"state media|army's|side|counterparts?|delegation|planes|drones?|navy|special forces|-backed|-led)\b"
)
_VERB_NEXT = re.compile(
    r"\s*(?:['’]s\s+)?(?:has|have|had|is|was|were|are|will|would|said|says|announced|conducted|launched|"
    r"carried|sent|deployed|provided|pledged|flown|killed)\b",
    re.I,
)
# "US-backed", "Britain-based": said right after a name (or ending the mention itself), a modifier.
_MODIFIER_WORDS = r"(?:backed|led|based|held|controlled|allied|born)"
_MODIFIER_AFTER = re.compile(rf"[-‐]{_MODIFIER_WORDS}\b")
_MODIFIER_END = re.compile(rf"[-‐]{_MODIFIER_WORDS}$")
_TRAILING_SMALL = re.compile(r"(?:\s+(?:al|el|ash|ad|as|bin|az|ez)[\s-]*)+$")


def places_in(sent: Sentence, mentions: Sequence[Mention]) -> list[Named]:
    """The sentence's places, in order: place mentions, and names said with a place cue."""
    base = sent.start
    found: list[Named] = []
    for m in mentions:
        if not (sent.start <= m.start and m.end <= sent.end):
            continue
        tail = sent.text[m.end - base :]
        if _MODIFIER_AFTER.match(tail) or _MODIFIER_END.search(m.text):
            continue  # "US-backed", "Britain-based": a modifier, not where something happened
        if m.label in PLACE_LABELS and not _MODIFIER_NEXT.match(tail) and not is_people_name(m.text):
            cut = _before_wire(m.text)
            found.append(_named(m) if cut == m.text else _link(cut, mentions, m.start, m.start + len(cut)))
    shouting = sent.text.isupper()  # upper-case wires: every word looks like a name
    for cue in _CUE_PLACE.finditer(sent.text):
        name = _before_wire(_TRAILING_SMALL.sub("", cue.group("name")))
        if shouting:
            if cue.group("prep") is not None or cue.group("lead") is not None:
                continue  # only "TOWN OF X" is a cue strong enough without case
            name = _upper_name(name)
        if (
            _NOT_A_PLACE.search(name)
            or _MODIFIER_END.search(name)  # "in US-led strikes": whose strikes, not where
            or name.isupper()
            and len(name) <= 5
            and " " not in name
            or is_people_name(name)  # "in Kurdish" is a language, "Syrian" a people
        ):
            continue  # "Near ISIL" is not a place; a one-word acronym rarely is
        start = base + cue.start("name")
        end = start + len(name)
        overlapping = [m for m in mentions if m.start < end and start < m.end]
        if any(p.start is not None and p.start < end and start < (p.end or 0) for p in found):
            continue  # already a place mention
        if cue.group("prep") is not None and not cue.group("noun"):
            # A bare "in X" names a place only when the model did not call X a person or an organisation.
            if not overlapping or any(m.label in ("PERSON", "ORG") for m in overlapping):
                continue
        elif (
            overlapping
            and overlapping[0].label in ("PERSON",)
            and cue.group("lead") is None
            and "of" not in cue.group()
        ):
            continue
        found.append(_link(name, mentions, start, end))
    return sorted(found, key=lambda p: p.start or 0)


_UPPER_STOP = frozenset(words("figure_words.csv", "upper_stop"))


def _before_wire(name: str) -> str:
    """ "Homs NGO AFP" (a headline running into its dateline): the place ends before the wire's name."""
    words = name.split()
    agencies = role_words()["news_agency"]
    for i, w in enumerate(words):
        if i and w.lower() in agencies:
            kept = words[:i]
            while len(kept) > 1 and kept[-1].isupper():
                kept.pop()  # "NGO", "SOHR": the wire's own furniture before its name
            return " ".join(kept)
    return name


def _upper_name(name: str) -> str:
    """ "HOSTIGAL LAST MONDAY" -> "HOSTIGAL": in upper case a name ends at the first common word."""
    kept: list[str] = []
    for word in name.split():
        if word in _UPPER_STOP:
            break
        kept.append(word)
    return " ".join(kept[:2])


def location(
    sent: Sentence, num: NumberSpan, places: Sequence[Named], previous: Named | None, taken: Sequence[Named | None]
) -> Named | None:
    """The place the sentence ties to the figure; the previous sentence's place when it has none.

    `taken` are the figure's actor and source: a country that did or said something is not where."""
    candidates = places_outside(places, taken)
    base = sent.start

    def locative(p: Named) -> bool:
        return bool(_LOCATIVE_PREP.search(sent.text[: (p.start or base) - base]))

    def subject(p: Named) -> bool:
        # "the UK has flown 870 missions": a country doing something is an actor, not a place.
        return not locative(p) and bool(_VERB_NEXT.match(sent.text[(p.end or base) - base :]))

    # Not "In Syria, ...": a country opening the sentence is wider than a town named after the number.
    opening = re.match(r"(?:Near|Nearby|Outside|Around|In and around)\s+(?:the\s+)?", sent.text)
    if opening:
        first = next((p for p in candidates if p.start == base + opening.end()), None)
        if first is not None:
            return first  # "Near Ar Raqqah, five strikes ...": the opening place governs the sentence
    after = [p for p in candidates if (p.start or 0) >= base + num.end]
    before = [p for p in candidates if (p.end or 0) <= base + num.start and not subject(p)]
    for pick in (
        next((p for p in after if locative(p)), None),
        next((p for p in reversed(before) if locative(p)), None),
        after[0] if after else None,
        before[-1] if before else None,
        previous,
    ):
        if pick is not None:
            return pick
    return None


# "ISIS begins to kill abducted Christians", "Suicide bomber kills 4": the headline's doer and its verb.
_LEAD_VERB = re.compile(
    r"\s+(?:(?:reportedly|allegedly|again|now)\s+)?(?:(?:begins?|began|continues?|vows?|threatens?|starts?)\s+to\s+)?"
    r"(?P<verb>[A-Za-z-]+)\b",
    re.I,
)
_PARTICIPLES = frozenset(words("figure_words.csv", "participle"))
_DOER_LABELS = frozenset({"ORG", "NORP", "GPE"})


def lead_doer(sent: Sentence, mentions: Sequence[Mention]) -> Named | None:
    """Who the article's lead says did it: a group or country right before a verb of harm or attack
    ("ISIS Begins to kill Abducted Christians"), or an armed noun before one ("Suicide bomber kills 4"),
    in the present or after "begins to"; a headline's past participle is passive ("Soldiers killed in
    ambush": they are the victims)."""
    words = role_words()

    def harms(verb: re.Match[str]) -> bool:
        v = verb.group("verb").lower()
        return v in words["attack_verb"] or v in words["harm"] or last_event_in(v) is not None

    def does(verb: re.Match[str] | None) -> bool:
        """A verb of harm said of its subject as the doer: "kills", "begins to kill"; not a headline's
        passive ("Christians killed by ISIS", "Aleppo hit by strikes", "Soldiers killed in ambush")."""
        if verb is None:
            return False
        said = verb.group("verb").lower()
        if " to " not in verb.group().lower() and (said.endswith(("ed", "ing")) or said in _PARTICIPLES):
            return False  # "... in Damascus claiming the lives of 40": a participle, not the place's deed
        return harms(verb)

    for m in mentions:
        if m.label not in _DOER_LABELS or m.label == "GPE" and m.text[:1].islower():
            continue
        if m.text.split()[-1].lower() in words["weapon_word"]:
            continue  # "BEIRUT Air strikes kill": a mis-tagged weapon, not a doer
        if does(_LEAD_VERB.match(sent.text, m.end - sent.start)):
            return _named(m)
    for word in re.finditer(r"(?<![\w-])[A-Za-z]+", sent.text):
        if word.group().lower() not in words["combatant"] | {"bomber"}:
            continue
        if not does(_LEAD_VERB.match(sent.text, word.end())):
            continue
        lo = word.start()
        mod = re.search(r"(?<![\w-])([A-Z][\w-]*)\s+$", sent.text[: word.start()])
        if mod and mod.group(1).lower() not in words["time"]:
            lo = mod.start(1)  # "Rebel fighters", "Suicide bomber"
        return _link(sent.text[lo : word.end()], mentions, sent.start + lo, sent.start + word.end())
    return None


# --------------------------------------------------------------------------------- attribution

# The verbs the text rules read as reporting (the tree's rules use role_words.csv's wider "speech" list).
_SPEECH_WORDS = words("figure_words.csv", "speech_verb")
_SPEECH_VERBS = one_of_words(_SPEECH_WORDS) + r"|put the (?:death |casualty )?toll at"
_SPEECH = re.compile(rf"\b(?:{_SPEECH_VERBS})\b", re.I)
_SPEAKER_NOUNS = alternation(words("figure_words.csv", "speaker_noun"))
# What may follow the speaker before the verb: "(UNICEF) has", "also", "on Monday", "in a statement".
_SPEAKER_TAIL = (
    r"(?:\s+(?:\([^)]*\)|has|have|had|also|later|reportedly|previously|earlier|on\s+\w+|in\s+a\s+statement|"
    r"in\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?))*\s*,?\s*$"
)
_SPEAKER_NOUN_END = re.compile(
    # Case matters for the modifiers (a capitalised name, not any word), not for the nouns.
    rf"(?P<who>(?:(?i:the|a|an)\s+)?(?:(?:(?<![\w-])[A-Z][\w.’'-]*|(?:al|el)-[A-Z][\w-]*|(?i:local|military|security|medical|government|"
    rf"official|state|state-run|opposition|rebel|news|press|media|[a-z]+ian|[a-z]+i))\s+){{0,4}}(?i:{_SPEAKER_NOUNS}))"
    + _SPEAKER_TAIL
)
_SPEAKER_NOUN_TAIL = re.compile(rf"(?i:{_SPEAKER_NOUNS})" + _SPEAKER_TAIL)
_NON_SPACE = re.compile(r"\S+")


def _speaker_noun_end(lead: str) -> re.Match[str] | None:
    """`_SPEAKER_NOUN_END.search(lead)`, sooner. Its match ends with the first speaker noun from which
    the tail runs to the end (found by the cheaper `_SPEAKER_NOUN_TAIL`), and holds at most an article
    and four modifiers before it, one word each: so it starts within the five words before that noun,
    and the full pattern (whose modifiers try every position) is searched from six words back."""
    noun = _SPEAKER_NOUN_TAIL.search(lead)
    if noun is None:
        return None
    words = [w.start() for w in _NON_SPACE.finditer(lead, 0, noun.start())]
    return _SPEAKER_NOUN_END.search(lead, words[-6] if len(words) >= 6 else 0)


_PRONOUN = re.compile(r"\b(?P<p>he|she|He|She|HE|SHE)\s+(?:(?:has|had|also|later)\s+)*$")
_IT_PRONOUN = re.compile(
    r"(?:^|[,;]\s+|\b(?:and|but)\s+)(?:it|It|IT|they|They|THEY)\s+(?:(?:has|have|had|also|later)\s+)*$"
)
_SOURCE_BACK = re.compile(r"\b(?:the|The|THE)\s+(?:same\s+)?(?:source|reporter|official|spokesman|spokeswoman)\s*$")
_ACCORDING_TO = re.compile(r"\baccording\s+to\s+", re.I)
_MONITOR = re.compile(r"\b(?:monitor|observatory)\b", re.I)


@dataclass(frozen=True)
class SpeakerContext:
    """What the article has said so far that a later sentence may point back to."""

    last_person: Mention | None = None
    last_speaker: Named | None = None
    observatory: Mention | None = None  # "a monitor said" in AFP copy is the Syrian Observatory


def attribution(sent: Sentence, mentions: Sequence[Mention], context: SpeakerContext) -> Named | None:
    """Who makes the sentence's claims: "according to X", "X said", "said X", "he added", "the source added"."""
    acc = _ACCORDING_TO.search(sent.text)
    if acc:
        who = _according_to(sent, acc.end(), mentions, context)
        if who is not None:
            return who
    for verb in _SPEECH.finditer(sent.text):
        if _claims_a_deed(verb.group(), sent.text[verb.end() :]):
            continue  # "Daesh claimed dual attacks": who did it, not who reported it
        who = _speaker_before(sent, verb.start(), mentions, context)
        if who is None and verb.group().lower() in ("said", "says", "added", "adds", "stated", "wrote", "warned"):
            who = _speaker_after(sent, verb.end(), mentions)
        if who is not None:
            return who
    return None


def _claims_a_deed(verb: str, after: str) -> bool:
    """ "claimed the attack", "claims responsibility for", "claimed the lives of": a deed, not a report."""
    if verb.lower() not in CLAIMED:
        return False
    words = [w.strip(",.;:").lower() for w in after.split()[:4]]
    for i, w in enumerate(words[:3]):
        if is_deed(w):
            nxt = words[i + 1] if i + 1 < len(words) else ""
            return last_event_in(nxt) is None  # "claimed air strikes killed 30": a report of what they did
        if w in ("that", "to"):
            return False
    return False


# Who can speak: the model sometimes calls a quoted speaker a work of art ('," Ryan Dillon said').
_SPEAKER_LABELS = frozenset({"PERSON", "ORG", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"})


def _speaker_mention(sent: Sentence, start: int, end: int, mentions: Sequence[Mention]) -> Mention | None:
    inside = [
        m
        for m in mentions
        if sent.start + start <= m.start and m.end <= sent.start + end and m.label in _SPEAKER_LABELS
    ]
    return inside[-1] if inside else None


def _according_to(sent: Sentence, pos: int, mentions: Sequence[Mention], context: SpeakerContext) -> Named | None:
    """ "according to the Syrian Observatory", "according to Iraqi officials", not "according to reports"."""
    # "according to the latest calculations made by the Pacification Committee": the committee speaks.
    via = re.match(
        r"(?:the\s+)?(?:(?:latest|official|new|final|initial|preliminary)\s+)?(?:calculations|figures|estimates?|"
        r"data|count|tally|statistics|toll)\s+(?:(?:made|compiled|released|published|issued)\s+)?(?:by|from|of)\s+",
        sent.text[pos:],
        re.I,
    )
    if via:
        pos += via.end()
    rest = sent.text[pos:]
    phrase = re.match(r"[^,;.\n\"“”]{1,80}", rest)
    if not phrase:
        return None
    words = phrase.group().split()[:8]
    text = " ".join(words)
    span_end = pos + len(phrase.group())
    first = [
        m
        for m in mentions
        if sent.start + pos <= m.start < sent.start + span_end and m.label in ("PERSON", "ORG", "NORP", "GPE")
    ]
    if first and first[0].start - sent.start - pos <= 5:
        m = first[0]
        if m.label in ("NORP", "GPE"):  # "according to Iraqi officials": the officials, named by nation
            noun = re.match(rf"\s+(?:[\w-]+\s+)?(?:{_SPEAKER_NOUNS})\b", sent.text[m.end - sent.start :], re.I)
            if noun:
                return Named(
                    clean_name(sent.text[m.start - sent.start : m.end - sent.start + noun.end()]), None, m.start
                )
            return None
        return _named(m)
    head = re.match(rf"(?:(?:the|a|an)\s+)?(?:[\w.’'-]+\s+){{0,4}}?(?:{_SPEAKER_NOUNS})\b", text, re.I)
    if head:
        return _resolve_noun(clean_name(head.group()), mentions, context, sent.start + pos)
    return None


def _speaker_before(
    sent: Sentence, verb_start: int, mentions: Sequence[Mention], context: SpeakerContext
) -> Named | None:
    lead = sent.text[:verb_start]
    pronoun = _PRONOUN.search(lead)
    if pronoun:
        return _named(context.last_person) if context.last_person is not None else None
    if _IT_PRONOUN.search(lead):
        return context.last_speaker  # "It said 31 people ...": the organisation that spoke last
    if _SOURCE_BACK.search(lead):
        return context.last_speaker  # "The source added that ..."
    # A name that ends right before the verb, allowing a title or "(UNICEF) has": "Cook said", "UNICEF has said".
    close = re.search(r"(?:\s*(?:\([^)]*\)|,|has|have|had|also|later|reportedly|in a statement|spokes\w+))*\s*$", lead)
    gap_start = close.start() if close else len(lead)
    m = next(
        (
            x
            for x in reversed(mentions)
            if x.label in _SPEAKER_LABELS
            and sent.start <= x.start
            and x.end <= sent.start + verb_start
            and x.end >= sent.start + gap_start - 1
        ),
        None,
    )
    noun = _speaker_noun_end(lead)
    if m is not None and (noun is None or m.start >= sent.start + noun.start("who")):
        return _named(m)
    if noun is not None:
        phrase = noun.group("who")
        start = sent.start + noun.start("who")
        inner = _speaker_mention(sent, noun.start("who"), noun.end("who"), mentions)
        if inner is not None:
            return _named(inner)
        # "Abu Shadi al-Hamwi, a local media activist, told": the name before the apposition speaks.
        for x in reversed(mentions):
            if x.label in _SPEAKER_LABELS and sent.start <= x.start and x.end <= start:
                gap = sent.text[x.end - sent.start : noun.start("who")]
                if re.fullmatch(r"[\s,]*", gap) and re.match(r"(?:a|an)\s", phrase, re.I):
                    return _named(x)
                break
        return _resolve_noun(clean_name(phrase), mentions, context, start)
    return None


def _speaker_after(sent: Sentence, verb_end: int, mentions: Sequence[Mention]) -> Named | None:
    """ "..., said Rami Abdel Rahman", "said the Syrian Observatory for Human Rights"."""
    rest = sent.text[verb_end:]
    gap = re.match(r"\s+(?:the\s+|[A-Z][a-z]+\.\s+)*", rest)
    start = verb_end + (gap.end() if gap else 0)
    m = next(
        (x for x in mentions if x.label in _SPEAKER_LABELS and x.start == sent.start + start),
        None,
    )
    if m is not None:
        return _named(m)
    return None


def _resolve_noun(phrase: str, mentions: Sequence[Mention], context: SpeakerContext, start: int) -> Named:
    """A speaker named by a noun: "a monitor" is the article's Syrian Observatory when it names one."""
    if _MONITOR.search(phrase) and context.observatory is not None:
        return _named(context.observatory)
    return _link(phrase, mentions, start, start + len(phrase))


def observatory_in(mentions: Sequence[Mention]) -> Mention | None:
    return next((m for m in mentions if m.label == "ORG" and "observatory" in m.canonical_name.lower()), None)


# ------------------------------------------------------------------------------ from the parse


def named_span(sent: Sentence, span: tuple[int, int], mentions: Sequence[Mention], context: SpeakerContext) -> Named:
    """A phrase the parse found, as a name: the mention it is, or the phrase linked to the mention at its head."""
    a, b = sent.start + span[0], sent.start + span[1]
    phrase = clean_name(sent.text[span[0] : span[1]])
    for m in mentions:
        if (
            m.start <= a <= m.start + 4
            and b <= m.end
            or (a <= m.start and m.end <= b and m.end - m.start >= len(phrase) - 4)
        ):
            return _named(m)  # the phrase is the name, give or take an article
    defined = re.match(r"\s*\(", sent.text[span[1] :])
    if defined:  # "the United Nations childrens agency (UNICEF)": the name it is given
        short = next((m for m in mentions if m.start == b + defined.end()), None)
        if short is not None:
            return _named(short)
    head = next((m for m in mentions if a <= m.start and m.end == b), None)
    if head is not None:
        return Named(phrase, head.entity_id, a, b)
    # "SANA reporter", "Taliban officials": named by the organisation they speak or act for.
    org = next((m for m in mentions if a <= m.start and m.end <= b and m.label in ("ORG", "NORP")), None)
    if org is not None and not _MONITOR.search(phrase):
        return Named(phrase, org.entity_id, a, b)
    return _resolve_noun(phrase, mentions, context, a)


def _inside(p: Named, start: int, end: int) -> bool:
    return p.start is not None and start <= p.start and (p.end or 0) <= end


def places_outside(places: Sequence[Named], taken: Sequence[Named | None]) -> list[Named]:
    """The places not inside the figure's actor or source: a country that did or said something is not where."""
    busy = [(t.start, t.end or t.start) for t in taken if t is not None and t.start is not None]
    return [p for p in places if not any(_inside(p, a, b) for a, b in busy)]


def place_in(spans: Sequence[tuple[int, int]], sent: Sentence, places: Sequence[Named]) -> Named | None:
    """The first place inside the first locative phrase that holds one (the nearest to the figure);
    of "Syria's Idlib province" the place that belongs to the first, the more specific one."""
    for lo, hi in spans:
        inside = [p for p in places if _inside(p, sent.start + lo, sent.start + hi)]
        if inside:
            return _owned_place(inside, sent)
    return None


def _owned_place(inside: Sequence[Named], sent: Sentence) -> Named:
    first = inside[0]
    for nxt in inside[1:]:
        if first.end is None or nxt.start is None:
            break
        between = sent.text[first.end - sent.start : nxt.start - sent.start]
        said = sent.text[first.start - sent.start : first.end - sent.start] if first.start is not None else ""
        glued = said.endswith("s") and not first.name.endswith("s")  # "Syrias Aleppo"
        gap = _POSSESSIVE_GAP.fullmatch(between) or glued and _PLAIN_GAP.fullmatch(between)
        if not gap or re.search(r"\b(?:and|or|to|from|near|between|with)\b", between):
            break
        first = nxt  # "Syria's Idlib province", "Syrias Aleppo": the second place is inside the first
    return first


_POSSESSIVE_GAP = re.compile(r"(?:['’]s|['’])\s+(?:[a-z-]+\s+){0,2}")
_PLAIN_GAP = re.compile(r"\s+(?:[a-z-]+\s+){0,2}")
