SELECT "t0"."time_" AS "time_", "t0"."upid" AS "upid", "t0"."remote_addr" AS "remote_addr", COALESCE("m1"."name", '') AS "pod", COALESCE("m1"."namespace", '') AS "ns", COALESCE("m3"."name", '') AS "remote"
FROM "http_events" AS "t0"
LEFT JOIN "_pxl_md_process_by_upid" AS "m0" ON "m0"."_key" = "t0"."upid" AND "t0"."time_" >= "m0"."_start" AND "t0"."time_" < "m0"."_end"
LEFT JOIN "_pxl_md_pod_by_uid" AS "m1" ON "m1"."_key" = "m0"."pod_uid" AND "t0"."time_" >= "m1"."_start" AND "t0"."time_" < "m1"."_end"
LEFT JOIN "_pxl_md_pod_by_ip" AS "m2" ON "m2"."_key" = "t0"."remote_addr" AND "t0"."time_" >= "m2"."_start" AND "t0"."time_" < "m2"."_end"
LEFT JOIN "_pxl_md_pod_by_uid" AS "m3" ON "m3"."_key" = COALESCE("m2"."uid", '') AND "t0"."time_" >= "m3"."_start" AND "t0"."time_" < "m3"."_end"
WHERE (COALESCE("m1"."namespace", '') = CAST($1 AS VARCHAR))
ORDER BY "t0"."_seq"
LIMIT 10001
-- params: ["default"]
