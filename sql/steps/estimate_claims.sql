-- The claims transforms/estimates.py clusters into incidents: incident-scope figures with a value, not
-- a part of another figure, not vague ("dozens", "hundreds" are no count), with their story (near-duplicate cluster), place and source.
-- A place's key is its gazetteer id where it has one ("Deir Ezzor" and "Deir ez-Zor" are one place),
-- else its entity id; a country is a place too wide to tie claims across articles.
SELECT f.figure_id, f.article_id, f.dup_cluster_id AS story, f.category, f.counted_group,
       coalesce(f.location_place_id, f.location_entity_id) AS place_key, f.location_place_id AS place_id,
       f.location_entity_id AS place_entity_id, f.location AS place,
       coalesce(f.location_place_id LIKE 'iso3166:__', false) AS place_is_country,
       f.location_country_code AS country_code, f.location_latitude AS latitude,
       f.location_longitude AS longitude, f.event_date, f.event_date_precision, f.event_date_basis, f.qualifier,
       f.value_low, f.value_high,
       coalesce(f.attributed_to, a.source_name, f.dup_cluster_id) AS source,
       CASE WHEN f.actor_is_agent THEN lower(f.actor) END AS doer
FROM v_figures f
JOIN articles a USING (article_id)
WHERE f.scope = 'incident' AND NOT coalesce(f.is_part, false) AND f.qualifier <> 'vague'
  AND (f.value_low IS NOT NULL OR f.value_high IS NOT NULL)
