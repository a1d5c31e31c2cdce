"""One article with what was read from it marked: its figures, its entity mentions and its sentence
boundaries, as segments of the text (pure: plain values in, segments or an HTML string out).

Spans overlap (a figure's span often holds a mention: "500 ISIS fighters"), so the text is cut at
every boundary of every span, and each segment carries all the spans that cover it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Entity labels by colour (Okabe-Ito, colour-blind safe), the rest grey.
LABEL_COLOURS = {
    "PERSON": "#CC79A7",
    "ORG": "#0072B2",
    "GPE": "#009E73",
    "LOC": "#56B4E9",
    "NORP": "#D55E00",
    "FAC": "#E69F00",
}
OTHER_COLOUR = "#999999"
# Columns of a figure listed under the text, in this order.
FIGURE_COLUMNS = (
    "value_low",
    "value_high",
    "qualifier",
    "category",
    "counted",
    "actor",
    "location",
    "attributed_to",
    "scope",
    "event_date",
    "event_date_precision",
    "counted_group",
)


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str
    figures: tuple[int, ...]  # numbers (1-based, in text order) of the figures covering it
    label: str | None  # the entity label of the mention covering it (the innermost)
    entity_id: str | None
    sentence: int | None  # the sentence it is in (None: outside the body's sentences)
    sentence_start: bool  # a sentence begins here


def segments(
    text: str,
    sentences: Sequence[tuple[int, int]],
    mentions: Sequence[tuple[int, int, str, str | None]],
    figures: Sequence[tuple[int, int]],
    start: int = 0,
    end: int | None = None,
) -> list[Segment]:
    """The text from `start` to `end` cut at every span boundary. sentences: (start, end) in order;
    mentions: (start, end, label, entity_id); figures: (start, end), numbered 1.. in this order."""
    end = len(text) if end is None else end
    cuts = {start, end}
    for spans in (sentences, [(s, e) for s, e, _, _ in mentions], figures):
        for s, e in spans:
            cuts.update(x for x in (s, e) if start <= x <= end)
    bounds = sorted(cuts)
    starts = {s for s, _ in sentences}
    out = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        if a >= b:
            continue
        covering = [m for m in mentions if m[0] <= a and b <= m[1]]
        inner = min(covering, key=lambda m: m[1] - m[0]) if covering else None
        sentence = next((i for i, (s, e) in enumerate(sentences) if s <= a and b <= e), None)
        out.append(
            Segment(
                start=a,
                end=b,
                text=text[a:b],
                figures=tuple(n for n, (s, e) in enumerate(figures, start=1) if s <= a and b <= e),
                label=inner[2] if inner else None,
                entity_id=inner[3] if inner else None,
                sentence=sentence,
                sentence_start=a in starts,
            )
        )
    return out


def render_html(
    article: Mapping[str, Any],
    sentences: Sequence[tuple[int, int]],
    mentions: Sequence[tuple[int, int, str, str | None]],
    figures: Sequence[Mapping[str, Any]],
) -> str:
    """A self-contained page: the article's body with its marks, a legend, and a table of its figures
    (each row's number is the mark's in the text; hovering a mark shows its values)."""
    text = str(article["text"])
    spans = [(int(f["char_start"]), int(f["char_end"])) for f in figures]
    parts: list[str] = []
    for seg in segments(text, sentences, mentions, spans, int(article["body_start"]), int(article["body_end"])):
        if seg.sentence_start:
            parts.append(f'<span class="sb" data-sentence="{seg.sentence}" title="sentence {seg.sentence}"></span>')
        piece = _e(seg.text)
        if seg.label:
            colour = LABEL_COLOURS.get(seg.label, OTHER_COLOUR)
            piece = (
                f'<span class="ent" data-label="{_e(seg.label)}" data-entity-id="{_e(seg.entity_id or "")}" '
                f'style="border-bottom-color:{colour}" title="{_e(seg.label)}">{piece}</span>'
            )
        if seg.figures:
            n = seg.figures[0]
            fig = figures[n - 1]
            tip = "; ".join(f"{c} {fig.get(c)}" for c in FIGURE_COLUMNS if fig.get(c) is not None)
            piece = (
                f'<mark class="fig" data-figure="{n}" data-figure-id="{_e(fig["figure_id"])}" '
                f'data-category="{_e(fig.get("category"))}" title="{_e(tip)}">{piece}</mark>'
            )
        parts.append(piece)
    legend = "".join(
        f'<span class="ent" style="border-bottom-color:{c}">{label}</span> ' for label, c in LABEL_COLOURS.items()
    )
    head = "".join(f"<th>{c}</th>" for c in ("#", "surface", *FIGURE_COLUMNS))
    rows = "".join(
        f'<tr id="figure-{n}"><td>{n}</td><td>{_e(f["surface"])}</td>'
        + "".join(f"<td>{_e(_cell(f.get(c)))}</td>" for c in FIGURE_COLUMNS)
        + "</tr>"
        for n, f in enumerate(figures, start=1)
    )
    title = article.get("title") or article.get("source_id") or article["article_id"]
    meta = " · ".join(
        _e(str(v)) for v in (article.get("source_id"), article.get("source_name"), article.get("published_at")) if v
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1><p class=meta>{meta} · article <code>{_e(article['article_id'])}</code></p>"
        f'<p class=legend><mark class="fig">figure</mark> {legend}'
        '<span class="sb"></span> sentence start</p>'
        f'<div class="body">{"".join(parts)}</div>'
        f'<h2>Figures ({len(figures)})</h2><table class="figures"><tr>{head}</tr>{rows}</table>'
        "</body></html>"
    )


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


_CSS = """
body{font:16px/1.6 system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222}
.meta{color:#666}.body{white-space:pre-wrap}
mark.fig{background:#ffe066;padding:0 1px;border-radius:2px}
.ent{border-bottom:3px solid #999}
.sb{display:inline-block;width:2px;height:1em;background:#bbb;margin:0 3px;vertical-align:text-bottom}
table.figures{border-collapse:collapse;font-size:13px}
table.figures td,table.figures th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
.legend .ent{margin-right:.6em}
"""
