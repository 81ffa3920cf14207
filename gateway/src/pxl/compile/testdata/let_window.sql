SELECT "t1"."req_method" AS "req_method", "t1"."window" AS "window", "t1"."q"[1] AS "p50", "t1"."q"[2] AS "p99", "t1"."err" AS "err"
FROM (SELECT "t0"."req_method" AS "req_method", ("t0"."time_" - ("t0"."time_" % CAST($1 AS BIGINT))) AS "window", quantile_cont("t0"."latency", [0.5, 0.99]) AS "q", avg(CAST(("t0"."resp_status" >= CAST($2 AS BIGINT)) AS INTEGER)) AS "err"
FROM "http_events" AS "t0"
WHERE "t0"."time_" >= CAST($3 AS BIGINT)
GROUP BY "t0"."req_method", ("t0"."time_" - ("t0"."time_" % CAST($1 AS BIGINT)))) AS "t1"
ORDER BY "t1"."req_method", "t1"."window"
LIMIT 10001
-- params: ["10000000000n","400n","1799999700000000000n"]
