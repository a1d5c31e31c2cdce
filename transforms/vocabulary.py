"""The rules' word lists, kept as data: one reader for every file in transforms/data.

Each file is a CSV with a header, read through importlib.resources (so the installed package's copy
is the one read). Most have a `kind` column naming the list and a `words` column of words separated
by "|", in the order the rules try them; a kind may take several rows. Words are as written (case
kept): a rule that ignores case folds them itself.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of data/`name`, each a dict by the header's column names."""
    text = resources.files("transforms.data").joinpath(name).read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))


def split_words(cell: str) -> list[str]:
    """ "said|says| say" -> ["said", "says", "say"]: blanks dropped, spaces around a word trimmed."""
    return [w.strip() for w in cell.split("|") if w.strip()]


@cache
def word_lists(name: str, column: str = "words") -> dict[str, tuple[str, ...]]:
    """Every kind of data/`name` with its words, in the file's order (a kind's rows joined)."""
    out: dict[str, list[str]] = {}
    for row in rows(name):
        out.setdefault(row["kind"], []).extend(split_words(row[column]))
    return {kind: tuple(words) for kind, words in out.items()}


def words(name: str, kind: str) -> tuple[str, ...]:
    """The words of one kind of data/`name`, in the file's order."""
    return word_lists(name)[kind]


def alternation(words: Iterable[str], space: str = " ") -> str:
    """A regex alternation of `words`, each literal, tried in the order given; a space between two
    words matches `space` (a single space unless told, r"\\s+" for any run of white space)."""
    return "|".join(re.escape(w).replace(r"\ ", space) for w in words)


def values(name: str, kind: str) -> dict[str, str]:
    """For a file of one word a row (kind, word, value): one kind's words with their values, in order."""
    return {row["word"]: row["value"] for row in rows(name) if row["kind"] == kind}
