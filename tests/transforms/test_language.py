"""Which articles the English extractors run on: the language rule (no model) and the detector."""

from __future__ import annotations

import pytest

from tests.conftest import SEED, corpus_records
from transforms.articles import (
    LANGUAGE_MIN_CONFIDENCE,
    LANGUAGE_MIN_WORDS,
    RawDocument,
    build_article,
    decide_language,
    language_sample,
)

FRENCH = (
    "Au moins 30 civils ont été tués dimanche dans des frappes aériennes sur la ville de Douma, selon "
    "l'Observatoire syrien des droits de l'homme. Les secouristes continuaient lundi de chercher des "
    "survivants sous les décombres, tandis que les bombardements reprenaient dans la région."
)
GERMAN = (
    "Bei Luftangriffen auf die Stadt Duma sind am Sonntag mindestens 30 Zivilisten getötet worden, wie "
    "die Syrische Beobachtungsstelle für Menschenrechte mitteilte. Rettungskräfte suchten am Montag "
    "weiter nach Überlebenden unter den Trümmern, während die Angriffe in der Region weitergingen."
)


def test_the_detector_has_its_say_only_on_enough_words_and_confidence() -> None:
    assert decide_language(LANGUAGE_MIN_WORDS, "fr", LANGUAGE_MIN_CONFIDENCE) == "fr"
    assert decide_language(LANGUAGE_MIN_WORDS - 1, "fr", 1.0) == "en"  # "X: 14 killed in Homs."
    assert decide_language(500, "pcm", LANGUAGE_MIN_CONFIDENCE - 0.01) == "en"
    assert decide_language(500, "en", 0.2) == "en"


def test_the_sample_is_the_start_of_the_body_cut_at_a_word_and_lower_cased() -> None:
    text = "HEADLINE\n\n" + "WORD " * 1000
    sample = language_sample(text, (10, len(text)))
    assert sample.startswith("word word") and len(sample) <= 1000 and not sample.endswith("wor")
    assert language_sample("Title only", (5, 5)) == "title only"  # no body: the whole text


@pytest.mark.parametrize(("text", "language"), [(FRENCH, "fr"), (GERMAN, "de")])
def test_french_and_german_news_are_told(text: str, language: str) -> None:
    assert build_article(RawDocument("a.txt", text, origin="a.txt")).language == language


def test_short_and_shouted_english_is_english() -> None:
    for text in [
        "X: 14 killed in Homs.",
        "Homs",
        "SAN SALVADOR, 3 JAN 90 (RADIO VENCEREMOS) -- [TEXT] THE FMLN"
        " REPORTED THAT 14 SOLDIERS WERE KILLED IN AN AMBUSH NEAR THE TOWN OF SAN MIGUEL ON TUESDAY "
        "NIGHT, ACCORDING TO A COMMUNIQUE BROADCAST BY THE REBEL STATION.",
    ]:
        assert build_article(RawDocument("a.txt", text, origin="a.txt")).language == "en"
    assert build_article(RawDocument(SEED.name, SEED.read_text(encoding="utf-8"), origin=SEED.name)).language == "en"


def test_every_muc_wire_is_english() -> None:
    """The MUC-3/4 corpus is all upper case: every article of it must still read as English."""
    records = corpus_records("muc34", limit=300)
    assert {build_article(RawDocument(r["id"], r["text"], origin="m.jsonl")).language for r in records} == {"en"}
