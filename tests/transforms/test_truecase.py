from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from transforms.truecase import shouting, truecase

COMMON = frozenset({"the", "army", "reported", "that", "peasants", "have", "been", "kidnap", "by", "in", "of"})
STOP = frozenset({"the", "that", "have", "been", "by", "in", "of"})


def test_mixed_case_text_is_left_alone() -> None:
    text = "The coalition estimates there are still 500 to 1,000 ISIS fighters in Abu Kamal."
    assert truecase(text, COMMON) == text


def test_a_shouted_wire_is_recased_word_by_word() -> None:
    text = "SAN SALVADOR, 3 JAN 90 -- THE ARMY REPORTED THAT 50 PEASANTS HAVE BEEN KIDNAPPED BY THE FMLN."
    out = truecase(text, COMMON, names={"salvador"}, stop=STOP)
    assert out == "San Salvador, 3 Jan 90 -- The Army reported that 50 peasants have been kidnapped by the FMLN."


def test_a_headline_takes_the_case_its_article_uses() -> None:
    text = "SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT .\nJapan began the defence against China ."
    out = truecase(text, frozenset({"get", "lucky", "win", "surprise", "defeat", "in"}), stop=frozenset({"in"}))
    assert out.splitlines()[0] == "Soccer - Japan get lucky win , China in surprise defeat ."


def test_shouting_needs_enough_letters() -> None:
    assert shouting("THE ARMY REPORTED AN ATTACK")
    assert not shouting("ISIS, SDF")
    assert not shouting("The Army reported an attack")


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_recasing_only_changes_the_case_of_ascii_letters(text: str) -> None:
    out = truecase(text.upper(), COMMON, stop=STOP)
    assert len(out) == len(text.upper())
    for a, b in zip(out, text.upper(), strict=True):
        assert a == b or (a.isascii() and a.lower() == b.lower())


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_shouting_counts_capitals_among_letters(line: str) -> None:
    letters = [c for c in line if c.isalpha()]
    assert shouting(line) == (len(letters) > 12 and sum(c.isupper() for c in letters) > 0.8 * len(letters))
