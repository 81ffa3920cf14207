import { formatUint128, uint128FromBigInt } from '../../../../shared/contract/uint128';
import { DataType, SemanticType } from '../../../../shared/contract/types';
import { ExportAggregation } from '../export/pre-aggregate';
import { ExportSpec } from '../export/spec';
import { ScriptReference } from '../check/typed';

/** A column of a result table. */
export interface ResultColumn {
  readonly name: string;
  readonly type: DataType;
  readonly semanticType: SemanticType;
  /** For `px.script_reference` columns: the script each cell links to, and its arguments. */
  readonly scriptReference?: ScriptReference;
}

/**
 * A cell: BOOLEAN as boolean, INT64 and TIME64NS as bigint (TIME64NS in ns since the epoch),
 * FLOAT64 as number, STRING as string, UINT128 as its text (`asid:pid:start_ticks` for UPIDs,
 * `high:low` otherwise); null where a value is missing (division by zero, say).
 */
export type Cell = boolean | bigint | number | string | null;

/** One table a script produced. */
export interface ResultTable {
  readonly name: string;
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly Cell[])[];
}

/** A table handed to `px.export`, with its spec evaluated. */
export interface ExportResult {
  readonly table: ResultTable;
  readonly spec: ExportSpec;
  /** Set when DuckDB aggregated the table's rows (RunOptions.aggregateExports). */
  readonly aggregation?: ExportAggregation;
}

/** Everything a run produced: displayed tables in px.display order, then exports. */
export interface RunResult {
  readonly tables: readonly ResultTable[];
  readonly exports: readonly ExportResult[];
  /** What the caller should know of an answer that is not whole (gateways that did not answer). */
  readonly warnings?: readonly string[];
}

/** Converts a value read from DuckDB to the cell of a column of this type. */
export function toCell(value: unknown, type: DataType, semanticType: SemanticType): Cell {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'INT64':
    case 'TIME64NS':
      return typeof value === 'bigint' ? value : BigInt(value as number);
    case 'UINT128': {
      return formatUint128(uint128FromBigInt(value as bigint), semanticType === 'ST_UPID');
    }
    case 'FLOAT64':
      return Number(value);
    case 'BOOLEAN':
      return Boolean(value);
    case 'STRING':
      return String(value);
  }
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The JSON form of a result, as the API answers it: integers as numbers while they are exact
 * (|v| <= 2^53), as decimal strings beyond; non-finite floats as null.
 */
export function toJsonTable(t: ResultTable): unknown {
  return {
    name: t.name,
    columns: t.columns.map((c) => ({
      name: c.name,
      type: c.type,
      semanticType: c.semanticType,
      ...(c.scriptReference ? { scriptReference: toJsonSpec(c.scriptReference as never) } : {}),
    })),
    rows: t.rows.map((row) => row.map(jsonCell)),
  };
}

function jsonCell(c: Cell): unknown {
  if (typeof c === 'bigint') return c >= -SAFE && c <= SAFE ? Number(c) : c.toString();
  if (typeof c === 'number' && !Number.isFinite(c)) return null;
  return c;
}

/** The JSON form of an export spec (bigints as decimal strings). */
export function toJsonSpec(spec: ExportSpec): unknown {
  return JSON.parse(JSON.stringify(spec, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}
