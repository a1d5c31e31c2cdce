-- Every sentence, mention, figure and source name points to a stored article.
SELECT 'sentences' AS tbl, article_id FROM sentences WHERE article_id NOT IN (SELECT article_id FROM articles)
UNION ALL
SELECT 'entity_mentions', article_id FROM entity_mentions WHERE article_id NOT IN (SELECT article_id FROM articles)
UNION ALL
SELECT 'figures', article_id FROM figures WHERE article_id NOT IN (SELECT article_id FROM articles)
UNION ALL
SELECT 'article_sources', article_id FROM article_sources WHERE article_id NOT IN (SELECT article_id FROM articles);
