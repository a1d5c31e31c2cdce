-- Casualty claims by source: who said how many were killed or wounded, in how many articles, how many
-- incidents (v_estimates) their claims are part of and how many of their claims are running totals.
-- Claims are counted, never summed: the same deaths are reported again and again, and a running
-- total already holds the incidents before it. Claims with no attribution go under the article's outlet.
WITH incident_of AS (SELECT estimate_id, unnest(figure_ids) AS figure_id FROM v_estimates)
SELECT
    coalesce(e.canonical_name, f.attributed_to, '(outlet) ' || coalesce(a.source_name, 'unknown')) AS source,
    f.category,
    count(*)                                            AS n_claims,
    count(DISTINCT f.article_id)                        AS n_articles,
    count(DISTINCT i.estimate_id)                       AS n_incidents,
    count(*) FILTER (WHERE f.scope = 'cumulative')      AS n_running_totals,
    max(coalesce(f.value_high, f.value_low))            AS largest,
    min(a.published_at)                                 AS first_claim,
    max(a.published_at)                                 AS last_claim
FROM v_figures AS f
JOIN v_articles AS a USING (article_id)
LEFT JOIN v_entities AS e ON e.entity_id = f.attributed_entity_id
LEFT JOIN incident_of AS i ON i.figure_id = f.figure_id
WHERE f.category IN ('killed', 'wounded')
GROUP BY ALL
ORDER BY n_claims DESC, source, f.category;
