SELECT "t0"."time_" AS "time_", "t0"."req_path" AS "req_path", "t0"."latency" AS "latency", (CAST("t0"."latency" AS DOUBLE) / CAST($1 AS BIGINT)) AS "ms"
FROM "http_events" AS "t0"
WHERE "t0"."time_" >= CAST($2 AS BIGINT) AND "t0"."time_" < CAST($3 AS BIGINT) AND (("t0"."latency" > CAST($4 AS BIGINT)) AND (NOT contains("t0"."req_path", CAST($5 AS VARCHAR))))
ORDER BY "t0"."_seq"
LIMIT 20
-- params: ["1000000n","1799999940000000000n","1799999990000000000n","1000000n","health"]
