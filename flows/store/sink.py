"""Where a run's rows go: the `Sink` the flows write through, and `DuckDBSink`, its implementation.

The flows (flows/ingest.py) reach the store through these methods only, in this order:

    open_run -> session() { write_batch, write_batch, ... } -> record_run -> publish -> close_run
    (a rebuild first reads its articles back: stale_count, stale_articles)

Each write is whole or absent (one transaction per call in DuckDB). Another store is one new module
with a class that has these methods, and one line in `sink_for`: for example a Parquet staging
sink for a distributed writer, where `write_batch` writes the batch's frames as files under a
staging folder and a separate single writer merges them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from flows.store import exports, warehouse
from flows.store.lock import forget_outcomes, unrecorded_outcomes
from transforms import EXTRACTOR_VERSION
from transforms.articles import RawDocument
from transforms.inputs import Reject
from transforms.plan import Known, SourceLink
from transforms.rows import ParsedBatch


@dataclass(frozen=True)
class RunRecord:
    """What a run writes when its batches are done (its status stays `running` until close_run)."""

    run_id: str
    status: str
    counts: dict[str, Any]
    rejects: Sequence[Reject]
    retire: Sequence[str]  # articles whose every name now points at another article's text
    links: Sequence[SourceLink]  # every name of this run
    names: Sequence[SourceLink]  # names not written with a batch (unchanged, duplicate, not parsed)
    changed: bool  # articles changed: recompute what is derived across articles
    error: str | None = None


class Sink(Protocol):
    def prepare(self, memory_mb: int, wait_seconds: float, say: Callable[[str], None]) -> None:
        """Before the run is opened: its memory limit, and readers of the store it must wait for."""
        ...

    def open_run(self, run_id: str, flow_run_id: str | None, paths: list[str]) -> Known:
        """Ready the store (schema, runs left `running` by a killed process), record the run as
        started, and say what is loaded already (the planner skips it)."""
        ...

    def session(self) -> AbstractContextManager[None]:
        """Held while the batches are written (the store may keep its file open across them)."""
        ...

    def write_batch(
        self, batch: ParsedBatch, run_id: str, links: Sequence[SourceLink], pending: Sequence[SourceLink]
    ) -> dict[str, int]:
        """Replace the batch's articles and all their rows, whole or not at all; rows per table."""
        ...

    def record_run(self, record: RunRecord) -> dict[str, int]:
        """Names, rejects, derived tables and the run's counts; the store's rows per table after it."""
        ...

    def publish(self, exports_dir: Path, stamp: str, run_id: str) -> exports.Published:
        """The readers' snapshot of the store as it now is."""
        ...

    def close_run(self, run_id: str, status: str, error: str | None, published: Path | None) -> None:
        """The run's outcome; a snapshot published by it is current from now on."""
        ...

    def run_report(self, run_id: str) -> tuple[list[tuple[str, str, str]], list[dict[str, Any]]]:
        """The run's rejects and its largest new figures, for the run's artifact."""
        ...

    def stale_count(self, force_before: datetime | None) -> int: ...

    def stale_articles(self, limit: int, after: str, force_before: datetime | None) -> list[RawDocument]: ...


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class DuckDBSink:
    """The warehouse file: one writing process (the run lock sees to it), one transaction per write."""

    db: Path

    def prepare(self, memory_mb: int, wait_seconds: float, say: Callable[[str], None]) -> None:
        warehouse.limit_memory(memory_mb)
        # Readers come and go (a notebook, `duckdb -readonly`): a step that finds one waits for it.
        warehouse.wait_for_readers(wait_seconds, say)

    def open_run(self, run_id: str, flow_run_id: str | None, paths: list[str]) -> Known:
        with warehouse.connect(self.db) as con:
            warehouse.ensure_schema(con)
            # We hold the run lock: a run still marked 'running' was killed, or left its end in the lock file.
            warehouse.close_abandoned_runs(con, _now(), unrecorded_outcomes(self.db))
            warehouse.start_run(con, run_id, flow_run_id, paths, _now(), EXTRACTOR_VERSION)
            known = warehouse.known_content(con)
        forget_outcomes(self.db)
        return known

    def session(self) -> AbstractContextManager[None]:
        return warehouse.kept_open(self.db)

    def write_batch(
        self, batch: ParsedBatch, run_id: str, links: Sequence[SourceLink], pending: Sequence[SourceLink]
    ) -> dict[str, int]:
        with warehouse.connect(self.db) as con:
            warehouse.load_batch(con, batch, run_id, _now(), links, pending)
        return batch.row_counts

    def record_run(self, record: RunRecord) -> dict[str, int]:
        now = _now()
        with warehouse.connect(self.db) as con:
            warehouse.retire_articles(con, list(record.retire), record.run_id, now, record.links, record.names)
            warehouse.record_sources(con, list(record.names), record.run_id, now)
            warehouse.record_rejects(con, list(record.rejects), record.run_id, now)
            if record.changed:  # clusters and incidents change only when articles do
                warehouse.refresh_derived(con)
            warehouse.finish_run(con, record.run_id, record.status, record.counts, now, record.error)
            return warehouse.table_counts(con)

    def publish(self, exports_dir: Path, stamp: str, run_id: str) -> exports.Published:
        with warehouse.connect(self.db) as con:
            return exports.publish(con, self.db, exports_dir, stamp, run_id, _now())

    def close_run(self, run_id: str, status: str, error: str | None, published: Path | None) -> None:
        with warehouse.connect(self.db) as con:
            warehouse.set_run_status(con, run_id, status, _now(), error)
        if published is not None and status == "completed":
            exports.mark_current(published, self.db, run_id)

    def run_report(self, run_id: str) -> tuple[list[tuple[str, str, str]], list[dict[str, Any]]]:
        with warehouse.connect(self.db, read_only=True) as con:
            return warehouse.run_rejects(con, run_id), warehouse.largest_new_figures(con, run_id)

    def stale_count(self, force_before: datetime | None) -> int:
        with warehouse.connect(self.db) as con:
            return warehouse.stale_count(con, EXTRACTOR_VERSION, force_before)

    def stale_articles(self, limit: int, after: str, force_before: datetime | None) -> list[RawDocument]:
        with warehouse.connect(self.db) as con:
            return warehouse.stale_articles(con, EXTRACTOR_VERSION, limit, after, force_before)


def sink_for(db: Path) -> Sink:
    """The sink a run writes to. One store today: the DuckDB warehouse file."""
    return DuckDBSink(Path(db))
