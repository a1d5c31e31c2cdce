"""Dates said in text, resolved against the text's own date: pure rules, no model."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.dates import PRECISIONS, anchor_date, find_dates, period

WEDNESDAY = date(2019, 6, 12)


def first(text: str, anchor: date | None = WEDNESDAY) -> tuple[date, str]:
    refs = find_dates(text, anchor)
    assert refs, text
    return refs[0].day, refs[0].precision


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Shelling hit the market on Monday.", (date(2019, 6, 10), "day")),
        ("The convoy was ambushed on Wednesday.", (WEDNESDAY, "day")),  # the anchor's own weekday: that day
        ("Late on Saturday night the town fell.", (date(2019, 6, 8), "day")),
        ("Rescuers said Thursdays raid was the worst.", (date(2019, 6, 6), "day")),  # the copy lost its apostrophe
        ("A car bomb exploded yesterday.", (date(2019, 6, 11), "day")),
        ("Clashes broke out overnight.", (date(2019, 6, 11), "day")),
        ("Three rockets fell this morning.", (WEDNESDAY, "day")),
        ("Talks collapsed last week.", (date(2019, 6, 9), "week")),  # the week ending the Sunday before
        ("Raids went on this week.", (WEDNESDAY, "week")),
        ("In the past 24 hours nine died.", (WEDNESDAY, "day")),
        ("The siege began last month.", (date(2019, 5, 1), "month")),
        ("Aid stopped in late October.", (date(2018, 10, 1), "month")),  # a later month is last year's
        ("Aid stopped in March.", (date(2019, 3, 1), "month")),
        ("It was bombed on 5 March.", (date(2019, 3, 5), "day")),
        ("It was bombed on the 5th of March 2016.", (date(2016, 3, 5), "day")),
        ("It was bombed on March 5, 2016.", (date(2016, 3, 5), "day")),
        ("It was bombed on 28 December.", (date(2018, 12, 28), "day")),  # far ahead of the anchor: last year's
        ("It happened in August 2013.", (date(2013, 8, 1), "month")),
        ("Voters go to the polls on 3 July.", (date(2019, 7, 3), "day")),  # weeks ahead: this year's
        ("Fighting has raged since 2011.", (date(2011, 1, 1), "year")),
        ("Two were killed last year.", (date(2018, 1, 1), "year")),
    ],
)
def test_dates_resolve_against_the_anchor(text: str, want: tuple[date, str]) -> None:
    assert first(text) == want


def test_relative_dates_need_an_anchor_absolute_ones_do_not() -> None:
    assert find_dates("Shelling hit the market on Monday.", None) == []
    assert first("It was bombed on March 5, 2016.", None) == (date(2016, 3, 5), "day")


@pytest.mark.parametrize(
    ("text", "flag", "value"),
    [
        ("Deaths have risen since March.", "since", True),
        ("Many have died since the start of 2012.", "since", True),
        ("The toll has doubled since it began on November 15.", "since", True),
        ("The army said on Tuesday that six died.", "spoken", True),
        ("He told reporters by telephone on Friday.", "spoken", True),
        ("Six died on Tuesday, the army said.", "spoken", False),
        ("The army said that six died yesterday.", "spoken", False),  # "that" starts what was said
    ],
)
def test_since_and_spoken_dates_are_marked(text: str, flag: str, value: bool) -> None:
    refs = find_dates(text, WEDNESDAY)
    assert getattr(refs[-1], flag) is value


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Wed 05 Apr 2017 Syria attack kills dozens", date(2017, 4, 5)),
        ("Date of publication 10 July 2016 A suicide bomb", date(2016, 7, 10)),
        ("SAN SALVADOR, 3 JAN 90 -- [TEXT] SOLDIERS", date(1990, 1, 3)),
        ("04-04-2016 Two Killed in Aleppo", date(2016, 4, 4)),
        ("Published September 23 2016 Intense bombardment", date(2016, 9, 23)),
        ("Last updated at Nov 272017 BEIRUT An intensifying push", date(2017, 11, 27)),  # day and year glued
        ("Car bomb in Homs kills 10 Governor AFP Sunday 25 May 2014 Ten people were killed", date(2014, 5, 25)),
    ],
)
def test_a_dateline_is_the_anchor(text: str, want: date) -> None:
    assert anchor_date(text, datetime(2000, 1, 1))[0] == want


def test_without_a_dateline_the_published_day_is_the_anchor() -> None:
    assert anchor_date("Rebels took the town on Monday.", datetime(2019, 6, 12, 23, 5)) == (WEDNESDAY, None)
    assert anchor_date("Rebels took the town on Monday.", None) == (None, None)


@pytest.mark.parametrize(
    "text",
    [
        "March 5 000 people fled",  # a space-grouped count, not "March 5"
        "Flight MH17 was shot down",
        "they may march on the capital",
        "Troops will march in step",
    ],
)
def test_not_dates(text: str) -> None:
    assert find_dates(text, WEDNESDAY) == []


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("On 5 March 12 people were killed", [(date(2019, 3, 5), "day")]),  # 12 is a count, not the year
        ("This may be the worst attack", []),
        ("A total of 2000 soldiers died", []),
        ("The deaths of 2000 soldiers", []),
    ],
)
def test_numbers_beside_dates_stay_numbers(text: str, want: list) -> None:
    assert [(r.day, r.precision) for r in find_dates(text, WEDNESDAY)] == want


def test_29_february_without_a_year_is_the_nearest_leap_day() -> None:
    assert first("It fell on 29 February.", date(2015, 12, 1)) == (date(2016, 2, 29), "day")


def test_a_dateline_just_inside_the_window_is_read_whole() -> None:
    assert anchor_date("x" * 149 + " 5 March 2016 attack", None)[0] == date(2016, 3, 5)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 -./,abcdefghijklmnoprstuvyMJADFSONTW")), max_size=60))
def test_any_text_gives_well_formed_dates(text: str) -> None:
    for ref in find_dates(text, WEDNESDAY):
        assert 0 <= ref.start < ref.end <= len(text)
        assert ref.precision in PRECISIONS
        lo, hi = period(ref.day, ref.precision)
        assert lo <= ref.day <= hi


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2040, 12, 31)), st.sampled_from(PRECISIONS[:4]))
def test_a_period_holds_its_day(day: date, precision: str) -> None:
    lo, hi = period(day, precision)
    assert lo <= day <= hi
    assert (hi - lo).days == {"day": 0, "week": 6}.get(precision, (hi - lo).days)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Fighting since 2011 has killed thousands", [(date(2011, 1, 1), "year")]),
        ("At the end of 2015 the siege began", [(date(2015, 1, 1), "year")]),
        ("On 5 March 20-30 people died", [(date(2019, 3, 5), "day")]),  # "20" is no year
        ("5 Marines and 3 decades", []),
        ("THIS MAY HAVE BEEN THE WORST", []),
        ("They march 5 km a day", []),
        ("ON 3 MAY THE ARMY", [(date(2019, 5, 3), "day")]),
    ],
)
def test_more_numbers_and_words_beside_dates(text: str, want: list) -> None:
    assert [(r.day, r.precision) for r in find_dates(text, WEDNESDAY)] == want
