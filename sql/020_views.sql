-- The public contract: names and columns as in ../shared/CONTRACT.md. Columns may be added, never
-- renamed or dropped.

-- dup_cluster_id: articles that are the same story re-published (near-identical bodies) share it;
-- an article with no copy is its own cluster. Count stories with count(DISTINCT dup_cluster_id).
CREATE OR REPLACE VIEW v_articles AS
SELECT a.article_id, a.source_id, a.source_name, a.url, a.title, a.author, a.published_at, a.language,
       a.text, a.body_start, a.body_end, a.content_sha256, a.extractor_version, a.ingested_at,
       a.n_words, a.metadata, coalesce(c.dup_cluster_id, a.article_id) AS dup_cluster_id, a.simhash,
       a.source_key
FROM articles a LEFT JOIN article_clusters c USING (article_id);

-- Every name a document was given: two inputs may share a source_id ("story.txt" in two folders,
-- id "1" in two feeds); source_key (the file's full path, and the record id) tells them apart.
CREATE OR REPLACE VIEW v_article_sources AS
SELECT source_id, article_id, origin, first_seen, last_seen, source_key, content_sha256, last_run_id
FROM article_sources;

-- Pairs of near-identical articles (SimHash of the body within 3 of 64 bits), each pair both ways.
-- Four 16-bit bands: two hashes that close share a whole band, so only those are compared.
CREATE OR REPLACE VIEW v_near_duplicates AS
WITH bands AS (
    SELECT a.article_id, a.simhash, b.band_no, (a.simhash >> (16 * b.band_no)) & 65535 AS band
    FROM articles a, (SELECT unnest(range(4)) AS band_no) b
    WHERE a.simhash IS NOT NULL
)
SELECT DISTINCT x.article_id, y.article_id AS near_article_id,
       bit_count(xor(x.simhash, y.simhash)) AS distance
FROM bands x JOIN bands y ON x.band_no = y.band_no AND x.band = y.band AND x.article_id <> y.article_id
WHERE bit_count(xor(x.simhash, y.simhash)) <= 3;

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
       p.longitude AS location_longitude, coalesce(c.dup_cluster_id, f.article_id) AS dup_cluster_id,
       coalesce(f.scope, 'unknown') AS scope, f.event_date,
       coalesce(f.event_date_precision, 'unknown') AS event_date_precision, f.counted_group, f.is_part,
       f.event_date_basis, p.place_id AS location_place_id, f.actor_is_agent
FROM figures f JOIN articles a USING (article_id)
LEFT JOIN article_clusters c ON c.article_id = f.article_id
LEFT JOIN (
    SELECT entity_id, mode(country_code) AS country_code, mode(latitude) AS latitude,
           mode(longitude) AS longitude, min(place_id) AS place_id
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

-- What each extractor upgrade changed, figure by figure, and in sum per pair of versions.
CREATE OR REPLACE VIEW v_figure_changes AS
SELECT fc.run_id, fc.article_id, a.source_id, fc.from_version, fc.to_version, fc.change,
       fc.char_start, fc.char_end, fc.surface, fc.old_values, fc.new_values, fc.changed_at
FROM figure_changes fc LEFT JOIN articles a USING (article_id);

CREATE OR REPLACE VIEW v_version_changes AS
SELECT from_version, to_version,
       count(DISTINCT article_id)                  AS articles,
       count(*) FILTER (WHERE change = 'added')    AS figures_added,
       count(*) FILTER (WHERE change = 'removed')  AS figures_removed,
       count(*) FILTER (WHERE change = 'changed')  AS figures_changed,
       min(changed_at) AS first_changed_at, max(changed_at) AS last_changed_at
FROM figure_changes GROUP BY from_version, to_version;

-- One row per incident: its claims clustered across articles and sources (transforms/estimates.py;
-- README "Estimates"). low/best/high never beyond the claims' own values.
CREATE OR REPLACE VIEW v_estimates AS
SELECT estimate_id, category, place_entity_id, place, latitude, longitude, date_from, date_to,
       low, best, high, n_claims, n_sources, n_stories, sources, disagree, figure_ids, counted_group,
       place_id, tied
FROM estimates;

-- Running totals as claimed, one row per cumulative-scope claim: a time series, never summed.
CREATE OR REPLACE VIEW v_tolls AS
SELECT f.location_entity_id AS place_entity_id, f.location AS place, f.category,
       coalesce(f.event_date, CAST(a.published_at AS DATE)) AS as_of, f.value_low, f.value_high,
       f.attributed_to, f.figure_id, f.article_id, f.counted_group, f.location_country_code AS country_code,
       f.location_place_id AS place_id
FROM v_figures f JOIN articles a USING (article_id)
WHERE f.scope = 'cumulative';
