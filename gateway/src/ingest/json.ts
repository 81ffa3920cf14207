import { ColumnBatch, ColumnData, columnBatch, stringHeapBytes } from '../store/batch';
import { ColumnSchema, TableSchema } from '../store/types';
import { IngestError, describeValue } from './errors';
import { toFloat64, toInt64, toUint128 } from './values';

/** The body of a JSON ingest request: `{"table": NAME, "rows": [{COLUMN: VALUE}, ...]}`. */
export interface JsonIngestBody {
  table: string;
  rows: unknown[];
}

/** Parses the envelope of a JSON ingest body, before the table's schema is known. */
export function parseJsonEnvelope(body: Buffer): JsonIngestBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new IngestError(`body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new IngestError('body must be a JSON object {"table": NAME, "rows": [...]}');
  }
  const { table, rows } = parsed as Record<string, unknown>;
  if (typeof table !== 'string' || table === '') {
    throw new IngestError('body must name the table: {"table": NAME, "rows": [...]}');
  }
  if (!Array.isArray(rows))
    throw new IngestError(`table "${table}": "rows" must be an array of objects`);
  return { table, rows };
}

type Writer = (row: number, value: unknown) => boolean;

/**
 * Validates JSON rows against a table schema and lays them out as columns. Missing columns take
 * their type's zero value; anything else wrong rejects the whole batch, naming row and column.
 */
export function decodeJsonRows(schema: TableSchema, rows: readonly unknown[]): ColumnBatch {
  const n = rows.length;
  const index = new Map(schema.columns.map((c, i) => [c.name, i]));
  let heapBytes = 0;
  const columns: ColumnData[] = [];
  const writers: Writer[] = schema.columns.map((c) => {
    const [data, writer] = columnFor(c, n, (len) => (heapBytes += stringHeapBytes(len)));
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
      if (!writers[i]!(r, value)) {
        const c = schema.columns[i]!;
        throw IngestError.at(
          schema.name,
          r,
          key,
          `expected ${expectation(c)}, got ${describeValue(value)}`,
        );
      }
    }
  }
  return columnBatch(schema, n, columns, heapBytes);
}

function columnFor(
  c: ColumnSchema,
  n: number,
  countString: (len: number) => void,
): [ColumnData, Writer] {
  switch (c.type) {
    case 'INT64':
    case 'TIME64NS': {
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
          const x = toUint128(v);
          if (x === undefined) return false;
          values[2 * r] = x[0];
          values[2 * r + 1] = x[1];
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
      return 'TIME64NS (integer nanoseconds since the epoch, as a number or a decimal string)';
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
