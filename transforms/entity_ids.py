"""Entities, stage 5: the mention as stored, with an entity id that is the same in every article
and run: the alias list's name, the gazetteer's place, or else the type and name.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from transforms.entity_spans import PLACE_LABELS, _Span
from transforms.gazetteer import Place
from transforms.ids import short_id


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    label: str  # the entity's label after voting across the article's mentions
    ner_label: str  # what the model (or the rule that found it) said for this span
    canonical_name: str
    entity_id: str
    role: str | None = None  # a title said with the name: "Col.", "Prime Minister"
    country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    place_id: str | None = None  # "geonames:174448" for Abu Kamal
    entity_name: str | None = None  # the name across articles (the alias list's), where it differs


def entity_type(label: str) -> str:
    """Coarse type used for identity: GPE, LOC and FAC name the same kind of thing (a place)."""
    return "PLACE" if label in PLACE_LABELS else label


def entity_id_for(label: str, canonical_name: str, place_id: str | None = None) -> str:
    """The same entity gets the same id in every article and run: its place, or its type and name."""
    if place_id and entity_type(label) == "PLACE":
        return short_id("ent", "PLACE", place_id)
    return short_id("ent", entity_type(label), canonical_name.casefold())


def _one_label_per_entity(mentions: list[Mention]) -> list[Mention]:
    """Names that resolve to one place ("Western Anbar", "Anbar") are one entity: one label for all."""
    votes: dict[str, Counter[str]] = {}
    for m in mentions:
        votes.setdefault(m.entity_id, Counter())[m.label] += 1
    label = {eid: c.most_common(1)[0][0] for eid, c in votes.items()}
    return [m if m.label == label[m.entity_id] else replace(m, label=label[m.entity_id]) for m in mentions]


def _mention(
    text: str, span: _Span, shown: str, canon: str, label: str, place: Place | None, people_of: str | None = None
) -> Mention:
    place_id = place.geonames_id if place is not None else None
    return Mention(
        span.start,
        span.end,
        text[span.start : span.end],
        label,
        span.model_label or f"rule:{span.source}",
        shown,
        entity_id_for(label, canon, place_id),
        span.role,
        place.country_code if place is not None else people_of,
        place.latitude if place is not None else None,
        place.longitude if place is not None else None,
        place_id,
        canon,
    )
