"""The marks of `newsetl show`, pure: segments at every span boundary, and the HTML page."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.show import render_html, segments

TEXT = "Officials said 500 ISIS fighters died. Rebels denied it."
SENTENCES = [(0, 38), (39, 56)]
MENTIONS = [(19, 23, "ORG", "ent_isis"), (39, 45, "NORP", None)]
FIGURES = [(15, 32)]  # "500 ISIS fighters": a figure holding a mention


def test_overlapping_spans_cut_into_segments() -> None:
    segs = segments(TEXT, SENTENCES, MENTIONS, FIGURES)
    assert "".join(s.text for s in segs) == TEXT
    isis = next(s for s in segs if s.text == "ISIS")
    assert isis.figures == (1,) and isis.label == "ORG" and isis.entity_id == "ent_isis" and isis.sentence == 0
    assert [s.text for s in segs if s.sentence_start] == ["Officials said ", "Rebels"]
    assert next(s for s in segs if s.text == "500 ").figures == (1,)
    assert next(s for s in segs if s.text == " died.").figures == ()


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(min_size=1, max_size=60),
    raw=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=8),
)
def test_segments_cover_the_text_and_carry_exactly_their_spans(text: str, raw: list[tuple[int, int]]) -> None:
    n = len(text)
    spans = sorted({(min(a, b) % (n + 1), max(a, b) % (n + 1)) for a, b in raw})
    spans = [(a, b) for a, b in spans if a < b]
    mentions = [(a, b, "ORG", None) for a, b in spans[::2]]
    figures = spans[1::2]
    segs = segments(text, [], mentions, figures)
    assert "".join(s.text for s in segs) == text
    for s in segs:
        assert s.figures == tuple(i for i, (a, b) in enumerate(figures, start=1) if a <= s.start and s.end <= b)
        assert (s.label is not None) == any(a <= s.start and s.end <= b for a, b, _, _ in mentions)


class _Marks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.figures: set[str] = set()
        self.entities: list[str] = []
        self.sentences = 0
        self.rows = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "mark" and a.get("data-figure"):
            self.figures.add(a["data-figure"] or "")
        if tag == "span" and a.get("class") == "ent" and a.get("data-label"):
            self.entities.append(a["data-label"] or "")
        if tag == "span" and a.get("class") == "sb" and a.get("data-sentence") is not None:
            self.sentences += 1
        if tag == "tr" and (a.get("id") or "").startswith("figure-"):
            self.rows += 1


def test_the_page_marks_every_figure_mention_and_sentence_and_escapes_text() -> None:
    article = {"article_id": "art_1", "source_id": "a.txt", "title": "<b>x</b>", "text": TEXT,
               "body_start": 0, "body_end": len(TEXT)}  # fmt: skip
    figure = {"figure_id": "fig_1", "char_start": 15, "char_end": 32, "surface": "500 ISIS fighters",
              "value_low": 500.0, "value_high": 500.0, "category": "fighters", "actor": "ISIS"}  # fmt: skip
    page = render_html(article, SENTENCES, MENTIONS, [figure])
    marks = _Marks()
    marks.feed(page)
    assert marks.figures == {"1"} and marks.rows == 1 and marks.sentences == 2
    assert marks.entities.count("ORG") == 1 and "NORP" in marks.entities
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
