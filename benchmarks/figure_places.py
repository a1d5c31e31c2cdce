"""Where figures happen: how many figures have a location, and how many of those are on the map.

    .venv/bin/python -m benchmarks.figure_places --db warehouse.duckdb [--top 15]

Reads the public views only (v_figures, v_entities, v_entity_mentions; ../shared/CONTRACT.md) and
prints, never asserts:

1. figures, figures with a location, those linked to an entity (location_entity_id), those whose
   entity is a place with coordinates, and those whose location is a people's name (NORP: "Syrian");
2. the top locations by figures, with their entity's label, place id and coordinates;
3. the spellings each place id gathers ("Deir Ezzor", "Deir ez-Zor"), and places spelt one way that
   still end up as two entities, the clusters a gazetteer should have merged.
"""

from __future__ import annotations

import argparse
import sys

import duckdb


def _share(part: int, whole: int) -> str:
    return f"{part:,} ({part / whole:.1%})" if whole else f"{part:,}"


def report(con: duckdb.DuckDBPyConnection, top: int) -> None:
    counts = con.sql(
        """
        SELECT count(*),
               count(*) FILTER (WHERE f.location IS NOT NULL),
               count(*) FILTER (WHERE f.location_entity_id IS NOT NULL),
               count(*) FILTER (WHERE f.location_latitude IS NOT NULL),
               count(*) FILTER (WHERE e.place_id IS NOT NULL),
               count(*) FILTER (WHERE e.label = 'NORP')
        FROM v_figures f LEFT JOIN v_entities e ON e.entity_id = f.location_entity_id
        """
    ).fetchall()
    total, located, linked, mapped, placed, norp = counts[0]
    print(f"figures                          {total:,}")
    print(f"  with a location                {_share(located, total)}")
    print(f"    linked to an entity          {_share(linked, located)}")
    print(f"    linked to a gazetteer place  {_share(placed, located)}")
    print(f"    with coordinates             {_share(mapped, located)}")
    print(f"    a people's name (NORP)       {_share(norp, located)}")

    print(f"\ntop {top} locations (figures, entity label, place, coordinates)")
    rows = con.sql(
        f"""
        SELECT f.location, count(*) AS n, any_value(e.label), any_value(e.place_id),
               any_value(f.location_latitude), any_value(f.location_longitude)
        FROM v_figures f LEFT JOIN v_entities e ON e.entity_id = f.location_entity_id
        WHERE f.location IS NOT NULL GROUP BY f.location ORDER BY n DESC, f.location LIMIT {int(top)}
        """
    ).fetchall()
    for loc, n, label, place_id, lat, lon in rows:
        where = f"{lat:.3f},{lon:.3f}" if lat is not None else "-"
        print(f"  {n:5,}  {loc[:40]:40} {label or '-':5} {place_id or '-':18} {where}")

    print("\nspellings per place (place ids said more than one way, most mentions first)")
    rows = con.sql(
        """
        SELECT place_id, count(DISTINCT entity_id), count(*) AS n,
               list_sort(list_distinct(list(mention_text))) AS spellings
        FROM v_entity_mentions WHERE place_id IS NOT NULL GROUP BY place_id
        HAVING count(DISTINCT mention_text) > 1 ORDER BY n DESC LIMIT 25
        """
    ).fetchall()
    for place_id, entities, n, spellings in rows:
        print(f"  {place_id:18} {n:5,} mentions, {entities} entit{'y' if entities == 1 else 'ies'}: {spellings}")

    print("\nlocations that are not places: the most frequent NORP and unresolved figure locations")
    rows = con.sql(
        """
        SELECT f.location, coalesce(e.label, '-'), count(*) AS n
        FROM v_figures f LEFT JOIN v_entities e ON e.entity_id = f.location_entity_id
        WHERE f.location IS NOT NULL AND (e.label = 'NORP' OR e.place_id IS NULL)
        GROUP BY ALL ORDER BY n DESC, f.location LIMIT 10
        """
    ).fetchall()
    for loc, label, n in rows:
        print(f"  {n:5,}  {loc[:40]:40} {label}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="warehouse file")
    parser.add_argument("--top", type=int, default=15, help="locations to list (default 15)")
    args = parser.parse_args(argv)
    try:
        con = duckdb.connect(args.db, read_only=True)
    except duckdb.Error as exc:
        print(f"cannot open {args.db}: {exc}", file=sys.stderr)
        return 2
    with con:
        report(con, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
