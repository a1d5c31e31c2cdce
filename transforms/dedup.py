"""Near-duplicate detection: a 64-bit SimHash of an article's body, over 3-word shingles.

Two articles whose SimHashes differ in at most `MAX_DISTANCE` bits are the same story re-published
(a wire story with another headline, dateline or footer). The warehouse finds such pairs by
splitting the 64 bits into four 16-bit bands: by the pigeonhole principle, two hashes within three
bits of each other agree on at least one whole band, so only articles sharing a band are compared.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

MAX_DISTANCE = 3
SHINGLE = 3
_WORD = re.compile(r"\w+")
# What re-publishers change on a wire story: the dateline ("BEIRUT, Nov 7 (Reuters) -") and the
# credit lines at the end ("(Reporting by ...; Editing by ...)"). Neither says what happened.
_DATELINE = re.compile(r"^\s*[A-Z][\w .,:'/-]{1,60}?\([A-Za-z .&'-]{2,30}\)\s*[-\u2013\u2014:]+\s*")
_CREDITS = re.compile(r"^\s*\(?\s*(?:additional )?(?:reporting|writing|editing|compiled) by\b.*$", re.I | re.M)
_BITS = np.arange(64, dtype=np.uint64)


def simhash(text: str) -> int | None:
    """The body's SimHash, or None for a text too short to tell copies apart (under 8 words)."""
    words = _WORD.findall(_CREDITS.sub("", _DATELINE.sub("", text, count=1)).lower())
    if len(words) < 8:
        return None
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    hashes = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little") for s in shingles),
        dtype=np.uint64,
        count=len(shingles),
    )
    ones = ((hashes[:, None] >> _BITS) & np.uint64(1)).sum(axis=0)
    bits = ones * 2 > len(shingles)
    return int(sum(1 << i for i, on in enumerate(bits) if on))


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()
