"""Input discovery and reading: paths in, raw documents and rejects out."""

from __future__ import annotations

import glob
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.errors import InputNotFound
from transforms.articles import RawDocument

SUFFIXES = (".txt", ".md", ".jsonl")


@dataclass(frozen=True)
class InputFile:
    path: Path
    source_id: str  # relative to the directory given, or the bare name of a file given directly


@dataclass(frozen=True)
class Reject:
    source: str
    reason: str
    detail: str


@dataclass
class Discovery:
    documents: list[RawDocument] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    files_seen: int = 0
    files_ignored: int = 0


def expand_paths(paths: list[str]) -> tuple[list[InputFile], int]:
    """Files to read (sorted, each once) and how many files in walked directories had other suffixes."""
    found: dict[Path, InputFile] = {}
    ignored = 0
    for given in paths:
        p = Path(given)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if not f.is_file() or any(part.startswith(".") for part in f.relative_to(p).parts):
                    continue
                if f.suffix.lower() in SUFFIXES:
                    found.setdefault(f.resolve(), InputFile(f, f.relative_to(p).as_posix()))
                else:
                    ignored += 1
        elif p.is_file():
            found.setdefault(p.resolve(), InputFile(p, p.name))
        elif glob.has_magic(given):
            matches = sorted(Path(m) for m in glob.glob(given, recursive=True) if Path(m).is_file())
            if not matches:
                raise InputNotFound(f"no file matches {given!r}")
            for f in matches:
                found.setdefault(f.resolve(), InputFile(f, f.name))
        else:
            raise InputNotFound(f"no such file or directory: {given!r} (give a directory, a file or a glob)")
    return list(found.values()), ignored


def read_inputs(paths: list[str]) -> Discovery:
    files, ignored = expand_paths(paths)
    out = Discovery(files_seen=len(files), files_ignored=ignored)
    seen_ids: dict[str, str] = {}
    for f in files:
        for item in _read_file(f):
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


def _read_file(f: InputFile) -> list[RawDocument | Reject]:
    origin = str(f.path)
    if f.path.suffix.lower() not in SUFFIXES:
        return [Reject(origin, "unsupported_type", f"only {', '.join(SUFFIXES)} files are read")]
    try:
        raw = f.path.read_bytes()
    except OSError as exc:
        return [Reject(origin, "unreadable", exc.strerror or str(exc))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [Reject(origin, "not_utf8", f"byte {exc.start} is not UTF-8; re-save the file as UTF-8")]
    if f.path.suffix.lower() == ".jsonl":
        return _read_jsonl(origin, text)
    if not text.strip():
        return [Reject(origin, "empty", "the file holds no text")]
    return [RawDocument(source_id=f.source_id, text=text, origin=origin)]


def _read_jsonl(origin: str, text: str) -> list[RawDocument | Reject]:
    out: list[RawDocument | Reject] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{origin}:{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append(Reject(where, "bad_json", exc.msg))
            continue
        if not isinstance(rec, dict):
            out.append(Reject(where, "bad_record", "a line must hold a JSON object"))
            continue
        rid, body = rec.get("id"), rec.get("text")
        if rid is None or str(rid).strip() == "":
            out.append(Reject(where, "missing_id", "a record needs a non-empty 'id'"))
            continue
        if not isinstance(body, str) or not body.strip():
            out.append(Reject(where, "missing_text", f"record {rid!r} has no 'text'"))
            continue
        out.append(
            RawDocument(
                source_id=str(rid),
                text=body,
                title=_str(rec.get("title")),
                author=_str(rec.get("author")),
                published_at=_timestamp(rec.get("published")),
                source_name=_str(rec.get("source")),
                url=_str(rec.get("url") or rec.get("source_url")),
                origin=where,
                metadata=_metadata(rec),
            )
        )
    return out


_KNOWN_KEYS = {"id", "text", "title", "author", "published", "source", "url", "source_url"}


def _metadata(rec: dict[str, Any]) -> str | None:
    """Record fields the warehouse has no column for, kept as JSON so nothing given is lost."""
    extra = {k: v for k, v in rec.items() if k not in _KNOWN_KEYS}
    published = rec.get("published")
    if published not in (None, "") and _timestamp(published) is None:
        extra["published_raw"] = published  # kept verbatim when it is not a date we can read
    return json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None


def _str(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%a, %d %b %Y %H:%M:%S")


def _named_month_date(text: str) -> datetime | None:
    """Unambiguous dates with a month name ("17 November 2017", "Nov 17, 2017"); never 01/02/03."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _timestamp(value: object) -> datetime | None:
    """ISO dates and datetimes, or dates with a month name; anything else is left null (and kept
    verbatim in metadata) rather than guessed."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    ts: datetime | None
    try:
        ts = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        ts = _named_month_date(text)
    if ts is None:
        return None
    return ts if ts.tzinfo is None else ts.astimezone(UTC).replace(tzinfo=None)  # stored as UTC
