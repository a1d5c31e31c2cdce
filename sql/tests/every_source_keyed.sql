-- Every name and article carries its input's identity.
SELECT 'article_sources' AS t, source_id FROM article_sources WHERE source_key IS NULL
UNION ALL
SELECT 'articles', source_id FROM articles WHERE source_key IS NULL;
