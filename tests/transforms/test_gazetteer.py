from __future__ import annotations

import pytest

from transforms.gazetteer import Gazetteer, Place, load_gazetteer, place_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Tall ‘Afar", "Tal Afar"),
        ("Ālbū Kamāl", "Abu Kamal"),
        ("Ar Raqqah", "Raqqa"),
        ("Al Ḩawījah", "Hawija"),
        ("Al Qā’im", "Al-Qaim"),
        ("Rāwah", "Rawa"),
    ],
)
def test_spelling_variants_fold_onto_one_key(a: str, b: str) -> None:
    assert place_key(a) == place_key(b)


def test_different_places_keep_different_keys() -> None:
    assert place_key("Mosul") != place_key("Mosel")
    assert place_key("Homs") != place_key("Hama")


def test_homonyms_are_ranked_by_the_articles_countries() -> None:
    g = Gazetteer(
        [
            (Place("geonames:1", "Rawa", "PL", "city", 50.0, 20.0, 90_000), ["Rawa"]),
            (Place("geonames:2", "Rāwah", "IQ", "city", 34.5, 41.9, 13_000), ["Rāwah"]),
        ]
    )
    assert g.resolve("Rawa").country_code == "PL"  # type: ignore[union-attr]
    assert g.resolve("Rawa", frozenset({"IQ", "SY"})).country_code == "IQ"  # type: ignore[union-attr]
    assert g.resolve("Nowhere") is None


def test_the_shipped_gazetteer_knows_the_seeds_places() -> None:
    g = load_gazetteer()
    scope = frozenset({"IQ", "SY"})
    for name, country in [("Tal Afar", "IQ"), ("Hawija", "IQ"), ("Al Qaim", "IQ"), ("Rawa", "IQ"), ("Abu Kamal", "SY")]:
        place = g.resolve(name, scope)
        assert place is not None and place.country_code == country, name
        assert place.latitude is not None and place.longitude is not None
    anbar = g.resolve("Western Anbar", scope)
    assert anbar is not None and anbar.kind == "region" and anbar.geonames_id == "iso3166:IQ-AN"
    syria = g.resolve("Syria")
    assert syria is not None and syria.kind == "country" and syria.country_code == "SY"


def test_a_direction_never_makes_a_town() -> None:
    # "North Africa" is not Mahdia (Tunisia), whose old name was Africa.
    assert load_gazetteer().resolve("North Africa") is None
