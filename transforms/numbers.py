"""Find numeric expressions in text: digits, number words, scale words, ranges and qualifiers.

Everything here works on a plain string and returns spans into it, so every result slices back
to its surface text. Whether a number is a *figure* (a count someone claims) is decided in
`transforms.figures`; this module only reads numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.vocabulary import values

# Number words and their values (data/number_words.csv).
_UNITS = {w: int(v) for w, v in values("number_words.csv", "unit").items()}
_TENS = {w: int(v) for w, v in values("number_words.csv", "ten").items()}
_SCALES = {w: int(v) for w, v in values("number_words.csv", "scale").items()}
_SHORT_SCALES = {w: int(v) for w, v in values("number_words.csv", "short_scale").items()}

# Vague amounts with documented bounds: "dozens" is at least 24 and under 100, and so on.
VAGUE_BOUNDS: dict[str, tuple[float, float | None]] = {
    "tens": (20, 99),  # "tens of civilians", common in translated wire copy
    "dozens": (24, 99),
    "scores": (40, 99),
    "hundreds": (200, 999),
    "thousands": (2_000, 9_999),
    "tens of thousands": (20_000, 99_999),
    "hundreds of thousands": (200_000, 999_999),
    "millions": (2_000_000, None),
}

_WORD = "|".join(sorted([*_UNITS, *_TENS, *_SCALES, "dozen"], key=len, reverse=True))
_AFTER_SCALE = r"(?:(?<=hundred)|(?<=thousand)|(?<=million)|(?<=billion))"
# "and" joins only after a scale word: "one hundred and twenty" is one number, "five and six" two.
_WORD_NUMBER = (
    rf"(?:(?:a|an)\s+(?=(?:hundred|thousand|million|billion|dozen)\b))?(?:{_WORD})"
    rf"(?:(?:\s+|-)(?:{_WORD})\b|{_AFTER_SCALE}\s+and\s+(?:{_WORD})\b)*"
)
# Thousands grouped by commas ("1,250,000") or by spaces ("1 250 000", "197 000"): a space group is
# exactly three digits after a lead of one to three, so "in 2015 200 people" stays two numbers.
_SPACE = "[ \u00a0\u202f]"
_MEASURE_UNIT = r"(?:mm|cm|millimet(?:er|re)s?|centimet(?:er|re)s?|cal(?:ib(?:er|re)s?)?|inch(?:es)?)"
_DIGITS = rf"\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d{{1,3}}(?:{_SPACE}\d{{3}}(?!\d|\.\d|\s?-?\s?{_MEASURE_UNIT}\b))+|\d+(?:\.\d+)?"
# A fraction of a scale word: "a quarter of a million", "half a million", "three-quarters of a billion".
FRACTIONS = {"half": 0.5, "third": 1 / 3, "quarter": 0.25, "thirds": 2 / 3, "quarters": 0.75}
_FRACTION = (
    r"(?:(?:a|one)\s+(?:half|third|quarter)|half|(?:two)[\s-]thirds|(?:three)[\s-]quarters)"
    r"\s+(?:of\s+)?(?:(?:a|an|one)\s+)?(?:hundred|thousand|million|billion|dozen)"
)
_SCALE_AFTER = r"(?:\s*(?:hundred|thousand|million|billion)\b|(?:k|K|m|M|mn|bn|b)\b)"
_NUMBER = rf"(?:(?<![\w.,])(?:{_DIGITS}){_SCALE_AFTER}?(?![\w]|[.,]\d)|\b(?:{_FRACTION}|{_WORD_NUMBER})\b)"
_VAGUE = r"\b(?:(?:several|many)\s+)?(?:tens\s+of\s+thousands|hundreds\s+of\s+thousands|tens(?=\s+of\b)|dozens|scores|hundreds|thousands|millions)\b"

# Qualifiers and the bound each says (data/number_words.csv), tried longest first: "at least" before "at".
QUALIFIER_WORDS: dict[str, str] = values("number_words.csv", "qualifier")
_QUALIFIER = "|".join(re.escape(q).replace(r"\ ", r"\s+") for q in sorted(QUALIFIER_WORDS, key=len, reverse=True))
_RANGE_SEP = r"\s*(?:-|–|—|to)\s*|\s+(?:and|or)\s+"

# Every match starts with a currency sign or at a word's first character: the lookahead rejects other
# positions before the alternatives are tried, which halves the search's time and changes no match.
_PATTERN = re.compile(
    r"(?=[$£€]|\b\w)"
    rf"(?:(?:(?P<qual>\b(?:{_QUALIFIER}))\s+)?"
    rf"(?:(?P<between>\bbetween|\bfrom)\s+)?"
    rf"(?P<cur>[$£€]\s?)?(?P<low>{_NUMBER})"
    rf"(?:(?P<sep>{_RANGE_SEP})(?P<cur2>[$£€]\s?)?(?P<high>{_NUMBER}))?"
    rf"|(?:(?P<vqual>\b(?:{_QUALIFIER}))\s+)?(?P<vague>{_VAGUE}))",
    re.IGNORECASE,
)


class NumberParseError(ValueError):
    """A string that looked like a number but is not one."""


@dataclass(frozen=True)
class NumberSpan:
    """A numeric expression: "500 to 1,000", "at least 22", "dozens", "1.5 million"."""

    start: int
    end: int
    surface: str
    low: float | None
    high: float | None
    qualifier: str  # exact, approx, at_least, at_most, range, vague
    number_start: int  # where the first number itself begins (after any qualifier)
    currency: str | None = None


def parse_number(surface: str) -> float:
    """The value of one number: "1,000" -> 1000, "1.5 million" -> 1.5e6, "twenty-five" -> 25, "24K"."""
    s = surface.strip().lower()
    m = re.fullmatch(rf"({_DIGITS})\s*(hundred|thousand|million|billion|k|m|mn|bn|b)?", s)
    if m:
        value = float(re.sub(rf",|{_SPACE}", "", m.group(1)))
        scale = m.group(2)
        if scale:
            value *= _SCALES.get(scale) or _SHORT_SCALES[scale]
        return value
    fraction = re.fullmatch(
        r"(?:a|one|two|three)?[\s-]*(half|thirds?|quarters?)\s+(?:of\s+)?(?:(?:a|an|one)\s+)?(\w+)", s
    )
    if fraction and re.fullmatch(_FRACTION, s):
        return float(round(FRACTIONS[fraction.group(1)] * _parse_words(fraction.group(2))))
    return float(_parse_words(s))


def _parse_words(s: str) -> int:
    words = [w for w in re.split(r"[\s-]+", s) if w and w not in {"and", "a", "an"}]
    if not words:
        raise NumberParseError(s)
    total, current = 0, 0
    for w in words:
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "dozen":
            current = (current or 1) * 12
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in _SCALES:
            total += (current or 1) * _SCALES[w]
            current = 0
        else:
            raise NumberParseError(s)
    return total + current


def _plausible_range(low: float, high: float, sep: str, between: str) -> bool:
    # "15-20" is a range; "2-1" or "1-800" (a score, a phone prefix) is not; "and" makes a range only
    # after "between" ("brigades 2 and 3" are two things).
    if high <= low or (sep.strip().lower() == "and" and between != "between"):
        return False
    return not (sep.strip() in {"-", "–", "—"} and high > low * 100)


# Every match holds a digit or one of these words, whole: two sentences in three have neither, and
# this look costs a tenth of the full pattern's search.
_NUMBER_TOKENS = frozenset(
    [*_UNITS, *_TENS, *_SCALES, "dozen", "tens", "dozens", "scores", "hundreds", "thousands", "millions"]
)
_TOKEN = re.compile(r"\w+")


def _may_hold_numbers(text: str) -> bool:
    return any(map(str.isdecimal, text)) or not _NUMBER_TOKENS.isdisjoint(_TOKEN.findall(text.casefold()))


def find_numbers(text: str) -> list[NumberSpan]:
    """Every numeric expression in `text`, left to right, never overlapping."""
    out: list[NumberSpan] = []
    if not _may_hold_numbers(text):
        return out
    pos = 0
    while (m := _PATTERN.search(text, pos)) is not None:
        gap = re.search(_SPACE, m.group("low") or "")
        if gap and _MONTH_BEFORE.search(text, 0, m.start("low")):
            # "on March 5 200 people": a day, then a count, not "5 200"
            m = _PATTERN.search(text, m.start(), m.start("low") + gap.start()) or m
        span = _to_span(m)
        if span is not None and not _measure_or_model(text, span):
            out.append(span)
        # A match cut short ("brigades 2 and 3" is not a range) is read on from where it was cut.
        pos = span.end if span is not None and span.end < m.end() else max(m.end(), pos + 1)
    return out


# A calibre or a size after a number makes it a measure of what is counted, never a count:
# "2000 7.62 mm rounds", "500 120mm mortar shells", "a 155-mm howitzer". Distances ("30 km") are read
# as numbers and rejected as figures in `transforms.figures`.
MEASURE = rf"\d+(?:\.\d+)?(?:\s?-?\s?{_MEASURE_UNIT}|x\d+(?:\.\d+)?\s?mm)\b"
_MEASURE_AFTER = re.compile(rf"(?:\s?-?\s?{_MEASURE_UNIT}|x\d)\b", re.I)
_MONTH_BEFORE = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?)\.?\s*$",
    re.I,
)
# A model number: a capitalised name right before the number ("Boeing 777", "Kalashnikov 74"), not at the
# sentence's start, not a verb of a title-case headline ("Kills 4"), and no count sense after the number.
_NAME_BEFORE = re.compile(r"(?<=[\w,)])\s+(?P<name>[A-Z][a-z][A-Za-z]*)\s$")
_NAME_VERB = re.compile(r"\w+(?:s|ed)", re.I)
_COUNT_AFTER = re.compile(
    r"\s*(?:%|per\s*cent\b|percent\b|(?!(?:was|is|has|this|its|his|as|us|thus|plus|series|species)\b)[a-z]+s\b|(?:people|men|women|"
    r"children|dead|police|personnel|were|are|have|had|of|more|others?|killed|wounded|injured|died|detained|arrested|"
    r"kidnapped|abducted|displaced|or|and|to)\b)",
    re.I,
)


def _measure_or_model(text: str, span: NumberSpan) -> bool:
    if span.qualifier == "vague":
        return False
    if _MEASURE_AFTER.match(text, span.end):
        return True
    name = _NAME_BEFORE.search(text, 0, span.start) if span.start == span.number_start else None
    return (
        name is not None
        and not _NAME_VERB.fullmatch(name.group("name"))
        and not _MONTH_BEFORE.search(name.group("name"))
        and not _COUNT_AFTER.match(text, span.end)
    )


def _to_span(m: re.Match[str]) -> NumberSpan | None:
    if m.group("vague"):
        return _vague_span(m)
    try:
        low = parse_number(m.group("low"))
        high = parse_number(m.group("high")) if m.group("high") else None
    except NumberParseError:
        return None
    start, end = m.start(), m.end()
    number_start = m.start("cur") if m.group("cur") else m.start("low")
    currency = (m.group("cur") or m.group("cur2") or "").strip() or None
    between = (m.group("between") or "").lower()
    qual_word = None if between else m.group("qual")  # "about between 5 and 6" is not a form we read
    if high is not None and not _plausible_range(low, high, m.group("sep"), between):
        # Not a range: keep the first number alone and let the second be found on its own.
        end, high = m.end("low"), None
    if high is not None:
        # "between X and Y" / "from X to Y" / "X to Y" / "X-Y": one figure with two bounds.
        return NumberSpan(start, end, m.string[start:end], low, high, "range", number_start, currency)
    qualifier, lo, hi = _apply_qualifier(qual_word, low)
    start = start if qual_word else number_start  # a lone "between"/"from" is not part of the figure
    return NumberSpan(start, end, m.string[start:end], lo, hi, qualifier, number_start, currency)


def _apply_qualifier(word: str | None, value: float) -> tuple[str, float | None, float | None]:
    if word is None:
        return "exact", value, value
    kind = QUALIFIER_WORDS[re.sub(r"\s+", " ", word.lower())]
    if kind == "approx":
        return "approx", value, value
    if kind == "approx_max":  # "almost 8,000": below it, and close
        return "approx", None, value
    if kind == "at_least":
        return "at_least", value, None
    return "at_most", None, value


def _vague_span(m: re.Match[str]) -> NumberSpan:
    phrase = re.sub(r"\s+", " ", m.group("vague").lower())
    key = re.sub(r"^(several|many) ", "", phrase)
    low, high = VAGUE_BOUNDS[key]
    start = m.start("vqual") if m.group("vqual") else m.start("vague")
    return NumberSpan(start, m.end(), m.string[start : m.end()], low, high, "vague", m.start("vague"))
