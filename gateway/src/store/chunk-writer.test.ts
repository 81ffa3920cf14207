import { BIGINT, DuckDBConnection, DuckDBInstance, VARCHAR } from '@duckdb/node-api';
import fc from 'fast-check';
import { fuzzParams } from '../../../test/support/fuzz';
import { ColumnBatch } from './batch';
import { CHUNK_ROWS, ChunkWriter } from './chunk-writer';

/** A one-column batch of Arrow Utf8 strings, laid out after `junk` bytes in a larger buffer. */
function utf8Batch(strings: readonly string[], junk: number): ColumnBatch {
  const encoded = strings.map((s) => Buffer.from(s, 'utf8'));
  const size = encoded.reduce((n, b) => n + b.length, 0);
  // The column's view starts inside its ArrayBuffer, and its offsets do not start at 0.
  const backing = new Uint8Array(7 + junk + size + 5).fill(0xff);
  const data = backing.subarray(7, 7 + junk + size);
  const offsets = new Int32Array(strings.length + 1);
  let at = junk;
  encoded.forEach((b, i) => {
    offsets[i] = at;
    data.set(b, at);
    at += b.length;
  });
  offsets[strings.length] = at;
  return {
    rowCount: strings.length,
    columns: [{ type: 'STRING', values: { kind: 'utf8', offsets, data } }],
    bytes: 0,
    maxTime: undefined,
  };
}

describe('ChunkWriter', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  const writer = new ChunkWriter([VARCHAR, BIGINT]);

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  async function store(batch: ColumnBatch, from: number, count: number): Promise<unknown[]> {
    await conn.run('CREATE OR REPLACE TABLE t (s VARCHAR, _seq BIGINT)');
    const appender = await conn.createAppender('t');
    try {
      writer.append(appender, batch, from, count, 1);
    } finally {
      appender.closeSync();
    }
    const rows = (await conn.runAndReadAll('SELECT s, _seq FROM t ORDER BY _seq')).getRows();
    rows.forEach(([, seq], i) => expect(seq).toBe(BigInt(i + 1)));
    return rows.map(([s]) => s);
  }

  const text = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ minLength: 13, maxLength: 60, unit: 'binary' }),
    fc.constantFrom('', 'GET', 'a path longer than twelve bytes', 'ü'.repeat(7), '😀'.repeat(4)),
  );

  it('stores any mix of short, long and non-ASCII Utf8 strings exactly, from any row', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(text, { minLength: 1, maxLength: 300 }),
        fc.nat(40),
        fc.nat(),
        fc.nat(),
        async (strings, junk, a, b) => {
          const from = a % strings.length;
          const count = 1 + (b % (strings.length - from));
          const got = await store(utf8Batch(strings, junk), from, count);
          expect(got).toEqual(strings.slice(from, from + count));
        },
      ),
      fuzzParams(100, { seed: 18 }),
    );
  });

  it('stores strings across chunk boundaries, each chunk pointing into its own bytes', async () => {
    const strings = Array.from({ length: 2 * CHUNK_ROWS + 77 }, (_, i) =>
      i % 3 === 0 ? `row ${i}` : `/a/path/that/is/long/${i}/${'x'.repeat(i % 50)}`,
    );
    expect(await store(utf8Batch(strings, 3), 5, strings.length - 5)).toEqual(strings.slice(5));
  });

  it('refuses offsets that run past the buffer or go backwards, before DuckDB sees them', async () => {
    const batch = utf8Batch(['a string longer than 12', 'short'], 0);
    const offsets = (batch.columns[0]!.values as { offsets: Int32Array }).offsets;
    offsets[2] = 1000;
    await expect(store(batch, 0, 2)).rejects.toThrow(
      'string 1 (offset 23, length 977) lies outside its 28-byte buffer',
    );
    offsets[2] = 28;
    offsets[1] = 30;
    await expect(store(batch, 0, 2)).rejects.toThrow(
      /string 0 \(offset 0, length 30\) lies outside/,
    );
  });
});
