-- What an extractor upgrade changed in an article's figures (same text, new version): one row per
-- figure added, removed or changed, into figure_changes. Reads the temp tables _upgrades (article,
-- from_version, to_version) and _old_figures (the figures before the upgrade). {old} and {new} are
-- struct_pack(...) of the compared figure columns of o and n (flows/store/warehouse.py).
-- Parameters: run_id, changed_at.
INSERT INTO figure_changes
SELECT ?, u.article_id, u.from_version, u.to_version,
       CASE WHEN o.article_id IS NULL THEN 'added' WHEN n.article_id IS NULL THEN 'removed'
            ELSE 'changed' END,
       coalesce(o.char_start, n.char_start), coalesce(o.char_end, n.char_end),
       coalesce(o.surface, n.surface),
       CASE WHEN o.article_id IS NOT NULL THEN CAST(to_json({old}) AS VARCHAR) END,
       CASE WHEN n.article_id IS NOT NULL THEN CAST(to_json({new}) AS VARCHAR) END, ?
FROM _old_figures o
FULL OUTER JOIN (SELECT f.* FROM figures f JOIN _upgrades USING (article_id)) n
  ON o.article_id = n.article_id AND o.char_start = n.char_start AND o.char_end = n.char_end
JOIN _upgrades u ON u.article_id = coalesce(o.article_id, n.article_id)
WHERE o.article_id IS NULL OR n.article_id IS NULL OR {old} IS DISTINCT FROM {new}
