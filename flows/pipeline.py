"""The ingest and rebuild runs: inputs -> skip what is loaded -> parse in batches -> load -> record.

Written once, as steps (flows/runtime/steps.py): inside the Prefect flows of flows/ingest.py each
step is a Prefect task; in a run without Prefect (`newsetl ingest` on small inputs with no server
there, `--prefect never`) each is a plain call. Flows only orchestrate: each step is one I/O step or
one transform call, one per batch of documents, never one per document (a task run costs about
10 ms of orchestration).
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any

from flows.config.settings import Settings
from flows.readers.sources import Discovery, InputStream
from flows.runtime import parallel, processes, progress, steps
from flows.runtime.steps import step
from flows.store import exports
from flows.store.lock import note_outcome, run_lock
from flows.store.sink import RunRecord, Sink, sink_for
from transforms import EXTRACTOR_VERSION
from transforms.articles import PIPELINE_LANGUAGE, RawDocument, normalise_text
from transforms.ids import sha256_text
from transforms.inputs import Reject
from transforms.plan import Known, Plan, Planner, SourceLink, key_of
from transforms.rows import ParsedBatch
from transforms.run_report import run_markdown


@dataclass
class IngestSummary:
    run_id: str
    db: str
    files_seen: int = 0
    files_ignored: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    rejected: int = 0
    inputs: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    words: int = 0
    status: str = "running"
    timings: dict[str, float] = field(default_factory=dict)
    published: str | None = None
    shared_ids: int = 0  # inputs whose source_id another input already has: kept apart, never merged
    not_english: dict[str, int] = field(default_factory=dict)  # language -> articles stored, not parsed
    settings: dict[str, Any] = field(default_factory=dict)  # the resolved settings the run used

    def counts(self) -> dict[str, Any]:
        return {
            "n_files_seen": self.files_seen,
            "n_new": self.new,
            "n_updated": self.updated,
            "n_unchanged": self.unchanged,
            "n_duplicate": self.duplicate,
            "n_rejected": self.rejected,
            "rows_articles": self.rows.get("articles", 0),
            "rows_sentences": self.rows.get("sentences", 0),
            "rows_mentions": self.rows.get("entity_mentions", 0),
            "rows_figures": self.rows.get("figures", 0),
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# Inputs are read this many documents at a time (and parsed `batch_size` at a time): memory holds a
# few chunks whatever the corpus size, and two tasks per chunk cost nothing next to its parsing.
READ_CHUNK = 1024


@step("discover-inputs")
def discover(paths: list[str], max_bytes: int) -> InputStream:
    return InputStream(paths, max_bytes)


@step("read-inputs")
def read_chunk(stream: InputStream, max_docs: int) -> Discovery:
    return stream.read(max_docs)


@step("open-warehouse")
def open_warehouse(sink: Sink, run_id: str, flow_run_id: str | None, paths: list[str]) -> Known:
    return sink.open_run(run_id, flow_run_id, paths)


@step("plan")
def plan(docs: list[RawDocument], planner: Planner) -> Plan:
    return planner.plan(docs)


@step("parse-batch")
def parse(
    docs: list[RawDocument], model: str | None, nlp_batch_size: int, workers: int = 1
) -> tuple[ParsedBatch, list[Reject]]:
    # On the pool of worker processes (flows/runtime/parallel.py), the model loaded once in each; here if workers=1.
    return parallel.parse(docs, model, nlp_batch_size, workers)


@step("load-batch")
def load(
    sink: Sink, batch: ParsedBatch, run_id: str, links: list[SourceLink], pending: list[SourceLink]
) -> dict[str, int]:
    return sink.write_batch(batch, run_id, links, pending)


@step("record-run")
def record_run(
    sink: Sink, summary: IngestSummary, rejects: list[Reject], the_plan: Plan, error: str | None = None
) -> dict[str, int]:
    """The run's names, rejects, clusters and counts, with its status as it stands (`running` until
    the snapshot is published, then `close_run` sets the outcome)."""
    # Names of parsed documents were written with their batch; a batch that never loaded leaves its
    # names as they were, for the next run to redo.
    names = [lk for lk in the_plan.links if lk.key not in the_plan.parsed]
    record = RunRecord(
        run_id=summary.run_id,
        status=summary.status,
        counts=summary.counts(),
        rejects=rejects,
        retire=the_plan.retire,
        links=the_plan.links,
        names=names,
        changed=_changed(summary, the_plan),
        error=error,
    )
    return sink.record_run(record)


@step("close-run")
def close_run(sink: Sink, run_id: str, status: str, error: str | None, published: Path | None) -> None:
    """The run's outcome; then, the live file written for the last time, its snapshot is current."""
    sink.close_run(run_id, status, error, published)


@step("publish-snapshot")
def publish(sink: Sink, exports_dir: Path, stamp: str, run_id: str) -> exports.Published:
    return sink.publish(exports_dir, stamp, run_id)


@step("leave-artifact")
def leave_artifact(sink: Sink, summary: IngestSummary) -> None:
    rejects, largest = sink.run_report(summary.run_id)
    markdown = run_markdown(summary.__dict__, summary.rows, summary.totals, rejects, largest, summary.timings)
    steps.leave_markdown(markdown, "ingest-summary", f"ingest {summary.status}: counts, rejects, figures")


def ingest(settings: Settings, logger: Any) -> dict[str, Any]:
    """Ingest `settings.paths` into `settings.db`, then publish the readers' snapshot; the run's
    summary. One run at a time per warehouse: a second waits for its turn (NEWSETL_LOCK_TIMEOUT)."""
    with run_lock(settings.db, settings.lock_timeout, logger.warning):
        return _ingest(settings, logger)


@dataclass
class _Run:
    """What a run carries from its start to its record: one for ingest, one for rebuild."""

    settings: Settings
    sink: Sink
    logger: Any
    summary: IngestSummary
    clock: _Clock
    started: float = field(default_factory=time.perf_counter)
    rejects: list[Reject] = field(default_factory=list)
    plan: Plan = field(default_factory=Plan)
    recorded: bool = False  # names, rejects and counts written (status still `running`)
    planner: Planner | None = None
    # article id -> names this run planned against it (unchanged, duplicate), written at the end: a
    # batch that replaces that article must keep their text for them (warehouse._rehome_names)
    pending: dict[str, list[SourceLink]] = field(default_factory=dict)
    known: Known = field(default_factory=lambda: Known({}, {}))  # the warehouse's names at the start
    handled: int = 0  # inputs done with (loaded, unchanged, duplicate or rejected), for progress
    parsed: int = 0  # documents parsed (the time left is estimated from these)
    expected: int = 0  # inputs in all, as far as known before reading them


def _start(settings: Settings, logger: Any, paths: list[str]) -> tuple[_Run, Known]:
    sink = sink_for(settings.db)
    sink.prepare(settings.duckdb_memory_mb, settings.lock_timeout, logger.warning)
    summary = IngestSummary(run_id=uuid.uuid4().hex, db=str(settings.db), settings=settings.parameters())
    run = _Run(settings, sink, logger, summary, _Clock(summary.timings))
    # The run is on record before any work, so a failure at any later step leaves a 'failed' row.
    with run.clock("open"):
        known = open_warehouse(run.sink, summary.run_id, steps.flow_run_id(), paths)
    run.known = known
    return run, known


@contextmanager
def _recorded(run: _Run) -> Iterator[None]:
    """However the work ends, the run's outcome is written: completed, interrupted (Ctrl-C, SIGTERM:
    the batches loaded are kept), or failed with its error. The work includes recording (`_record`)
    and publishing the snapshot (`_publish`): a run is completed only once its readers' snapshot is."""
    summary = run.summary
    error: str | None = None
    try:
        yield
        summary.status = "completed"
    except KeyboardInterrupt as exc:  # flows/runtime/processes.py: the reason is the signal's
        summary.status, error = "interrupted", str(exc) or "interrupted (KeyboardInterrupt)"
        raise
    except BaseException as exc:
        signal = processes.pending_interrupt()  # an error the interrupt caused ("Query interrupted")
        if signal is not None:
            summary.status, error = "interrupted", str(signal)
            raise signal from exc
        summary.status, error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        summary.rejected = len(run.rejects)
        summary.seconds = round(time.perf_counter() - run.started, 2)
        try:
            if not run.recorded:
                _record(run, error)
            published = Path(summary.published).parent if summary.published else None
            with run.clock("record"):
                close_run(run.sink, summary.run_id, summary.status, error, published)
        except Exception as exc:
            work_failed = error is not None
            if not work_failed:
                summary.status, error = "failed", f"{type(exc).__name__}: {exc}"
            # Kept in the lock file for the next run to record; the run's own error is the one to report.
            note_outcome(run.settings.db, summary.run_id, summary.status, error or "")
            run.logger.warning("the run's outcome could not be written to the warehouse (the next run will): %s", exc)
            if not work_failed:
                raise
        if summary.status != "completed":
            _artifact_of_failed_run(run.sink, summary, run.logger)


def _record(run: _Run, error: str | None = None) -> None:
    """Names, rejects, retired articles, clusters and counts (no retiring after a failure)."""
    summary = run.summary
    summary.rejected = len(run.rejects)
    summary.seconds = round(time.perf_counter() - run.started, 2)
    with run.clock("record"):
        summary.totals = record_run(run.sink, summary, run.rejects, run.plan, error)
    run.recorded = True


def _ingest(settings: Settings, logger: Any) -> dict[str, Any]:
    run, known = _start(settings, logger, settings.paths)
    summary = run.summary
    with _recorded(run):
        with run.clock("discover"):
            stream = discover(settings.paths, int(settings.max_file_mb * 1024 * 1024))
        summary.files_seen, summary.files_ignored = stream.files_seen, stream.files_ignored
        run.expected = stream.expected
        logger.info("%d files seen, about %d inputs", stream.files_seen, stream.expected)
        run.planner = Planner(known, EXTRACTOR_VERSION)
        batches = _planned_batches(run, stream, run.planner)
        _parse_and_load(run, batches)
        logger.info(
            "%d inputs: %d new, %d updated, %d unchanged, %d duplicate, %d rejected",
            summary.inputs,
            summary.new,
            summary.updated,
            summary.unchanged,
            summary.duplicate,
            len(run.rejects),
        )
        _record(run)
        _publish(run)
    _leave_artifact(run)
    return summary.__dict__


def _planned_batches(
    run: _Run, stream: InputStream, planner: Planner
) -> Iterator[tuple[list[RawDocument], list[SourceLink]]]:
    """The documents to parse, `batch_size` at a time with their names, read and planned a chunk at
    a time as the parse window asks for more."""
    summary, size = run.summary, run.settings.batch_size
    yielded = 0
    waiting: list[RawDocument] = []
    links: dict[str, SourceLink] = {}
    while True:
        with run.clock("discover"):
            found = read_chunk(stream, READ_CHUNK)
        if not found.inputs:
            break
        with run.clock("plan"):
            chunk = plan(found.documents, planner)
        run.rejects += found.rejects
        run.plan.absorb(chunk)
        for lk in chunk.links:  # names planned against an article a later batch of the run may replace
            if lk.key not in chunk.parsed:
                run.pending.setdefault(lk.article_id, []).append(lk)
        summary.inputs += found.inputs
        summary.new, summary.updated = run.plan.new, run.plan.updated
        summary.unchanged, summary.duplicate = run.plan.unchanged, run.plan.duplicate
        run.handled += found.inputs - len(chunk.to_parse)
        progress.advance(run.handled, max(run.expected, run.handled), 0, run.parsed)
        parsing = {key_of(d) for d in chunk.to_parse}
        links.update((lk.key, lk) for lk in chunk.links if lk.key in parsing)
        waiting += chunk.to_parse
        while len(waiting) >= (cut := _batch_size(size, yielded, len(waiting))):
            batch, waiting = waiting[:cut], waiting[cut:]
            yielded += 1
            yield batch, [links.pop(key_of(d)) for d in batch]
    if waiting:
        yield waiting, [links.pop(key_of(d)) for d in waiting]
    _tell_shared_ids(run, planner)


# A run with more than one batch to parse starts with a batch this small (cut into one share per
# worker like any batch), so that the first rows and the progress bar's first estimate come after a
# few documents, not after `batch_size` of them. A run whose documents to parse fit one batch keeps
# it whole: it is parsed in this process, with no pool to start (an hourly run over a large inbox
# with a few new files among them included).
FIRST_BATCH = 16


def _batch_size(size: int, yielded: int, to_parse: int) -> int:
    """`size`, except the first batch while more than `size` documents are known to need parsing:
    FIRST_BATCH (a parse is per document, so where a batch ends changes nothing in what is parsed)."""
    return min(size, FIRST_BATCH) if yielded == 0 and to_parse > size else size


def _tell_shared_ids(run: _Run, planner: Planner) -> None:
    """Inputs whose source_id another input has too are kept apart; the summary and the log say so."""
    shared = planner.shared_ids()
    run.summary.shared_ids = sum(len(planner.id_keys[source_id]) for source_id, _ in shared)
    for source_id, keys in shared[:5]:
        run.logger.warning(
            "source id %r is given by %d different inputs (%s): kept apart as different documents "
            "(v_article_sources.source_key)",
            source_id,
            len(keys),
            ", ".join(keys[:3]) + (", ..." if len(keys) > 3 else ""),
        )


def _publish(run: _Run) -> None:
    """The readers' snapshot, after every completed run: it is never left behind its warehouse."""
    settings, summary = run.settings, run.summary
    if not settings.export:
        return
    with run.clock("publish"):
        stamp = f"{_now():%Y%m%d%H%M%S}-{summary.run_id[:8]}"
        published = publish(run.sink, settings.exports, stamp, summary.run_id)
    summary.published = str(published.snapshot)
    run.logger.info("published %s and %s (%.1f s)", published.snapshot, published.parquet_dir, published.seconds)


def _leave_artifact(run: _Run) -> None:
    """The `ingest-summary` artifact of the flow run (a run without Prefect has its summary in the
    warehouse only: `newsetl report`)."""
    run.summary.seconds = round(time.perf_counter() - run.started, 2)
    if steps.in_flow_run():
        leave_artifact(run.sink, run.summary)


@step("count-stale-articles")
def count_stale(sink: Sink, force_before: datetime | None) -> int:
    return sink.stale_count(force_before)


@step("read-stale-articles")
def read_stale(sink: Sink, limit: int, after: str, force_before: datetime | None) -> list[RawDocument]:
    return sink.stale_articles(limit, after, force_before)


def rebuild(settings: Settings, logger: Any, force: bool = False) -> dict[str, Any]:
    """Re-derive sentences, entities and figures from the stored text of every article made by
    another extractor version (all articles with force=True); no source files are needed."""
    with run_lock(settings.db, settings.lock_timeout, logger.warning):
        run, _ = _start(settings, logger, [f"rebuild:{settings.db}"])
        summary = run.summary
        force_before = _now() if force else None
        with _recorded(run):
            with run.clock("read"):
                run.expected = count_stale(run.sink, force_before)
            progress.advance(0, run.expected, 0, 0)  # the bar's total, and its clock, before the first batch
            _parse_and_load(run, _stale_batches(run, force_before))
            _record(run)
            _publish(run)
        _leave_artifact(run)
        return summary.__dict__


def _stale_batches(run: _Run, force_before: datetime | None) -> Iterator[tuple[list[RawDocument], list[SourceLink]]]:
    """Page through the warehouse as the parse window asks: memory holds a few batches of texts."""
    after, yielded = "", 0
    while True:
        with run.clock("read"):
            size = _batch_size(run.settings.batch_size, yielded, run.expected)
            docs = read_stale(run.sink, size, after, force_before)
        yielded += 1
        if not docs:
            return
        after = docs[-1].article_id or ""
        run.summary.updated += len(docs)
        run.summary.inputs += len(docs)  # not `= updated`: a document the parser rejects leaves `updated`
        yield docs, []


def _changed(summary: IngestSummary, the_plan: Plan | None) -> bool:
    """Did this run add, replace or retire any article? (An unchanged re-run skips the rest.)"""
    return bool(summary.rows.get("articles")) or bool(the_plan and the_plan.retire)


def _artifact_of_failed_run(sink: Sink, summary: IngestSummary, logger: Any) -> None:
    """A failed run's artifact is a courtesy: failing to write it must not hide the run's own error."""
    if not steps.in_flow_run():
        return
    try:
        leave_artifact(sink, summary)
    except Exception as exc:  # noqa: BLE001
        logger.warning("no artifact for the failed run: %s", exc)


class _Clock:
    """Adds each stage's wall time to `timings` (seconds), for the summary and the run's artifact."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = round(self.timings.get(stage, 0.0) + time.perf_counter() - t0, 3)


def _parse_and_load(run: _Run, batches: Iterable[tuple[list[RawDocument], list[SourceLink]]]) -> None:
    """Parse and load batch by batch; each batch's articles, rows and names commit together. A
    document the parser rejects goes to `run.rejects`."""
    settings = run.settings
    upcoming = iter(batches)
    first = list(islice(upcoming, 2))
    # A pool pays for itself from the second batch on; one batch is parsed here, no start-up cost.
    # On Dask, the task runner sends each parse task to a worker, which parses in its own process.
    on_dask = _runs_on_dask()
    if settings.task_runner == "dask" and not on_dask:
        run.logger.warning(
            "task_runner=dask takes effect when `newsetl ingest` starts the flow (it sets the flow's task "
            "runner); this run parses in local worker processes"
        )
    workers = settings.workers if len(first) > 1 or on_dask else 1
    pool_workers = 1 if on_dask else workers
    queue = chain(first, upcoming)
    with run.sink.session():
        _window(run, queue, workers, pool_workers)


def _runs_on_dask() -> bool:
    """Whether this flow run's task runner is Dask's (the CLI sets it for --task-runner dask)."""
    return steps.task_runner_name() == "DaskTaskRunner"


def _window(
    run: _Run, queue: Iterator[tuple[list[RawDocument], list[SourceLink]]], workers: int, pool_workers: int
) -> None:
    settings, summary, logger = run.settings, run.summary, run.logger
    pending: deque[tuple[list[RawDocument], list[SourceLink], Any, float]] = deque()
    n = 0
    while True:
        # Keep every worker busy, and one batch more, while this process loads: a bounded window,
        # so memory holds a few batches whatever the corpus size. Inputs are read as it asks.
        while len(pending) < workers + 1 and (item := next(queue, None)) is not None:
            docs, links = item
            future = parse.submit(docs, settings.model, settings.nlp_batch_size, pool_workers)
            pending.append((docs, links, future, time.perf_counter()))
        if not pending:
            break
        docs, links, future, t0 = pending.popleft()
        with run.clock("parse"):
            batch, failed = future.result()
        run.rejects += failed  # on record at once: a run that fails later still lists them
        if failed:
            run.rejects += _count_as_rejected(run, docs, batch, failed)
        with run.clock("load"):
            ids = batch.articles.get_column("article_id").to_list()
            holders = [lk for aid in ids for lk in run.pending.get(aid, ())]
            written = load(run.sink, batch, summary.run_id, links, holders)
        for table, count in written.items():
            summary.rows[table] = summary.rows.get(table, 0) + count
        for language in batch.articles.get_column("language").to_list():
            if language != PIPELINE_LANGUAGE:
                summary.not_english[language] = summary.not_english.get(language, 0) + 1
        words = int(batch.articles.get_column("n_words").sum() or 0)
        summary.words += words
        secs = time.perf_counter() - t0
        n += 1
        run.handled += len(docs)
        run.parsed += len(docs)
        progress.advance(run.handled, max(run.expected, run.handled), words, run.parsed)
        logger.info(
            "batch %d: %d articles, %s words, %d figures in %.1f s (%.0f words/s); %d of about %d inputs done",
            n,
            len(docs),
            f"{words:,}",
            written["figures"],
            secs,
            words / secs if secs else 0,
            run.handled,
            max(run.expected, run.handled),
        )


def _count_as_rejected(
    run: _Run, docs: list[RawDocument], batch: ParsedBatch, failed_rejects: list[Reject]
) -> list[Reject]:
    """A document the parser rejected was planned new or updated: it is counted as rejected instead
    (each input once), and its name is not recorded as pointing at an article it does not have (an
    updated one keeps its earlier article). Copies of its text planned as duplicates of it are
    rejected with it (their text is stored nowhere), and later copies are not taken for duplicates."""
    loaded = set(batch.articles.get_column("article_id").to_list())
    failed = {key_of(d): d for d in docs if d.article_id not in loaded}
    for key in failed:
        if key in run.known.by_source:  # as the planner decides: a known name is an update
            run.plan.updated -= 1
            run.summary.updated -= 1
        else:
            run.plan.new -= 1
            run.summary.new -= 1
    lost: dict[tuple[str, str], RawDocument] = {}  # (article, text) stored nowhere -> its failed document
    for d in failed.values():
        digest = sha256_text(normalise_text(d.text))
        if d.article_id and run.known.by_hash.get(digest) != d.article_id:
            lost[(d.article_id, digest)] = d
            if run.planner is not None:
                run.planner.forget(digest, d.article_id)
    rejects: list[Reject] = []
    kept: list[SourceLink] = []
    for lk in run.plan.links:
        source = lost.get((lk.article_id, lk.content_sha256))
        if lk.key in failed:
            continue
        if source is None:
            kept.append(lk)
            continue
        before = run.known.by_source.get(lk.key)
        if before is not None and before[:2] == (lk.article_id, lk.content_sha256):
            run.plan.unchanged -= 1
            run.summary.unchanged -= 1
        else:
            run.plan.duplicate -= 1
            run.summary.duplicate -= 1
        why = next((r for r in failed_rejects if r.source in (source.origin, source.source_id)), None)
        rejects.append(
            Reject(
                lk.origin or lk.source_id,
                why.reason if why else "parse_failed",
                f"the same text as {source.origin}: {why.detail if why else 'it broke the parser'}",
            )
        )
        run.pending[lk.article_id] = [p for p in run.pending.get(lk.article_id, []) if p.key != lk.key]
    run.plan.links = kept
    return rejects
