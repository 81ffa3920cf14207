SELECT "t8"."req_method" AS "req_method", "t8"."n" AS "n", "t8"."req_method_r" AS "req_method_r", "t8"."e" AS "e"
FROM (SELECT *
FROM (SELECT "t1"."req_method" AS "req_method", "t1"."n" AS "n", COALESCE("t3"."req_method", '') AS "req_method_r", COALESCE("t3"."e", CAST(0 AS BIGINT)) AS "e"
FROM (SELECT "t0"."req_method" AS "req_method", CAST(count(*) AS BIGINT) AS "n"
FROM "http_events" AS "t0"
GROUP BY "t0"."req_method") AS "t1"
LEFT JOIN (SELECT "t2"."req_method" AS "req_method", CAST(count(*) AS BIGINT) AS "e"
FROM "http_events" AS "t2"
WHERE ("t2"."resp_status" >= CAST($1 AS BIGINT))
GROUP BY "t2"."req_method") AS "t3" ON "t1"."req_method" = "t3"."req_method")
UNION ALL SELECT *
FROM (SELECT "t5"."req_method" AS "req_method", "t5"."n" AS "n", COALESCE("t7"."req_method", '') AS "req_method_r", COALESCE("t7"."e", CAST(0 AS BIGINT)) AS "e"
FROM (SELECT "t4"."req_method" AS "req_method", CAST(count(*) AS BIGINT) AS "n"
FROM "http_events" AS "t4"
GROUP BY "t4"."req_method") AS "t5"
LEFT JOIN (SELECT "t6"."req_method" AS "req_method", CAST(count(*) AS BIGINT) AS "e"
FROM "http_events" AS "t6"
WHERE ("t6"."resp_status" >= CAST($2 AS BIGINT))
GROUP BY "t6"."req_method") AS "t7" ON "t5"."req_method" = "t7"."req_method")) AS "t8"
LIMIT 10001
-- params: ["500n","500n"]
