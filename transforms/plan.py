"""Decide what an ingest run does with each document, from content hashes alone.

A document's identity is its `source_key`: the file it came from (its full path), or, for a JSON-lines
record, that file and the record's id. Two inputs with the same `source_id` ("story.txt" in two
folders, id "1" in two vendors' feeds) are two documents, never one replacing the other.

One rule keeps every text given to the pipeline stored: a name is *unchanged* only while the article
it points at still holds its text. An article whose text this run replaces or retires no longer
holds it for the other names that shared it: such a name in this run is parsed as its own article,
and one not in this run is re-homed by the load (`warehouse.load_batch`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from transforms.articles import RawDocument, article_id_for, normalise_text
from transforms.ids import sha256_text


@dataclass(frozen=True)
class Known:
    """What the warehouse already holds: per source key, and per content hash."""

    by_source: dict[str, tuple[str, str, str]]  # source_key -> (article_id, content_sha256, extractor_version)
    by_hash: dict[str, str]  # content_sha256 -> article_id
    # article_id -> the source key that owns it, where it is not `article_id_for(key)` (warehouses
    # made before source keys: their articles keep the ids their source ids gave them)
    owners: dict[str, str] = field(default_factory=dict)
    source_ids: dict[str, tuple[str, ...]] = field(default_factory=dict)  # source_id -> the keys that have it


@dataclass(frozen=True)
class SourceLink:
    source_id: str
    article_id: str
    content_sha256: str
    origin: str
    source_key: str = ""

    @property
    def key(self) -> str:
        return self.source_key or self.source_id


@dataclass
class Plan:
    to_parse: list[RawDocument] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    links: list[SourceLink] = field(default_factory=list)  # every document's name -> its article
    retire: list[str] = field(default_factory=list)  # articles whose source now duplicates another
    parsed: set[str] = field(default_factory=set)  # keys sent to parse: their batch's load writes their names

    def absorb(self, chunk: Plan) -> None:
        """Add a chunk's decisions to the run's (its documents to parse are the chunk's alone)."""
        self.new += chunk.new
        self.updated += chunk.updated
        self.unchanged += chunk.unchanged
        self.duplicate += chunk.duplicate
        self.links += chunk.links
        self.retire += chunk.retire
        self.parsed |= chunk.parsed


def key_of(doc: RawDocument) -> str:
    return doc.source_key or doc.source_id


class Planner:
    """Plans a run chunk by chunk, deciding as one plan over all its documents at once would: a
    text given twice in one run is parsed once, whichever chunks the two copies are in. (A plain
    class: Prefect walks dataclass parameters of tasks, and this one holds a hash per document.)"""

    def __init__(self, known: Known, extractor_version: str) -> None:
        self.known = known
        self.extractor_version = extractor_version
        self.claimed: dict[str, str] = {}  # content hash -> article id, for this run's documents
        self.leaving: set[str] = set()  # stored articles whose text this run replaces or retires
        self.id_keys: dict[str, set[str]] = {}  # source_id -> the keys given it in this run

    def _owns(self, key: str, article_id: str) -> bool:
        return article_id == article_id_for(key) or self.known.owners.get(article_id) == key

    def _stored_holder(self, digest: str) -> str | None:
        holder = self.known.by_hash.get(digest)
        return None if holder in self.leaving else holder

    def plan(self, docs: list[RawDocument]) -> Plan:
        plan = Plan()
        claimed = self.claimed
        for doc in docs:
            key = key_of(doc)
            self.id_keys.setdefault(doc.source_id, set()).add(key)
            digest = sha256_text(normalise_text(doc.text))
            before = self.known.by_source.get(key)
            owned = before is not None and self._owns(key, before[0])
            own_id = before[0] if before is not None and owned else article_id_for(key)
            holder = claimed.get(digest) or self._stored_holder(digest)
            if before and before[1] == digest and before[2] == self.extractor_version and holder == before[0]:
                plan.unchanged += 1
                plan.links.append(SourceLink(doc.source_id, before[0], digest, doc.origin, key))
                claimed[digest] = before[0]
            elif holder and holder != own_id:
                # The same text is already stored under another name: keep one copy, remember this name.
                plan.duplicate += 1
                plan.links.append(SourceLink(doc.source_id, holder, digest, doc.origin, key))
                if before and owned:
                    plan.retire.append(own_id)
                    self.leaving.add(own_id)
            else:
                plan.new += before is None
                plan.updated += before is not None
                plan.to_parse.append(replace(doc, article_id=own_id, source_key=key))
                plan.parsed.add(key)
                plan.links.append(SourceLink(doc.source_id, own_id, digest, doc.origin, key))
                claimed[digest] = own_id
                if before and owned and self.known.by_hash.get(digest) != own_id:
                    self.leaving.add(own_id)  # its stored text goes: other names holding it must not count on it
        return plan

    def shared_ids(self) -> list[tuple[str, list[str]]]:
        """The run's inputs whose source_id another input has too (in this run or stored): per
        source id, every key that has it, the run's first. The same inputs give the same answer."""
        out = []
        for source_id, keys in self.id_keys.items():
            stored = [k for k in self.known.source_ids.get(source_id, ()) if k not in keys]
            if len(keys) + len(stored) > 1:
                out.append((source_id, sorted(keys) + sorted(stored)))
        return out

    def forget(self, digest: str, article_id: str) -> None:
        """The article planned for this text will not be stored (its document broke the parser):
        later copies of the text are not duplicates of it."""
        if self.claimed.get(digest) == article_id:
            del self.claimed[digest]


def plan_ingest(docs: list[RawDocument], known: Known, extractor_version: str) -> Plan:
    return Planner(known, extractor_version).plan(docs)
