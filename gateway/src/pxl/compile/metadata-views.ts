import { METADATA_TABLES } from '../../metadata/tables';
import { quoteIdent } from '../../store/sql';
import { LookupView } from '../functions/types';

/**
 * Views over the metadata tables that make every lookup a plain hash join. Each view gives, per
 * key, non-overlapping segments `[_start, _end)`: an object holds its key from its start until
 * it stops or a later-started object takes the same key (an IP reused by a new pod). A row
 * joins on `_key = key AND _start <= time < _end`, so it matches at most one object, the one
 * that held the key at the row's time.
 */

const NEVER = '9223372036854775807';
const ALWAYS = '-9223372036854775808';

/** The SQL name of a lookup view. */
export function viewName(view: LookupView): string {
  return quoteIdent(`_pxl_md_${view}`);
}

interface KeyedView {
  readonly table: string;
  readonly key: string;
  readonly tiebreak: string;
  readonly text: boolean;
  /**
   * The key names one object for all time (a UPID: pid and start time): a row matches it
   * whatever the row's time. A process's start_ns is computed from clock ticks (10 ms) and its
   * stop_ns is when a scan noticed the exit, so a row stamped in the process's first tick, or a
   * conn_stats row flushed after that scan, would otherwise miss its own process and read as
   * another service than the process's other rows. One row per UPID is the rule (a report
   * replaces the last); rows of one UPID still split its time as other keys' objects do.
   */
  readonly timeless?: true;
}

const T = METADATA_TABLES;

const KEYED: Readonly<Record<Exclude<LookupView, 'pod_services'>, KeyedView>> = {
  process_by_upid: {
    table: T.processes.name,
    key: 'upid',
    tiebreak: 'pod_uid',
    text: false,
    timeless: true,
  },
  pod_by_uid: { table: T.pods.name, key: 'uid', tiebreak: 'name', text: true },
  pod_by_ip: { table: T.pods.name, key: 'ip', tiebreak: 'uid', text: true },
  pod_by_name: { table: T.pods.name, key: 'name', tiebreak: 'uid', text: true },
  container_by_id: { table: T.containers.name, key: 'id', tiebreak: 'pod_uid', text: true },
  container_by_name: { table: T.containers.name, key: 'name', tiebreak: 'id', text: true },
  service_by_uid: { table: T.services.name, key: 'uid', tiebreak: 'name', text: true },
  service_by_name: { table: T.services.name, key: 'name', tiebreak: 'uid', text: true },
  service_by_ip: { table: T.services.name, key: 'cluster_ip', tiebreak: 'uid', text: true },
  namespace_by_name: { table: T.namespaces.name, key: 'name', tiebreak: 'uid', text: true },
};

function keyedView(view: LookupView, v: KeyedView): string {
  const key = quoteIdent(v.key);
  const order = `OVER (PARTITION BY ${key} ORDER BY "start_ns", ${quoteIdent(v.tiebreak)})`;
  const next = `lead("start_ns") ${order}`;
  const present = v.text ? `${key} IS NOT NULL AND ${key} <> ''` : `${key} IS NOT NULL`;
  // Timeless, a key's first object holds it from always and its last for ever (its stop does
  // not end it); several objects of one key still split its time without overlap.
  const [start, end] = v.timeless
    ? [
        `CASE WHEN row_number() ${order} = 1 THEN ${ALWAYS} ELSE "start_ns" END`,
        `COALESCE(${next}, ${NEVER})`,
      ]
    : ['"start_ns"', `least(COALESCE("stop_ns", ${NEVER}), COALESCE(${next}, ${NEVER}))`];
  return (
    `CREATE OR REPLACE VIEW ${viewName(view)} AS SELECT *, ${key} AS "_key", ${start} AS "_start", ` +
    `${end} AS "_end" FROM ${quoteIdent(v.table)} WHERE ${present}`
  );
}

/**
 * The services of each pod over time. Memberships (clipped to the service's own life) are cut
 * into segments at every start and stop, and each segment carries the names and UIDs of the
 * services the pod belonged to then: one value, Pixie's JSON array for several, "" for none.
 */
function podServicesView(): string {
  const list = (col: string) =>
    `CASE count(*) WHEN 1 THEN min(m.${col}) ELSE CAST(to_json(list(m.${col} ORDER BY m.${col})) AS VARCHAR) END`;
  return `CREATE OR REPLACE VIEW ${viewName('pod_services')} AS
WITH m AS (
  SELECT ps."pod_uid", s."uid" AS service_uid, s."name" AS service_name,
    greatest(ps."start_ns", s."start_ns") AS s_start,
    least(COALESCE(ps."stop_ns", ${NEVER}), COALESCE(s."stop_ns", ${NEVER})) AS s_end
  FROM ${quoteIdent(T.podServices.name)} ps JOIN ${quoteIdent(T.services.name)} s ON s."uid" = ps."service_uid"
), b AS (
  SELECT "pod_uid", s_start AS t FROM m UNION SELECT "pod_uid", s_end FROM m
), seg AS (
  SELECT "pod_uid", t AS seg_start, lead(t) OVER (PARTITION BY "pod_uid" ORDER BY t) AS seg_end FROM b
)
SELECT seg."pod_uid" AS "_key", seg.seg_start AS "_start", seg.seg_end AS "_end",
  ${list('service_name')} AS "names", ${list('service_uid')} AS "uids"
FROM seg JOIN m ON m."pod_uid" = seg."pod_uid" AND m.s_start <= seg.seg_start AND seg.seg_start < m.s_end
WHERE seg.seg_end IS NOT NULL
GROUP BY seg."pod_uid", seg.seg_start, seg.seg_end`;
}

/** Macros the compiled SQL calls. */
const MACROS = [
  `CREATE OR REPLACE MACRO _pxl_trim3(x) AS rtrim(rtrim(printf('%.3f', round(CAST(x AS DOUBLE), 3)), '0'), '.')`,
  `CREATE OR REPLACE MACRO _pxl_format_duration(ns) AS CASE WHEN ns IS NULL THEN NULL ELSE
  (CASE WHEN ns < 0 THEN '-' ELSE '' END) ||
  CASE WHEN abs(ns) < 1000 THEN CAST(abs(ns) AS VARCHAR) || 'ns'
    WHEN abs(ns) < 1000000 THEN _pxl_trim3(abs(ns) / 1e3) || 'µs'
    WHEN abs(ns) < 1000000000 THEN _pxl_trim3(abs(ns) / 1e6) || 'ms'
    ELSE (CASE WHEN abs(ns) >= 3600000000000 THEN CAST(abs(ns) // 3600000000000 AS VARCHAR) || 'h' ELSE '' END) ||
      (CASE WHEN abs(ns) >= 60000000000 THEN CAST((abs(ns) % 3600000000000) // 60000000000 AS VARCHAR) || 'm' ELSE '' END) ||
      _pxl_trim3((abs(ns) % 60000000000) / 1e9) || 's'
  END END`,
];

/** The statements that create the lookup views and macros (idempotent). */
export function metadataViewsDdl(): string[] {
  const keyed = (Object.entries(KEYED) as [LookupView, KeyedView][]).map(([view, v]) =>
    keyedView(view, v),
  );
  return [...keyed, podServicesView(), ...MACROS];
}
