-- A name points at one article.
SELECT source_id, count(*) AS n FROM article_sources GROUP BY source_id HAVING count(*) > 1;
