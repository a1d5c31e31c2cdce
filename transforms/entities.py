"""Named-entity mentions: one label and one canonical name per entity per article, places on the map.

The small model's spans are the raw material. Rules then, in order:
1. clean each span (a leading "the" or "Near", a possessive, a citation; a title becomes the role:
   "Col. Ryan Dillon" is Ryan Dillon, "Col."), drop junk ("n't", "Sgt", "December" as a place), and
   type a name by its own words ("Samarra Barrage" FAC, "USS Mahan" PRODUCT, "the Asad regime");
2. add what the model misses but the text states plainly: names on the shipped alias list, acronyms
   the article defines ("Syrian Democratic Forces, or SDF"), natural features ("the Jazeera desert",
   "the Omar oil fields"), peoples ("Shia"), and towns the gazetteer knows listed or introduced as
   places ("liberating Tal Afar, Hawija and Al Qaim", "areas of Western Anbar");
3. type places by the gazetteer (Rawa tagged ORG, Abu Kamal PERSON) where the context says place;
4. find a name again wherever it is repeated, resolve short forms to the full name ("Dillon" ->
   "Ryan Dillon", "SDF" -> "Syrian Democratic Forces", "Iraqis" -> "Iraqi"), and vote one label per
   entity over all its mentions;
5. give each entity an id that is the same in every article and run: the alias list's name, the
   gazetteer's place, or else the type and name.
"""

from __future__ import annotations

from spacy.tokens import Doc

from transforms.aliases import AliasList, load_aliases
from transforms.entity_additions import (
    _acronym_definitions,
    _acronym_spans,
    _alias_spans,
    _body_spans,
    _feature_spans,
    _merge,
    _norp_spans,
)
from transforms.entity_clean import _model_spans
from transforms.entity_ids import Mention, _mention, _one_label_per_entity, entity_id_for, entity_type
from transforms.entity_places import (
    _article_countries,
    _people_country,
    _peoples_and_possessives,
    _surnames,
    _towns,
    _type_places,
    _unlabelled_places,
    is_people_name,
)
from transforms.entity_resolve import _canonical, _names_in_article, _repeated, _vote
from transforms.entity_spans import NAME_LABELS, PLACE_LABELS, _Shouted
from transforms.gazetteer import Gazetteer, load_gazetteer

# The public face of the stages' modules (entity_spans, entity_clean, entity_additions, entity_places,
# entity_resolve, entity_ids): what the figures, the claims and the pipeline use.
__all__ = [
    "NAME_LABELS",
    "PLACE_LABELS",
    "Mention",
    "entity_id_for",
    "entity_type",
    "extract_mentions",
    "is_people_name",
]


def extract_mentions(
    doc: Doc,
    text: str,
    body: tuple[int, int],
    gazetteer: Gazetteer | None = None,
    aliases: AliasList | None = None,
    model_text: str | None = None,
) -> list[Mention]:
    """The article's entity mentions, each with its entity's label, canonical name, id and place.

    `doc` may have been parsed from a recased copy of `text` (transforms.truecase): the rules and the
    names use that copy, the mentions' own text is the original's. The caller that has the copy
    passes it as `model_text` (spaCy rebuilds `doc.text` token by token, at a cost).
    """
    model_text = doc.text if model_text is None else model_text
    original, text = text, (model_text if len(model_text) == len(text) else text)
    gazetteer = gazetteer if gazetteer is not None else load_gazetteer()
    aliases = aliases if aliases is not None else load_aliases()
    shouted = _Shouted(text)
    defined = _acronym_definitions(text, body)
    extra = [
        *_alias_spans(text, body, aliases, shouted),
        *_acronym_spans(text, body, defined),
        *_feature_spans(text, body),
        *_norp_spans(text, body, gazetteer.country_names),
    ]
    spans = _merge(_model_spans(doc, text, body), extra)
    spans = _merge(spans, _body_spans(text, spans))
    spans = _peoples_and_possessives(text, spans, gazetteer)

    countries = _article_countries(text, spans, gazetteer)
    surnames = _surnames(text, spans)
    spans = _type_places(text, spans, gazetteer, countries, surnames)
    spans = sorted(spans + _unlabelled_places(text, body, spans, gazetteer, countries, shouted), key=lambda s: s.start)
    spans = _type_places(text, spans, gazetteer, countries, surnames)  # a list is known once its towns are
    person_names = {text[s.start : s.end] for s in spans if s.label == "PERSON" and s.source == "ner"}
    # Ties broken by the name itself: set order changes from process to process, the output must not.
    full_names = sorted((n for n in person_names if len(n.split()) > 1), key=lambda n: (-len(n), n))

    spans = sorted(spans + _repeated(text, body, spans), key=lambda s: s.start)
    orgs = sorted(
        {text[s.start : s.end] for s in spans if s.label == "ORG" and " " in text[s.start : s.end]},
        key=lambda n: (len(n), n),
    )
    towns = _towns(text, spans, gazetteer, countries)
    resolved = [(s, _canonical(text[s.start : s.end], s, full_names, orgs, aliases, towns)) for s in spans]
    label_of = _vote(resolved, set(full_names), aliases, frozenset(n.casefold() for n in gazetteer.country_names))
    place_of = {
        canon: gazetteer.resolve(canon, countries) for canon, label in label_of.items() if label in PLACE_LABELS
    }
    people_of = {canon: _people_country(canon, gazetteer) for canon, label in label_of.items() if label == "NORP"}
    shown = _names_in_article(text, resolved, aliases)
    mentions = [
        _mention(
            original, s, shown.get(canon, canon), canon, label_of[canon], place_of.get(canon), people_of.get(canon)
        )
        for s, canon in resolved
    ]
    return _one_label_per_entity(mentions)
