"""The flows write through a `Sink`; DuckDB is its implementation, on a real warehouse file."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import duckdb

from flows import pipeline
from flows.store.sink import DuckDBSink, RunRecord, Sink, sink_for
from tests.conftest import ROOT


def _methods(cls: type) -> dict[str, inspect.Signature]:
    return {n: inspect.signature(f) for n, f in vars(cls).items() if callable(f) and not n.startswith("_")}


def test_duckdb_sink_has_every_method_of_the_interface() -> None:
    wanted, have = _methods(Sink), _methods(DuckDBSink)
    assert set(wanted) <= set(have)
    for name, signature in wanted.items():
        assert list(signature.parameters) == list(have[name].parameters), name
    assert isinstance(sink_for(Path("w.duckdb")), DuckDBSink)


def test_the_flows_reach_the_store_only_through_the_sink() -> None:
    tree = ast.parse((ROOT / "flows" / "pipeline.py").read_text(encoding="utf-8"))
    imported = {
        f"{node.module}.{alias.name}" if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {name for name in imported if "warehouse" in name or "duckdb" in name}, imported
    assert "flows.store.sink.sink_for" in imported and hasattr(pipeline, "load")


def test_a_run_with_no_batches_is_opened_recorded_and_closed(tmp_path: Path) -> None:
    sink = DuckDBSink(tmp_path / "w.duckdb")
    sink.prepare(128, 5, print)
    known = sink.open_run("run-1", None, ["nothing"])
    assert known.by_source == {}
    with sink.session():
        pass
    totals = sink.record_run(
        RunRecord("run-1", "running", {"n_files_seen": 0}, rejects=[], retire=[], links=[], names=[], changed=False)
    )
    assert totals["articles"] == 0
    sink.close_run("run-1", "completed", None, None)
    assert sink.stale_count(None) == 0 and sink.stale_articles(10, "", None) == []
    assert sink.run_report("run-1") == ([], [])
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("SELECT run_id, status FROM v_ingest_runs").fetchall() == [("run-1", "completed")]
