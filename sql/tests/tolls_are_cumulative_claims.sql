-- v_tolls holds exactly the cumulative-scope claims, each with a date.
SELECT t.figure_id, 'not cumulative' AS problem FROM v_tolls t JOIN v_figures f USING (figure_id) WHERE f.scope <> 'cumulative'
UNION ALL
SELECT figure_id, 'missing from v_tolls' FROM v_figures
WHERE scope = 'cumulative' AND figure_id NOT IN (SELECT figure_id FROM v_tolls)
UNION ALL
SELECT figure_id, 'no as_of' FROM v_tolls t
WHERE as_of IS NULL AND EXISTS (SELECT 1 FROM v_articles a WHERE a.article_id = t.article_id AND a.published_at IS NOT NULL)
