"""Named-entity mentions: one label and one canonical name per entity per article, places on the map.

The small model's spans are the raw material. Rules then, in order:
1. clean each span (a leading "the" or "Near", a possessive, a citation; a title becomes the role:
   "Col. Ryan Dillon" is Ryan Dillon, "Col."), drop junk ("n't", "Sgt", "December" as a place), and
   type a name by its own words ("Samarra Barrage" FAC, "USS Mahan" PRODUCT, "the Asad regime");
2. add what the model misses but the text states plainly: names on the shipped alias list, acronyms
   the article defines ("Syrian Democratic Forces, or SDF"), natural features ("the Jazeera desert",
   "the Omar oil fields"), peoples ("Shia"), and towns the gazetteer knows listed or introduced as
   places ("liberating Tal Afar, Hawija and Al Qaim", "areas of Western Anbar");
3. type places by the gazetteer (Rawa tagged ORG, Abu Kamal PERSON) where the context says place;
4. find a name again wherever it is repeated, resolve short forms to the full name ("Dillon" ->
   "Ryan Dillon", "SDF" -> "Syrian Democratic Forces", "Iraqis" -> "Iraqi"), and vote one label per
   entity over all its mentions;
5. give each entity an id that is the same in every article and run: the alias list's name, the
   gazetteer's place, or else the type and name.
"""

from __future__ import annotations

import csv
import io
import re
from bisect import bisect_right, insort
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from spacy.tokens import Doc

from transforms.aliases import AliasList, load_aliases
from transforms.gazetteer import Gazetteer, Place, load_gazetteer
from transforms.ids import short_id
from transforms.truecase import CALENDAR_WORDS, shouted_ranges

NAME_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Labels the small model gives to places it does not know: "Rawa" ORG, "Abu Kamal" PERSON.
_RETYPABLE = frozenset({"PERSON", "ORG", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "NORP"})

_LEADING = re.compile(
    r"(?:(?:the|The|THE|Near|NEAR|In|IN|At|From|Outside|Inside|Across|Around)\s+|"
    r"(?:Town|City|Village|Province|TOWN|CITY|VILLAGE|PROVINCE)\s+(?:of|OF)\s+)+"
)
_TRAILING = re.compile(r"(?:['’]s|['’]|\s*\[\d*\]?|[.,;:]\[\d*)$")
_RANKS = (
    r"Lt\.?|Lieut\.?|Gen\.?|Col\.?|Maj\.?|Capt\.?|Sgt\.?|Cpl\.?|Pvt\.?|Pfc\.?|Adm\.?|Cmdr\.?|Brig\.?|Cdr\.?|"
    r"Dr\.?|Mr\.?|Mrs\.?|Ms\.?|Sen\.?|Rep\.?|Gov\.?|Pres\.?|Staff|Master|First|Chief|Sergeant|Lieutenant|"
    r"General|Colonel|Major|Captain|Admiral|Commander|Brigadier|Marshal|Private|Corporal|Marine|Army|Navy|"
    r"Air Force|President|Vice President|Prime Minister|Deputy|Foreign Minister|Defense Minister|"
    r"Defence Minister|Interior Minister|Minister|Secretary|Ambassador|Spokesman|Spokeswoman|Senator|"
    r"Governor|Mayor|Judge|Justice|Pope|Sheikh|Shaykh|Emir|King|Queen|Prince|Princess|Sir|Lord|Lady|"
    r"Ayatollah|Imam|Father|Bishop|Archbishop|Cardinal|Rev\.?|Reverend"
)
# Ranks and offices are roles, not names ("Col. Ryan Dillon" is Ryan Dillon, a colonel).
_TITLES = re.compile(rf"(?:(?:{_RANKS})\s+)+")
_TITLE_BEFORE = re.compile(rf"(?:(?:{_RANKS})\s+)+$")
_ONLY_TITLE = re.compile(rf"^(?:(?:{_RANKS})\s*)+$", re.I)
_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"})
_SMALL_WORDS = frozenset({"of", "the", "for", "and", "in", "on", "de", "al", "el", "la", "del"})
_NAME_PARTICLE = re.compile(r"^(?:al|el|ad|as|ar|an|de|del|la|bin|ibn|van|von|da|di|du)[-\s]")
# Capitalised common nouns the model tags as organisations.
_NOT_NAMES = frozenset(
    {
        "caliphate", "rebels", "jihadists", "islamists", "militants", "west", "east", "north", "south", "twitter",
        "western", "eastern", "northern", "southern", "state", "university", "question", "regime", "clandestine",
        "facebook", "youtube", "skype", "whatsapp", "telegram", "instagram", "uav", "vbied", "ied", "ieds",
        "uavs", "okay", "ok",
    }
)  # fmt: skip
_NATURAL = re.compile(
    r"\b(?P<name>(?:[A-Z][\w'’-]+\s){1,3}?)(?P<feature>desert|oil ?fields?|gas ?fields?|river|valley|mountains?|"
    r"plains?|lake|dam|barrage|airbase|air base|refinery|border crossing)\b"
)
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


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    label: str  # the entity's label after voting across the article's mentions
    ner_label: str  # what the model (or the rule that found it) said for this span
    canonical_name: str
    entity_id: str
    role: str | None = None  # a title said with the name: "Col.", "Prime Minister"
    country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    place_id: str | None = None  # "geonames:174448" for Abu Kamal
    entity_name: str | None = None  # the name across articles (the alias list's), where it differs


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    label: str
    source: str  # ner, alias, acronym, feature, place
    role: str | None = None
    canonical: str | None = None  # fixed by the rule that found it (alias list, acronym definition)
    model_label: str | None = None  # what the model said, where the span is the model's


def entity_type(label: str) -> str:
    """Coarse type used for identity: GPE, LOC and FAC name the same kind of thing (a place)."""
    return "PLACE" if label in PLACE_LABELS else label


def entity_id_for(label: str, canonical_name: str, place_id: str | None = None) -> str:
    """The same entity gets the same id in every article and run: its place, or its type and name."""
    if place_id and entity_type(label) == "PLACE":
        return short_id("ent", "PLACE", place_id)
    return short_id("ent", entity_type(label), canonical_name.casefold())


# --- 1. cleaning -------------------------------------------------------------------------------


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
_FACILITY_END = re.compile(r"\s(?:Barrage|Dam|Bridge|Airport|Air Base|Airbase|Base|Refinery|Prison|Hospital|Camp)$")
_LOCATION_END = re.compile(r"\s(?:River|Lake|Lakes|Mountains?|Valley|Desert|Canal|Gulf|Sea|Plain|Plains|Island)$")
_LOCATION_START = re.compile(r"^(?:Mount|Mt\.|Lake|Lakes|Jabal|Jebel|Wadi|Gulf of|Sea of)\s")
_BODY_END = re.compile(r"\s(?:Marines|Army|Navy|Air Force|Forces|Police|Guard|Ministry|Government|Command)$")
_REGIONS = frozenset(
    {
        "Middle East", "North Africa", "Central Asia", "South Asia", "East Africa", "West Africa",
        "Horn of Africa", "Levant", "Balkans", "Caucasus", "Sahel", "Latin America", "Central America",
        "South America", "Southeast Asia", "Near East", "Maghreb", "Persian Gulf", "Arabian Peninsula",
    }
)  # fmt: skip
_OPERATION = re.compile(r"^Operation\s+[A-Z]")
_SHIP = re.compile(r"^(?:USS|USNS|HMS|HMAS|HMCS|FS|INS|RFS|ITS|ESPS|FGS|HNLMS)\s+[A-Z]")
_LEADER_OF = re.compile(r"\s+(?:regime|administration|government|cabinet|dictatorship)\b")


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


# --- 2. what the text states plainly ------------------------------------------------------------


def _word_at(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before in "-_") and not (after.isalnum() or after in "-_")


class _Shouted:
    """Is a position inside a line written in capitals (a headline, an upper-case wire)?"""

    def __init__(self, text: str) -> None:
        self._ranges = shouted_ranges(text)
        self._starts = [a for a, _ in self._ranges]

    def __call__(self, pos: int) -> bool:
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and pos < self._ranges[i][1]


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


# Peoples and faiths the model leaves untagged now and then ("Shia", "Kurdish"), and demonyms that do
# not follow from the country's name; the rest are derived from country names (Iraq -> Iraqi).
_PEOPLES = frozenset(
    [
        "Arab",
        "Arabs",
        "Kurd",
        "Kurds",
        "Kurdish",
        "Shia",
        "Shias",
        "Shiite",
        "Shiites",
        "Sunni",
        "Sunnis",
        "Alawite",
        "Alawites",
        "Druze",
        "Yazidi",
        "Yazidis",
        "Yezidi",
        "Yezidis",
        "Christian",
        "Christians",
        "Muslim",
        "Muslims",
        "Jewish",
        "Jew",
        "Jews",
        "Turkmen",
        "Assyrian",
        "Assyrians",
        "Chaldean",
        "Sufi",
        "Salafi",
        "Salafist",
        "Pashtun",
        "Hazara",
        "Tajik",
        "Uzbek",
        "Kazakh",
        "Chechen",
        "Circassian",
        "Bedouin",
        "Houthi",
        "British",
        "French",
        "Dutch",
        "Swiss",
        "Turkish",
        "Turks",
        "Danish",
        "Swedish",
        "Polish",
        "Spanish",
        "Irish",
        "Welsh",
        "Scottish",
        "English",
        "Greek",
        "Thai",
        "Filipino",
        "Afghan",
        "Afghans",
        "Saudi",
        "Saudis",
        "Emirati",
        "Emiratis",
        "Bahraini",
        "Omani",
        "Yemeni",
        "Yemenis",
        "Somali",
        "Somalis",
        "Israeli",
        "Israelis",
        "Pakistani",
        "Pakistanis",
        "Bangladeshi",
        "Kuwaiti",
        "Qatari",
        "Iraqi",
        "Iraqis",
        "European",
        "Europeans",
    ]
)


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
    r"\s+(?:(?:Arab|Armed|Special|Security|Democratic|Popular|National|Federal|Counter[- ]Terrorism|Air|"
    r"Interior|Defen[cs]e|Foreign)\s+)*(?:Forces|Army|Air Force|Navy|Government|Police|Service|Ministry|"
    r"Parliament|Guard|Marines|Embassy|Command|Coalition)\b"
)


def _body_spans(text: str, spans: Sequence[_Span]) -> list[_Span]:
    found = []
    for s in spans:
        if s.label in {"NORP", "GPE"}:
            m = _BODY_AFTER.match(text, s.end)
            if m:
                found.append(_Span(s.start, m.end(), "ORG", "body"))
    return found


class _Taken:
    """Character ranges already taken by a span, asked "does [start, end) overlap any?" in log time
    (a scan of every span per question made a long article's extraction quadratic: hours at 5 MB).
    Ranges that overlap each other are folded into one, so the ranges kept are disjoint and sorted."""

    def __init__(self, ranges: Iterable[tuple[int, int]] = ()) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in sorted(ranges):
            if self.ends and start < self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start)  # ranges[:i] start at or before `start`
        return (i > 0 and self.ends[i - 1] > start) or (i < len(self.starts) and self.starts[i] < end)

    def add(self, start: int, end: int) -> None:
        """A range that overlaps none kept (callers ask `overlaps` first)."""
        i = bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


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


# --- 3. places ----------------------------------------------------------------------------------


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


# --- 4. canonical names and labels -------------------------------------------------------------


def _initials(name: str) -> str:
    words = re.findall(r"[A-Za-z][\w'-]*", name)
    return "".join(w[0] for w in words if w.lower() not in _SMALL_WORDS).upper()


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


# --- 5. the whole article ----------------------------------------------------------------------


def extract_mentions(
    doc: Doc,
    text: str,
    body: tuple[int, int],
    gazetteer: Gazetteer | None = None,
    aliases: AliasList | None = None,
    model_text: str | None = None,
) -> list[Mention]:
    """The article's entity mentions, each with its entity's label, canonical name, id and place.

    `doc` may have been parsed from a recased copy of `text` (transforms.truecase): the rules and the
    names use that copy, the mentions' own text is the original's. The caller that has the copy
    passes it as `model_text` (spaCy rebuilds `doc.text` token by token, at a cost).
    """
    model_text = doc.text if model_text is None else model_text
    original, text = text, (model_text if len(model_text) == len(text) else text)
    gazetteer = gazetteer if gazetteer is not None else load_gazetteer()
    aliases = aliases if aliases is not None else load_aliases()
    shouted = _Shouted(text)
    defined = _acronym_definitions(text, body)
    extra = [
        *_alias_spans(text, body, aliases, shouted),
        *_acronym_spans(text, body, defined),
        *_feature_spans(text, body),
        *_norp_spans(text, body, gazetteer.country_names),
    ]
    spans = _merge(_model_spans(doc, text, body), extra)
    spans = _merge(spans, _body_spans(text, spans))
    spans = _peoples_and_possessives(text, spans, gazetteer)

    countries = _article_countries(text, spans, gazetteer)
    surnames = _surnames(text, spans)
    spans = _type_places(text, spans, gazetteer, countries, surnames)
    spans = sorted(spans + _unlabelled_places(text, body, spans, gazetteer, countries, shouted), key=lambda s: s.start)
    spans = _type_places(text, spans, gazetteer, countries, surnames)  # a list is known once its towns are
    person_names = {text[s.start : s.end] for s in spans if s.label == "PERSON" and s.source == "ner"}
    # Ties broken by the name itself: set order changes from process to process, the output must not.
    full_names = sorted((n for n in person_names if len(n.split()) > 1), key=lambda n: (-len(n), n))

    spans = sorted(spans + _repeated(text, body, spans), key=lambda s: s.start)
    orgs = sorted(
        {text[s.start : s.end] for s in spans if s.label == "ORG" and " " in text[s.start : s.end]},
        key=lambda n: (len(n), n),
    )
    towns = _towns(text, spans, gazetteer, countries)
    resolved = [(s, _canonical(text[s.start : s.end], s, full_names, orgs, aliases, towns)) for s in spans]
    label_of = _vote(resolved, set(full_names), aliases, frozenset(n.casefold() for n in gazetteer.country_names))
    place_of = {
        canon: gazetteer.resolve(canon, countries) for canon, label in label_of.items() if label in PLACE_LABELS
    }
    people_of = {canon: _people_country(canon, gazetteer) for canon, label in label_of.items() if label == "NORP"}
    shown = _names_in_article(text, resolved, aliases)
    mentions = [
        _mention(
            original, s, shown.get(canon, canon), canon, label_of[canon], place_of.get(canon), people_of.get(canon)
        )
        for s, canon in resolved
    ]
    return _one_label_per_entity(mentions)


def _one_label_per_entity(mentions: list[Mention]) -> list[Mention]:
    """Names that resolve to one place ("Western Anbar", "Anbar") are one entity: one label for all."""
    votes: dict[str, Counter[str]] = {}
    for m in mentions:
        votes.setdefault(m.entity_id, Counter())[m.label] += 1
    label = {eid: c.most_common(1)[0][0] for eid, c in votes.items()}
    return [m if m.label == label[m.entity_id] else replace(m, label=label[m.entity_id]) for m in mentions]


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


@lru_cache(maxsize=1)
def _demonyms() -> dict[str, str]:
    """data/demonyms.csv: peoples' names that do not follow from their country's ("Turkish" TR)."""
    text = resources.files("transforms.data").joinpath("demonyms.csv").read_text("utf-8")
    return {r["demonym"]: r["country_code"] for r in csv.DictReader(io.StringIO(text))}


def _people_country(name: str, gazetteer: Gazetteer) -> str | None:
    """The country a people's name comes from: "Syrian" SY, "Iraqis" IQ, "Turkish" TR ("Kurdish": none)."""
    if name in _demonyms():
        return _demonyms()[name]
    country = _demonym_country(name, gazetteer.country_names)
    place = gazetteer.resolve(country) if country else None
    return place.country_code if place is not None and place.kind == "country" else None


def _mention(
    text: str, span: _Span, shown: str, canon: str, label: str, place: Place | None, people_of: str | None = None
) -> Mention:
    place_id = place.geonames_id if place is not None else None
    return Mention(
        span.start,
        span.end,
        text[span.start : span.end],
        label,
        span.model_label or f"rule:{span.source}",
        shown,
        entity_id_for(label, canon, place_id),
        span.role,
        place.country_code if place is not None else people_of,
        place.latitude if place is not None else None,
        place.longitude if place is not None else None,
        place_id,
        canon,
    )
