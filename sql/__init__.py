"""The warehouse's SQL, shipped inside the package (so `pip install .` has it too):

- `NNN_*.sql` here: the schema (tables, then the contract views), run in order by every migration;
- `steps/`: queries a run step reads (the claims the incidents are made of);
- `queries/`: ready analyst queries (`newsetl sql --file NAME`, the report's tables);
- `tests/`: data tests, each a query that must return zero rows.
"""

from __future__ import annotations

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
