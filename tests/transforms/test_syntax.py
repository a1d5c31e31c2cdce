"""transforms.syntax: what the dependency tree says about one figure, on sentences written for these tests."""

from __future__ import annotations

import pytest

from transforms import syntax
from transforms.nlp import parse_sentences


def reading(nlp, sentence: str, number: str) -> dict[str, object]:
    tree = parse_sentences(nlp, [sentence])[0]
    start = sentence.index(number)
    r = syntax.read(tree, start, start + len(number))
    assert r is not None

    def text(span):
        return sentence[span[0] : span[1]] if span else None

    return {
        "governor": r.governor,
        "agent": text(r.agent),
        "places": [text(p) for p in r.places],
        "source": text(r.source),
        "owners": [text(o) for o in r.attack_owners],
        "counted": text(r.counted_head),
    }


def test_the_word_lists_are_data() -> None:
    words = syntax.role_words()
    assert {"speech", "attack", "combatant", "locative", "quantity", "place_noun", "harm"} <= set(words)
    assert "said" in words["speech"] and "shelling" in words["attack"] and "rebels" in words["combatant"]


def test_the_parser_is_loaded_but_off(nlp) -> None:
    assert "parser" not in nlp.pipe_names and "parser" in nlp.component_names
    parse_sentences(nlp, ["Gunmen killed two guards."])
    assert "parser" not in nlp.pipe_names  # switched off again after the figure sentences


def test_each_conjunct_keeps_its_own_verb(nlp) -> None:
    s = "The militia shot nine herders and burned 40 huts near the river."
    assert reading(nlp, s, "nine")["governor"] == "shot"
    assert reading(nlp, s, "40")["governor"] == "burned"


def test_the_agent_of_an_active_verb_is_its_subject(nlp) -> None:
    r = reading(nlp, "The northern brigade captured 14 smugglers at the crossing.", "14")
    assert r["agent"] == "northern brigade"
    assert r["counted"] == "smugglers"


def test_the_agent_of_a_passive_verb_is_its_by_phrase(nlp) -> None:
    r = reading(nlp, "Eleven fishermen were detained by the coast guard off the island.", "Eleven")
    assert r["agent"] == "coast guard"


def test_a_participle_takes_the_subject_of_its_clause(nlp) -> None:
    r = reading(nlp, "A drone struck a convoy on Monday, killing six passengers.", "six")
    assert r["governor"] == "killing"
    assert r["agent"] is None  # a drone with no owner is nobody


def test_an_attack_noun_stands_for_its_owner(nlp) -> None:
    r = reading(nlp, "Seven villagers were wounded in army shelling of the valley.", "Seven")
    assert r["agent"] == "army"
    r = reading(nlp, "Air strikes by the alliance killed 30 fighters in the hills.", "30")
    assert r["agent"] == "alliance"


def test_a_place_is_never_the_agent(nlp) -> None:
    r = reading(nlp, "Near the old dam, four raids destroyed two bridges.", "two")
    assert r["agent"] is None or "dam" not in r["agent"]


def test_places_attached_to_the_event_come_first(nlp) -> None:
    r = reading(nlp, "Police arrested 25 protesters in the harbour district, officials said.", "25")
    assert r["places"][0] == "the harbour district"


def test_the_source_is_the_reporting_verb_subject(nlp) -> None:
    r = reading(nlp, "The regional health office said 18 patients had died of the fever.", "18")
    assert r["source"] == "regional health office"
    r = reading(nlp, "At least 40 homes burned, according to the provincial fire service.", "40")
    assert r["source"] == "provincial fire service"


@pytest.mark.parametrize(
    ("sentence", "number", "owner"),
    [
        ("Three shepherds died in a rebel ambush at dawn.", "Three", "rebel"),
        ("Nine soldiers were hurt during Ruritanian artillery fire overnight.", "Nine", "Ruritanian"),
    ],
)
def test_owners_of_attack_nouns_anywhere_in_the_sentence(nlp, sentence: str, number: str, owner: str) -> None:
    assert owner in reading(nlp, sentence, number)["owners"]


def test_a_noun_phrase_keeps_its_modifiers_and_drops_the_article(nlp) -> None:
    tree = parse_sentences(nlp, ["The Gaza health ministry reported 12 deaths."])[0]
    head = next(t for t in tree if t.text == "ministry")
    lo, hi = syntax.noun_phrase(head)
    assert tree.text[lo:hi] == "Gaza health ministry"
