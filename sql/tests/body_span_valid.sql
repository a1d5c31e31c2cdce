SELECT article_id FROM articles
WHERE body_start < 0 OR body_end > length(text) OR body_start > body_end OR sha256(text) <> content_sha256;
