-- Disagreeing sources: incidents (v_estimates) whose claims cannot all be true ("at least 31" and "23"
-- disagree; "at least 31" and "31" do not), each claim on its own row with its source, article and
-- sentence, so the accounts read side by side. Incidents with the most sources first.
SELECT e.estimate_id, e.category, e.place, e.date_from, e.date_to, e.low, e.best, e.high, e.n_sources,
       f.surface, f.value_low, f.value_high, f.qualifier,
       coalesce(f.attributed_to, a.source_name, a.source_id) AS source, a.source_id,
       CAST(a.published_at AS DATE) AS published, s.text AS sentence
FROM v_estimates e
JOIN v_figures f ON list_contains(e.figure_ids, f.figure_id)
JOIN v_articles a ON a.article_id = f.article_id
JOIN v_sentences s ON s.article_id = f.article_id AND s.sentence_index = f.sentence_index
WHERE e.disagree
ORDER BY e.n_sources DESC, e.n_claims DESC, e.high DESC, e.estimate_id,
         coalesce(f.value_low, f.value_high), a.source_id, f.char_start
