-- Every entity a figure links to (actor, location, source) is an entity of the same article,
-- so a join from v_figures to v_entities / v_entity_mentions never loses the row.
SELECT f.figure_id, 'actor' AS role, f.actor_entity_id AS entity_id
FROM v_figures f
WHERE f.actor_entity_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM v_entity_mentions m WHERE m.article_id = f.article_id AND m.entity_id = f.actor_entity_id)
UNION ALL
SELECT f.figure_id, 'location', f.location_entity_id
FROM v_figures f
WHERE f.location_entity_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM v_entity_mentions m WHERE m.article_id = f.article_id AND m.entity_id = f.location_entity_id)
UNION ALL
SELECT f.figure_id, 'attributed_to', f.attributed_entity_id
FROM v_figures f
WHERE f.attributed_entity_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM v_entity_mentions m WHERE m.article_id = f.article_id AND m.entity_id = f.attributed_entity_id)
