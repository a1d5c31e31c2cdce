"""Input discovery and reading: paths in, raw documents and rejects out.

Directories are walked without following symbolic links; a link, or anything that resolves
outside the directory or glob base it was found under, is refused with a reject row. Files over
the size limit are refused before they are read. Decoding and parsing of the bytes is the pure
`transforms.inputs`.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flows.errors import InputNotFound
from transforms.articles import RawDocument
from transforms.inputs import SUFFIXES, Reject, read_input

__all__ = ["SUFFIXES", "Discovery", "InputFile", "Reject", "expand_paths", "read_inputs"]

DEFAULT_MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class InputFile:
    path: Path
    source_id: str  # relative to the directory given, or the bare name of a file given directly


@dataclass
class Found:
    files: list[InputFile] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)  # links, paths outside the root, other types
    hidden: int = 0  # dot-files and dot-directories (editor and OS files), skipped without a row


@dataclass
class Discovery:
    documents: list[RawDocument] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    files_seen: int = 0
    files_ignored: int = 0  # hidden files

    @property
    def inputs(self) -> int:
        """Every input: each document read and each reject (a JSON-lines file counts per line)."""
        return len(self.documents) + len(self.rejects)


def expand_paths(paths: list[str]) -> Found:
    """Files to read (sorted, each once), and what was refused on the way."""
    out = Found()
    seen: set[Path] = set()

    def add(f: Path, source_id: str, root: Path) -> None:
        if f.is_symlink():
            out.rejects.append(Reject(str(f), "symlink", "symbolic links are not followed: copy the file in instead"))
            return
        real = f.resolve()
        if not real.is_relative_to(root):
            out.rejects.append(Reject(str(f), "outside_root", f"the path leaves {root}, the folder it was given in"))
            return
        if real in seen:
            return
        seen.add(real)
        if f.suffix.lower() not in SUFFIXES:
            out.rejects.append(Reject(str(f), "unsupported_type", f"only {', '.join(SUFFIXES)} files are read"))
            return
        out.files.append(InputFile(f, source_id))

    for given in paths:
        p = Path(given)
        if p.is_symlink() and not glob.has_magic(given):
            add(p, p.name, p.parent.resolve())
        elif p.is_dir():
            _walk(p, add, out)
        elif p.is_file():
            add(p, p.name, p.parent.resolve())
        elif glob.has_magic(given):
            base = _glob_base(given)
            matches = sorted(Path(m) for m in glob.glob(given, recursive=True) if Path(m).is_file())
            if not matches:
                raise InputNotFound(f"no file matches {given!r}")
            for f in matches:
                add(f, f.name, base)
        else:
            raise InputNotFound(f"no such file or directory: {given!r} (give a directory, a file or a glob)")
    return out


def _walk(top: Path, add: Callable[[Path, str, Path], None], out: Found) -> None:
    root = top.resolve()
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        here = Path(dirpath)
        for d in list(dirnames):
            if d.startswith("."):
                dirnames.remove(d)
                out.hidden += 1
            elif (here / d).is_symlink():
                dirnames.remove(d)
                out.rejects.append(
                    Reject(str(here / d), "symlink", "symbolic links are not followed: copy the folder in instead")
                )
        dirnames.sort()
        for name in sorted(filenames):
            if name.startswith("."):
                out.hidden += 1
                continue
            f = here / name
            add(f, f.relative_to(top).as_posix(), root)


def _glob_base(pattern: str) -> Path:
    """The directory a glob is anchored at: its parts before the first wildcard."""
    parts: list[str] = []
    for part in Path(pattern).parts:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts).resolve() if parts else Path.cwd().resolve()


def read_inputs(paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES) -> Discovery:
    found = expand_paths(paths)
    out = Discovery(files_seen=len(found.files) + len(found.rejects), files_ignored=found.hidden)
    out.rejects.extend(found.rejects)
    seen_ids: dict[str, str] = {}
    for f in found.files:
        for item in _read_file(f, max_bytes):
            if isinstance(item, Reject):
                out.rejects.append(item)
            elif item.source_id in seen_ids:
                out.rejects.append(
                    Reject(
                        item.origin,
                        "duplicate_source_id",
                        f"source id {item.source_id!r} already given by {seen_ids[item.source_id]}",
                    )
                )
            else:
                seen_ids[item.source_id] = item.origin
                out.documents.append(item)
    return out


def _read_file(f: InputFile, max_bytes: int) -> list[RawDocument | Reject]:
    origin = str(f.path)
    try:
        size = f.path.stat().st_size
        if size > max_bytes:
            return [
                Reject(
                    origin,
                    "too_large",
                    f"{_mb(size)} is over the limit of {_mb(max_bytes)}: split it, or raise NEWSETL_MAX_FILE_MB",
                )
            ]
        raw = f.path.read_bytes()
    except OSError as exc:
        return [Reject(origin, "unreadable", exc.strerror or str(exc))]
    return read_input(raw, f.path.suffix, f.source_id, origin)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"
