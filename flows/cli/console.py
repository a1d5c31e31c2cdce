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
from collections.abc import Iterator
from contextlib import contextmanager
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


class RunConsoleHandler(logging.StreamHandler):
    """The console lines of a run without Prefect, on standard error as it is when each is written."""

    def __init__(self, level: int = logging.NOTSET) -> None:
        from flows.runtime.steps import LOG_DATEFMT, LOG_FORMAT

        super().__init__()
        self.setLevel(level)
        self.setFormatter(_OneLineForExpected(logging.Formatter(LOG_FORMAT, LOG_DATEFMT)))

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


@contextmanager
def log_to_console() -> Iterator[logging.Logger]:
    """For the length of a run without Prefect: its `newsetl` logger's lines on standard error, as a
    flow run's would be (at PREFECT_LOGGING_LEVEL from the environment, else INFO), and, where nothing
    else shows them (no handler on the root logger: the CLI), other loggers' warnings (the parse
    cache's) in the same form. Everything is as it was afterwards (a notebook or a test calling
    `main` keeps its own logging)."""
    from flows.runtime.steps import LOGGER

    logger, root = logging.getLogger(LOGGER), logging.getLogger()
    saved = (logger.level, logger.propagate)
    ours = RunConsoleHandler()
    others = RunConsoleHandler(logging.WARNING) if not root.handlers else None
    level = logging.getLevelName(os.environ.get("PREFECT_LOGGING_LEVEL", "INFO").strip().upper())
    logger.addHandler(ours)
    logger.propagate = False  # its lines once, whatever handlers the root logger has
    logger.setLevel(level if isinstance(level, int) else logging.INFO)
    if others is not None:
        root.addHandler(others)
    try:
        yield logger
    finally:
        logger.removeHandler(ours)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        if others is not None:
            root.removeHandler(others)


def console_handlers() -> list[logging.Handler]:
    """Every handler that prints a run's lines on the console: Prefect's (when Prefect is imported)
    and those of a run without Prefect (log_to_console)."""
    from flows.runtime.steps import LOGGER

    found: list[logging.Handler] = [
        h
        for lg in (logging.getLogger(), logging.getLogger(LOGGER))
        for h in lg.handlers
        if isinstance(h, RunConsoleHandler)
    ]
    if "prefect.logging.handlers" in sys.modules:
        from prefect.logging.handlers import PrefectConsoleHandler

        loggers = [logging.getLogger()] + [
            logging.getLogger(name) for name in list(logging.Logger.manager.loggerDict) if name.startswith("prefect")
        ]
        found += list({h for lg in loggers for h in lg.handlers if isinstance(h, PrefectConsoleHandler)})
    return found
