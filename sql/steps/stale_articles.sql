-- The next page of articles to parse again (`newsetl rebuild`): those not made by this extractor
-- version, or (with --force) ingested before the rebuild started; as the fields of a stored
-- document (transforms.articles.stored_document). Parameters: after article_id, version,
-- force_before, limit.
SELECT a.source_id, a.text, coalesce(s.origin, a.source_id), a.title, a.author, a.published_at,
       a.source_name, a.url, a.metadata, a.article_id, coalesce(a.source_key, a.source_id)
FROM articles a
LEFT JOIN article_sources s ON s.source_key = a.source_key AND s.article_id = a.article_id
WHERE a.article_id > ? AND (a.extractor_version <> ? OR a.ingested_at < ?)
ORDER BY a.article_id
LIMIT ?
