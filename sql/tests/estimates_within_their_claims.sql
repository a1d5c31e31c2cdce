-- No bound beyond the claims' own values, and every claim of an incident is an incident-scope claim of
-- its category, not vague, not a part of another figure.
WITH claims AS (
    SELECT e.estimate_id, e.category AS e_category, e.low, e.high, unnest(e.figure_ids) AS figure_id FROM v_estimates e
), joined AS (
    SELECT c.*, f.category, f.scope, f.qualifier, f.is_part, f.value_low, f.value_high
    FROM claims c LEFT JOIN v_figures f USING (figure_id)
)
SELECT estimate_id, 'claim is not an incident claim of its category' AS problem, figure_id
FROM joined
WHERE category IS DISTINCT FROM e_category OR scope IS DISTINCT FROM 'incident' OR qualifier = 'vague' OR is_part
UNION ALL
SELECT estimate_id, 'bound beyond the claims', NULL
FROM joined GROUP BY estimate_id
HAVING min(least(coalesce(value_low, value_high), coalesce(value_high, value_low))) > min(low)
    OR max(greatest(coalesce(value_low, value_high), coalesce(value_high, value_low))) < max(high)
