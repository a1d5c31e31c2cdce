"""Dates said in news text, resolved against the article's own date: "on Thursday", "yesterday",
"last week", "on 5 March", "in late October", "since 2011".

Pure string rules. A date is a `DateRef`: where it was said, the day it resolves to and its
precision. Periods are named by a day inside them, so that any two can be compared as intervals:

| precision | `day` is | the period |
|---|---|---|
| day   | the day | that day |
| week  | the period's last day | the seven days ending on it ("last week" ends on the Sunday before the anchor's week; "this week" on the anchor) |
| month | the first of the month | the calendar month |
| year  | 1 January | the calendar year |

The anchor is the day the text was written: a dateline at the top of the text ("Wed 05 Apr 2017",
"Date of publication 10 July 2016", "SAN SALVADOR, 3 JAN 90 --") where there is one, otherwise the
article's `published_at`. Relative dates ("on Thursday", "yesterday") need an anchor; dates with
their year ("5 March 2016") do not; a month or day without a year takes the anchor's year, or
the year before when that would put it more than a week after the anchor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

PRECISIONS = ("day", "week", "month", "year", "unknown")
DATELINE_CHARS = 160

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)day"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR4 = r"(?:19|20)\d\d"
_PART = r"(?:(?P<part>early|mid|late|the\s+end\s+of|the\s+beginning\s+of|the\s+start\s+of)[\s-]+(?:in\s+)?)?"

# Tried in this order at each position; the first (longest, most specific) that matches wins.
_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        # "5 March 2016", "3 JAN 90", "the 5th of March"
        (
            "dmy",
            rf"\b(?P<d>{_DAY})\s+(?:of\s+)?(?P<m>{MONTH})\b\.?,?(?:\s+(?P<y>{_YEAR4}\b|\d\d(?=\s*(?:--|[(\[]|\.?\s*$))))?",
        ),
        # "Nov 272017": a dateline that lost the space between day and year
        ("glued", rf"\b(?P<m>{MONTH})\.?\s+(?P<d>[0-3]\d)(?P<y>(?:19|20)\d\d)\b"),
        # "March 5, 2016", "Apr 15 2016"
        ("mdy", rf"\b(?P<m>{MONTH})\.?\s+(?P<d>{_DAY})\b(?!\s*(?:%|per\b|:)|\s+\d{{3}}\b)(?:,?\s+(?P<y>{_YEAR4})\b)?"),
        # "04-04-2016", "10.10.2017" (day first), "4/5/17" (month first)
        ("numeric", r"\b(?P<a>[0-3]?\d)(?P<sep>[-./])(?P<b>[01]?\d)(?P=sep)(?P<y>(?:19|20)\d\d|\d\d)\b"),
        # "in late October 2015", "August 2013"
        ("my", rf"\b{_PART}(?P<m>{MONTH})\.?,?\s+(?P<y>{_YEAR4})\b"),
        # "in late October", "since March" (a month named alone needs a word that makes it a date)
        (
            "m",
            rf"\b(?:in|since|during|until|till|by|early|mid|late|last|this|of|from|before|after)[\s-]+{_PART}(?P<m>{MONTH})\b(?![\s-]+\d)",
        ),
        (
            "y",
            rf"\b(?:in|since|during|until|till|by|of|from|early|mid|late|before|after|throughout)\s+{_PART}(?P<y>{_YEAR4})\b"
            r"(?!\s*[-–]?\s*(?:km|kilo|mile|met|feet|foot|%)|\s+(?:people|persons|men|women|children|civilians|"
            r"soldiers|troops|fighters|militants|rebels|refugees|families|homes|houses|dead|deaths)\b)",
        ),
        ("weekday", rf"\b(?P<w>{_WEEKDAY})(?:['’]?s)?\b"),
        ("yesterday", r"\b(?:yesterday|last\s+night|overnight)\b"),
        ("today", r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening)|earlier\s+today)\b"),
        ("last_week", r"\blast\s+week(?:end)?\b"),
        (
            "this_week",
            r"\b(?:this\s+week(?:end)?|(?:the\s+)?(?:past|last)\s+(?:few\s+|several\s+|two\s+|three\s+)?(?:days|48\s+hours|72\s+hours))\b",
        ),
        ("past_day", r"\b(?:(?:the\s+)?(?:past|last)\s+24\s+hours|in\s+24\s+hours)\b"),
        ("last_month", r"\blast\s+month\b"),
        ("this_month", r"\b(?:this\s+month|earlier\s+this\s+month)\b"),
        ("last_year", r"\blast\s+year\b"),
        ("this_year", r"\bthis\s+year\b"),
    )
)
# Every form holds a digit or one of these words: a sentence with none has no date.
_ANY_DATE = re.compile(
    r"\d|day|night|morning|afternoon|evening|week|month|year|hour|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", re.I
)
_SINCE_BEFORE = re.compile(
    r"\b(?:since|from)\s+(?:the\s+)?(?:start\s+of\s+|beginning\s+of\s+|end\s+of\s+)?$"
    r"|\bsince\s+(?:it|they|the\s+\w+)\s+(?:was|were|began|started|erupted|broke\s+out)[^.;,]{0,30}?\b(?:on|in)\s+$",
    re.I,
)
_SPOKEN_BEFORE = re.compile(
    r"\b(?:said|says|told|added|announced|reported|stated|confirmed|declared|quoted|claimed|warned|"
    r"speaking|spoke|tweeted|posted|published)\s+(?:(?!that\b|who\b|which\b)[A-Za-z][\w'-]*\s+){0,4}?(?:(?:late\s+|early\s+)?on\s+)?$",
    re.I,
)


@dataclass(frozen=True)
class DateRef:
    start: int  # offsets in the text searched
    end: int
    day: date
    precision: str
    since: bool = False  # "since March", "since 2011": the start of a running total
    spoken: bool = False  # "said on Wednesday": when it was said, not when it happened
    with_year: bool = False  # the text gave the year ("5 March 2016"), not the anchor


def anchor_date(text: str, published: datetime | date | None) -> tuple[date | None, tuple[int, int] | None]:
    """The day the text was written, and where its dateline is (None where it has none).

    A dateline is the first full date (with its year) in the first 160 characters: "Wed 05 Apr 2017
    Syria attack ...", "Date of publication 10 July 2016 ...", "SAN SALVADOR, 3 JAN 90 -- ...", a
    headline then "AFP Tuesday 23 Sep 2014 ...". Without one, `published` (a datetime's day)."""
    head = text[: DATELINE_CHARS + 40]  # a date starting in the window is read whole
    for ref in find_dates(head, None):
        if ref.start < DATELINE_CHARS and ref.precision == "day" and ref.with_year:
            weekday = re.search(rf"\b{_WEEKDAY}\W{{0,3}}$", head[: ref.start], re.I)  # "Saturday 13 Mar 2021"
            return ref.day, (weekday.start() if weekday else ref.start, ref.end)
    if isinstance(published, datetime):
        return published.date(), None
    return published, None


def find_dates(text: str, anchor: date | None) -> list[DateRef]:
    """Every date said in `text` that can be resolved (against `anchor` where it is relative)."""
    out: list[DateRef] = []
    if not _ANY_DATE.search(text):
        return out
    # Each form's next match from `pos`, searched again only once `pos` has passed it: a match's
    # extent depends on where it starts, not on where the search started, so this is the same as
    # searching every form afresh at every step.
    nxt: list[re.Match[str] | None] = [pattern.search(text) for _, pattern in _FORMS]
    pos = 0
    while pos < len(text):
        best: tuple[str, re.Match[str]] | None = None
        for i, (kind, pattern) in enumerate(_FORMS):
            m = nxt[i]
            if m is not None and m.start() < pos:
                m = nxt[i] = pattern.search(text, pos)
            if m and (best is None or m.start() < best[1].start()):
                best = (kind, m)
        if best is None:
            break
        kind, m = best
        resolved = _resolve(kind, m, anchor)
        if resolved is not None:
            day, precision = resolved
            before = text[: m.start()]
            out.append(
                DateRef(
                    m.start(),
                    m.end(),
                    day,
                    precision,
                    since=bool(_SINCE_BEFORE.search(before[-160:])) or m.group(0).lower().startswith(("since", "from")),
                    spoken=bool(_SPOKEN_BEFORE.search(before[-60:])),
                    with_year=m.groupdict().get("y") is not None,
                )
            )
        pos = m.end() if m.end() > pos else pos + 1
    return out


def _month(word: str) -> int:
    return _MONTHS[word.lower()[:3]]


def _year(y: str | None, anchor: date | None) -> int | None:
    if y is None:
        return None
    if len(y) == 2:
        n = int(y)
        pivot = anchor.year + 1 if anchor is not None else 2030
        return 2000 + n if 2000 + n <= pivot else 1900 + n
    return int(y)


def _near(month: int, day: int, anchor: date | None) -> date | None:
    """A day and month without a year: the one nearest the anchor, looking back up to nine months and
    ahead up to three ("on 28 December" in a text of 2 January; "the June 3 poll" in one of 23 May)."""
    if anchor is None:
        return None
    near = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            d = date(year, month, day)
        except ValueError:  # 29 February of a year without one
            continue
        if anchor - timedelta(days=273) <= d <= anchor + timedelta(days=92):
            near.append(d)
    return near[0] if near else None


def _resolve(kind: str, m: re.Match[str], anchor: date | None) -> tuple[date, str] | None:
    month_word = m.groupdict().get("m")
    if (
        month_word is not None
        and month_word.lower() in ("may", "march")
        and (month_word.islower() or (kind == "m" and m.group(0).lower().startswith("this")))
    ):
        return None  # "this may be", "they march 5 km", "THIS MAY HAVE": words, not months
    try:
        if kind in ("dmy", "mdy", "glued"):
            day, month = int(re.match(r"\d+", m.group("d")).group()), _month(m.group("m"))  # type: ignore[union-attr]
            year = _year(m.group("y"), anchor)
            d = date(year, month, day) if year else _near(month, day, anchor)
            return (d, "day") if d else None
        if kind == "numeric":
            a, b, year = int(m.group("a")), int(m.group("b")), _year(m.group("y"), anchor)
            day, month = (b, a) if m.group("sep") == "/" and a <= 12 else (a, b)
            return (date(year, month, day), "day") if year else None
        if kind == "my":
            return date(_year(m.group("y"), anchor) or 0, _month(m.group("m")), 1), "month"
        if kind == "m":  # a month said alone is a past one ("in October", in a text of June: last year's)
            if anchor is None:
                return None
            year = anchor.year if _month(m.group("m")) <= anchor.month else anchor.year - 1
            return date(year, _month(m.group("m")), 1), "month"
        if kind == "y":
            return date(int(m.group("y")), 1, 1), "year"
    except ValueError:
        return None
    if anchor is None:
        return None
    if kind == "weekday":
        target = next(i for i, w in enumerate(_WEEKDAYS) if w[:3] == m.group("w").lower()[:3])
        return anchor - timedelta(days=(anchor.weekday() - target) % 7), "day"
    if kind == "yesterday":
        return anchor - timedelta(days=1), "day"
    if kind in ("today", "past_day"):
        return anchor, "day"
    if kind == "last_week":
        return anchor - timedelta(days=anchor.weekday() + 1), "week"
    if kind == "this_week":
        return anchor, "week"
    if kind == "last_month":
        first = anchor.replace(day=1) - timedelta(days=1)
        return first.replace(day=1), "month"
    if kind == "this_month":
        return anchor.replace(day=1), "month"
    if kind == "last_year":
        return date(anchor.year - 1, 1, 1), "year"
    if kind == "this_year":
        return date(anchor.year, 1, 1), "year"
    return None


def period(day: date, precision: str) -> tuple[date, date]:
    """The first and last day of the period a date names."""
    if precision == "week":
        return day - timedelta(days=6), day
    if precision == "month":
        nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        return day.replace(day=1), nxt - timedelta(days=1)
    if precision == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return day, day
