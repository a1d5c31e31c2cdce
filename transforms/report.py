"""The warehouse as one self-contained HTML page: figures by category over time, places on a map,
top sources. Plain values in, an HTML string out; inline SVG and CSS, nothing fetched from anywhere.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

# Colour-blind-safe palette (Okabe-Ito), then grey for everything else.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
OTHER = "#999999"


@dataclass(frozen=True)
class ReportData:
    totals: Mapping[str, Any]  # articles, figures, entities, first/last published, last run...
    periods: Sequence[tuple[str, str, int]]  # (period label, category, figures), periods in order
    period_unit: str  # "month" or "year"
    undated: int  # figures whose article has no date
    # place, country_code, latitude, longitude, n_figures, n_articles, incidents, killed (the sum of the
    # place's incident estimates' best), latest_toll, latest_toll_as_of, largest_toll (running totals claimed)
    places: Sequence[Mapping[str, Any]]
    sources: Sequence[Mapping[str, Any]]  # source, n_figures, n_articles
    # one row per claim of an incident whose claims cannot all be true: estimate_id, category, place,
    # date_from, date_to, low, best, high, n_sources, surface, source, source_id, sentence
    disagreeing: Sequence[Mapping[str, Any]] = ()


def render(data: ReportData, title: str = "newsetl warehouse report", articles: str | None = None) -> str:
    """The page. `articles`: the folder (relative to the page) of the articles' marked-up pages; the
    claim tables link each claim's article there."""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        _totals(data.totals),
        "<h2>Figures by category over time</h2>",
        _stacked_bars(data.periods, data.period_unit, data.undated),
        "<h2>Places with the most figures</h2>",
        _map(data.places),
        _places_table(data.places),
        "<h2>Incidents whose sources disagree</h2>",
        _disagreeing(data.disagreeing, articles),
        "<h2>Top sources of figures</h2>",
        _hbars([(str(s["source"]), int(s["n_figures"])) for s in data.sources], "figures attributed"),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _totals(t: Mapping[str, Any]) -> str:
    items = "".join(f"<li><b>{_e(_fmt(v))}</b> {_e(k.replace('_', ' '))}</li>" for k, v in t.items())
    return f'<ul class="totals">{items}</ul>'


def _stacked_bars(rows: Sequence[tuple[str, str, int]], unit: str, undated: int) -> str:
    if not rows:
        return "<p>No dated figures.</p>"
    periods = list(dict.fromkeys(p for p, _, _ in rows))
    by_cat: dict[str, int] = {}
    for _, cat, n in rows:
        by_cat[cat] = by_cat.get(cat, 0) + n
    shown = [c for c, _ in sorted(by_cat.items(), key=lambda kv: (-kv[1], kv[0]))][: len(PALETTE)]
    colour = {c: PALETTE[i] for i, c in enumerate(shown)}
    stacks: dict[str, dict[str, int]] = {p: {} for p in periods}
    for p, cat, n in rows:
        key = cat if cat in colour else "other categories"
        stacks[p][key] = stacks[p].get(key, 0) + n
    top = max(sum(s.values()) for s in stacks.values()) or 1
    width, height, left, bottom = 900, 260, 50, 40
    bar_w = (width - left) / len(periods)
    svg = [f'<svg viewBox="0 0 {width} {height + bottom}" role="img" aria-label="figures by category per {unit}">']
    svg += _y_axis(top, left, height, width)
    label_every = max(1, math.ceil(len(periods) / 20))
    for i, p in enumerate(periods):
        x = left + i * bar_w
        y = float(height)
        for cat in [*shown, "other categories"]:
            n = stacks[p].get(cat, 0)
            if not n:
                continue
            h = n / top * (height - 10)
            y -= h
            fill = colour.get(cat, OTHER)
            svg.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" fill="{fill}">'
                f"<title>{_e(p)}: {n:,} {_e(cat)}</title></rect>"
            )
        if i % label_every == 0:
            svg.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height + 15}" class="tick" text-anchor="middle">{_e(p)}</text>'
            )
    svg.append("</svg>")
    legend = "".join(
        f'<span><i style="background:{colour.get(c, OTHER)}"></i>{_e(c)}</span>'
        for c in [*shown, *(["other categories"] if len(by_cat) > len(shown) else [])]
    )
    note = f"<p class='note'>Per {unit}, by the article's publication date; {undated:,} figures in undated articles are left out.</p>"
    return "\n".join(svg) + f'<div class="legend">{legend}</div>{note}'


def _y_axis(top: int, left: int, height: int, width: int) -> list[str]:
    out = []
    for frac in (0, 0.5, 1):
        y = height - frac * (height - 10)
        out.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{left - 5}" y="{y + 4:.1f}" class="tick" text-anchor="end">{round(top * frac):,}</text>')
    return out


def _map(places: Sequence[Mapping[str, Any]]) -> str:
    """Places with coordinates on an equirectangular plot, zoomed to them, dots sized by figures."""
    pts = [p for p in places if p.get("latitude") is not None and p.get("longitude") is not None]
    if not pts:
        return "<p>No place with coordinates yet.</p>"
    lats = [float(p["latitude"]) for p in pts]
    lons = [float(p["longitude"]) for p in pts]
    pad = 2.0
    lat0, lat1 = max(-90.0, min(lats) - pad), min(90.0, max(lats) + pad)
    lon0, lon1 = max(-180.0, min(lons) - pad), min(180.0, max(lons) + pad)
    width, m = 900, 30  # m: a margin, so dots and labels at the edges are not cut
    scale = (width - 2 * m) / max(lon1 - lon0, 1e-6)
    height = max(200.0, min(600.0, (lat1 - lat0) * scale))
    scale_y = height / max(lat1 - lat0, 1e-6)

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return m + (lon - lon0) * scale, m + (lat1 - lat) * scale_y

    most = max(int(p["n_figures"]) for p in pts) or 1
    svg = [f'<svg viewBox="0 0 {width} {height + 2 * m:.0f}" class="map" role="img" aria-label="places on a map">']
    step = 1 if lon1 - lon0 <= 10 else 5 if lon1 - lon0 <= 60 else 30
    for lon in range(math.ceil(lon0 / step) * step, math.floor(lon1) + 1, step):
        x, _ = xy(lat0, lon)
        svg.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{height + 2 * m:.0f}" class="grid"/>')
        svg.append(f'<text x="{x + 2:.1f}" y="{height + 2 * m - 4:.0f}" class="tick">{lon}°</text>')
    for lat in range(math.ceil(lat0 / step) * step, math.floor(lat1) + 1, step):
        _, y = xy(lat, lon0)
        svg.append(f'<line x1="0" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        svg.append(f'<text x="2" y="{y - 2:.1f}" class="tick">{lat}°</text>')
    ranked = sorted(pts, key=lambda p: -int(p["n_figures"]))
    for rank, p in enumerate(ranked):
        x, y = xy(float(p["latitude"]), float(p["longitude"]))
        r = 3 + 12 * math.sqrt(int(p["n_figures"]) / most)
        svg.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" class="dot"><title>{_e(p["place"])}'
            f" ({_e(p.get('country_code') or '?')}): {int(p['n_figures']):,} figures</title></circle>"
        )
        if rank < 12:  # labels right of the dot, or left of it near the right edge
            right = x < width - 160
            lx, anchor = (x + r + 2, "start") if right else (x - r - 2, "end")
            svg.append(
                f'<text x="{lx:.1f}" y="{y + 4:.1f}" class="label" text-anchor="{anchor}">{_e(p["place"])}</text>'
            )
    svg.append("</svg>")
    return "\n".join(svg)


def _places_table(places: Sequence[Mapping[str, Any]]) -> str:
    if not places:
        return "<p>No figure has a place yet.</p>"
    head = "<tr>" + "".join(f"<th>{_e(label)}</th>" for _, label in _PLACE_COLUMNS) + "</tr>"
    rows = "".join(
        "<tr>" + "".join(f"<td>{_e(_fmt(p.get(k)))}</td>" for k, _ in _PLACE_COLUMNS) + "</tr>" for p in places
    )
    note = (
        "<p class=\"note\">killed: the sum of the place's incidents' best estimates (each incident counted once "
        "across its articles and sources; running totals are never added in); of which placed and dated: "
        "incidents whose place and date the text gives, so that other articles' reports of them join them "
        "(the rest are one story's own, and another story may tell the same one); beside it the running "
        "totals claimed for the place: the latest and the largest.</p>"
    )
    return f"<table>{head}{rows}</table>{note}"


_PLACE_COLUMNS = (
    ("place", "place"),
    ("country_code", "country"),
    ("n_figures", "figures"),
    ("n_articles", "articles"),
    ("incidents", "incidents"),
    ("killed", "killed (incidents' best)"),
    ("killed_tied", "of which placed and dated"),
    ("disagreeing", "incidents whose sources disagree"),
    ("latest_toll", "latest running total"),
    ("latest_toll_as_of", "as of"),
    ("largest_toll", "largest running total"),
)


def _article_link(row: Mapping[str, Any], folder: str | None) -> str:
    if folder is None or not row.get("article_id"):
        return _e(row["source_id"])
    href = f"{quote(folder)}/{quote(str(row['article_id']))}.html"
    return f'<a href="{_e(href)}">{_e(row["source_id"])}</a>'


def _disagreeing(rows: Sequence[Mapping[str, Any]], articles: str | None = None) -> str:
    if not rows:
        return "<p>No incident has claims that cannot all be true.</p>"
    out, current = [], None
    for r in rows:
        if r["estimate_id"] != current:
            if current is not None:
                out.append("</table>")
            current = r["estimate_id"]
            when = _fmt(r["date_from"]) + ("" if r["date_to"] == r["date_from"] else f" to {_fmt(r['date_to'])}")
            out.append(
                f"<h3>{_e(r['category'])} in {_e(r['place'] or 'an unnamed place')}, {_e(when)}: "
                f"low {_e(_fmt(r['low']))}, best {_e(_fmt(r['best']))}, high {_e(_fmt(r['high']))} "
                f"({_e(r['n_sources'])} sources)</h3><table><tr><th>claim</th><th>source</th><th>article</th>"
                "<th>sentence</th></tr>"
            )
        out.append(
            f"<tr><td>{_e(r['surface'])}</td><td>{_e(r['source'])}</td><td>{_article_link(r, articles)}</td>"
            f"<td>{_e(r['sentence'])}</td></tr>"
        )
    out.append("</table>")
    return "\n".join(out)


def _hbars(items: Sequence[tuple[str, int]], what: str) -> str:
    if not items:
        return "<p>No attributed figures yet.</p>"
    most = max(n for _, n in items) or 1
    row_h, left, width = 22, 260, 900
    svg = [f'<svg viewBox="0 0 {width} {row_h * len(items) + 10}" role="img" aria-label="{_e(what)}">']
    for i, (name, n) in enumerate(items):
        y = i * row_h + 4
        w = (width - left - 60) * n / most
        short = name if len(name) <= 40 else name[:37] + "..."
        svg.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" class="label">{_e(short)}</text>')
        svg.append(
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{row_h - 6}" fill="{PALETTE[0]}">'
            f"<title>{_e(name)}: {n:,} {_e(what)}</title></rect>"
        )
        svg.append(f'<text x="{left + w + 4:.1f}" y="{y + 14}" class="tick">{n:,}</text>')
    svg.append("</svg>")
    return "\n".join(svg)


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):  # run times are stored as naive UTC
        return f"{value:%Y-%m-%d %H:%M} UTC"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:960px;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;font-size:1.2em;border-bottom:1px solid #ddd}
svg{width:100%;height:auto;display:block}.tick{font-size:10px;fill:#555}.label{font-size:11px;fill:#222}
.grid{stroke:#e4e4e4;stroke-width:1}.map{background:#f7fbff;border:1px solid #ddd}
.dot{fill:#D55E00;fill-opacity:.55;stroke:#fff}
.legend span{margin-right:1em;white-space:nowrap}.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-1px}
.totals{display:flex;flex-wrap:wrap;gap:1.5em;list-style:none;padding:0}.note{color:#666;font-size:.9em}
table{border-collapse:collapse;margin-top:1em;font-size:.9em}td,th{border-bottom:1px solid #eee;padding:2px 8px;text-align:left}
"""
