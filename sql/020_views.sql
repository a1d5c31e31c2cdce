-- The public contract: names and columns as in ../shared/CONTRACT.md. Columns may be added, never
-- renamed or dropped.

CREATE OR REPLACE VIEW v_articles AS
SELECT article_id, source_id, source_name, url, title, author, published_at, language, text,
       body_start, body_end, content_sha256, extractor_version, ingested_at,
       n_words, metadata
FROM articles;

CREATE OR REPLACE VIEW v_sentences AS
SELECT s.article_id, a.source_id, s.sentence_index, s.char_start, s.char_end, s.text
FROM sentences s JOIN articles a USING (article_id);

CREATE OR REPLACE VIEW v_entity_mentions AS
SELECT m.article_id, a.source_id, m.sentence_index, m.char_start, m.char_end, m.mention_text,
       m.label, m.entity_id, m.canonical_name,
       m.ner_label, m.role, m.country_code, m.latitude, m.longitude, m.place_id
FROM entity_mentions m JOIN articles a USING (article_id);

-- One row per entity across all articles. Its name is the alias list's where listed, else the name
-- most articles give it; a place carries the gazetteer's country and coordinates.
CREATE OR REPLACE VIEW v_entities AS
SELECT m.entity_id,
       mode(coalesce(m.entity_name, m.canonical_name))          AS canonical_name,
       mode(m.label)                                           AS label,
       list_sort(list_distinct(list(m.mention_text)
                 || list(m.canonical_name)))                   AS aliases,
       count(DISTINCT m.article_id)                            AS n_articles,
       count(*)                                                AS n_mentions,
       min(coalesce(a.published_at, a.ingested_at))           AS first_seen,
       max(coalesce(a.published_at, a.ingested_at))           AS last_seen,
       mode(m.country_code)                                    AS country_code,
       mode(m.latitude)                                        AS latitude,
       mode(m.longitude)                                       AS longitude,
       mode(m.place_id)                                        AS place_id,
       list_sort(list_distinct(list(m.role) FILTER (WHERE m.role IS NOT NULL))) AS roles
FROM entity_mentions m JOIN articles a USING (article_id)
GROUP BY m.entity_id;

-- Where a figure's place is resolved, its country and coordinates come with it (for maps in BI).
CREATE OR REPLACE VIEW v_figures AS
SELECT f.figure_id, f.article_id, a.source_id, f.sentence_index, f.char_start, f.char_end, f.surface,
       f.value_low, f.value_high, f.qualifier, f.category, f.counted, f.actor, f.location,
       f.attributed_to, f.actor_entity_id, f.location_entity_id, f.attributed_entity_id,
       p.country_code AS location_country_code, p.latitude AS location_latitude,
       p.longitude AS location_longitude
FROM figures f JOIN articles a USING (article_id)
LEFT JOIN (
    SELECT entity_id, mode(country_code) AS country_code, mode(latitude) AS latitude,
           mode(longitude) AS longitude
    FROM entity_mentions WHERE place_id IS NOT NULL GROUP BY entity_id
) p ON p.entity_id = f.location_entity_id;

CREATE OR REPLACE VIEW v_ingest_runs AS
SELECT run_id, flow_run_id, started_at, finished_at, status,
       n_files_seen AS files_seen, n_new AS articles_new, n_updated AS articles_updated,
       n_unchanged AS articles_unchanged, n_rejected AS rejected,
       n_duplicate AS articles_duplicate, paths, rows_articles, rows_sentences, rows_mentions,
       rows_figures, extractor_version, error
FROM ingest_runs;

CREATE OR REPLACE VIEW v_rejects AS
SELECT run_id, source, reason, detail, rejected_at
FROM rejects;
