"""Each row schema of the warehouse, declared once: column -> Polars type (the names and types are
the tables'; the DDL's column order may differ where columns were added by ALTER TABLE).

The transforms build their frames from these (transforms/pipeline.py, transforms/estimates.py), the
loader inserts by these names (flows/store/warehouse.py), and tests/test_schema.py checks them
against the DDL in sql/010_tables.sql, the dataclasses the columns come from (Article, Sentence,
Mention, Figure) and the contract views in ../shared/CONTRACT.md. A new column: add it here, to the
DDL (an `ALTER TABLE ... ADD COLUMN IF NOT EXISTS` for warehouses made before), and to the dataclass
or step that fills it; that test names whatever is missing.

No spaCy here: `newsetl sql`, `report` and the loader import these without loading the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

ARTICLE_SCHEMA: dict[str, Any] = {
    "article_id": pl.String,
    "source_id": pl.String,
    "source_name": pl.String,
    "url": pl.String,
    "title": pl.String,
    "author": pl.String,
    "published_at": pl.Datetime("us"),
    "language": pl.String,
    "text": pl.String,
    "body_start": pl.Int32,
    "body_end": pl.Int32,
    "content_sha256": pl.String,
    "extractor_version": pl.String,
    "n_words": pl.Int32,
    "metadata": pl.String,
    "simhash": pl.UInt64,
    "source_key": pl.String,
}
SENTENCE_SCHEMA: dict[str, Any] = {
    "article_id": pl.String,
    "sentence_index": pl.Int32,
    "char_start": pl.Int32,
    "char_end": pl.Int32,
    "text": pl.String,
}
MENTION_SCHEMA: dict[str, Any] = {
    "article_id": pl.String,
    "sentence_index": pl.Int32,
    "char_start": pl.Int32,
    "char_end": pl.Int32,
    "mention_text": pl.String,
    "label": pl.String,
    "ner_label": pl.String,
    "entity_id": pl.String,
    "canonical_name": pl.String,
    "entity_name": pl.String,
    "role": pl.String,
    "country_code": pl.String,
    "latitude": pl.Float64,
    "longitude": pl.Float64,
    "place_id": pl.String,
}
FIGURE_SCHEMA: dict[str, Any] = {
    "figure_id": pl.String,
    "article_id": pl.String,
    "sentence_index": pl.Int32,
    "char_start": pl.Int32,
    "char_end": pl.Int32,
    "surface": pl.String,
    "value_low": pl.Float64,
    "value_high": pl.Float64,
    "qualifier": pl.String,
    "category": pl.String,
    "counted": pl.String,
    "actor": pl.String,
    "location": pl.String,
    "attributed_to": pl.String,
    "actor_entity_id": pl.String,
    "location_entity_id": pl.String,
    "attributed_entity_id": pl.String,
    "actor_is_agent": pl.Boolean,
    "scope": pl.String,
    "event_date": pl.Date,
    "event_date_precision": pl.String,
    "event_date_basis": pl.String,
    "counted_group": pl.String,
    "is_part": pl.Boolean,
}
# The values of figures.category and figures.qualifier (CONTRACT.md's), declared once; the data
# tests' lists and the contract are held to these by tests/test_schema.py.
FIGURE_CATEGORIES = (
    "fighters",
    "killed",
    "wounded",
    "detained",
    "kidnapped",
    "displaced",
    "people",
    "strikes",
    "munitions",
    "equipment",
    "targets",
    "money",
    "percent",
    "area",
    "other",
)
QUALIFIERS = ("exact", "approx", "at_least", "at_most", "range", "vague")

# Columns the loader stamps on each article as it writes the batch (not parsed from the text).
ARTICLE_STAMPS: dict[str, Any] = {"ingested_at": pl.Datetime("us"), "run_id": pl.String}

ESTIMATE_SCHEMA: dict[str, Any] = {
    "estimate_id": pl.String,
    "category": pl.String,
    "counted_group": pl.String,
    "place_entity_id": pl.String,
    "place": pl.String,
    "latitude": pl.Float64,
    "longitude": pl.Float64,
    "date_from": pl.Date,
    "date_to": pl.Date,
    "low": pl.Float64,
    "best": pl.Float64,
    "high": pl.Float64,
    "n_claims": pl.Int32,
    "n_sources": pl.Int32,
    "n_stories": pl.Int32,
    "sources": pl.List(pl.String),
    "disagree": pl.Boolean,
    "figure_ids": pl.List(pl.String),
    "place_id": pl.String,
    "tied": pl.Boolean,
}

# A rejected input, as written by the run that saw it (transforms.inputs.Reject + the run's stamps).
REJECT_SCHEMA: dict[str, Any] = {
    "run_id": pl.String,
    "source": pl.String,
    "reason": pl.String,
    "detail": pl.String,
    "rejected_at": pl.Datetime("us"),
}
# One ingest or rebuild run: started, then its counts and status written when it ends.
RUN_SCHEMA: dict[str, Any] = {
    "run_id": pl.String,
    "flow_run_id": pl.String,
    "started_at": pl.Datetime("us"),
    "finished_at": pl.Datetime("us"),
    "status": pl.String,
    "paths": pl.List(pl.String),
    "n_files_seen": pl.Int32,
    "n_new": pl.Int32,
    "n_updated": pl.Int32,
    "n_unchanged": pl.Int32,
    "n_duplicate": pl.Int32,
    "n_rejected": pl.Int32,
    "rows_articles": pl.Int32,
    "rows_sentences": pl.Int32,
    "rows_mentions": pl.Int32,
    "rows_figures": pl.Int32,
    "extractor_version": pl.String,
    "error": pl.String,
}

# How the parsed rows are filled: column <- attribute of the dataclass it comes from (Sentence,
# Mention, Figure; an article's row takes every field of Article by name), and the columns computed
# as the rows are made. tests/test_schema.py checks that these cover each schema exactly.
_SPAN = {"char_start": "start", "char_end": "end"}
FROM_FIELDS: dict[str, dict[str, str]] = {
    "sentences": {"sentence_index": "index", **_SPAN, "text": "text"},
    "entity_mentions": {
        **_SPAN,
        "mention_text": "text",
        **{
            c: c
            for c in MENTION_SCHEMA
            if c not in {"article_id", "sentence_index", "char_start", "char_end", "mention_text", "entity_name"}
        },
    },
    "figures": {**{c: c for c in FIGURE_SCHEMA if c not in {"article_id", "char_start", "char_end"}}, **_SPAN},
}
COMPUTED: dict[str, set[str]] = {
    "articles": {"extractor_version", "n_words", "simhash"},
    "sentences": {"article_id"},
    "entity_mentions": {"article_id", "sentence_index", "entity_name"},
    "figures": {"article_id"},
}

# Table -> its columns. (Entities are not a table: v_entities rolls them up from entity_mentions.)
TABLES: dict[str, dict[str, Any]] = {
    "articles": ARTICLE_SCHEMA | ARTICLE_STAMPS,
    "sentences": SENTENCE_SCHEMA,
    "entity_mentions": MENTION_SCHEMA,
    "figures": FIGURE_SCHEMA,
    "estimates": ESTIMATE_SCHEMA,
    "rejects": REJECT_SCHEMA,
    "ingest_runs": RUN_SCHEMA,
}


@dataclass(frozen=True)
class ParsedBatch:
    articles: pl.DataFrame
    sentences: pl.DataFrame
    mentions: pl.DataFrame
    figures: pl.DataFrame

    @property
    def row_counts(self) -> dict[str, int]:
        return {
            "articles": self.articles.height,
            "sentences": self.sentences.height,
            "entity_mentions": self.mentions.height,
            "figures": self.figures.height,
        }
