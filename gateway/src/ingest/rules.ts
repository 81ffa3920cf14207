import { ColumnData } from '../store/batch';
import { ColumnSchema, TableSchema, timeColumnIndex } from '../../../shared/contract/types';
import { IngestError } from './errors';
import { firstOutsideCentury, timeProblem } from './time';

/** What the ingest API asks of both decoders beyond the format; fixtures may leave it out. */
export interface DecodeOptions {
  /**
   * The ingest time, in ns. When given, rows without a time_ take it, and every time_ must be
   * nanoseconds since the epoch of this century (the API's contract).
   */
  ingestTimeNs?: bigint;
  /** The table's byte budget: rows that would need more are refused before they are laid out. */
  budgetBytes?: number;
}

/** A column the batch does not send: its type's zero value, or the ingest time for time_. */
export function zeroColumn(
  schema: TableSchema,
  c: ColumnSchema,
  n: number,
  options: DecodeOptions,
): ColumnData {
  switch (c.type) {
    case 'INT64':
      return { type: c.type, values: new BigInt64Array(n) };
    case 'TIME64NS':
      return { type: c.type, values: timeValues(schema, c, n, options) };
    case 'FLOAT64':
      return { type: 'FLOAT64', values: new Float64Array(n) };
    case 'BOOLEAN':
      return { type: 'BOOLEAN', values: new Uint8Array(n) };
    case 'UINT128':
      return { type: 'UINT128', values: new BigUint64Array(2 * n) };
    case 'STRING':
      return {
        type: 'STRING',
        values: { kind: 'utf8', offsets: new Int32Array(n + 1), data: new Uint8Array(0) },
      };
  }
}

/** Values of a TIME64NS column before any row sets them: the ingest time for time_, else 0. */
export function timeValues(
  schema: TableSchema,
  c: ColumnSchema,
  n: number,
  options: DecodeOptions,
): BigInt64Array {
  const values = new BigInt64Array(n);
  const time = schema.columns[timeColumnIndex(schema)];
  if (c === time && options.ingestTimeNs !== undefined) values.fill(options.ingestTimeNs);
  return values;
}

/**
 * Refuses a batch whose time_ is not nanoseconds since the epoch of this century (when the
 * ingest time is given), naming the first such row and the unit its value looks like.
 */
export function checkTimes(
  schema: TableSchema,
  columns: readonly ColumnData[],
  firstRow: number,
  options: DecodeOptions,
): void {
  const index = timeColumnIndex(schema);
  const time = columns[index];
  if (options.ingestTimeNs === undefined || time?.type !== 'TIME64NS') return;
  const row = firstOutsideCentury(time.values);
  if (row >= 0) {
    throw IngestError.at(
      schema.name,
      firstRow + row,
      schema.columns[index]!.name,
      timeProblem(time.values[row]!)!,
    );
  }
}
