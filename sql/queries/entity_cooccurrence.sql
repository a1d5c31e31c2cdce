-- Entity co-occurrence: pairs of people, organisations, places and groups named in the same
-- sentence, with how many sentences and articles they share. Each pair once; names are the
-- entities' names across all articles (v_entities), so "ISIS" and "Daesh" count as one.
WITH m AS (
    SELECT DISTINCT em.article_id, em.sentence_index, em.entity_id, e.canonical_name, e.label
    FROM v_entity_mentions AS em
    JOIN v_entities AS e USING (entity_id)
    WHERE e.label IN ('PERSON', 'ORG', 'GPE', 'LOC', 'NORP', 'FAC')
)
SELECT
    a.canonical_name AS entity_a, a.label AS label_a,
    b.canonical_name AS entity_b, b.label AS label_b,
    count(*)                      AS n_sentences,
    count(DISTINCT a.article_id)  AS n_articles
FROM m AS a
JOIN m AS b ON a.article_id = b.article_id AND a.sentence_index = b.sentence_index AND a.entity_id < b.entity_id
GROUP BY ALL
ORDER BY n_sentences DESC, n_articles DESC, entity_a, entity_b
LIMIT 200;
