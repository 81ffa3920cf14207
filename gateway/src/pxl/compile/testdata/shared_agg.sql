WITH "s0" AS MATERIALIZED (SELECT "t0"."req_path" AS "req_path", CAST(count(*) AS BIGINT) AS "n"
FROM "http_events" AS "t0"
WHERE "t0"."time_" >= CAST($1 AS BIGINT) AND ("t0"."resp_status" >= CAST($2 AS BIGINT))
GROUP BY "t0"."req_path")
SELECT "t2"."req_path" AS "req_path", "t2"."n" AS "n", "t4"."req_path" AS "req_path_again", "t4"."n" AS "n_again"
FROM (SELECT "t1"."req_path" AS "req_path", "t1"."n" AS "n"
FROM "s0" AS "t1") AS "t2"
JOIN (SELECT "t3"."req_path" AS "req_path", "t3"."n" AS "n"
FROM "s0" AS "t3") AS "t4" ON "t2"."req_path" = "t4"."req_path"
LIMIT 10001
-- params: ["1799999700000000000n","400n"]
