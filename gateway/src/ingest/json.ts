import { isUtf8 } from 'node:buffer';
import {
  ColumnBatch,
  ColumnData,
  columnBatch,
  fixedBytes,
  overBudget,
  stringHeapBytes,
} from '../store/batch';
import { ColumnSchema, TableSchema } from '../../../shared/contract/types';
import { IngestError, describeValue } from './errors';
import { DecodeOptions, checkTimes, timeValues } from './rules';
import { parseRfc3339 } from './time';
import { parseUint128 } from '../../../shared/contract/uint128';
import { toFloat64, toInt64 } from './values';

/** The body of a JSON ingest request: `{"table": NAME, "rows": [{COLUMN: VALUE}, ...]}`. */
export interface JsonIngestBody {
  table: string;
  rows: unknown[];
}

/** Parses the envelope of a JSON ingest body, before the table's schema is known. */
export function parseJsonEnvelope(body: Buffer): JsonIngestBody {
  if (!isUtf8(body)) throw new IngestError('body is not valid UTF-8', 'malformed');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new IngestError(`body is not valid JSON: ${(err as Error).message}`, 'malformed');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new IngestError('body must be a JSON object {"table": NAME, "rows": [...]}');
  }
  const { table, rows } = parsed as Record<string, unknown>;
  if (typeof table !== 'string' || table === '') {
    throw new IngestError('body must name the table: {"table": NAME, "rows": [...]}');
  }
  if (!Array.isArray(rows))
    throw new IngestError(`table ${describeValue(table)}: "rows" must be an array of objects`);
  return { table, rows };
}

/** Stores a row's value; returns false for a value of the wrong type, or what is wrong with it. */
type Writer = (row: number, value: unknown) => true | false | string;

/**
 * Validates JSON rows against a table schema and lays them out as columns. Missing columns take
 * their type's zero value (time_ the ingest time, when the options give one); anything else wrong
 * rejects the whole batch, naming row and column.
 */
export function decodeJsonRows(
  schema: TableSchema,
  rows: readonly unknown[],
  options: DecodeOptions = {},
): ColumnBatch {
  const n = rows.length;
  // Refuse rows over the table's budget before allocating their columns.
  if (options.budgetBytes !== undefined && fixedBytes(schema, n) > options.budgetBytes) {
    throw overBudget(schema.name, fixedBytes(schema, n), options.budgetBytes);
  }
  const index = new Map(schema.columns.map((c, i) => [c.name, i]));
  let heapBytes = 0;
  const columns: ColumnData[] = [];
  const writers: Writer[] = schema.columns.map((c) => {
    const [data, writer] = columnFor(
      schema,
      c,
      n,
      options,
      (len) => (heapBytes += stringHeapBytes(len)),
    );
    columns.push(data);
    return writer;
  });
  for (let r = 0; r < n; r++) {
    const row = rows[r];
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw IngestError.at(
        schema.name,
        r,
        undefined,
        `expected an object of column values, got ${describeValue(row)}`,
      );
    }
    for (const key in row) {
      const value = (row as Record<string, unknown>)[key];
      const i = index.get(key);
      if (i === undefined) {
        throw IngestError.at(
          schema.name,
          r,
          key,
          `unknown column; the table has ${schema.columns.map((c) => c.name).join(', ')}`,
        );
      }
      if (value === null) {
        throw IngestError.at(
          schema.name,
          r,
          key,
          'null is not a value; omit the column to store its zero value',
        );
      }
      const written = writers[i]!(r, value);
      if (written !== true) {
        const c = schema.columns[i]!;
        const problem = written || `expected ${expectation(c)}, got ${describeValue(value)}`;
        throw IngestError.at(schema.name, r, key, problem);
      }
    }
  }
  checkTimes(schema, columns, 0, options);
  return columnBatch(schema, n, columns, heapBytes);
}

/** A lone UTF-16 surrogate: a string that has one cannot be written as UTF-8. */
const LONE_SURROGATE = /\p{Cs}/u;

function columnFor(
  schema: TableSchema,
  c: ColumnSchema,
  n: number,
  options: DecodeOptions,
  countString: (len: number) => void,
): [ColumnData, Writer] {
  switch (c.type) {
    case 'INT64': {
      const values = new BigInt64Array(n);
      return [
        { type: c.type, values },
        (r, v) => {
          const x = toInt64(v);
          if (x === undefined) return false;
          values[r] = x;
          return true;
        },
      ];
    }
    case 'TIME64NS': {
      const values = timeValues(schema, c, n, options);
      return [
        { type: c.type, values },
        (r, v) => {
          const x = toInt64(v) ?? (typeof v === 'string' ? parseRfc3339(v) : undefined);
          if (x === undefined) return false;
          values[r] = x;
          return true;
        },
      ];
    }
    case 'FLOAT64': {
      const values = new Float64Array(n);
      return [
        { type: 'FLOAT64', values },
        (r, v) => {
          const x = toFloat64(v);
          if (x === undefined) return false;
          values[r] = x;
          return true;
        },
      ];
    }
    case 'BOOLEAN': {
      const values = new Uint8Array(n);
      return [
        { type: 'BOOLEAN', values },
        (r, v) => {
          if (typeof v !== 'boolean') return false;
          values[r] = v ? 1 : 0;
          return true;
        },
      ];
    }
    case 'UINT128': {
      const values = new BigUint64Array(2 * n);
      return [
        { type: 'UINT128', values },
        (r, v) => {
          const x = parseUint128(v);
          if (x === undefined) return false;
          values[2 * r] = x.low;
          values[2 * r + 1] = x.high;
          return true;
        },
      ];
    }
    case 'STRING': {
      const values: string[] = new Array<string>(n).fill('');
      return [
        { type: 'STRING', values: { kind: 'strings', values } },
        (r, v) => {
          if (typeof v !== 'string') return false;
          if (LONE_SURROGATE.test(v)) {
            return 'the string has a lone UTF-16 surrogate (an escape such as \\ud800 without its pair), which is not valid Unicode';
          }
          values[r] = v;
          countString(v.length);
          return true;
        },
      ];
    }
  }
}

function expectation(c: ColumnSchema): string {
  switch (c.type) {
    case 'INT64':
      return 'INT64 (an integer, or a decimal string for values beyond 2^53)';
    case 'TIME64NS':
      return 'TIME64NS (integer nanoseconds since the epoch, as a number or a decimal string, or an RFC 3339 string)';
    case 'FLOAT64':
      return 'FLOAT64 (a number)';
    case 'BOOLEAN':
      return 'BOOLEAN (true or false)';
    case 'UINT128':
      return 'UINT128 ("high:low", the UPID form "asid:pid:start_ticks", or a decimal string)';
    case 'STRING':
      return 'STRING (a JSON string)';
  }
}
