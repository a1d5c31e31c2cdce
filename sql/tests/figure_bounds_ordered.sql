-- Bounds are ordered, a range has both, and a qualifier agrees with which bounds are open.
SELECT figure_id, qualifier, value_low, value_high
FROM v_figures
WHERE (value_low IS NOT NULL AND value_high IS NOT NULL AND value_low > value_high)
   OR (qualifier = 'range' AND (value_low IS NULL OR value_high IS NULL OR value_low >= value_high))
   OR (qualifier = 'at_least' AND (value_low IS NULL OR value_high IS NOT NULL))
   OR (qualifier = 'at_most' AND (value_high IS NULL OR value_low IS NOT NULL))
   OR (qualifier = 'exact' AND (value_low IS NULL OR value_low <> value_high))
   OR qualifier NOT IN ('exact', 'approx', 'at_least', 'at_most', 'range', 'vague')
   OR category NOT IN ('fighters', 'killed', 'wounded', 'detained', 'kidnapped', 'displaced', 'people', 'strikes',
                       'munitions', 'equipment', 'targets', 'money', 'percent', 'area', 'other')
