"""flows/runtime/steps.py: a step is a Prefect task inside a flow run and a plain call outside one,
and a run without Prefect never imports it."""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading
from typing import Any

import pytest

from flows.runtime import steps
from tests.conftest import ROOT


@steps.step("where-am-i")
def where_am_i(x: int) -> tuple[int, str, bool]:
    """Its value, the thread it ran on, and whether it ran as a Prefect task."""
    task_run = False
    if "prefect.context" in sys.modules:
        from prefect.context import TaskRunContext

        task_run = TaskRunContext.get() is not None
    return x * 2, threading.current_thread().name, task_run


@steps.step("fails")
def fails() -> None:
    raise ValueError("no")


def test_outside_a_flow_run_a_step_is_a_plain_call() -> None:
    value, thread, task_run = where_am_i(21)
    assert (value, thread, task_run) == (42, threading.current_thread().name, False)
    assert where_am_i.__doc__ is not None and where_am_i.__doc__.startswith("Its value")
    assert steps.flow_run_id() is None and steps.task_runner_name() is None
    assert steps.leave_markdown("# x", "k", "d") is False  # nowhere to leave an artifact


def test_submitted_steps_run_on_the_runs_threads_and_errors_wait_for_result() -> None:
    assert where_am_i.submit(1).result()[1] == threading.current_thread().name  # no threads: at once
    with steps.without_prefect(2):
        futures = [where_am_i.submit(i) for i in range(4)]
        assert [f.result()[0] for f in futures] == [0, 2, 4, 6]
        assert {f.result()[1].startswith("newsetl-step") for f in futures} == {True}
        failing = fails.submit()
        with pytest.raises(ValueError, match="no"):
            failing.result()
    assert not steps._threads  # gone with the run
    with pytest.raises(ValueError):
        fails.submit().result()


def test_a_step_pickles_by_reference() -> None:
    import cloudpickle

    for dumps in (pickle.dumps, cloudpickle.dumps):
        assert pickle.loads(dumps(where_am_i)) is where_am_i


def test_inside_a_flow_run_a_step_is_a_task_run(prefect_harness: None) -> None:
    from prefect import flow

    @flow
    def a_flow() -> dict[str, Any]:
        direct = where_am_i(1)
        submitted = where_am_i.submit(2).result()
        return {"direct": direct, "submitted": submitted, "flow_run_id": steps.flow_run_id()}

    out = a_flow()
    assert out["direct"][0] == 2 and out["direct"][2] is True
    assert out["submitted"][0] == 4 and out["submitted"][2] is True
    assert out["flow_run_id"]
    assert where_am_i.task.name == "where-am-i"


def test_a_run_without_prefect_never_imports_it() -> None:
    """The pipeline, the CLI and the settings: importing them costs no Prefect (1.2 s)."""
    code = (
        "import sys, flows.pipeline, flows.cli.main, flows.runtime.processes, flows.cli.console; "
        "print(sorted(m for m in sys.modules if m == 'prefect' or m.startswith('prefect.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
