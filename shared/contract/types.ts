/** Column data types, as Pixie names them. */
export const DATA_TYPES = ['BOOLEAN', 'INT64', 'UINT128', 'FLOAT64', 'STRING', 'TIME64NS'] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** Semantic types travel with columns so that units survive queries and exports. */
export const SEMANTIC_TYPES = [
  'ST_NONE',
  'ST_UPID',
  'ST_IP_ADDRESS',
  'ST_PORT',
  'ST_DURATION_NS',
  'ST_BYTES',
  'ST_PERCENT',
  'ST_THROUGHPUT_PER_NS',
  'ST_THROUGHPUT_BYTES_PER_NS',
  'ST_HTTP_REQ_METHOD',
  'ST_HTTP_RESP_STATUS',
  'ST_HTTP_RESP_MESSAGE',
  'ST_POD_NAME',
  'ST_SERVICE_NAME',
  'ST_NAMESPACE_NAME',
  'ST_NODE_NAME',
  'ST_CONTAINER_NAME',
  'ST_DEPLOYMENT_NAME',
  'ST_QUANTILES',
  'ST_DURATION_NS_QUANTILES',
  'ST_SCRIPT_REFERENCE',
  'ST_POD_STATUS',
  'ST_CONTAINER_STATUS',
] as const;
export type SemanticType = (typeof SEMANTIC_TYPES)[number];

export interface ColumnSchema {
  readonly name: string;
  readonly type: DataType;
  readonly semanticType: SemanticType;
  readonly description?: string;
}

export interface TableSchema {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly ColumnSchema[];
  /** True for the tables pxgate ships; false for tables declared through the API. */
  readonly builtin: boolean;
}

/** The column every stored row carries: its ingest sequence number. Hidden from schemas. */
export const SEQ_COLUMN = '_seq';
/** The column that carries event time, when a table has one. */
export const TIME_COLUMN = 'time_';

/**
 * Index of the time_ column (a TIME64NS named time_) of a table, a query's result or a layer
 * of its compiled SQL, or -1 when it has none.
 */
export function timeColumnIndex(table: {
  readonly columns: readonly { readonly name: string; readonly type: DataType }[];
}): number {
  return table.columns.findIndex((c) => c.name === TIME_COLUMN && c.type === 'TIME64NS');
}
