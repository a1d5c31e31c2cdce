"""What a figure is a claim about: scope, event date and counted group. Pure rules on figures built
by hand, no model (the golden test in tests/test_golden.py checks them on real articles)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from transforms.claims import annotate, counted_group
from transforms.figures import Figure
from transforms.sentences import Sentence

SUNDAY = datetime(2021, 3, 14, 9, 30)


def fig(sentence: Sentence, surface: str, category: str = "killed", counted: str | None = None, **kw) -> Figure:
    start = sentence.start + sentence.text.index(surface)
    value = float(surface.split()[-1]) if surface.split()[-1].isdigit() else None
    base = Figure(
        figure_id=f"f{start}",
        sentence_index=sentence.index,
        start=start,
        end=start + len(surface),
        surface=surface,
        value_low=value,
        value_high=value,
        qualifier="exact",
        category=category,
        counted=counted,
        actor=None,
        location=None,
        attributed_to=None,
        actor_entity_id=None,
        location_entity_id=None,
        attributed_entity_id=None,
    )
    return replace(base, **kw)


def sentences(*texts: str) -> list[Sentence]:
    out, pos = [], 0
    for i, t in enumerate(texts):
        out.append(Sentence(i, pos, pos + len(t), t))
        pos += len(t) + 1
    return out


def claim(text: str, surface: str, published: datetime | None = SUNDAY, **kw) -> Figure:
    sents = sentences(text)
    return annotate(" ".join(s.text for s in sents), published, sents, [], [fig(sents[0], surface, **kw)])[0]


@pytest.mark.parametrize(
    ("text", "surface", "scope"),
    [
        ("An air strike killed 12 people in the village on Friday.", "12", "incident"),
        ("The death toll rose to 40 on Saturday.", "40", "cumulative"),
        ("Medics said a total of 85 have died.", "85", "cumulative"),
        ("More than 380 people have been killed since 2011.", "380", "cumulative"),
        ("The conflict, which has killed 5200 people, goes on.", "5200", "cumulative"),
        ("The ongoing war killing at least 3000 people shows no end.", "3000", "cumulative"),
        ("Some 90 were killed in the past ten days.", "90", "cumulative"),
        ("Jets killed 77 militants during the past week.", "77", "cumulative"),
        ("The two-week battle has cost the lives of at least 63 rebels.", "63", "cumulative"),
        ("So far this year 71 journalists have been killed.", "71", "cumulative"),
        ("Officials counted 25000 dead.", "25000", "cumulative"),  # a war's toll, not an attack's
        ("Officials counted 25000 dead on Friday.", "25000", "incident"),
        ("The town holds 300 fighters.", "300", "unknown"),
    ],
)
def test_scope(text: str, surface: str, scope: str) -> None:
    category = "fighters" if "fighters" in text else "killed"
    assert claim(text, surface, category=category).scope == scope


def test_the_toll_of_one_attack_said_once_is_an_incident() -> None:
    # "put the death toll at" an attack's own count: no running total
    assert claim("Medics put the death toll at 23.", "23").scope == "incident"


@pytest.mark.parametrize(
    ("text", "surface", "want"),
    [
        ("A car bomb killed 9 people on Friday.", "9", (date(2021, 3, 12), "day", "said")),
        ("The army said on Saturday that 9 soldiers died on Thursday.", "9", (date(2021, 3, 11), "day", "said")),
        ("The army said on Saturday that 9 soldiers died.", "9", (date(2021, 3, 13), "day", "said")),
        ("Shelling killed 4 civilians last week.", "4", (date(2021, 3, 7), "week", "said")),
        ("Shelling killed 4 civilians.", "4", (date(2021, 3, 14), "week", "published")),
        ("The death toll rose to 30.", "30", (date(2021, 3, 14), "day", "published")),  # as of the article's day
    ],
)
def test_event_date(text: str, surface: str, want: tuple[date, str, str]) -> None:
    got = claim(text, surface)
    assert (got.event_date, got.event_date_precision, got.event_date_basis) == want


def test_without_an_anchor_a_relative_date_is_unknown() -> None:
    got = claim("A car bomb killed 9 people on Friday.", "9", published=None)
    assert (got.event_date, got.event_date_precision) == (None, "unknown")


def test_a_dateline_wins_over_published_and_is_no_event_date() -> None:
    text = "Tue 02 Feb 2016 Rebels shelled the town killing 7 people."
    sents = sentences(text)
    got = annotate(text, datetime(2016, 1, 20), sents, [], [fig(sents[0], "7")])[0]
    assert (got.event_date, got.event_date_precision, got.event_date_basis) == (date(2016, 2, 2), "week", "published")


def test_the_leads_date_holds_for_the_story_until_another_incident() -> None:
    sents = sentences(
        "A suicide bomber struck a checkpoint on Thursday.",
        "At least 14 people were killed.",
        "Elsewhere, 3 people died in shelling.",
    )
    text = " ".join(s.text for s in sents)
    got = annotate(text, SUNDAY, sents, [], [fig(sents[1], "14"), fig(sents[2], "3")])
    assert (got[0].event_date, got[0].event_date_basis) == (date(2021, 3, 11), "earlier")
    assert (got[1].event_date, got[1].event_date_basis) == (date(2021, 3, 14), "published")


def test_a_part_is_marked() -> None:
    sents = sentences("The raid killed 40 people, including 12 children.")
    text = sents[0].text
    got = annotate(text, SUNDAY, sents, [], [fig(sents[0], "40"), fig(sents[0], "12", counted="children")])
    assert [g.is_part for g in got] == [False, True]


@pytest.mark.parametrize(
    ("counted", "kw", "want"),
    [
        ("civilians", {}, "civilians"),
        ("schoolchildren", {}, "civilians"),
        ("Syrian soldiers", {}, "Syrian army"),
        ("Turkish troops", {}, "Turkish army"),
        ("regime soldiers", {"location_entity_id": "e1"}, "Syrian army"),  # the state of the place
        ("government troops", {}, "Syrian army"),
        ("policemen", {}, None),
        ("ISIS fighters", {"actor": "ISIS", "actor_entity_id": "isis"}, "Islamic State"),  # one name across articles
        ("rebels", {}, "rebels"),
        ("people", {}, None),
        ("tanks", {}, None),
    ],
)
def test_counted_group(counted: str, kw: dict, want: str | None) -> None:
    sent = sentences(f"Shelling killed 5 {counted}.")[0]
    f = fig(sent, "5", counted=counted, **kw)
    assert counted_group(f, "SY", {"SY": "Syrian"}, {"isis": "Islamic State"}) == want


def test_soldiers_of_no_known_state() -> None:
    sent = sentences("Shelling killed 5 government troops.")[0]
    assert counted_group(fig(sent, "5", counted="government troops"), None, {}) == "government forces"
    sent = sentences("Shelling killed 5 soldiers.")[0]
    assert counted_group(fig(sent, "5", counted="soldiers"), None, {}) is None


def test_a_date_said_after_the_number_holds_for_the_next_sentences() -> None:
    sents = sentences(
        "At least 12 people were killed in the raid on Saturday.", "Rescuers said 20 others were wounded."
    )
    text = " ".join(s.text for s in sents)
    got = annotate(text, SUNDAY, sents, [], [fig(sents[0], "12"), fig(sents[1], "20", category="wounded")])
    assert [(g.event_date, g.event_date_basis) for g in got] == [
        (date(2021, 3, 13), "said"),
        (date(2021, 3, 13), "earlier"),
    ]


def test_the_weekday_of_a_dateline_is_no_event_date() -> None:
    text = "Saturday 13 Mar 2021 Syria: At least 12 people were killed."
    sents = sentences(text)
    got = annotate(text, None, sents, [], [fig(sents[0], "12")])[0]
    assert (got.event_date, got.event_date_precision, got.event_date_basis) == (date(2021, 3, 13), "week", "published")
