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
