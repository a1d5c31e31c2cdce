"""transforms.figure_roles: rules that read text alone, tested without the model."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms import figure_roles
from transforms.entities import Mention
from transforms.figure_roles import clean_name, lead_doer
from transforms.sentences import Sentence


def lead(text: str) -> str | None:
    who = lead_doer(Sentence(0, 0, len(text), text), [])
    return who.name if who is not None else None


@pytest.mark.parametrize(
    ("headline", "doer"),
    [
        ("Suicide bomber kills 4 in market town", "Suicide bomber"),
        ("Tue 3 Mar 2015 Rebel fighters shell the old city", "Rebel fighters"),
        ("Gunmen begin to attack border posts", "Gunmen"),
        # Victims, a past participle and verbs of no harm name no doer.
        ("Soldiers killed in ambush near the river", None),
        ("Militants say talks will resume", None),
        ("Flooding leaves thousands homeless", None),
        ("Gunmen opened the gates to refugees", None),
    ],
)
def test_the_lead_names_its_doer_only_before_a_verb_of_harm(headline: str, doer: str | None) -> None:
    assert lead(headline) == doer


def test_clean_name_drops_articles_and_edge_punctuation() -> None:
    assert clean_name(' "the Gaza health ministry", ') == "Gaza health ministry"


def _mention(text: str, name: str, label: str) -> Mention:
    start = text.index(name)
    return Mention(start, start + len(name), name, label, label, name, "ent_1")


def test_a_group_before_a_verb_of_harm_is_the_lead_doer_and_a_mis_tagged_weapon_is_not() -> None:
    text = "Militia X storms two villages in the north"
    who = lead_doer(Sentence(0, 0, len(text), text), [_mention(text, "Militia X", "ORG")])
    assert who is not None and who.name == "Militia X"
    text = "BEIRUT Air strikes kill 21 in the north"  # the model called "BEIRUT Air" an organisation
    assert lead_doer(Sentence(0, 0, len(text), text), [_mention(text, "BEIRUT Air", "ORG")]) is None


@pytest.mark.parametrize(
    ("headline", "name", "label"),
    [
        ("Coptic Christians killed by ISIS in Libya", "Coptic Christians", "NORP"),  # a passive: the victims
        ("Aleppo hit by fresh strikes", "Aleppo", "GPE"),
        ("Turkey opens border to refugees", "Turkey", "GPE"),
        ("UN launches aid appeal", "UN", "ORG"),
    ],
)
def test_a_name_before_a_passive_or_an_ordinary_verb_is_no_lead_doer(headline: str, name: str, label: str) -> None:
    assert lead_doer(Sentence(0, 0, len(headline), headline), [_mention(headline, name, label)]) is None


_LEAD_WORDS = ["the", "a", "Syrian", "al-Assad", "local", "police", "officials", "(UN)", "has", "also", "on Monday",
               "in a statement", ",", "ministry", "subgroup", "Health", "spokesman", "  ", "in Aleppo City", "Kurdistani"]  # fmt: skip


@given(st.lists(st.sampled_from(_LEAD_WORDS), min_size=1, max_size=14), st.sampled_from(["", " ", " ,"]))
def test_the_speaker_noun_is_found_as_the_full_search_finds_it(words: list[str], end: str) -> None:
    lead = " ".join(words) + end
    fast, full = figure_roles._speaker_noun_end(lead), figure_roles._SPEAKER_NOUN_END.search(lead)
    assert (fast and (fast.span(), fast.span("who"))) == (full and (full.span(), full.span("who")))
