"""The category rules on their own: a sentence cut at the number, the counted phrase and what follows it."""

from __future__ import annotations

import pytest

from transforms.figure_category import EVENT_CATEGORIES, categorise, noun_category
from transforms.numbers import find_numbers


def category(sentence: str, number: str, counted: str | None) -> str | None:
    """The category of `number` in `sentence`, counting `counted` (the phrase right after the number)."""
    (num,) = [n for n in find_numbers(sentence) if n.surface == number]
    before, after = sentence[: num.number_start], sentence[num.end :]
    rest = after
    if counted:
        rest = after[after.index(counted) + len(counted) :]
    return categorise(num, before, after, counted, rest)


@pytest.mark.parametrize(
    ("sentence", "number", "counted", "expected"),
    [
        # each conjunct with its own verb
        ("Raiders shot dead 7 guards and injured 15 others in the night.", "7", "guards", "killed"),
        ("Raiders shot dead 7 guards and injured 15 others in the night.", "15", "others", "wounded"),
        ("The storm kills at least nine people and injures 40.", "at least nine", "people", "killed"),
        ("The storm kills at least nine people and injures 40.", "40", None, "wounded"),
        # the verb right after a phrase that ran into the next conjunct ("people and injures")
        ("A blast kills 6 villagers and hurts 20.", "6", "villagers and hurts", "killed"),
        # a verb later in the same conjunct
        ("Officials say 420 residents of the old quarter were killed.", "420", "residents", "killed"),
        ("Rescuers say 31 fishermen drowned off the cape.", "31", "fishermen", "killed"),
        ("At least 8 hikers perished in the avalanche.", "At least 8", "hikers", "killed"),
        ("Nearly 60 passengers lost their lives.", "Nearly 60", "passengers", "killed"),
        ("The flood claimed at least one life.", "at least one", "life", "killed"),
        ("The fire claimed the lives of 17 workers.", "17", "workers", "killed"),
        # a sentence to death is no death; an execution is
        ("A tribunal sentenced nine rebels to death.", "nine", "rebels", "detained"),
        ("Nine rebels were sentenced to death on Monday.", "Nine", "rebels", "detained"),
        ("The militia executed nine prisoners.", "nine", "prisoners", "killed"),
        ("Guards released nine prisoners.", "nine", "prisoners", "detained"),
        # numbers standing for nouns
        ("Troops killed many gunmen and detaining one.", "one", None, "detained"),
        ("Army says 30 raiders killed, one wounded and four taken into custody.", "one", None, "wounded"),
        ("Army says 30 raiders killed, one wounded and four taken into custody.", "four", "taken", "detained"),
        ("Police rounded up 25 youths.", "25", "youths", "detained"),
        ("Five soldiers were taken prisoner.", "Five", "soldiers", "detained"),
        ("Pirates seized 14 sailors.", "14", "sailors", "kidnapped"),
        ("Gunmen kidnapped 3 engineers.", "3", "engineers", "kidnapped"),
        ("About 9,000 villagers were forced from their homes.", "About 9,000", "villagers", "displaced"),
        ("The fighting uprooted 4,000 families.", "4,000", "families", "displaced"),
        ("The militia drove 700 herders out of their homes.", "700", "herders", "displaced"),
        ("Relatives said 5 young men were martyred.", "5", "young men", "killed"),
        # people only: seizing or holding things is no kidnapping or detention
        ("Rebels seized 12 trucks.", "12", "trucks", "equipment"),
        ("The council will hold two ballots.", "two", "ballots", "other"),
        ("Police held 12 suspects.", "12", "suspects", "detained"),
    ],
)
def test_the_verb_of_the_numbers_own_conjunct(sentence: str, number: str, counted: str | None, expected: str) -> None:
    assert category(sentence, number, counted) == expected


def test_the_event_words_are_read_from_the_data_file_with_inflected_forms() -> None:
    patterns = dict(EVENT_CATEGORIES)
    for word in ("drowned", "drowns", "perishes", "abducting", "injures", "uprooted"):
        assert any(p.fullmatch(word) for p in patterns.values()), word
    assert not patterns["kidnapped"].search("seized"), "seized is a kidnapping of people only"


@pytest.mark.parametrize(
    ("counted", "category"),
    [
        ("sticks of dynamite", "munitions"),
        ("crates of rifle ammunition", "munitions"),
        ("cartridge pouches", "equipment"),  # the head noun, not the word before it
        ("barrels of oil", None),  # a container of something that is no category
        ("members of the tribe", "fighters"),
    ],
)
def test_a_container_counts_what_it_holds(counted: str, category: str | None) -> None:
    assert noun_category(counted) == category
