-- A name points at one article: one row per input (source key), whatever source ids inputs share.
SELECT source_key, count(*) AS n FROM article_sources GROUP BY source_key HAVING count(*) > 1;
