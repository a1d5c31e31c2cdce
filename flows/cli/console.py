"""The run's console output for the CLI: an expected failure is one line, never a traceback.

Prefect logs a failing task or flow with its traceback. When the error is one we raise on purpose
(a `NewsetlError`: a busy warehouse, a full disk, a bad input) or the user's Ctrl-C, the CLI
prints it as one line; Prefect's copy of it keeps its message and loses the traceback. Other
errors (bugs) keep theirs. Only the console is quieted: the run's logs on the Prefect server keep
everything.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from flows.config.errors import NewsetlError

_EXPECTED = (NewsetlError, KeyboardInterrupt)


class _OneLineForExpected(logging.Formatter):
    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and (isinstance(exc, _EXPECTED) or _caused_by_expected(exc) or _interrupting()):
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return self.inner.format(record)


def _interrupting() -> bool:
    """Errors while a Ctrl-C or SIGTERM stops the run are its echoes (a query DuckDB interrupted)."""
    from flows.runtime import processes

    return processes.interrupted()


def _caused_by_expected(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, _EXPECTED):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def quiet_expected_tracebacks() -> None:
    """Wrap the formatter of every Prefect console handler (once); call after importing Prefect."""
    from prefect.logging.handlers import PrefectConsoleHandler

    loggers = [logging.getLogger()] + [
        logging.getLogger(name) for name in list(logging.Logger.manager.loggerDict) if name.startswith("prefect")
    ]
    for handler in {h for lg in loggers for h in lg.handlers if isinstance(h, PrefectConsoleHandler)}:
        if not isinstance(handler.formatter, _OneLineForExpected):
            handler.setFormatter(_OneLineForExpected(handler.formatter))


class _RunFormatter(logging.Formatter):
    """`12:00:01.234 | INFO    | newsetl - ...`, as Prefect prints a flow run's lines."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s.%(msecs)03d | %(levelname)-7s | %(name)s - %(message)s", "%H:%M:%S")


class RunConsoleHandler(logging.StreamHandler):
    """The console lines of a run without Prefect: the `newsetl` logger's (flows/runtime/steps.py),
    and other loggers' warnings; written to standard error as it is when each line is written."""

    def __init__(self) -> None:
        super().__init__()
        from flows.runtime.steps import LOGGER

        self.addFilter(lambda r: r.name == LOGGER or r.name.startswith(LOGGER + ".") or r.levelno >= logging.WARNING)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def log_to_console() -> None:
    """A run's log lines on standard error (once), as a flow run's would be: the `newsetl` logger's
    at PREFECT_LOGGING_LEVEL (INFO unless set), and every other logger's warnings (the parse cache's,
    say), as Prefect's root handler would show them."""
    from flows.runtime.steps import LOGGER

    root = logging.getLogger()
    if not any(isinstance(h, RunConsoleHandler) for h in root.handlers):
        handler = RunConsoleHandler()
        handler.setFormatter(_OneLineForExpected(_RunFormatter()))
        root.addHandler(handler)
    level = logging.getLevelName(os.environ.get("PREFECT_LOGGING_LEVEL", "INFO").strip().upper())
    logging.getLogger(LOGGER).setLevel(level if isinstance(level, int) else logging.INFO)


def console_handlers() -> list[logging.Handler]:
    """Every handler that prints a run's lines on the console: Prefect's (when Prefect is imported)
    and the `newsetl` logger's."""
    found: list[logging.Handler] = [h for h in logging.getLogger().handlers if isinstance(h, RunConsoleHandler)]
    if "prefect.logging.handlers" in sys.modules:
        from prefect.logging.handlers import PrefectConsoleHandler

        loggers = [logging.getLogger()] + [
            logging.getLogger(name) for name in list(logging.Logger.manager.loggerDict) if name.startswith("prefect")
        ]
        found += list({h for lg in loggers for h in lg.handlers if isinstance(h, PrefectConsoleHandler)})
    return found
