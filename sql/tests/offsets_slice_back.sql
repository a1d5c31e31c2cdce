-- Every offset slices the article text back to the stored surface (DuckDB substring is 1-based).
SELECT 'sentence' AS kind, s.article_id, s.char_start FROM sentences s JOIN articles a USING (article_id)
WHERE s.char_start < 0 OR s.char_end > length(a.text) OR s.char_start >= s.char_end
   OR substring(a.text, s.char_start + 1, s.char_end - s.char_start) <> s.text
UNION ALL
SELECT 'mention', m.article_id, m.char_start FROM entity_mentions m JOIN articles a USING (article_id)
WHERE m.char_start < 0 OR m.char_end > length(a.text) OR m.char_start >= m.char_end
   OR substring(a.text, m.char_start + 1, m.char_end - m.char_start) <> m.mention_text
UNION ALL
SELECT 'figure', f.article_id, f.char_start FROM figures f JOIN articles a USING (article_id)
WHERE f.char_start < 0 OR f.char_end > length(a.text) OR f.char_start >= f.char_end
   OR substring(a.text, f.char_start + 1, f.char_end - f.char_start) <> f.surface;
