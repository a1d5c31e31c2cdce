"""The steps of a run: Prefect tasks inside a Prefect flow run, plain calls in a run without Prefect.

`flows/pipeline.py` writes a run once, as steps (`@step("parse-batch")`). Inside a flow run of
`flows/ingest.py` (a deployment's run, `newsetl ingest` reporting to a server) each step is a
Prefect task, as it always was: it shows in the UI, with its logs and the run's artifact. Called
where no flow run is (`newsetl ingest` on small inputs with no Prefect server there, or
`--prefect never`), a step is a plain call of its function and `submit` runs it on a thread of the
run's own: no Prefect server to start (6 s of a first result that takes 2 s of work), and Prefect
is not imported (unless a settings file must be read to know that no server is named:
flows/runtime/processes.py configured_api_url). The run is recorded in the warehouse either way (`v_ingest_runs`; its flow_run_id
is NULL when no Prefect run holds it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import cached_property
from typing import Any, Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

LOGGER = "newsetl"  # the logger of a run without Prefect (a flow run logs through Prefect's)
# Its lines, as Prefect prints a flow run's: `12:00:01.234 | INFO    | newsetl - ...`
LOG_FORMAT, LOG_DATEFMT = "%(asctime)s.%(msecs)03d | %(levelname)-7s | %(name)s - %(message)s", "%H:%M:%S"


def _flow_run_context() -> Any:
    """Prefect's context of the flow run this code runs in; None outside one, and always when Prefect
    is not even imported (it is not imported for the asking)."""
    if "prefect.context" not in sys.modules:
        return None
    from prefect.context import FlowRunContext

    return FlowRunContext.get()


def in_flow_run() -> bool:
    """Whether this code runs inside a Prefect flow run."""
    return _flow_run_context() is not None


class Step(Generic[P, R]):
    """One I/O step or transform call of a run, named as its Prefect task is."""

    def __init__(self, fn: Callable[P, R], name: str) -> None:
        self.fn, self.name = fn, name
        self.__doc__, self.__name__, self.__qualname__ = fn.__doc__, fn.__name__, fn.__qualname__
        self.__module__ = fn.__module__

    @cached_property
    def task(self) -> Any:
        """The Prefect task: frames and documents pass in memory, so there is nothing to hash for a
        cache key (NO_CACHE) and nothing to keep in Prefect's result storage (persist_result=False)."""
        from prefect import task
        from prefect.cache_policies import NO_CACHE

        return task(name=self.name, cache_policy=NO_CACHE, persist_result=False)(self.fn)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if in_flow_run():
            return self.task(*args, **kwargs)
        return self.fn(*args, **kwargs)

    def submit(self, *args: P.args, **kwargs: P.kwargs) -> Any:
        """A future with `.result()`: on the flow's task runner in a flow run, else on the run's threads."""
        if in_flow_run():
            return self.task.submit(*args, **kwargs)
        if _threads:
            return _threads[-1].submit(self.fn, *args, **kwargs)
        done: Future[R] = Future()  # no threads of the run's own: at once, in this thread
        try:
            done.set_result(self.fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - handed to whoever asks for the result, as a task's would be
            done.set_exception(exc)
        return done

    def __reduce__(self) -> str:
        """Pickled by reference, as a module-level function is: the step of that name where it is read."""
        return self.__qualname__


def step(name: str) -> Callable[[Callable[P, R]], Step[P, R]]:
    def wrap(fn: Callable[P, R]) -> Step[P, R]:
        return Step(fn, name)

    return wrap


_threads: list[ThreadPoolExecutor] = []


@contextmanager
def without_prefect(threads: int) -> Iterator[None]:
    """A run outside Prefect: `submit`ted steps run on `threads` threads of its own (Prefect's task
    runner would have run them on its threads), which are gone when it ends."""
    with ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="newsetl-step") as pool:
        _threads.append(pool)
        try:
            yield
        finally:
            _threads.remove(pool)


def flow_run_id() -> str | None:
    """The id of the Prefect flow run this is, if any (recorded with the run in `ingest_runs`)."""
    run = getattr(_flow_run_context(), "flow_run", None)
    return str(run.id) if run is not None else None


def task_runner_name() -> str | None:
    """The class name of the flow run's task runner (`DaskTaskRunner` for --task-runner dask)."""
    context = _flow_run_context()
    return None if context is None else type(getattr(context, "task_runner", None)).__name__


def leave_markdown(markdown: str, key: str, description: str) -> bool:
    """A markdown artifact on the flow run; a run without Prefect has nowhere to leave one (its
    summary is in the warehouse: `newsetl report`), and says so by returning False."""
    if not in_flow_run():
        return False
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(markdown=markdown, key=key, description=description)
    return True
