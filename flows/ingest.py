"""The Prefect flows `ingest` and `rebuild` (prefect.yaml's deployments, `newsetl ingest` and
`newsetl rebuild` when they report to Prefect): each resolves its settings and runs the pipeline
(flows/pipeline.py), whose steps are this flow run's tasks."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.states import Completed

from flows import pipeline
from flows.config.settings import Settings


@flow(name="ingest", log_prints=False)
def ingest(
    paths: list[str] | None = None,
    db: str | None = None,
    batch_size: int | None = None,
    nlp_batch_size: int | None = None,
    model: str | None = None,
    workers: int | None = None,
    task_runner: str | None = None,
    dask_address: str | None = None,
    max_file_mb: float | None = None,
    lock_timeout: float | None = None,
    export: bool | None = None,
    export_dir: str | None = None,
    duckdb_memory_mb: int | None = None,
) -> dict[str, Any]:
    """Ingest news articles from files, directories or globs into the DuckDB warehouse, then publish
    the readers' snapshot (exports/ beside the warehouse unless export_dir or export=False say otherwise).
    Each parameter is the setting of that name (flows/config/settings.py); one not given comes from
    its NEWSETL_* environment variable, else its default. `newsetl ingest` gives them all.
    task_runner and dask_address choose the flow's task runner, which is set before the flow
    starts: `newsetl ingest` applies them; a deployment's run parses on local processes (and says so)."""
    settings = Settings.load(**{k: v for k, v in locals().items() if k in Settings.model_fields})
    return outcome(pipeline.ingest(settings, get_run_logger()))


@flow(name="rebuild", log_prints=False)
def rebuild(
    db: str | None = None,
    batch_size: int | None = None,
    force: bool = False,
    nlp_batch_size: int | None = None,
    model: str | None = None,
    workers: int | None = None,
    lock_timeout: float | None = None,
    export: bool | None = None,
    export_dir: str | None = None,
    duckdb_memory_mb: int | None = None,
) -> dict[str, Any]:
    """Re-derive sentences, entities and figures from the stored text of every article made by
    another extractor version (all articles with force=True); no source files are needed. The other
    parameters are settings, as for `ingest`."""
    settings = Settings.load(**{k: v for k, v in locals().items() if k in Settings.model_fields})
    return outcome(pipeline.rebuild(settings, get_run_logger(), force))


REJECTS_STATE = "Completed with rejects"


def outcome(summary: dict[str, Any]) -> Any:
    """What the flow returns: the run's summary, as the final state's data. A completed run that
    rejected inputs ends in the named state "Completed with rejects" (still COMPLETED, so schedules
    and triggers go on), which the Prefect UI shows instead of a plain "Completed"; its message
    says how many. Called directly, the flow returns the summary either way."""
    if summary.get("status") == "completed" and summary.get("rejected"):
        message = f"{summary['rejected']} of {summary['inputs']} inputs rejected: see v_rejects and the ingest-summary artifact"
        return Completed(name=REJECTS_STATE, message=message, data=summary)
    return summary
