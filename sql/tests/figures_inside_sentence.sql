-- A figure lies inside the sentence it names, and its bounds are ordered.
SELECT f.figure_id FROM figures f
LEFT JOIN sentences s ON s.article_id = f.article_id AND s.sentence_index = f.sentence_index
WHERE s.article_id IS NULL OR f.char_start < s.char_start OR f.char_end > s.char_end
   OR (f.value_low IS NOT NULL AND f.value_high IS NOT NULL AND f.value_low > f.value_high)
   OR (f.value_low IS NULL AND f.value_high IS NULL)
   OR f.qualifier NOT IN ('exact', 'approx', 'at_least', 'at_most', 'range', 'vague')
   OR f.category NOT IN ('fighters', 'killed', 'wounded', 'detained', 'kidnapped', 'displaced', 'people',
                         'strikes', 'munitions', 'equipment', 'targets', 'money', 'percent', 'area', 'other');
