WITH "s0" AS MATERIALIZED (SELECT "t1"."req_method" AS "req_method", "t1"."n" AS "n", COALESCE("t3"."req_method", '') AS "req_method_r", COALESCE("t3"."e", CAST(0 AS BIGINT)) AS "e"
FROM (SELECT "t0"."req_method" AS "req_method", CAST(count(*) AS BIGINT) AS "n"
FROM "http_events" AS "t0"
GROUP BY "t0"."req_method") AS "t1"
LEFT JOIN (SELECT "t2"."req_method" AS "req_method", CAST(count(*) AS BIGINT) AS "e"
FROM "http_events" AS "t2"
WHERE ("t2"."resp_status" >= CAST($1 AS BIGINT))
GROUP BY "t2"."req_method") AS "t3" ON "t1"."req_method" = "t3"."req_method")
SELECT "t6"."req_method" AS "req_method", "t6"."n" AS "n", "t6"."req_method_r" AS "req_method_r", "t6"."e" AS "e"
FROM (SELECT *
FROM (SELECT "t4"."req_method" AS "req_method", "t4"."n" AS "n", "t4"."req_method_r" AS "req_method_r", "t4"."e" AS "e"
FROM "s0" AS "t4")
UNION ALL SELECT *
FROM (SELECT "t5"."req_method" AS "req_method", "t5"."n" AS "n", "t5"."req_method_r" AS "req_method_r", "t5"."e" AS "e"
FROM "s0" AS "t5")) AS "t6"
LIMIT 10001
-- params: ["500n"]
