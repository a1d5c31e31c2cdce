-- Every claim is in at most one incident.
SELECT figure_id, count(*) AS incidents
FROM (SELECT unnest(figure_ids) AS figure_id FROM v_estimates)
GROUP BY figure_id HAVING count(*) > 1
