from __future__ import annotations

from tests.conftest import SEED
from transforms.articles import RawDocument, build_article
from transforms.entities import entity_id_for, extract_mentions


def _mentions(nlp, text: str):
    art = build_article(RawDocument("t.txt", text, origin="t.txt"))
    return extract_mentions(nlp(art.text), art.text, (art.body_start, art.body_end))


def test_seed_canonical_names(nlp) -> None:
    text = SEED.read_text(encoding="utf-8")
    mentions = _mentions(nlp, text)
    canon = {m.text: (m.canonical_name, m.label) for m in mentions}
    assert canon["Dillon"] == ("Ryan Dillon", "PERSON")
    assert canon["McKenzie"] == ("Kenneth F. McKenzie Jr.", "PERSON")
    assert canon["SDF"] == ("Syrian Democratic Forces", "ORG")
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert not m.text.lower().startswith("the ")
        assert m.entity_id == entity_id_for(m.label, m.canonical_name)


def test_entity_ids_are_shared_across_place_labels() -> None:
    assert entity_id_for("GPE", "Syria") == entity_id_for("LOC", "syria")
    assert entity_id_for("ORG", "Syria") != entity_id_for("GPE", "Syria")
