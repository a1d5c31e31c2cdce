from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.numbers import _PATTERN, VAGUE_BOUNDS, _may_hold_numbers, find_numbers, parse_number


@pytest.mark.parametrize(
    ("surface", "value"),
    [
        ("10,000", 10_000),
        ("10000", 10_000),
        ("1.5 million", 1_500_000),
        ("24K", 24_000),
        ("twenty-five", 25),
        ("a dozen", 12),
        ("one hundred and twenty", 120),
        ("TWENTY-FIVE", 25),
        ("two hundred thousand", 200_000),
        ("3.2bn", 3_200_000_000),
    ],
)
def test_parse_number(surface: str, value: float) -> None:
    assert parse_number(surface) == value


@pytest.mark.parametrize(
    ("text", "surface", "low", "high", "qualifier"),
    [
        ("still 500 to 1,000 ISIS fighters", "500 to 1,000", 500, 1000, "range"),
        ("between 15 and 20 people", "between 15 and 20", 15, 20, "range"),
        ("from three to five tanks", "from three to five", 3, 5, "range"),
        ("15-20 percent", "15-20", 15, 20, "range"),
        ("at least 43 people", "at least 43", 43, None, "at_least"),
        ("more than 1,000 troops", "more than 1,000", 1000, None, "at_least"),
        ("almost 8,000 troops", "almost 8,000", None, 8000, "approx"),
        ("about 300 square miles", "about 300", 300, 300, "approx"),
        ("up to 40 civilians", "up to 40", None, 40, "at_most"),
        ("killed 14 people", "14", 14, 14, "exact"),
        ("dozens of people", "dozens", 24, 99, "vague"),
        ("tens of thousands of refugees", "tens of thousands", 20_000, 99_999, "vague"),
    ],
)
def test_find_numbers(text: str, surface: str, low: float | None, high: float | None, qualifier: str) -> None:
    [num] = find_numbers(text)
    assert (num.surface, num.low, num.high, num.qualifier) == (surface, low, high, qualifier)
    assert text[num.start : num.end] == surface


def test_a_range_is_one_number() -> None:
    assert len(find_numbers("there are 100 to 200 fighters")) == 1


def test_and_joins_number_words_only_after_a_scale() -> None:
    [num] = find_numbers("between five and six")
    assert (num.low, num.high) == (5, 6)


def test_words_inside_other_words_are_not_numbers() -> None:
    assert find_numbers("someone oneself often tone") == []


def test_vague_bounds_are_ordered() -> None:
    for low, high in VAGUE_BOUNDS.values():
        assert high is None or low < high


_FRAGMENTS = st.sampled_from(
    [
        "500 to 1,000",
        "at least 22",
        "twenty-five",
        "a dozen",
        "dozens of",
        "1.5 million",
        "15-20",
        "about",
        "people",
        "fighters",
        "in",
        "Raqqa",
        ",",
        ".",
        "between 3 and 4",
        "Dec. 15",
        "2014",
        "one",
        "the",
        "ISIS",
        "24K",
        "$5 million",
        "\n",
        "almost",
        "  ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=25))
def test_spans_slice_back_and_never_overlap(parts: list[str]) -> None:
    text = " ".join(parts)
    prev_end = 0
    for num in find_numbers(text):
        assert text[num.start : num.end] == num.surface
        assert num.start >= prev_end and num.start <= num.number_start < num.end
        assert num.low is not None or num.high is not None
        if num.low is not None and num.high is not None:
            assert num.low <= num.high
        prev_end = num.end


def test_a_cut_short_range_is_read_on() -> None:
    # "and" makes a range only after "between"; the second number is then its own.
    assert [n.surface for n in find_numbers("Brigades 2 and 3 moved; the score was 2-1")] == ["2", "3", "2", "1"]
    [num] = find_numbers("clashes between 50 rebels and soldiers")
    assert (num.surface, num.qualifier) == ("50", "exact")


_MIXED = st.lists(
    st.one_of(
        _FRAGMENTS, st.sampled_from(["TWENTY", "Hundreds", "fivefold", "one_", "٣", "²", "K"]), st.text(max_size=8)
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(_MIXED)
def test_the_quick_look_never_skips_a_number(parts: list[str]) -> None:
    # find_numbers skips a text without digits or number words: the full pattern must find nothing there.
    text = " ".join(parts)
    if not _may_hold_numbers(text):
        assert _PATTERN.search(text) is None


@pytest.mark.parametrize(
    ("text", "surface", "low", "high", "qualifier"),
    [
        ("well over a quarter of a million refugees", "over a quarter of a million", 250_000, None, "at_least"),
        ("close to half a million residents", "close to half a million", None, 500_000, "approx"),
        ("a third of a million votes", "a third of a million", 333_333, 333_333, "exact"),
        ("three-quarters of a million dollars", "three-quarters of a million", 750_000, 750_000, "exact"),
        ("two thirds of a billion", "two thirds of a billion", 666_666_667, 666_666_667, "exact"),
        ("half a dozen trucks", "half a dozen", 6, 6, "exact"),
        ("a quarter million homes", "a quarter million", 250_000, 250_000, "exact"),
    ],
)
def test_a_fraction_of_a_scale_word_is_one_number(
    text: str, surface: str, low: float, high: float, qualifier: str
) -> None:
    (span,) = find_numbers(text)
    assert (span.surface, span.low, span.high, span.qualifier) == (surface, low, high, qualifier)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("some 312 000 voters", [312_000]),
        ("they counted 1 250 000.", [1_250_000]),
        ("a budget of 4 750 000 euros", [4_750_000]),
        ("in 2019 400 families left", [2019, 400]),  # a four-digit lead is a year, not a thousands group
        ("groups 12 3456 apart", [12, 3456]),  # a group is exactly three digits
        ("on June 3 150 pilgrims", [3, 150]),  # a day of a month, then a count
    ],
)
def test_thousands_grouped_by_spaces(text: str, values: list[float]) -> None:
    assert [n.low for n in find_numbers(text)] == values


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("they fired 1500 5.56 mm bullets", [1500]),
        ("300 82mm mortar rounds and 40 155-mm shells", [300, 40]),
        ("a haul of 900 7.62x39mm cartridges", [900]),
        ("a 12.7-millimetre gun", []),
        ("a convoy 30 km long", [30]),  # a distance stays a number; transforms.figures rejects it
    ],
)
def test_a_calibre_after_a_count_is_not_a_number(text: str, values: list[float]) -> None:
    assert [n.low for n in find_numbers(text)] == values


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("the airline grounded its Boeing 737 fleet", []),
        ("a Tupolev 154 went down", []),
        ("then the Antonov 26 landed", []),
        ("in Raqqa 14 civilians", [14]),  # a place before a plural count stays a count
        ("in Hama 9 were killed", [9]),
        ("Car Bomb Kills 7 In Market", [7]),  # a headline verb is no name
        ("Some 40 left", [40]),  # the sentence's first word is no name
        ("since March 4", [4]),  # a month stays for the date rules
    ],
)
def test_a_model_number_after_a_name_is_not_a_number(text: str, values: list[float]) -> None:
    assert [n.low for n in find_numbers(text)] == values
