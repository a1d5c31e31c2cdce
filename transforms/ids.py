"""Stable identifiers and hashes."""

from __future__ import annotations

import hashlib


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def short_id(prefix: str, *parts: object) -> str:
    """A short, stable key built from its parts (16 hex chars: collisions are negligible here)."""
    joined = "\x1f".join(str(p) for p in parts)
    return f"{prefix}_{hashlib.sha256(joined.encode('utf-8')).hexdigest()[:16]}"


def figure_id_for(article_id: str, start: int, end: int, version: str) -> str:
    """A figure's key: its article, its span and the extractor version that found it."""
    return short_id("fig", article_id, start, end, version)
