SELECT "t0"."req_path" AS "req_path", CAST(json_object('p01', quantile_cont("t0"."latency", [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])[1], 'p10', quantile_cont("t0"."latency", [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])[2], 'p25', quantile_cont("t0"."latency", [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])[3], 'p50', quantile_cont("t0"."latency", [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])[4], 'p75', quantile_cont("t0"."latency", [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])[5], 'p90', quantile_cont("t0"."latency", [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])[6], 'p99', quantile_cont("t0"."latency", [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])[7]) AS VARCHAR) AS "latency"
FROM "http_events" AS "t0"
GROUP BY "t0"."req_path"
ORDER BY "t0"."req_path"
LIMIT 3
-- params: []
