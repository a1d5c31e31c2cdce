from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SEED, corpus_records, dev_gold
from transforms.articles import RawDocument
from transforms.pipeline import parse_batch


def figures_of(nlp, text: str) -> list[dict]:
    batch = parse_batch(nlp, [RawDocument("t.txt", text, origin="t.txt")])
    return batch.figures.to_dicts()


def one(nlp, text: str) -> dict:
    rows = figures_of(nlp, text)
    assert len(rows) == 1, rows
    return rows[0]


def test_seed_fighter_counts(nlp) -> None:
    rows = figures_of(nlp, SEED.read_text(encoding="utf-8"))
    got = {(r["value_low"], r["value_high"]): r for r in rows}
    assert set(got) == {(500.0, 1000.0), (100.0, 200.0)}
    first, second = got[(500.0, 1000.0)], got[(100.0, 200.0)]
    for r in (first, second):
        assert (r["qualifier"], r["category"], r["actor"], r["counted"]) == (
            "range",
            "fighters",
            "ISIS",
            "ISIS fighters",
        )
    assert first["location"] == "Abu Kamal"
    assert first["attributed_to"] == "coalition"
    assert second["location"] == "Euphrates River Valley"
    assert second["attributed_to"] == "Ryan Dillon"


def test_seed_idioms_and_dates_are_not_figures(nlp) -> None:
    surfaces = {r["surface"] for r in figures_of(nlp, SEED.read_text(encoding="utf-8"))}
    assert not surfaces & {"one", "at one time"}


@pytest.mark.parametrize(
    "text",
    [
        "The attack happened on Dec. 15 in Aleppo.",
        "Fighting resumed on 11-13 Dec. near the border.",
        "The group was founded in 2014.",
        "The meeting starts at 10:30 a.m. on Monday.",
        "A 25-year-old man was arrested.",
        "He was released eight days ago.",
        "The convoy stopped 20 kilometers from the city.",
        "It was the first time, and the 2nd attempt.",
        "Resolution 2254 calls for a ceasefire.",
        "Two F-16 jets flew over.",
        "I think ISIS at one time thought so.",
        "Security is our number one priority.",
        "One of the commanders spoke.",
    ],
)
def test_not_figures(nlp, text: str) -> None:
    assert [r for r in figures_of(nlp, text) if r["surface"] != "Two"] == []


@pytest.mark.parametrize(
    ("text", "low", "high", "qualifier", "category"),
    [
        ("At least 22 people were killed in Raqqa.", 22, None, "at_least", "killed"),
        ("The strike wounded 14 civilians in Idlib.", 14, 14, "exact", "wounded"),
        ("Police arrested 30 suspects on Monday.", 30, 30, "exact", "detained"),
        ("Gunmen kidnapped 12 students from a school.", 12, 12, "exact", "kidnapped"),
        ("Some 5,000 families were displaced by the fighting.", 5000, 5000, "approx", "displaced"),
        ("Coalition military forces conducted 34 strikes against ISIL.", 34, 34, "exact", "strikes"),
        ("The aircraft delivered 101 munitions.", 101, 101, "exact", "munitions"),
        ("They destroyed four tanks.", 4, 4, "exact", "equipment"),
        ("The strikes hit 13 supply routes.", 13, 13, "exact", "targets"),
        ("The fund pledged $5 million for aid.", 5_000_000, 5_000_000, "exact", "money"),
        ("Prices rose 15 to 20 percent.", 15, 20, "range", "percent"),
        ("The SDF regained about 300 square miles.", 300, 300, "approx", "area"),
        ("Almost 8,000 troops were deployed.", None, 8000, "approx", "fighters"),
    ],
)
def test_figure_bounds_and_category(nlp, text: str, low, high, qualifier: str, category: str) -> None:
    r = one(nlp, text)
    assert (r["value_low"], r["value_high"], r["qualifier"], r["category"]) == (low, high, qualifier, category)


def test_coordinated_counts_are_two_figures(nlp) -> None:
    rows = figures_of(nlp, "The raid killed three women and three children.")
    assert [(r["value_low"], r["counted"]) for r in rows] == [(3, "women"), (3, "children")]


def test_actor_by_agent_and_attribution(nlp) -> None:
    r = one(
        nlp,
        "Five civilians were killed by a US-led coalition air strike in Raqqa, "
        "according to the Syrian Observatory for Human Rights.",
    )
    assert r["category"] == "killed"
    assert "coalition" in r["actor"]
    assert r["location"] == "Raqqa"
    assert r["attributed_to"] == "Syrian Observatory for Human Rights"


def test_dev_gold_figures_found(nlp) -> None:
    """Every dev-gold figure of the corpus article comes out with its bounds (a golden test)."""
    [gold] = [g for g in dev_gold() if g["source_id"].startswith("re3d-")]
    [rec] = corpus_records("re3d", ids={gold["source_id"]})
    rows = figures_of(nlp, rec["text"])
    for g in gold["figures"]:
        lo, hi = g["span"]
        hits = [r for r in rows if r["char_start"] < hi and lo < r["char_end"]]
        assert any({r["value_low"], r["value_high"]} - {None} == {g["low"], g["high"]} - {None} for r in hits), g


_WORDS = st.sampled_from(
    [
        "At least 22",
        "people",
        "were",
        "killed",
        "in",
        "Raqqa",
        ",",
        "Dec. 5",
        "the",
        "coalition",
        "said",
        "500 to 1,000",
        "ISIS fighters",
        "dozens of",
        "one",
        "2014",
        ".",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=20))
def test_figure_offsets_slice_back(nlp, words: list[str]) -> None:
    text = " ".join(words)
    for r in figures_of(nlp, text):
        assert text[r["char_start"] : r["char_end"]] == r["surface"]


@pytest.mark.parametrize(
    ("text", "surface", "category"),
    [
        ("An attack that killed at least 58 and injured dozens in Khan Shaykhun.", "at least 58", "killed"),
        ("Raids killed 19 and wounded 22.", "19", "killed"),
        (
            "The war has killed more than 220000 people, and around 10 million have been displaced.",
            "around 10 million",
            "displaced",
        ),
        ("Hospital staff said 64 people died from exposure.", "64", "killed"),
        ("It led to the injury of 40 others.", "40", "wounded"),
    ],
)
def test_the_governing_verb_sets_the_category(nlp, text: str, surface: str, category: str) -> None:
    [row] = [r for r in figures_of(nlp, text) if r["surface"] == surface]
    assert row["category"] == category


def test_counted_phrase_stops_at_verbs_adverbs_and_new_names(nlp) -> None:
    rows = figures_of(nlp, "A strike killed 26 people and severely damaged a hospital.")
    assert rows[0]["counted"] == "people"
    rows = figures_of(nlp, "Missiles also wounded 25 others Ibrahim Abu Leys told Anadolu Agency.")
    assert rows[0]["counted"] == "others"


@pytest.mark.parametrize(
    "text",
    [
        "Published July 5 2015 U.S.-led coalition aircraft struck.",
        "The two leaders met in Sochi.",
        "Fri 07 Apr 2017 at 0914 the governor spoke.",
    ],
)
def test_more_not_figures(nlp, text: str) -> None:
    assert figures_of(nlp, text) == []


def test_upper_case_wire_text(nlp) -> None:
    r = one(nlp, "THREE SOLDIERS WERE KILLED IN THE CLASH, THE ARMY REPORTED.")
    assert (r["value_low"], r["category"], r["counted"]) == (3, "killed", "SOLDIERS")


def test_wire_and_encyclopedia_quirks(nlp) -> None:
    assert figures_of(nlp, "Iraqi soldiers died.[3][4][5] A physician spoke.") == []
    assert figures_of(nlp, "Ghadiya was killed in a 2008 raid.") == []
    rows = figures_of(nlp, "HERE WE HAVE 11 AR-15 RIFLES AND 4,000 CARTRIDGES.")
    assert [(r["counted"], r["category"], r["actor"]) for r in rows] == [
        ("AR-15 RIFLES", "equipment", None),
        ("CARTRIDGES", "munitions", None),
    ]
    r = one(nlp, "In Syria, Coalition military forces conducted 15 strikes against ISIL.")
    assert (r["category"], r["actor"]) == ("strikes", "Coalition military forces")


def test_members_of_a_group_are_counted_with_the_group(nlp) -> None:
    r = one(nlp, "ISIS executed 30 members of the Al bu Nimr tribe in Hit.")
    assert r["counted"].startswith("members of the Al bu Nimr")


def test_a_participle_before_the_noun_is_part_of_it(nlp) -> None:
    r = one(nlp, "Medics treated 12 wounded civilians in Aleppo.")
    assert (r["counted"], r["category"]) == ("wounded civilians", "wounded")
    rows = figures_of(nlp, "The raid killed 5 and wounded 12.")
    assert [(r["value_low"], r["category"]) for r in rows] == [(5, "killed"), (12, "wounded")]


def test_a_counted_phrase_wrapped_across_lines_keeps_its_own_span(nlp) -> None:
    # The actor is looked for inside the counted phrase only, even when the source hard-wraps it.
    wrapped = figures_of(nlp, "Medics found 40 wounded\nmen, the Kurdish Red Crescent said.")
    flat = figures_of(nlp, "Medics found 40 wounded men, the Kurdish Red Crescent said.")
    assert [(r["counted"], r["actor"]) for r in wrapped] == [(r["counted"], r["actor"]) for r in flat]
    assert wrapped[0]["actor"] is None
