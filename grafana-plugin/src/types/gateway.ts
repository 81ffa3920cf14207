/** The gateway's HTTP contract for queries (docs/api.md in the repository). */

/** Column data types, as Pixie names them. */
export type DataType = 'BOOLEAN' | 'INT64' | 'UINT128' | 'FLOAT64' | 'STRING' | 'TIME64NS';

/** A `px.script_reference` argument: a literal, or the value of a column in the same row. */
export type ScriptReferenceArg = string | number | boolean | { column: string };

/** Where a `px.script_reference` column links to: a script and its arguments. */
export interface ScriptReference {
  script: string;
  args: Record<string, ScriptReferenceArg>;
}

/** A column of a result table. */
export interface GatewayColumn {
  name: string;
  type: DataType;
  /** Pixie's semantic type, e.g. `ST_DURATION_NS`; `ST_NONE` when it has none. */
  semanticType: string;
  /** For `px.script_reference` columns. */
  scriptReference?: ScriptReference;
}

/** One `px.display` table. INT64 and TIME64NS cells beyond 2^53 arrive as decimal strings. */
export interface GatewayTable {
  name: string;
  columns: GatewayColumn[];
  rows: unknown[][];
}

/**
 * One column of a table of an Arrow answer, as Arrow buffers: a validity bitmap (empty when no
 * value is null), then int64 (INT64, TIME64NS), float64 or bit-packed values, or offsets and
 * UTF-8 bytes (STRING, UINT128 as its text). A null's value is zero or empty.
 */
export interface ColumnVector {
  nullCount: number;
  validity: Uint8Array;
  offsets?: Int32Array;
  data: Uint8Array;
}

/** One `px.display` table of an Arrow answer (docs/api.md): its columns' buffers, no rows. */
export interface ColumnarTable {
  name: string;
  columns: GatewayColumn[];
  length: number;
  vectors: ColumnVector[];
}

/** A table of either form of answer. */
export type AnswerTable = GatewayTable | ColumnarTable;

/** `POST /v1/query` body. */
export interface QueryRequestBody {
  script: string;
  args?: Record<string, string>;
  func?: string;
}

/** `POST /v1/query` answer: the displayed tables, in `px.display` order. */
export interface QueryResponseBody {
  tables: GatewayTable[];
}

/** The body of every error answer. */
export interface GatewayErrorBody {
  error: { message: string; line?: number; column?: number };
}
