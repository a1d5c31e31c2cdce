"""What the entity stages share: the labels, a candidate span, and the questions asked of spans
(is a range taken, is a position shouted, is a match a whole word). See `transforms.entities`."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from transforms.truecase import shouted_ranges
from transforms.vocabulary import words

NAME_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})

# "Jr.", "III" end a name without being its surname; "of", "the" are the words an acronym skips;
# "al-", "bin", "von" are the particles a surname may start with.
_SUFFIXES = frozenset(words("entity_words.csv", "name_suffix"))
_SMALL_WORDS = frozenset(words("entity_words.csv", "small_word"))
_NAME_PARTICLE = re.compile(r"^(?:al|el|ad|as|ar|an|de|del|la|bin|ibn|van|von|da|di|du)[-\s]")


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    label: str
    source: str  # ner, alias, acronym, feature, place
    role: str | None = None
    canonical: str | None = None  # fixed by the rule that found it (alias list, acronym definition)
    model_label: str | None = None  # what the model said, where the span is the model's


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


def _initials(name: str) -> str:
    words = re.findall(r"[A-Za-z][\w'-]*", name)
    return "".join(w[0] for w in words if w.lower() not in _SMALL_WORDS).upper()
