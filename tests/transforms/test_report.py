from __future__ import annotations

from html.parser import HTMLParser

from transforms.report import ReportData, render


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.seen: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append(tag)
        self.links += [v or "" for k, v in attrs if k in ("src", "href")]
        if tag not in ("meta", "line", "rect", "circle", "br"):
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("line", "rect", "circle"):
            return
        assert self.open and self.open[-1] == tag, (self.open[-5:], tag)
        self.open.pop()


DATA = ReportData(
    totals={"articles": 2, "figures": 3},
    periods=[("2017-10", "fighters", 2), ("2017-11", "killed", 1)],
    period_unit="month",
    undated=4,
    places=[
        {
            "place": "Abu Kamal",
            "country_code": "SY",
            "latitude": 34.45,
            "longitude": 40.92,
            "n_figures": 2,
            "n_articles": 1,
            "killed": None,
        },
        {
            "place": "<script>",
            "country_code": None,
            "latitude": None,
            "longitude": None,
            "n_figures": 1,
            "n_articles": 1,
            "killed": 5.0,
        },
    ],
    sources=[{"source": "Ryan Dillon", "n_figures": 2, "n_articles": 1}],
)


def test_page_is_whole_self_contained_and_escaped() -> None:
    page = render(DATA)
    tags = _Tags()
    tags.feed(page)
    assert not tags.open  # every element closed
    assert tags.links == []  # nothing fetched: no src, no href
    assert tags.seen.count("svg") == 3  # time bars, map, sources
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Abu Kamal" in page and "Ryan Dillon" in page and "4 figures in undated articles" in page


def test_bars_scale_to_the_largest_period() -> None:
    page = render(DATA)
    heights = [float(part.split('"')[0]) for part in page.split('height="')[1:] if part[0].isdigit()]
    assert max(heights) == 250.0  # the tallest bar fills the chart (height 260 less 10 of headroom)


def test_empty_warehouse_renders_with_notes() -> None:
    page = render(ReportData({"articles": 0}, [], "month", 0, [], []))
    assert "No dated figures." in page and "No place with coordinates yet." in page
    assert "No attributed figures yet." in page


def test_incidents_whose_sources_disagree_read_side_by_side() -> None:
    from dataclasses import replace
    from datetime import date

    claim = {
        "estimate_id": "estimate_1",
        "category": "killed",
        "place": "Aleppo",
        "date_from": date(2017, 4, 15),
        "date_to": date(2017, 4, 15),
        "low": 20.0,
        "best": 126.0,
        "high": 130.0,
        "n_sources": 2,
    }
    rows = [
        {**claim, "surface": "126", "source": "Observatory", "source_id": "a1", "sentence": "126 people <b>died</b>."},
        {**claim, "surface": "20", "source": "SANA", "source_id": "a2", "sentence": "The toll was 20."},
    ]
    page = render(replace(DATA, disagreeing=rows))
    tags = _Tags()
    tags.feed(page)
    assert tags.open == ["html"] or tags.open == []
    assert "killed in Aleppo, 2017-04-15: low 20, best 126, high 130 (2 sources)" in page
    assert page.index("126 people &lt;b&gt;died") < page.index("The toll was 20.")  # escaped, in order
    assert "No incident has claims that cannot all be true." in render(DATA)
    assert "incidents' best" in page and "sum of lower bounds" not in page


def test_article_links_are_urls_even_for_odd_report_names() -> None:
    from transforms.report import _article_link

    row = {"source_id": "a<b>.txt", "article_id": "art_0123456789abcdef"}
    link = _article_link(row, "my report#1_articles")
    assert link == '<a href="my%20report%231_articles/art_0123456789abcdef.html">a&lt;b&gt;.txt</a>'
    assert _article_link(row, None) == "a&lt;b&gt;.txt"
