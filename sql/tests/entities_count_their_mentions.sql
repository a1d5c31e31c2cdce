-- v_entities adds up: its counts are the mentions' counts, and each entity's mentions are in its aliases.
SELECT e.entity_id
FROM v_entities e
JOIN (SELECT entity_id, count(*) AS n, count(DISTINCT article_id) AS a, list(DISTINCT mention_text) AS texts
      FROM v_entity_mentions GROUP BY entity_id) m USING (entity_id)
WHERE e.n_mentions <> m.n OR e.n_articles <> m.a OR NOT list_has_all(e.aliases, m.texts)
   OR e.first_seen > e.last_seen
