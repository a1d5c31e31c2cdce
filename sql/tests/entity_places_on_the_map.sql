-- A mention with coordinates is a place with a country, and the coordinates are on the globe;
-- one entity sits at one point.
SELECT entity_id, label, country_code, latitude, longitude
FROM v_entity_mentions
WHERE latitude IS NOT NULL
  AND (label NOT IN ('GPE', 'LOC', 'FAC') OR country_code IS NULL OR longitude IS NULL
       OR latitude NOT BETWEEN -90 AND 90 OR longitude NOT BETWEEN -180 AND 180)
UNION ALL
SELECT entity_id, NULL, NULL, NULL, NULL
FROM v_entity_mentions
WHERE place_id IS NOT NULL
GROUP BY entity_id
HAVING count(DISTINCT place_id) > 1 OR count(DISTINCT latitude) > 1
