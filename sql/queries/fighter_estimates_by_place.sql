-- Fighter estimates by place over time: each place that fighter counts were given for, month by
-- month, with the lowest and highest bound said, how many figures and articles, and who said so.
-- A figure with no resolved place keeps the place as written; an article with no date has month NULL.
SELECT
    coalesce(e.canonical_name, f.location)              AS place,
    e.country_code,
    CAST(date_trunc('month', a.published_at) AS DATE)    AS month,
    count(*)                                             AS n_figures,
    count(DISTINCT f.article_id)                         AS n_articles,
    min(coalesce(f.value_low, f.value_high))             AS lowest,
    max(coalesce(f.value_high, f.value_low))             AS highest,
    string_agg(DISTINCT f.actor, '; ')                   AS whose,
    string_agg(DISTINCT f.attributed_to, '; ')           AS said_by
FROM v_figures AS f
JOIN v_articles AS a USING (article_id)
LEFT JOIN v_entities AS e ON e.entity_id = f.location_entity_id
WHERE f.category = 'fighters' AND f.location IS NOT NULL
GROUP BY ALL
ORDER BY place, month NULLS LAST;
