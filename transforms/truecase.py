"""Upper-case text in, the same text in likely mixed case out, letter for letter the same length.

The model finds almost no entities in "THE ARCE BATTALION COMMAND HAS REPORTED THAT ABOUT 50
PEASANTS..." (most of the MUC-3/4 wires, and every CoNLL headline), because capitals are most of
its evidence for a name. So shouted lines are recased before parsing, by these rules in order:
1. a word the article also writes in mixed case keeps that case ("JAPAN" in a headline -> "Japan");
2. a common English word becomes lower case (the model's own word list, from WordNet), unless it is
   also the name of a large place ("SALVADOR", "GEORGIA");
3. a short word without vowels stays in capitals (FMLN, ELN): an acronym;
4. anything else is taken for a name and capitalised ("CRISTIANI" -> "Cristiani");
and the first word of each sentence is capitalised. Only the case of ASCII letters changes, so
every offset into the recased text is an offset into the original.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*|--\s*|\[\s*)$")
_SUFFIXES = ("ies", "es", "s", "ed", "ing", "ly", "er", "est")
# A wire's "THE ARMY" is the country's army, an actor analysts count figures for: keep it a name.
_INSTITUTIONS = frozenset({"army", "navy"})
# Months and weekdays: names in any case ("3 JAN 90" -> "Jan"), and never places or organisations.
CALENDAR_WORDS = frozenset(
    {
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov",
        "Dec", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    }
)  # fmt: skip
_CALENDAR = frozenset(w.lower() for w in CALENDAR_WORDS)


_NO_ASCII_LOWER = str.maketrans("", "", string.ascii_lowercase)


def shouting(line: str) -> bool:
    """Over 12 letters, more than four in five of them capitals."""
    # Asked for every line of every article. Most lines are prose: a line with at least a fifth of its
    # characters in ASCII lower case cannot shout (its letters hold at least as many lower-case ones),
    # and that count is one C pass. map() over str methods counts the rest in C too.
    if (len(line) - len(line.translate(_NO_ASCII_LOWER))) * 5 >= len(line):
        return False
    letters = "".join(filter(str.isalpha, line))
    return len(letters) > 12 and sum(map(str.isupper, letters)) > 0.8 * len(letters)


# Asked by the recasing before the batch is parsed and by the entity rules after: a worker's share of a
# batch kept (256 articles of the default batch, more than its share when two or more workers parse it).
@lru_cache(maxsize=256)
def shouted_ranges(text: str) -> tuple[tuple[int, int], ...]:
    if shouting(text):
        return ((0, len(text)),)
    ranges, pos = [], 0
    for line in text.splitlines(keepends=True):
        if shouting(line):
            ranges.append((pos, pos + len(line)))
        pos += len(line)
    return tuple(ranges)


def _mixed_case_forms(text: str, shouted: Sequence[tuple[int, int]]) -> dict[str, str]:
    """How the article itself writes each word where it is not shouting (sentence starts aside)."""
    counts: dict[str, Counter[str]] = {}
    for m in _WORD.finditer(text):
        if any(a <= m.start() < b for a, b in shouted) or _SENTENCE_START.search(
            text, max(0, m.start() - 3), m.start()
        ):
            continue
        word = m.group()
        if not word.isupper() or len(word) <= 5:
            counts.setdefault(word.lower(), Counter())[word] += 1
    return {k: c.most_common(1)[0][0] for k, c in counts.items()}


def _stems(word: str) -> Iterable[str]:
    """The word and what it may be inflected from: "kidnapped" -> "kidnap", "activities" -> "activity"."""
    yield word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            yield stem
            yield stem + "e"
            if len(stem) > 2 and stem[-1] == stem[-2]:
                yield stem[:-1]
    if word.endswith(("ies", "ied")):
        yield word[:-3] + "y"


def _demonym_of(word: str, names: frozenset[str]) -> bool:
    """ "salvadoran", "nicaraguan", "lebanese": the people of a place are written with a capital."""
    for suffix, add in (("ian", ""), ("ian", "a"), ("an", ""), ("n", ""), ("ese", ""), ("ese", "on"), ("i", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and word[: -len(suffix)] + add in names:
            return True
    return False


def _recase(word: str, own: dict[str, str], common: frozenset[str], names: frozenset[str], stop: frozenset[str]) -> str:
    lower = word.lower()
    if lower in own:
        return own[lower]
    if lower in stop:
        return lower
    if lower in names or lower in _CALENDAR or lower in _INSTITUTIONS or _demonym_of(lower, names):
        return word.capitalize()
    if any(stem in common for stem in _stems(lower.replace("’", "'"))):
        return lower
    if len(word) <= 4 and not re.search(r"[AEIOUY]", word[1:]):
        return word  # FMLN, ELN: acronyms
    return word[0].upper() + word[1:].lower()


@lru_cache(maxsize=4)
def _lowered(names: frozenset[str]) -> frozenset[str]:
    """The names in lower case: the caller passes the same 100,000 place words for every article."""
    return frozenset(n.lower() for n in names)


def truecase(text: str, common: frozenset[str], names: Iterable[str] = (), stop: frozenset[str] = frozenset()) -> str:
    """`text` with its shouted lines in likely mixed case; unchanged where nothing shouts.

    `common`: English words (lower case); `names`: words that are names even if also English words
    (large places); `stop`: function words, lower case whatever else they may be ("the", "and").
    """
    shouted = shouted_ranges(text)
    if not shouted:
        return text
    own = _mixed_case_forms(text, shouted)
    name_set = _lowered(names if isinstance(names, frozenset) else frozenset(names))
    chars = list(text)
    recased: dict[str, str] = {}  # a wire repeats its words: each is weighed once
    for start, end in shouted:
        for m in _WORD.finditer(text, start, end):
            shout, at = m.group(), m.start()
            word = recased.get(shout)
            if word is None:
                word = recased[shout] = _recase(shout, own, common, name_set, stop)
            if _SENTENCE_START.search(text, max(0, at - 3), at) or text[max(0, at - 1)] == "[":
                word = word[0].upper() + word[1:]
            if word != shout and len(word) == len(shout):
                chars[at : m.end()] = word
    return "".join(chars)
