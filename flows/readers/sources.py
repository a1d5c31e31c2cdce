"""Input discovery and reading: paths in, raw documents and rejects out.

Directories are walked, and globs expanded, without following symbolic links; a link, anything
that resolves outside the directory or glob base it was found under, or anything but a regular
file (a FIFO, a device, a socket) is refused with a reject row. Files are opened without following
links and without blocking, and checked to be regular files once open, so one swapped after it was
listed is refused too. Files over the size limit are refused before they are read. Decoding and parsing of the bytes is the pure
`transforms.inputs`.
"""

from __future__ import annotations

import errno
import fnmatch
import glob
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from flows.config.errors import InputNotFound
from transforms.articles import RawDocument
from transforms.inputs import SUFFIXES, Reject, looks_binary, needs_whole_file, read_input, reader_for

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
        try:
            kind = _special(f.lstat().st_mode)
        except OSError as exc:  # gone since it was listed
            out.rejects.append(Reject(str(f), "unreadable", exc.strerror or str(exc)))
            return
        if kind:
            out.rejects.append(Reject(str(f), "not_a_file", f"{kind}, not a regular file: only files are read"))
            return
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
        elif p.exists():  # a file, or a FIFO, device or socket (refused by add)
            add(p, p.name, p.parent.resolve())
        elif glob.has_magic(given):
            base = _glob_base(given)
            refused = len(out.rejects)
            matches = sorted(_glob(given, out))
            if not matches and len(out.rejects) == refused:
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


def _glob(pattern: str, out: Found) -> list[Path]:
    """What `glob.glob(pattern, recursive=True)` matches, but never through a symbolic link: a link
    met where the glob would step into a folder is a `symlink` reject, as in a walked folder, and
    `**` walks like one (so it ends, whatever loops the links make). Folders matched are left out."""
    parts = Path(pattern).parts
    first = next(i for i, part in enumerate(parts) if glob.has_magic(part))
    dirs = [Path(*parts[:first]) if first else Path()]
    for i, part in enumerate(parts[first:], start=first):
        last = i == len(parts) - 1
        found: list[Path] = []
        for d in dirs:
            if part == "**":
                found += _tree(d, out, files=last)
            elif glob.has_magic(part):
                found += [d / name for name in _names(d, part.startswith(".")) if fnmatch.fnmatchcase(name, part)]
            elif os.path.lexists(d / part):
                found.append(d / part)
        dirs = found if last else [d for d in found if _enter(d, out)]
    return [f for f in dict.fromkeys(dirs) if f.is_symlink() or not f.is_dir()]


def _names(folder: Path, hidden: bool) -> list[str]:
    try:
        return [n for n in os.listdir(folder) if hidden or not n.startswith(".")]  # as glob: '.*' for those
    except OSError:
        return []


def _tree(top: Path, out: Found, files: bool) -> list[Path]:
    """`**`: the folder and every folder below it (and their files, if `files`), links not followed."""
    found = [top]
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and _enter(here / d, out))
        found += [here / d for d in dirnames]
        if files:
            found += [here / n for n in filenames if not n.startswith(".")]
    return found


def _enter(d: Path, out: Found) -> bool:
    """Whether a glob may step into `d`: a folder, and not a link (a link is refused, once)."""
    if d.is_symlink():
        if not any(r.source == str(d) for r in out.rejects):
            out.rejects.append(Reject(str(d), "symlink", "symbolic links are not followed: copy the folder in instead"))
        return False
    return d.is_dir()


def _special(mode: int) -> str | None:
    """What a file that is not a regular file is, or None for a regular file."""
    kinds = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))  # fmt: skip
    return None if stat.S_ISREG(mode) else next((what for test, what in kinds if test(mode)), "a special file")


class NotRegular(OSError):
    """Opened, and found not to be a regular file."""


def _open(path: Path) -> BinaryIO:
    """A regular file, opened for reading without following a link or waiting on a FIFO."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    kind = _special(os.fstat(fd).st_mode)
    if kind:
        os.close(fd)
        raise NotRegular(f"{kind}, not a regular file: only files are read")
    return os.fdopen(fd, "rb")


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
    return replace(item, source_key=f"{path}#{item.source_id}" if _holds_records(f) else path)


def read_inputs(paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES) -> Discovery:
    """Every input at once (for small inputs and tests; the flow streams with InputStream)."""
    stream = InputStream(paths, max_bytes)
    out = Discovery(files_seen=stream.files_seen, files_ignored=stream.files_ignored)
    while (chunk := stream.read(10_000)).inputs:
        out.documents += chunk.documents
        out.rejects += chunk.rejects
    return out


def _holds_records(f: InputFile) -> bool:
    """A file of many records (JSON lines): each is a document keyed by its id, read line by line."""
    reader = reader_for(f.path.suffix)
    return reader is not None and reader.records


def _record_reader(f: InputFile) -> Callable[[bytes, int, str], RawDocument | Reject | None]:
    reader = reader_for(f.path.suffix)
    assert reader is not None and reader.read_record is not None
    return reader.read_record


def _records_in(f: InputFile) -> int:
    """About how many inputs a file holds, for progress: one, or a JSON-lines file's lines."""
    if not _holds_records(f):
        return 1
    try:
        with _open(f.path) as fh:
            return max(1, sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b"")))
    except OSError:
        return 1


def _read_file(f: InputFile, max_bytes: int) -> Iterator[RawDocument | Reject]:
    origin = str(f.path)
    try:
        with _open(f.path) as fh:
            head = fh.read(65536) if _holds_records(f) else b""
            if head and not needs_whole_file(head):
                fh.seek(0)
                yield from _read_records(fh, head, origin, max_bytes, _record_reader(f))
                return
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                yield Reject(
                    origin,
                    "too_large",
                    f"{_mb(size)} is over the limit of {_mb(max_bytes)}: split it, or raise NEWSETL_MAX_FILE_MB",
                )
                return
            fh.seek(0)
            raw = fh.read()
    except NotRegular as exc:  # swapped for a FIFO or a device since it was listed
        yield Reject(origin, "not_a_file", str(exc))
        return
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # swapped for a link since it was listed
            yield Reject(origin, "symlink", "symbolic links are not followed: copy the file in instead")
        else:
            yield Reject(origin, "unreadable", exc.strerror or str(exc))
        return
    yield from read_input(raw, f.path.suffix, f.source_id, origin)


def _read_records(
    fh: BinaryIO,
    head: bytes,
    origin: str,
    max_bytes: int,
    read_record: Callable[[bytes, int, str], RawDocument | Reject | None],
) -> Iterator[RawDocument | Reject]:
    if looks_binary(head):
        yield Reject(origin, "binary", "the file is binary (NUL or control bytes), not text")
        return
    blank = True
    for lineno, line in enumerate(fh, start=1):
        blank = blank and not line.strip()
        if len(line) > max_bytes:
            yield Reject(
                f"{origin}:{lineno}",
                "too_large",
                f"line {lineno} is {_mb(len(line))}, over the limit of {_mb(max_bytes)}: raise NEWSETL_MAX_FILE_MB",
            )
            continue
        item = read_record(line.removesuffix(b"\n"), lineno, origin)
        if item is not None:
            yield item
    if blank:  # judged on the whole file: white space may run on past any first block
        yield Reject(origin, "empty", "the file holds no text")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"
