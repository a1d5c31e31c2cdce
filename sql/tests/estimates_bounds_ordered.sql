-- An incident's bounds are ordered and its counts agree with its claims.
SELECT estimate_id, low, best, high, n_claims
FROM v_estimates
WHERE NOT (low <= best AND best <= high)
   OR n_claims <> len(figure_ids) OR n_claims < 1
   OR n_stories < 1 OR n_sources < 1 OR n_stories > n_claims OR n_sources > n_claims
   OR date_from > date_to
