-- Casualty claims by source: who said how many were killed or wounded, in how many articles,
-- and the sum of the lower bounds (a floor: the same deaths may be reported more than once).
-- Claims with no attribution are grouped under the article's outlet.
SELECT
    coalesce(e.canonical_name, f.attributed_to, '(outlet) ' || coalesce(a.source_name, 'unknown')) AS source,
    f.category,
    count(*)                                     AS n_claims,
    count(DISTINCT f.article_id)                 AS n_articles,
    sum(coalesce(f.value_low, f.value_high))     AS sum_of_lower_bounds,
    max(coalesce(f.value_high, f.value_low))     AS largest,
    min(a.published_at)                          AS first_claim,
    max(a.published_at)                          AS last_claim
FROM v_figures AS f
JOIN v_articles AS a USING (article_id)
LEFT JOIN v_entities AS e ON e.entity_id = f.attributed_entity_id
WHERE f.category IN ('killed', 'wounded')
GROUP BY ALL
ORDER BY n_claims DESC, source, f.category;
