SELECT article_id, sentence_index, count(*) AS n FROM sentences
GROUP BY article_id, sentence_index HAVING count(*) > 1;
