"""transforms.figure_roles: rules that read text alone, tested without the model."""

from __future__ import annotations

import pytest

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
    ],
)
def test_the_lead_names_its_doer_only_before_a_verb_of_harm(headline: str, doer: str | None) -> None:
    assert lead(headline) == doer


def test_clean_name_drops_articles_and_edge_punctuation() -> None:
    assert clean_name(' "the Gaza health ministry", ') == "Gaza health ministry"
