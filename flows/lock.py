"""One ingest (or rebuild) at a time per warehouse: an advisory lock on `<db>.lock`.

DuckDB lets one process write, but a run opens and closes its connection task by task, so two
runs could otherwise interleave. The lock is held for the whole run; the kernel releases it when
the process ends, however it ends (SIGKILL included), so a crashed run never blocks the next.
A second run waits for its turn up to a timeout, then exits with a clear message.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from flows.errors import NewsetlError


class WarehouseBusy(NewsetlError):
    pass


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


_HELD: set[Path] = set()  # locks this process holds: the CLI takes it, the flow it runs re-enters


@contextmanager
def run_lock(db: Path, timeout: float, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    path = lock_path(db).resolve()
    if path in _HELD:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, db, timeout, on_wait)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC\n".encode())
        _HELD.add(path)
        try:
            yield
        finally:
            _HELD.discard(path)
    finally:
        os.close(fd)  # closing releases the lock; the file stays (deleting it would race a waiter)


def holder(db: Path) -> str | None:
    """Who holds the warehouse's run lock ("pid 123 since ..."), or None when nobody does."""
    path = lock_path(db)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _describe(path)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, db: Path, timeout: float, on_wait: Callable[[str], None] | None) -> None:
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            who = _describe(path)
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{db} is being written by another ingest ({who}); gave up after {timeout:.0f} s: "
                    "try again later, or raise NEWSETL_LOCK_TIMEOUT"
                ) from None
            if not told and on_wait is not None:
                on_wait(f"another ingest is writing {db} ({who}): waiting for it to finish")
                told = True
            time.sleep(0.5)


def _describe(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip() or "unknown process"
    except OSError:
        return "unknown process"
