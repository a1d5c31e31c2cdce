"""Progress of a run over its batches, for whoever is watching.

The flow reports each finished batch here; the CLI installs a progress bar when it runs the flow
in its own process. Under a Prefect worker nobody installs one, and the flow's log lines (one per
batch) are the progress. A module-level hook, because flow parameters must be serialisable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

# (inputs done, inputs in all, words in this batch, documents parsed so far): inputs found unchanged
# or duplicate are done without a parse, so an estimate of the time left goes by the parsed ones.
Reporter = Callable[[int, int, int, int], None]

_reporter: Reporter | None = None


@contextmanager
def reporting_to(reporter: Reporter) -> Iterator[None]:
    global _reporter
    previous, _reporter = _reporter, reporter
    try:
        yield
    finally:
        _reporter = previous


def advance(done: int, total: int, words: int, parsed: int) -> None:
    if _reporter is not None:
        _reporter(done, total, words, parsed)
