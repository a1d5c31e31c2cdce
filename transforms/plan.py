"""Decide what an ingest run does with each document, from content hashes alone."""

from __future__ import annotations

from dataclasses import dataclass, field

from transforms.articles import RawDocument, article_id_for, normalise_text
from transforms.ids import sha256_text


@dataclass(frozen=True)
class Known:
    """What the warehouse already holds: per source name, and per content hash."""

    by_source: dict[str, tuple[str, str, str]]  # source_id -> (article_id, content_sha256, extractor_version)
    by_hash: dict[str, str]  # content_sha256 -> article_id


@dataclass(frozen=True)
class SourceLink:
    source_id: str
    article_id: str
    content_sha256: str
    origin: str


@dataclass
class Plan:
    to_parse: list[RawDocument] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    links: list[SourceLink] = field(default_factory=list)  # every document's name -> its article
    retire: list[str] = field(default_factory=list)  # articles whose source now duplicates another

    def absorb(self, chunk: Plan) -> None:
        """Add a chunk's decisions to the run's (its documents to parse are the chunk's alone)."""
        self.new += chunk.new
        self.updated += chunk.updated
        self.unchanged += chunk.unchanged
        self.duplicate += chunk.duplicate
        self.links += chunk.links
        self.retire += chunk.retire


class Planner:
    """Plans a run chunk by chunk, deciding as one plan over all its documents at once would: a
    text given twice in one run is parsed once, whichever chunks the two copies are in. (A plain
    class: Prefect walks dataclass parameters of tasks, and this one holds a hash per document.)"""

    def __init__(self, known: Known, extractor_version: str) -> None:
        self.known = known
        self.extractor_version = extractor_version
        self.claimed: dict[str, str] = {}  # content hash -> article id, for this run's documents

    def plan(self, docs: list[RawDocument]) -> Plan:
        plan = Plan()
        known, claimed = self.known, self.claimed
        for doc in docs:
            digest = sha256_text(normalise_text(doc.text))
            own_id = article_id_for(doc.source_id)
            before = known.by_source.get(doc.source_id)
            holder = claimed.get(digest) or known.by_hash.get(digest)
            if before and before[1] == digest and before[2] == self.extractor_version:
                plan.unchanged += 1
                plan.links.append(SourceLink(doc.source_id, before[0], digest, doc.origin))
                claimed[digest] = before[0]
            elif holder and holder != own_id:
                # The same text is already stored under another name: keep one copy, remember this name.
                plan.duplicate += 1
                plan.links.append(SourceLink(doc.source_id, holder, digest, doc.origin))
                if before and before[0] == own_id:
                    plan.retire.append(own_id)
            else:
                plan.new += before is None
                plan.updated += before is not None
                plan.to_parse.append(doc)
                plan.links.append(SourceLink(doc.source_id, own_id, digest, doc.origin))
                claimed[digest] = own_id
        return plan


def plan_ingest(docs: list[RawDocument], known: Known, extractor_version: str) -> Plan:
    return Planner(known, extractor_version).plan(docs)
