-- Nothing lost: every name points at an article that holds the very text it was given.
SELECT s.source_key, s.article_id FROM article_sources s JOIN articles a USING (article_id)
WHERE a.content_sha256 <> s.content_sha256;
