"""The markdown summary a flow run leaves as its Prefect artifact: plain values in, markdown out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

TABLES = ("articles", "sentences", "entity_mentions", "figures", "article_sources", "rejects")
MAX_REJECTS = 20


def run_markdown(
    run: Mapping[str, Any],
    written: Mapping[str, int],
    totals: Mapping[str, int],
    rejects: Sequence[tuple[str, str, str]],
    largest: Sequence[Mapping[str, Any]],
    timings: Mapping[str, float],
) -> str:
    """`run`: status, run_id, db, seconds and the article counts; `rejects`: (source, reason, detail)."""
    out = [
        f"# ingest {run['status']}: run {str(run['run_id'])[:12]}",
        "",
        f"Warehouse `{run['db']}`, {run['seconds']:.1f} s. Articles: {run['new']} new, {run['updated']} updated, "
        f"{run['unchanged']} unchanged, {run['duplicate']} duplicate, {run['rejected']} rejected.",
        "",
        "## Rows",
        "",
        "| table | written this run | in the warehouse |",
        "|---|---:|---:|",
    ]
    out += [f"| {t} | {written.get(t, 0):,} | {totals.get(t, 0):,} |" for t in TABLES if t in totals or t in written]
    out += ["", "## Timings", "", "| stage | seconds |", "|---|---:|"]
    out += [f"| {stage} | {secs:.2f} |" for stage, secs in timings.items()]
    out += ["", f"## Rejects ({len(rejects)})", ""]
    if rejects:
        out += ["| source | reason | detail |", "|---|---|---|"]
        out += [f"| {_md(s)} | {_md(r)} | {_md(d)} |" for s, r, d in rejects[:MAX_REJECTS]]
        if len(rejects) > MAX_REJECTS:
            out.append(f"\n{len(rejects) - MAX_REJECTS} more in v_rejects.")
    else:
        out.append("None.")
    out += ["", "## Largest new figures", ""]
    if largest:
        out += [
            "| figure | category | low | high | actor | location | said by | source |",
            "|---|---|---:|---:|---|---|---|---|",
        ]
        out += [
            "| "
            + " | ".join(
                _md(f.get(k))
                for k in (
                    "surface",
                    "category",
                    "value_low",
                    "value_high",
                    "actor",
                    "location",
                    "attributed_to",
                    "source_id",
                )
            )
            + " |"
            for f in largest
        ]
    else:
        out.append("No new figures.")
    return "\n".join(out) + "\n"


def _md(value: Any) -> str:
    """A table cell: no pipes or line breaks to break the table, numbers without a needless .0."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,}"
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 80 else text[:77] + "..."
