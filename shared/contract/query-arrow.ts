/**
 * The Arrow form of a `POST /v1/query` answer (docs/api.md, "Arrow answers"): what the gateway
 * writes and the Grafana backend reads. The body is one Arrow IPC stream per table, end to end,
 * displayed tables in px.display order, then exported ones. This module imports nothing, so the
 * backend's bundle takes it without apache-arrow.
 */

/** The media type of an Arrow IPC stream (Accept on queries, Content-Type on ingest). */
export const ARROW_STREAM_TYPE = 'application/vnd.apache.arrow.stream';

/** Keys of a table's schema metadata. */
export const TABLE_KEYS = {
  /** The table's name. */
  name: 'pxgate.name',
  /** Only on exported tables: the `px.export` spec, as JSON (as `exports[].spec` in JSON). */
  exportSpec: 'pxgate.exportSpec',
} as const;

/** Keys of a column's field metadata. */
export const COLUMN_KEYS = {
  /** Pixie's data type (BOOLEAN, INT64, UINT128, FLOAT64, STRING, TIME64NS). */
  type: 'pxgate.type',
  semanticType: 'pxgate.semanticType',
  /** Only on `px.script_reference` columns: the script and its arguments, as JSON. */
  scriptReference: 'pxgate.scriptReference',
} as const;

/** A response header of an Arrow answer: its warnings, as a JSON array of strings (ASCII). */
export const WARNINGS_HEADER = 'x-pxgate-warnings';

/** The Arrow type a column of each data type is answered as (arrow-ipc-writer's names). */
export const QUERY_ARROW_TYPES = {
  BOOLEAN: 'bool',
  INT64: 'int64',
  TIME64NS: 'timestamp_ns',
  FLOAT64: 'float64',
  STRING: 'utf8',
  /** As its text, as in JSON: `asid:pid:start_ticks` for UPIDs, `high:low` otherwise. */
  UINT128: 'utf8',
} as const;
