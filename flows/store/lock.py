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

from flows.config.errors import NewsetlError, WarehouseUnusable


class WarehouseBusy(NewsetlError):
    pass


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


_HELD: dict[Path, int] = {}  # locks this process holds, and their descriptors: the CLI takes it, the flow re-enters


@contextmanager
def run_lock(db: Path, timeout: float, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    path = lock_path(db).resolve()
    if path in _HELD:
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WarehouseUnusable(
            f"cannot create the run lock {path}: {exc.strerror or exc} (the warehouse's folder must be writable)"
        ) from None
    try:
        _acquire(fd, path, db, timeout, on_wait)
        notes = _notes(fd)
        _rewrite(fd, [f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC", *notes])
        _HELD[path] = fd
        try:
            yield
        finally:
            _HELD.pop(path, None)
    finally:
        os.close(fd)  # closing releases the lock; the file stays (deleting it would race a waiter)


# A run that cannot write its own outcome into the warehouse (a full disk, a reader that never let
# go) leaves it here, in the lock file it holds; the next run writes it into `ingest_runs`.
_NOTE = "unrecorded run "


def note_outcome(db: Path, run_id: str, status: str, error: str) -> None:
    """While holding the lock: keep a run's outcome for the next run to record."""
    fd = _HELD.get(lock_path(db).resolve())
    if fd is None:
        return
    lines = _lines(fd)
    reason = " ".join(error.split())[:500]
    _rewrite(fd, [*lines[:1], *lines[1:], f"{_NOTE}{run_id} {status} {reason}"])


def unrecorded_outcomes(db: Path) -> dict[str, tuple[str, str]]:
    """While holding the lock: outcomes earlier runs could not record, by run id: (status, error)."""
    fd = _HELD.get(lock_path(db).resolve())
    out: dict[str, tuple[str, str]] = {}
    for line in _notes(fd) if fd is not None else []:
        run_id, status, *reason = line[len(_NOTE) :].split(" ", 2)
        out[run_id] = (status, reason[0] if reason else "")
    return out


def forget_outcomes(db: Path) -> None:
    """Once they are in the warehouse."""
    fd = _HELD.get(lock_path(db).resolve())
    if fd is not None:
        _rewrite(fd, _lines(fd)[:1])


def _lines(fd: int) -> list[str]:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        data = b""
        while chunk := os.read(fd, 65536):
            data += chunk
    except OSError:
        return []
    return data.decode("utf-8", "replace").splitlines()


def _notes(fd: int) -> list[str]:
    return [line for line in _lines(fd) if line.startswith(_NOTE)]


def _rewrite(fd: int, lines: list[str]) -> None:
    """The lock file's content; a full disk must not stop a run here (it only informs)."""
    try:
        data = "".join(line + "\n" for line in lines).encode()
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)
        os.ftruncate(fd, len(data))
    except OSError:
        pass


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
        return path.read_text(encoding="utf-8").strip().split("\n")[0] or "unknown process"
    except OSError:
        return "unknown process"
