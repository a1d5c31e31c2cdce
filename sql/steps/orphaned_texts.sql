-- Leaving articles (_leaving) whose text some name still holds and no other article keeps: each
-- with the name that will own its copy (the smallest source key). Holders are the stored names not
-- being rewritten now (_moving) and the names this run planned against the article (_pending); a
-- text arriving in this batch (_incoming_hashes) needs no copy.
SELECT a.article_id, min(s.source_key), arg_min(s.source_id, s.source_key), a.content_sha256
FROM articles a
JOIN (
    SELECT source_key, source_id, article_id, content_sha256 FROM article_sources
    WHERE source_key NOT IN (SELECT source_key FROM _moving)
    UNION ALL
    SELECT * FROM _pending
) s ON s.article_id = a.article_id AND s.content_sha256 = a.content_sha256
WHERE a.article_id IN (SELECT article_id FROM _leaving)
  AND a.content_sha256 NOT IN (SELECT h FROM _incoming_hashes)
  -- a text another article keeps holding needs no copy: its names follow it there
  AND NOT EXISTS (
      SELECT 1 FROM articles o
      WHERE o.content_sha256 = a.content_sha256 AND o.article_id NOT IN (SELECT article_id FROM _leaving)
  )
GROUP BY a.article_id, a.content_sha256
ORDER BY a.article_id
