-- Nothing lost: every name points at an article that exists and holds the very text it was given.
SELECT s.source_key, s.article_id FROM article_sources s LEFT JOIN articles a USING (article_id)
WHERE a.article_id IS NULL OR a.content_sha256 <> s.content_sha256;
