"""The shipped alias list: recurring conflict actors under one canonical name (data/aliases.csv).

ISIS, ISIL, IS, Daesh and "Islamic State" are one group; an analyst counting its figures must not
get five. The list is data, not code: one row per entity with its canonical name, its OntoNotes
label and its other names separated by "|". A name matches a mention case-insensitively, except
short all-capital forms ("IS", "US", "UN"), which must match exactly: "is" and "us" are words.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_ACRONYM = re.compile(r"^[A-Z][A-Z.\-–]*$")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Alias:
    canonical_name: str
    label: str


@dataclass(frozen=True)
class AliasList:
    exact: dict[str, Alias]  # short capitals, matched as written
    folded: dict[str, Alias]  # everything else, matched case-insensitively
    written: tuple[str, ...] = ()  # every name as the list writes it, longest first (a scan prefers the full name)
    short_pattern: re.Pattern[str] | None = None  # the short capitals, as written
    long_pattern: re.Pattern[str] | None = None  # the other names, any case, flexible spaces and hyphens
    long_first_words: frozenset[str] = frozenset()  # each long name's first word, lower case

    def lookup(self, name: str) -> Alias | None:
        return self.exact.get(name) or self.folded.get(_fold(name))

    def find_long(self, text: str, start: int, end: int) -> Iterator[re.Match[str]]:
        """`long_pattern.finditer(text, start, end)`, in a fifth of the time: a match starts a word
        that is some name's first word, so the pattern is tried only there (not at every word, where
        each try runs through every name). A word with a letter outside ASCII is always tried: the
        pattern's case-insensitive match and `str.lower` part there ("İslamic", "ſ")."""
        if self.long_pattern is None:
            return
        pos = start
        for word in _WORD.finditer(text, start, end):
            if word.start() < pos or (word.group().isascii() and word.group().lower() not in self.long_first_words):
                continue
            found = self.long_pattern.match(text, word.start(), end)
            if found is not None:
                yield found
                pos = found.end()


def _fold(name: str) -> str:
    return re.sub(r"[\s\-–]+", " ", name.replace("’", "'")).casefold().strip()


def is_short_capitals(name: str) -> bool:
    return len(name.replace(".", "")) <= 4 and bool(_ACRONYM.match(name))


def parse_alias_csv(text: str) -> AliasList:
    exact: dict[str, Alias] = {}
    folded: dict[str, Alias] = {}
    written: set[str] = set()
    for row in csv.DictReader(io.StringIO(text)):
        alias = Alias(row["canonical_name"].strip(), row["label"].strip())
        for name in [alias.canonical_name, *row["aliases"].split("|")]:
            name = name.strip()
            if not name:
                continue
            written.add(name)
            if is_short_capitals(name):
                exact[name] = alias
            else:
                folded[_fold(name)] = alias
    names = tuple(sorted(written, key=len, reverse=True))
    short = [n for n in names if is_short_capitals(n)]
    long = [n for n in names if not is_short_capitals(n)]
    starts = [_WORD.match(n) for n in long]
    if None in starts:
        raise ValueError("aliases.csv: a name must start with a letter or digit")
    firsts = frozenset(m.group().lower() for m in starts if m is not None)
    return AliasList(exact, folded, names, _alternation(short, 0), _alternation(long, re.I), firsts)


def _alternation(names: list[str], flags: int) -> re.Pattern[str] | None:
    """One regex for many names, longest first, matching whole words only: one pass over the text."""
    if not names:
        return None
    parts = [re.sub(r"['’]", "['’]", re.sub(r"\\ |\\-", r"[\\s\\-]+", re.escape(n))) for n in names]
    return re.compile(r"(?<![\w\-])(?:" + "|".join(parts) + r")(?![\w\-])", flags)


@lru_cache(maxsize=1)
def load_aliases() -> AliasList:
    return parse_alias_csv(resources.files("transforms").joinpath("data/aliases.csv").read_text("utf-8"))
