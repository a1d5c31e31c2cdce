-- Killed per place: the sum of the place's incidents' best estimates (v_estimates: each incident once,
-- across the articles and sources that report it), beside the running totals claimed for the place
-- (v_tolls: the latest, as of its date, and the largest). Running totals are never added in, and no
-- claim is summed. A place is its gazetteer id where it has one ("Deir Ezzor" = "Deir ez-Zor"), else
-- its entity; places in order of how many figures name them. The HTML report's places table.
-- killed_tied: the part of killed from incidents whose claims have a place and a date the text gives,
-- so that another article's report of the same incident joins them (v_estimates.tied); the rest are
-- one story's own incidents (no such place or date), which another story may tell again.
WITH figs AS (
    SELECT coalesce(f.location_place_id, f.location_entity_id, lower(f.location)) AS k,
           count(*) AS n_figures, count(DISTINCT f.article_id) AS n_articles,
           mode(f.location) AS said, any_value(f.location_country_code) AS country_code,
           any_value(f.location_latitude) AS latitude, any_value(f.location_longitude) AS longitude
    FROM v_figures f WHERE f.location IS NOT NULL GROUP BY 1
), inc AS (
    SELECT coalesce(place_id, place_entity_id, lower(place)) AS k, count(*) AS incidents, sum(best) AS killed,
           coalesce(sum(best) FILTER (WHERE tied), 0) AS killed_tied,
           count(*) FILTER (WHERE disagree) AS disagreeing
    FROM v_estimates WHERE category = 'killed' AND place IS NOT NULL GROUP BY 1
), tolls AS (
    SELECT coalesce(place_id, place_entity_id, lower(place)) AS k,
           max(coalesce(value_low, value_high)) AS largest_toll,
           arg_max(coalesce(value_low, value_high), (as_of, coalesce(value_low, value_high))) AS latest_toll,
           max(as_of) AS latest_toll_as_of
    FROM v_tolls WHERE category = 'killed' AND place IS NOT NULL GROUP BY 1
)
SELECT coalesce(e.canonical_name, figs.said) AS place, figs.country_code, figs.latitude, figs.longitude,
       figs.n_figures, figs.n_articles, coalesce(inc.incidents, 0) AS incidents, inc.killed, inc.killed_tied,
       coalesce(inc.disagreeing, 0) AS disagreeing, tolls.latest_toll, tolls.latest_toll_as_of, tolls.largest_toll
FROM figs
LEFT JOIN inc USING (k)
LEFT JOIN tolls USING (k)
LEFT JOIN (SELECT entity_id, canonical_name FROM v_entities) e ON e.entity_id = figs.k
ORDER BY figs.n_figures DESC, place
