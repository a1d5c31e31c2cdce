-- The same text is stored once.
SELECT content_sha256, count(*) AS n FROM articles GROUP BY content_sha256 HAVING count(*) > 1;
