-- One label per entity within an article: all its mentions agree, whatever the model said of each.
SELECT article_id, entity_id, count(DISTINCT label) AS labels
FROM v_entity_mentions
GROUP BY article_id, entity_id
HAVING count(DISTINCT label) > 1
