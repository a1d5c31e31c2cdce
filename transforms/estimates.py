"""From claims to estimates: one row per incident, with a low, best and high value across the claims,
articles and sources that report it. Pure: a frame of claims in, a frame of estimates out.

The rule (README, "Estimates"):
1. Claims are incident-scope figures (`transforms.claims`) with a value; a part of the figure before
   it ("including three children") is not a claim of the incident's total and stays out.
2. A claim can be tied to an incident across articles when it has a place more specific than a country
   and a date to the day or week that the text gives (in its sentence or one before; not the
   article's date standing in for an unsaid one). Such claims of the same category and counted group at the same
   place join one incident when their dates agree: each claim's period (a day widened by one day on
   either side, for "on Monday" against a next-day "on Tuesday" report; a week) must overlap what the
   incident's claims so far have in common, so an incident never stretches over more than three days
   of day-precise claims, and reports of the same place a week apart stay apart. A claim whose text
   names a doer other than the incident's ("government air strikes killed 45" and "rebel rockets
   killed seven", both in Damascus that Thursday) is another incident; a doer is the same where its
   names share a word other than a people's adjective ("the Syrian government", "government
   forces"; not "Syrian army", "Syrian rebels"). A claim naming no doer joins the incident it fits
   with the most claims, then the one whose values are nearest its own. Claims are taken in the order of their dates and values, never of their
   ids, so the incidents do not depend on the paths the articles were read from.
3. A claim that cannot be tied (no place or only a country, no date the text gives, or only a month
   or year) joins the one incident of its own story with the same category, group and place (for a
   country: a place in that country, on dates that agree), where there is exactly one; otherwise it makes an incident of its own story, with the claims of that
   story of the same category, group and place (or, like it, without one) whose dates agree as in 2.
4. Copies of one story (same `dup_cluster_id`) are one story; per source (who the claim is
   attributed to, else the outlet, else the story) the largest value it gave is its value.
5. `low` is the smallest value claimed, `high` the largest (upper bounds where given), `best` the
   lower median of the sources' values: a value some source claimed, never beyond low and high.
   A vague claim ("dozens", "hundreds") is no count: it stays in v_figures and joins no estimate.
   `disagree`: the claims' bounds cannot all be true (one's lower bound above another's upper).

Claims of different counted groups ("15 civilians and 27 fighters") are different estimates: deaths
by side, as UCDP counts them. What the rule cannot see: two attacks in one town on one day whose
doers the text does not name are one incident; one doer named in two ways ("the regime", "Syrian
government forces") makes two; a city and the province around it are two places; a claim tied to
the wrong place or date by the figure's own columns is clustered there.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import polars as pl

from transforms import vocabulary
from transforms.dates import period
from transforms.ids import short_id
from transforms.rows import ESTIMATE_SCHEMA

CLAIM_SCHEMA: dict[str, Any] = {
    "figure_id": pl.String,
    "article_id": pl.String,
    "story": pl.String,  # dup_cluster_id
    "category": pl.String,
    "counted_group": pl.String,
    "place_key": pl.String,  # the place's gazetteer id, else its entity id; null where none
    "place_id": pl.String,  # the gazetteer's, where the place has one
    "place_entity_id": pl.String,
    "place": pl.String,
    "place_is_country": pl.Boolean,
    "country_code": pl.String,
    "latitude": pl.Float64,
    "longitude": pl.Float64,
    "event_date": pl.Date,
    "event_date_precision": pl.String,
    "event_date_basis": pl.String,  # said, earlier, published: only a date the text gives ties claims
    "qualifier": pl.String,
    "value_low": pl.Float64,
    "value_high": pl.Float64,
    "source": pl.String,
    "doer": pl.String,  # who did it, where the text names a doer (not the counted's own group)
}
_TIED_PRECISIONS = ("day", "week")


@dataclass
class _Incident:
    key: tuple[str, str, str | None]  # category, counted group, place key
    common: tuple[date, date] | None  # the period all its dated claims share
    claims: list[dict[str, Any]] = field(default_factory=list)
    doers: set[str] = field(default_factory=set)  # the words of the doers its claims name
    tied: bool = False  # its claims have a place and a date the text gives (rule 2): not one story's own

    def takes(self, r: dict[str, Any]) -> bool:
        """Another doer makes another incident ("government air strikes killed 45", "rebel rockets killed
        seven"); a doer named in other words is the same one where a word is shared ("the Syrian
        government", "government forces"; "rebel", "rebels")."""
        return not (r["doer"] and self.doers and not _words(r["doer"]) & self.doers)

    def add(self, r: dict[str, Any]) -> None:
        self.claims.append(r)
        if r["doer"]:
            self.doers |= _words(r["doer"])


def estimates(claims: pl.DataFrame) -> pl.DataFrame:
    """One row per incident (ESTIMATE_SCHEMA) from incident-scope claims (CLAIM_SCHEMA)."""
    rows = [r for r in claims.iter_rows(named=True) if _point(r) is not None and r["qualifier"] != "vague"]
    rows.sort(key=lambda r: (r["event_date"] or date.min, r["figure_id"]))
    tied: list[dict[str, Any]] = []
    loose: list[dict[str, Any]] = []
    for r in rows:
        can_tie = (
            r["place_key"]
            and not r["place_is_country"]
            and r["event_date_precision"] in _TIED_PRECISIONS
            and r["event_date_basis"] in ("said", "earlier")
        )
        (tied if can_tie else loose).append(r)
    incidents = _cluster(tied, lambda r: (r["category"], r["counted_group"] or "", r["place_key"]), tied=True)
    by_story: dict[tuple[str, str, str, str | None], list[_Incident]] = defaultdict(list)
    in_story: dict[tuple[str, str, str], list[_Incident]] = defaultdict(list)
    for inc in incidents:
        for story in {c["story"] for c in inc.claims}:
            by_story[(story, *inc.key)].append(inc)
            in_story[(story, inc.key[0], inc.key[1])].append(inc)
    unplaced = []
    for r in loose:
        group = r["counted_group"] or ""
        if r["place_is_country"]:  # "12 killed in Syria" above the body's "12 killed in Aleppo on Monday"
            homes = [
                h
                for h in in_story.get((r["story"], r["category"], group), [])
                if r["country_code"] in {c["country_code"] for c in h.claims} and _agrees(h, r) and h.takes(r)
            ]
        elif r["place_key"]:  # "Six people were killed in Aleppo" below the lead's dated "in Aleppo on Sunday"
            homes = [
                h
                for h in by_story.get((r["story"], r["category"], group, r["place_key"]), [])
                if h.takes(r) and (r["event_date_basis"] not in ("said", "earlier") or _agrees(h, r))
            ]
        else:
            homes = []
        if len(homes) == 1:
            homes[0].add(r)
        else:
            unplaced.append(r)
    own = _cluster(unplaced, lambda r: (r["story"], r["category"], r["counted_group"] or "", r["place_key"]))
    incidents += own
    out = [_row(inc) for inc in incidents]
    if not out:
        return pl.DataFrame(schema=ESTIMATE_SCHEMA)
    return pl.DataFrame(out, schema=ESTIMATE_SCHEMA, orient="row")


def _cluster(rows: list[dict[str, Any]], key_of: Any, tied: bool = False) -> list[_Incident]:
    """Claims with the same key whose periods overlap what the incident's claims so far have in common
    (a claim with no date overlaps any); sorted by the start of their periods, so the check is local."""
    out: list[_Incident] = []
    open_by_key: dict[tuple[Any, ...], list[_Incident]] = defaultdict(list)
    for r in sorted(rows, key=_order):
        key = key_of(r)
        lo, hi = _window(r)
        # Of the incidents it fits, the one with most claims, then the one whose values are nearest its
        # own: a claim naming no doer goes where most of the reports are, not to whichever came first.
        fits = [inc for inc in open_by_key[key] if _agrees(inc, r) and inc.takes(r)]
        home = max(fits, key=lambda inc: (len(inc.claims), -_distance(inc, r))) if fits else None
        if home is None:
            home = _Incident(key[-3:], (lo, hi), tied=tied)
            open_by_key[key].append(home)
            out.append(home)
        else:
            assert home.common is not None
            home.common = (max(lo, home.common[0]), min(hi, home.common[1]))
        home.add(r)
    return out


def _distance(inc: _Incident, r: dict[str, Any]) -> float:
    """How far a claim's value is from an incident's, in orders of magnitude."""
    values = sorted(p for p in map(_point, inc.claims) if p is not None)
    mine = _point(r)
    if not values or mine is None:
        return 0.0
    return abs(math.log1p(mine) - math.log1p(values[(len(values) - 1) // 2]))


def _order(r: dict[str, Any]) -> tuple[Any, ...]:
    """Claims in the order of their periods, then of what they say: never of their ids, which depend
    on the path the article was read from."""
    lo, hi = _window(r)
    point = _point(r)
    return (lo, hi, point if point is not None else -1.0, r["source"] or "", r["doer"] or "", r["figure_id"])


def _words(name: str) -> set[str]:
    """A doer's words that name it: not a people's adjective ("Syrian army", "Syrian rebels" share no
    word), not a filler; "anti-government" is one word."""
    words = {w.removesuffix("s") for w in re.findall(r"[a-z][a-z-]+", name.lower())}
    return {w for w in words - _NOT_NAMES if not _PEOPLES_ADJECTIVE.search(w)}


_PEOPLES_ADJECTIVE = re.compile(r"(?:ian|ish|ese|ean)$|^(?:iraqi|israeli|saudi|yemeni|pakistani|afghani)$")


_NOT_NAMES = frozenset(vocabulary.words("figure_words.csv", "not_doer_word"))


def _agrees(inc: _Incident, r: dict[str, Any]) -> bool:
    """The claim's date does not contradict what the incident's claims have in common."""
    lo, hi = _window(r)
    return inc.common is None or (lo <= inc.common[1] and inc.common[0] <= hi)


def _point(r: dict[str, Any]) -> float | None:
    return r["value_low"] if r["value_low"] is not None else r["value_high"]


def _window(r: dict[str, Any]) -> tuple[date, date]:
    if r["event_date"] is None or r["event_date_precision"] not in ("day", "week", "month", "year"):
        return date.min, date.max
    lo, hi = period(r["event_date"], r["event_date_precision"])
    if r["event_date_precision"] == "day":
        lo, hi = lo - timedelta(days=1), hi + timedelta(days=1)
    return lo, hi


def _row(inc: _Incident) -> tuple[Any, ...]:
    claims = inc.claims
    points = [p for p in map(_point, claims) if p is not None]  # every claim has one (see estimates())
    uppers = [c["value_high"] if c["value_high"] is not None else c["value_low"] for c in claims]
    per_source: dict[str, float] = {}
    for c, p in zip(claims, points, strict=True):
        name = (c["source"] or c["story"]).strip()
        per_source[name] = max(per_source.get(name, p), p)
    every_source = {(c["source"] or c["story"]).strip() for c in claims}
    values = sorted(per_source.values())
    best = values[(len(values) - 1) // 2]
    low, high = min(points), max(u for u in uppers if u is not None)
    lowers = [c["value_low"] if c["value_low"] is not None else 0.0 for c in claims]
    tops = [c["value_high"] if c["value_high"] is not None else float("inf") for c in claims]
    disagree = max(lowers) > min(tops)
    # Exact claims: value_low = value_high, so two different exact values disagree too.
    place_claim = next((c for c in claims if c["place_key"] == inc.key[2] and c["place"]), None) or next(
        (c for c in claims if c["place"]), None
    )
    # Its dates are those the text gives; the article's date stands in only where no claim has one.
    dated = [c for c in claims if c["event_date_basis"] in ("said", "earlier")] or claims
    days = [
        d
        for c in dated
        if c["event_date"] is not None and c["event_date_precision"] in ("day", "week", "month", "year")
        for d in period(c["event_date"], c["event_date_precision"])
    ]
    ids = sorted(c["figure_id"] for c in claims)
    return (
        short_id("estimate", inc.key[0], ids[0]),
        inc.key[0],
        inc.key[1] or None,
        place_claim["place_entity_id"] if place_claim else None,
        place_claim["place"] if place_claim else None,
        place_claim["latitude"] if place_claim else None,
        place_claim["longitude"] if place_claim else None,
        min(days) if days else None,
        max(days) if days else None,
        low,
        min(max(best, low), high),
        high,
        len(claims),
        len(every_source),
        len({c["story"] for c in claims}),
        sorted(every_source),
        disagree,
        ids,
        place_claim["place_id"] if place_claim else None,
        inc.tied,
    )
