from __future__ import annotations

import csv
from importlib import resources

import pytest

from transforms.aliases import load_aliases, parse_alias_csv
from transforms.entities import NAME_LABELS


def test_every_name_of_islamic_state_is_one_entity() -> None:
    aliases = load_aliases()
    names = ["ISIS", "ISIL", "IS", "Daesh", "DAESH", "Islamic State", "Islamic State of Iraq and the Levant"]
    assert {aliases.lookup(n).canonical_name for n in names} == {"Islamic State"}  # type: ignore[union-attr]


def test_short_capitals_match_only_as_written() -> None:
    aliases = load_aliases()
    assert aliases.lookup("IS") is not None
    assert aliases.lookup("is") is None and aliases.lookup("us") is None
    assert aliases.lookup("al-qaida").canonical_name == "al-Qaeda"  # type: ignore[union-attr]


def test_the_shipped_list_is_well_formed() -> None:
    text = resources.files("transforms").joinpath("data/aliases.csv").read_text("utf-8")
    seen: dict[str, str] = {}
    for row in csv.DictReader(text.splitlines()):
        assert row["label"] in NAME_LABELS, row
        for name in [row["canonical_name"], *filter(None, row["aliases"].split("|"))]:
            key = name.casefold()
            assert seen.setdefault(key, row["canonical_name"]) == row["canonical_name"], f"{name} is listed twice"


def test_a_custom_list_parses() -> None:
    aliases = parse_alias_csv("canonical_name,label,aliases,note\nWagner Group,ORG,PMC Wagner|Wagner,\n")
    assert aliases.lookup("PMC Wagner").canonical_name == "Wagner Group"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    [
        "Fighters of the Islamic State and the Syrian Democratic Forces met.",
        "the İslamic State",
        "ISLAMİC STATE",
        "ſyrian Democratic Forces",
        "Médecins Sans Frontières said",
        "islamic-state and the Islamic  State",
    ],
)
def test_long_names_are_found_where_the_full_scan_finds_them(text: str) -> None:
    aliases = load_aliases()
    assert aliases.long_pattern is not None
    want = [m.span() for m in aliases.long_pattern.finditer(text, 0, len(text))]
    assert [m.span() for m in aliases.find_long(text, 0, len(text))] == want
