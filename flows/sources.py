"""Input discovery and reading: paths in, raw documents and rejects out.

Directories are walked without following symbolic links; a link, or anything that resolves
outside the directory or glob base it was found under, is refused with a reject row. Files over
the size limit are refused before they are read. Decoding and parsing of the bytes is the pure
`transforms.inputs`.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from flows.errors import InputNotFound
from transforms.articles import RawDocument
from transforms.inputs import SUFFIXES, Reject, looks_binary, needs_whole_file, read_input, read_jsonl_bytes

__all__ = ["SUFFIXES", "Discovery", "InputFile", "InputStream", "Reject", "expand_paths", "read_inputs"]

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


class InputStream:
    """The inputs' documents, read a chunk at a time: memory holds one chunk, whatever the corpus size.

    Files are listed up front (names only); a JSON-lines file is read line by line, so a file of any
    size streams and the size limit applies to each of its records. A plain class, not a dataclass:
    Prefect walks dataclass parameters of tasks, and this one carries every source id seen so far.
    """

    def __init__(self, paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        found = expand_paths(paths)
        self.files_seen = len(found.files) + len(found.rejects)
        self.files_ignored = found.hidden
        self.expected = len(found.rejects) + sum(_records_in(f) for f in found.files)
        self._rejects = list(found.rejects)
        self._items = (_keyed(f, item) for f in found.files for item in _read_file(f, max_bytes))
        self._seen_keys: dict[str, str] = {}

    def read(self, max_docs: int) -> Discovery:
        """Up to `max_docs` more documents, and every reject met on the way; empty at the end."""
        out = Discovery()
        out.rejects, self._rejects = self._rejects, []
        while len(out.documents) < max_docs and (item := next(self._items, None)) is not None:
            if isinstance(item, Reject):
                out.rejects.append(item)
            elif item.source_key in self._seen_keys:  # the same record id twice in one file
                out.rejects.append(
                    Reject(
                        item.origin,
                        "duplicate_source_id",
                        f"source id {item.source_id!r} already given by {self._seen_keys[item.source_key]}",
                    )
                )
            else:
                self._seen_keys[item.source_key] = item.origin
                out.documents.append(item)
        return out


def _keyed(f: InputFile, item: RawDocument | Reject) -> RawDocument | Reject:
    """A document's identity: its file's full path, and for a JSON-lines record the record's id too."""
    if isinstance(item, Reject):
        return item
    path = str(f.path.resolve())
    return replace(item, source_key=f"{path}#{item.source_id}" if f.path.suffix.lower() == ".jsonl" else path)


def read_inputs(paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES) -> Discovery:
    """Every input at once (for small inputs and tests; the flow streams with InputStream)."""
    stream = InputStream(paths, max_bytes)
    out = Discovery(files_seen=stream.files_seen, files_ignored=stream.files_ignored)
    while (chunk := stream.read(10_000)).inputs:
        out.documents += chunk.documents
        out.rejects += chunk.rejects
    return out


def _records_in(f: InputFile) -> int:
    """About how many inputs a file holds, for progress: one, or a JSON-lines file's lines."""
    if f.path.suffix.lower() != ".jsonl":
        return 1
    try:
        with open(f.path, "rb") as fh:
            return max(1, sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b"")))
    except OSError:
        return 1


def _read_file(f: InputFile, max_bytes: int) -> Iterator[RawDocument | Reject]:
    origin = str(f.path)
    try:
        head = _head(f.path) if f.path.suffix.lower() == ".jsonl" else b""
        if head and not needs_whole_file(head):
            yield from _read_jsonl_lines(f.path, head, origin, max_bytes)
            return
        size = f.path.stat().st_size
        if size > max_bytes:
            yield Reject(
                origin,
                "too_large",
                f"{_mb(size)} is over the limit of {_mb(max_bytes)}: split it, or raise NEWSETL_MAX_FILE_MB",
            )
            return
        raw = f.path.read_bytes()
    except OSError as exc:
        yield Reject(origin, "unreadable", exc.strerror or str(exc))
        return
    yield from read_input(raw, f.path.suffix, f.source_id, origin)


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(65536)


def _read_jsonl_lines(path: Path, head: bytes, origin: str, max_bytes: int) -> Iterator[RawDocument | Reject]:
    if looks_binary(head):
        yield Reject(origin, "binary", "the file is binary (NUL or control bytes), not text")
        return
    blank = True
    with open(path, "rb") as fh:
        for lineno, line in enumerate(fh, start=1):
            blank = blank and not line.strip()
            if len(line) > max_bytes:
                yield Reject(
                    f"{origin}:{lineno}",
                    "too_large",
                    f"line {lineno} is {_mb(len(line))}, over the limit of {_mb(max_bytes)}: raise NEWSETL_MAX_FILE_MB",
                )
                continue
            item = read_jsonl_bytes(line.removesuffix(b"\n"), lineno, origin)
            if item is not None:
                yield item
    if blank:  # judged on the whole file: white space may run on past any first block
        yield Reject(origin, "empty", "the file holds no text")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"
