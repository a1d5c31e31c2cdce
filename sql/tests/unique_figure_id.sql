SELECT figure_id, count(*) AS n FROM figures GROUP BY figure_id HAVING count(*) > 1;
