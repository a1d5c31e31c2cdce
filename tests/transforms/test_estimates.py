"""Claims to incidents: the clustering rule on frames built by hand, and its properties (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.estimates import CLAIM_SCHEMA, ESTIMATE_SCHEMA, estimates

DAY = date(2016, 8, 7)


def claim(fid: str, value: float | None, **kw: Any) -> dict[str, Any]:
    row = {
        "figure_id": fid,
        "article_id": kw.get("story", "a1"),
        "story": "a1",
        "category": "killed",
        "counted_group": None,
        "place_key": "geonames:170063",
        "place_id": "geonames:170063",
        "place_entity_id": "e_aleppo",
        "place": "Aleppo",
        "place_is_country": False,
        "country_code": "SY",
        "latitude": 36.2,
        "longitude": 37.16,
        "event_date": DAY,
        "event_date_precision": "day",
        "event_date_basis": "said",
        "qualifier": "exact",
        "value_low": value,
        "value_high": value,
        "source": "outlet",
    }
    row.update(kw)
    return row


def run(*rows: dict[str, Any]) -> list[dict[str, Any]]:
    return estimates(pl.DataFrame(list(rows), schema=CLAIM_SCHEMA)).sort("best").to_dicts()


def test_one_incident_told_by_three_sources() -> None:
    got = run(
        claim("f1", 12, story="s1", source="SANA"),
        claim("f2", 15, story="s2", source="Observatory", event_date=DAY + timedelta(days=1)),
        claim("f3", 20, story="s3", source="White Helmets"),
    )
    assert len(got) == 1
    e = got[0]
    assert (e["low"], e["best"], e["high"]) == (12, 15, 20)  # best: the median source
    assert (e["n_claims"], e["n_sources"], e["n_stories"], e["disagree"]) == (3, 3, 3, True)
    assert e["sources"] == ["Observatory", "SANA", "White Helmets"]
    assert (e["date_from"], e["date_to"]) == (DAY, DAY + timedelta(days=1))


def test_syndicated_copies_are_one_story_and_a_source_counts_once() -> None:
    got = run(
        claim("f1", 12, story="s1", article_id="a1", source="Reuters"),
        claim("f2", 12, story="s1", article_id="a2", source="Reuters"),  # the same story re-published
        claim("f3", 14, story="s2", source="Reuters"),  # the same source's updated count
        claim("f4", 30, story="s3", source="activists"),
    )
    assert [(e["n_stories"], e["n_sources"], e["best"]) for e in got] == [(3, 2, 14)]


def test_at_least_and_at_most_claims_that_can_all_be_true_do_not_disagree() -> None:
    got = run(
        claim("f1", None, story="s1", value_low=10.0, value_high=None, qualifier="at_least"),
        claim("f2", 12, story="s2"),
        claim("f3", None, story="s3", value_low=None, value_high=15.0, qualifier="at_most"),
    )
    assert len(got) == 1 and not got[0]["disagree"]
    assert (got[0]["low"], got[0]["high"]) == (10, 15)


def test_other_days_places_groups_and_categories_are_other_incidents() -> None:
    got = run(
        claim("f1", 12),
        claim("f2", 7, event_date=DAY + timedelta(days=5)),
        claim("f3", 9, place_key="geonames:163345", place="Homs"),
        claim("f4", 4, counted_group="civilians"),
        claim("f5", 30, category="wounded"),
    )
    assert len(got) == 5


def test_an_incident_never_stretches_beyond_three_days() -> None:
    got = run(*(claim(f"f{i}", 10 + i, story=f"s{i}", event_date=DAY + timedelta(days=i)) for i in range(6)))
    assert all((e["date_to"] - e["date_from"]).days <= 2 for e in got)
    assert len(got) == 2


def test_a_claim_without_a_said_date_stays_with_its_story() -> None:
    got = run(
        claim("f1", 12, story="s1"),
        claim("f2", 12, story="s1", event_date_basis="published", event_date_precision="week"),  # "12 died in Aleppo"
        claim("f3", 40, story="s2", event_date_basis="published", event_date_precision="week"),
    )
    assert sorted(e["n_claims"] for e in got) == [1, 2]  # s2's undated claim ties to no other article


def test_a_country_or_no_place_is_an_incident_of_its_own_story() -> None:
    got = run(
        claim("f1", 5, story="s1", place_key="iso3166:SY", place_id="iso3166:SY", place="Syria", place_is_country=True),
        claim("f2", 6, story="s2", place_key="iso3166:SY", place_id="iso3166:SY", place="Syria", place_is_country=True),
        claim("f3", 7, story="s3", place_key=None, place_id=None, place=None, place_entity_id=None),
    )
    assert len(got) == 3


def test_vague_claims_make_no_estimate() -> None:
    assert run(claim("f1", 200, qualifier="vague")) == []


def test_no_claims() -> None:
    assert estimates(pl.DataFrame(schema=CLAIM_SCHEMA)).schema == pl.Schema(ESTIMATE_SCHEMA)


_claims = st.lists(
    st.fixed_dictionaries(
        {
            "story": st.sampled_from(["s1", "s2", "s3", "s4"]),
            "source": st.sampled_from(["A", "B", "C", None]),
            "place_key": st.sampled_from(["p1", "p2", None]),
            "counted_group": st.sampled_from([None, "civilians"]),
            "category": st.sampled_from(["killed", "wounded"]),
            "day": st.integers(0, 20),
            "precision": st.sampled_from(["day", "week", "month", "year"]),
            "basis": st.sampled_from(["said", "earlier", "published"]),
            "low": st.one_of(st.none(), st.integers(0, 500)),
            "span": st.one_of(st.none(), st.integers(0, 100)),
            "vague": st.booleans(),
        }
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(_claims)
def test_properties(drawn: list[dict[str, Any]]) -> None:
    rows = []
    for i, d in enumerate(drawn):
        low = float(d["low"]) if d["low"] is not None else None
        high = (low or 0.0) + d["span"] if d["span"] is not None else (None if low is not None else 50.0)
        rows.append(
            claim(
                f"f{i:03d}",
                None,
                story=d["story"],
                source=d["source"],
                place_key=d["place_key"],
                counted_group=d["counted_group"],
                category=d["category"],
                event_date=DAY + timedelta(days=d["day"]),
                event_date_precision=d["precision"],
                event_date_basis=d["basis"],
                value_low=low,
                value_high=high,
                qualifier="vague" if d["vague"] else "exact",
            )
        )
    got = estimates(pl.DataFrame(rows, schema=CLAIM_SCHEMA)).to_dicts()
    by_id = {r["figure_id"]: r for r in rows}
    seen: list[str] = []
    for e in got:
        seen += e["figure_ids"]
        members = [by_id[f] for f in e["figure_ids"]]
        values = [v for m in members for v in (m["value_low"], m["value_high"]) if v is not None]
        assert e["low"] <= e["best"] <= e["high"]
        assert min(values) <= e["low"] and e["high"] <= max(values)  # never beyond the claims' own
        assert e["best"] <= max(values)
        assert all(m["qualifier"] != "vague" for m in members)
        assert len({(m["category"], m["counted_group"]) for m in members}) == 1
        assert e["n_stories"] == len({m["story"] for m in members})
    assert len(seen) == len(set(seen))  # every claim in at most one estimate


def test_a_country_claim_joins_its_storys_one_incident_in_that_country() -> None:
    syria = {"place_key": "iso3166:SY", "place_id": "iso3166:SY", "place": "Syria", "place_is_country": True}
    got = run(
        claim("f1", 12, story="s1"),  # "12 killed in Aleppo on Sunday"
        claim("f2", 12, story="s1", event_date_basis="published", event_date_precision="week", **syria),
        claim("f3", 9, story="s2", **syria),  # another story's: no incident of its own story to join
        claim("f4", 5, story="s1", country_code="IQ", place_key="iso3166:IQ", place="Iraq", place_is_country=True),
    )
    assert sorted((e["n_claims"], e["place"]) for e in got) == [(1, "Iraq"), (1, "Syria"), (2, "Aleppo")]


def test_another_doer_is_another_incident() -> None:
    got = run(
        claim("f1", 45, story="s1", source="AFP", doer="government"),  # "government air strikes killed 45"
        claim("f2", 7, story="s1", source="AFP", doer="rebels"),  # "rebels fired rockets at the capital, killing 7"
        claim("f3", 44, story="s2", source="SANA", doer="government"),
        claim("f4", 46, story="s3", source="Observatory"),  # no doer named: joins the incident that takes it
    )
    assert sorted((e["n_claims"], e["best"]) for e in got) == [(1, 7), (3, 45)]


def test_peoples_adjectives_do_not_make_doers_one() -> None:
    got = run(
        claim("f1", 12, story="s1", source="A", doer="syrian army"),
        claim("f2", 30, story="s2", source="B", doer="syrian rebels"),
        claim("f3", 13, story="s3", source="C", doer="the army"),
    )
    assert sorted((e["n_claims"], e["best"]) for e in got) == [(1, 30), (2, 12)]


def test_incidents_do_not_depend_on_figure_ids() -> None:
    rows = [
        claim("a", 45, story="s1", source="AFP", doer="government"),
        claim("b", 7, story="s1", source="AFP", doer="rebels"),
        claim("c", 46, story="s3", source="Observatory"),
    ]
    renamed = [{**r, "figure_id": {"a": "z", "b": "a", "c": "m"}[r["figure_id"]]} for r in rows]
    shape = lambda got: sorted((e["n_claims"], e["best"]) for e in got)  # noqa: E731
    assert shape(run(*rows)) == shape(run(*renamed)) == [(1, 7), (2, 45)]


def test_a_story_claim_with_another_said_date_is_another_incident() -> None:
    got = run(
        claim("f1", 1400, story="s1"),  # the attack of the lead, dated to the day
        claim("f2", 27, story="s1", event_date=date(2012, 1, 1), event_date_precision="year"),  # "in 2012, 27 ..."
    )
    assert len(got) == 2 and all(e["date_to"] < date(2013, 1, 1) or e["date_from"] == DAY for e in got)
