-- Disagreeing figures: for the same place, category and month, figures from different articles
-- that cannot all be true: some figure's lower bound is above another's upper bound ("at least
-- 31" and "23" disagree; "at least 31" and "31" do not). One row per figure, grouped so the
-- disagreement reads top to bottom; `spread` is the highest lower bound over the lowest upper one.
-- Different incidents in one place and month also land here: read the sentences before concluding.
WITH figs AS (
    SELECT
        coalesce(f.location_entity_id, lower(f.location))            AS place_key,
        coalesce(e.canonical_name, f.location)                       AS place,
        f.category,
        CAST(date_trunc('month', a.published_at) AS DATE)            AS month,
        f.value_low, f.value_high, f.qualifier, f.surface,
        coalesce(f.value_low, 0)                                     AS lo,
        coalesce(f.value_high, 'infinity'::DOUBLE)                   AS hi,
        coalesce(f.attributed_to, a.source_name)                     AS said_by,
        a.source_id, f.article_id
    FROM v_figures AS f
    JOIN v_articles AS a USING (article_id)
    LEFT JOIN v_entities AS e ON e.entity_id = f.location_entity_id
    WHERE f.location IS NOT NULL AND f.category NOT IN ('other', 'money', 'percent', 'area')
),
groups AS (
    SELECT place_key, category, month, max(lo) / nullif(min(hi), 0) AS spread
    FROM figs
    GROUP BY ALL
    HAVING max(lo) > min(hi) AND count(DISTINCT article_id) > 1
)
SELECT figs.place, figs.category, figs.month, round(groups.spread, 1) AS spread,
       figs.value_low, figs.value_high, figs.qualifier, figs.surface, figs.said_by, figs.source_id
FROM figs JOIN groups USING (place_key, category, month)
ORDER BY figs.place, figs.category, figs.month NULLS LAST, figs.value_low NULLS FIRST, figs.value_high, figs.source_id;
