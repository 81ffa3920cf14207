import { TooLargeError } from '../common/errors';
import { DataType, TableSchema, timeColumnIndex } from '../../../shared/contract/types';

/** String values either as JS strings (JSON ingest) or as Arrow Utf8 buffers (Arrow ingest). */
export type StringValues =
  | { readonly kind: 'strings'; readonly values: readonly string[] }
  | { readonly kind: 'utf8'; readonly offsets: Int32Array; readonly data: Uint8Array };

/** One validated column, stored the way DuckDB lays it out in memory where that is possible. */
export type ColumnData =
  | { readonly type: 'INT64' | 'TIME64NS'; readonly values: BigInt64Array }
  | { readonly type: 'FLOAT64'; readonly values: Float64Array }
  | { readonly type: 'BOOLEAN'; readonly values: Uint8Array }
  /** Little-endian pairs: [low0, high0, low1, high1, ...], DuckDB's UHUGEINT layout. */
  | { readonly type: 'UINT128'; readonly values: BigUint64Array }
  | { readonly type: 'STRING'; readonly values: StringValues };

/**
 * A validated slice of rows for one table, columns in schema order. Ingest decoders produce it;
 * the store appends it without looking at single values again.
 */
export interface ColumnBatch {
  readonly rowCount: number;
  readonly columns: readonly ColumnData[];
  /** Estimated bytes these rows take in the store. */
  readonly bytes: number;
  /** Largest time_ value (ns) when the table has a time_ column and the batch has rows. */
  readonly maxTime: bigint | undefined;
}

/**
 * Completes a decoded batch: its estimated store bytes (each row's fixed-width values and `_seq`,
 * plus `heapBytes` of long strings) and its largest time_, when the table has a time_ column.
 */
export function columnBatch(
  schema: TableSchema,
  rowCount: number,
  columns: readonly ColumnData[],
  heapBytes: number,
): ColumnBatch {
  const time = columns[timeColumnIndex(schema)];
  return {
    rowCount,
    columns,
    bytes: fixedBytes(schema, rowCount) + heapBytes,
    maxTime: time?.type === 'TIME64NS' ? maxOf(time.values) : undefined,
  };
}

/** Estimated store bytes of `rows` rows without their long strings: fixed-width values and `_seq`. */
export function fixedBytes(schema: TableSchema, rows: number): number {
  return schema.columns.reduce((sum, c) => sum + fixedWidth(c.type), 8) * rows;
}

/** The answer to a batch that needs more than its table's whole byte budget. */
export function overBudget(table: string, bytes: number, budgetBytes: number): TooLargeError {
  return new TooLargeError(
    `batch for table "${table}" needs ~${mib(bytes)} MiB, more than the table's whole budget of ${mib(budgetBytes)} MiB; send smaller batches or raise store.limitMb`,
  );
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/** Bytes a value of this type takes in DuckDB's in-memory vectors (strings: the 16-byte header). */
function fixedWidth(type: DataType): number {
  switch (type) {
    case 'BOOLEAN':
      return 1;
    case 'UINT128':
    case 'STRING':
      return 16;
    case 'INT64':
    case 'TIME64NS':
    case 'FLOAT64':
      return 8;
  }
}

/** DuckDB keeps strings of up to 12 bytes inside their 16-byte header; longer ones on a heap. */
export const INLINE_STRING_BYTES = 12;

/** Estimated store bytes of one string of the given UTF-8 length. */
export function stringHeapBytes(length: number): number {
  return length > INLINE_STRING_BYTES ? length : 0;
}

/** The largest value of a time column. */
function maxOf(values: BigInt64Array): bigint | undefined {
  if (values.length === 0) return undefined;
  let max = values[0]!;
  for (let i = 1; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}
