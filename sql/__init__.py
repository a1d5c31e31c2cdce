"""The warehouse's SQL, shipped inside the package (so `pip install .` has it too):

- `NNN_*.sql` here: the schema (tables, then the contract views), run in order by every migration;
- `steps/`: queries a run step reads (the claims the incidents are made of);
- `queries/`: ready analyst queries (`newsetl sql --file NAME`, the report's tables);
- `tests/`: data tests, each a query that must return zero rows;
- `dictionary.csv`: the data dictionary, what every table, view and column holds: one line per
  object, one per column name (`*`: the same meaning wherever the name appears) and one per column
  whose meaning differs in one object. Every run writes it into the warehouse as `COMMENT ON`
  (and into the readers' snapshot); `newsetl schema` prints it.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent


def schema_scripts() -> list[Path]:
    """The DDL files in the order they run."""
    return sorted(SQL_DIR.glob("*.sql"))


def read(relative: str) -> str:
    """The text of one SQL file, e.g. `read("queries/killed_by_place.sql")`."""
    return (SQL_DIR / relative).read_text(encoding="utf-8")


def ready_queries() -> dict[str, Path]:
    """The ready queries by name (file stem)."""
    return {p.stem: p for p in sorted((SQL_DIR / "queries").glob("*.sql"))}


def data_tests() -> list[Path]:
    return sorted((SQL_DIR / "tests").glob("*.sql"))


@lru_cache(maxsize=1)
def _dictionary() -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    objects: dict[str, str] = {}
    columns: dict[tuple[str, str], str] = {}
    with open(SQL_DIR / "dictionary.csv", encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            if None in row or not row["description"]:  # an unquoted comma, or a missing description
                raise ValueError(f"sql/dictionary.csv line {n}: want object,column,description (quote commas)")
            if row["column"]:
                columns[(row["object"], row["column"])] = row["description"]
            else:
                objects[row["object"]] = row["description"]
    return objects, columns


def describe(obj: str, column: str | None = None) -> str | None:
    """The dictionary's description of a table or view, or of one of its columns (None: not described)."""
    objects, columns = _dictionary()
    if column is None:
        return objects.get(obj)
    return columns.get((obj, column)) or columns.get(("*", column))
