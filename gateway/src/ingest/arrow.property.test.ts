import { DuckDBConnection, DuckDBInstance, BIGINT } from '@duckdb/node-api';
import { RecordBatchReader, Vector } from 'apache-arrow';
import fc from 'fast-check';
import {
  BatchSpec,
  ColumnSpec,
  EOS,
  FieldSpec,
  TIME_UNIT,
  batchOf,
  dictionaryBatchMessage,
  fixedColumn,
  recordBatchMessage,
  schemaMessage,
  stream,
  utf8Column,
} from '../../../test/support/arrow-ipc';
import { fuzzParams } from '../../../test/support/fuzz';
import { httpStatusOf } from '../api/errors';
import { UserError } from '../common/errors';
import { ColumnBatch, ColumnData } from '../store/batch';
import { ChunkWriter } from '../store/chunk-writer';
import { quoteIdent } from '../store/sql';
import { logicalType } from '../store/table-store';
import { TableSchema } from '../../../shared/contract/types';
import { decodeArrowStream } from './arrow';
import { DecodeOptions } from './rules';

/** A table with a column of every stored type; `d` is sent dictionary-encoded. */
const SCHEMA: TableSchema = {
  name: 'fuzz',
  description: '',
  builtin: false,
  columns: [
    { name: 'time_', type: 'TIME64NS', semanticType: 'ST_NONE' },
    { name: 'n', type: 'INT64', semanticType: 'ST_NONE' },
    { name: 'f', type: 'FLOAT64', semanticType: 'ST_NONE' },
    { name: 'b', type: 'BOOLEAN', semanticType: 'ST_NONE' },
    { name: 's', type: 'STRING', semanticType: 'ST_NONE' },
    { name: 'd', type: 'STRING', semanticType: 'ST_NONE' },
    { name: 'u', type: 'UINT128', semanticType: 'ST_UPID' },
  ],
};
const INGEST_NS = 1_796_544_001_615_000_000n;
const OPTIONS: DecodeOptions = { ingestTimeNs: INGEST_NS, budgetBytes: 64 << 20 };
/** Bytes around the stream in memory: a decoded value holding them was read outside the body. */
const CANARY = 0x5a;
const CANARY_INT = 0x5a5a5a5a5a5a5a5an;

/** Float16 bit patterns and the numbers they stand for (IEEE 754 binary16). */
const HALVES: ReadonlyArray<[number, number]> = [
  [0x3c00, 1],
  [0xc000, -2],
  [0x0000, 0],
  [0x8000, -0],
  [0x7c00, Infinity],
  [0xfc00, -Infinity],
  [0x0001, 2 ** -24],
  [0x7bff, 65504],
  [0x3555, 0.333251953125],
  [0x3800, 0.5],
];

type Encoded = { field: FieldSpec; column: ColumnSpec; dictionary?: string[] };

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Generates a valid stream: a random subset of the columns, each in one of its encodings. */
const streamArb = fc.integer({ min: 0, max: 40 }).chain((n) =>
  fc
    .record({
      time: fc.option(
        fc.record({
          unit: fc.constantFrom('second', 'millisecond', 'microsecond', 'nanosecond', 'int64'),
          values: fc.array(fc.bigInt(1_000_000_000n, 4_000_000_000n), {
            minLength: n,
            maxLength: n,
          }),
        }),
      ),
      ints: fc.option(
        fc.record({
          bitWidth: fc.constantFrom(8, 16, 32, 64),
          signed: fc.boolean(),
          raw: fc.array(fc.bigInt(-(2n ** 63n), 2n ** 64n - 1n), { minLength: n, maxLength: n }),
        }),
      ),
      floats: fc.option(
        fc.oneof(
          fc.record({
            kind: fc.constant<'half'>('half'),
            values: fc.array(fc.constantFrom(...HALVES), { minLength: n, maxLength: n }),
          }),
          fc.record({
            kind: fc.constantFrom<'single' | 'double'>('single', 'double'),
            values: fc.array(fc.double(), { minLength: n, maxLength: n }),
          }),
        ),
      ),
      bools: fc.option(fc.array(fc.boolean(), { minLength: n, maxLength: n })),
      strings: fc.option(
        fc.record({
          large: fc.boolean(),
          values: fc.array(fc.string({ unit: 'binary', maxLength: 30 }), {
            minLength: n,
            maxLength: n,
          }),
        }),
      ),
      dict: fc.option(
        fc.record({
          values: fc.array(fc.string({ unit: 'binary', maxLength: 20 }), {
            minLength: 1,
            maxLength: 8,
          }),
          indexWidth: fc.constantFrom(8, 16, 32, 64),
          picks: fc.array(fc.nat(), { minLength: n, maxLength: n }),
        }),
      ),
      upids: fc.option(fc.uint8Array({ minLength: 16 * n, maxLength: 16 * n })),
      order: fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6], { minLength: 7, maxLength: 7 }),
      /** The record batch sent twice: rows are numbered across batches. */
      twice: fc.boolean(),
    })
    .map((m) => ({ n, ...m })),
);

type StreamModel = typeof streamArb extends fc.Arbitrary<infer T> ? T : never;

const noCanary = (s: string) => s.replace(/Z/g, 'z');

/** A model's stream: its messages before framing, its bytes, and what a correct reader stores. */
interface Built {
  schema: Uint8Array;
  dictionaries: Uint8Array[];
  batch: BatchSpec;
  bytes: Uint8Array;
  /** Stored values by column name. */
  expected: Map<string, unknown[]>;
  /** How many columns the stream sends. */
  sent: number;
}

function build(m: StreamModel): Built {
  const n = m.n;
  const expected = new Map<string, unknown[]>();
  const encoded: Array<Encoded | undefined> = [];
  if (m.time) {
    const unit = m.time.unit;
    const scale =
      unit === 'int64' ? 1n : [1_000_000_000n, 1_000_000n, 1_000n, 1n][TIME_UNIT[unit]]!;
    // Values of this century in the declared unit.
    const values = m.time.values.map((v) => (v * 1_000_000_000n) / scale);
    expected.set(
      'time_',
      values.map((v) => v * scale),
    );
    encoded.push({
      field: {
        name: 'time_',
        type:
          unit === 'int64'
            ? { kind: 'int', bitWidth: 64, signed: true }
            : { kind: 'timestamp', unit },
      },
      column: fixedColumn(n, bytesOf(new BigInt64Array(values))),
    });
  } else {
    expected.set(
      'time_',
      Array.from({ length: n }, () => INGEST_NS),
    );
    encoded.push(undefined);
  }
  if (m.ints) {
    const { bitWidth, signed } = m.ints as { bitWidth: 8 | 16 | 32 | 64; signed: boolean };
    const wrap = (v: bigint) => (signed ? BigInt.asIntN(bitWidth, v) : BigInt.asUintN(bitWidth, v));
    // Uint64 values above the INT64 range are refused; keep them out of a valid stream.
    const values = m.ints.raw.map(wrap).map((v) => (v > 2n ** 63n - 1n ? v >> 1n : v));
    const bytes = narrow(new BigInt64Array(values.map((v) => BigInt.asIntN(64, v))), bitWidth);
    expected.set('n', values);
    encoded.push({
      field: { name: 'n', type: { kind: 'int', bitWidth, signed } },
      column: fixedColumn(n, bytes),
    });
  } else {
    expected.set(
      'n',
      Array.from({ length: n }, () => 0n),
    );
    encoded.push(undefined);
  }
  if (m.floats) {
    if (m.floats.kind === 'half') {
      const halves = m.floats.values;
      expected.set(
        'f',
        halves.map(([, v]) => v),
      );
      encoded.push({
        field: { name: 'f', type: { kind: 'float', precision: 'half' } },
        column: fixedColumn(n, bytesOf(new Uint16Array(halves.map(([bits]) => bits)))),
      });
    } else {
      const single = m.floats.kind === 'single';
      const values = single ? m.floats.values.map(Math.fround) : m.floats.values;
      expected.set('f', values);
      encoded.push({
        field: { name: 'f', type: { kind: 'float', precision: m.floats.kind } },
        column: fixedColumn(
          n,
          bytesOf(single ? new Float32Array(values) : new Float64Array(values)),
        ),
      });
    }
  } else {
    expected.set(
      'f',
      Array.from({ length: n }, () => 0),
    );
    encoded.push(undefined);
  }
  if (m.bools) {
    const bits = new Uint8Array(Math.ceil(n / 8));
    m.bools.forEach((b, i) => b && (bits[i >> 3]! |= 1 << (i & 7)));
    expected.set(
      'b',
      m.bools.map((b) => (b ? 1 : 0)),
    );
    encoded.push({ field: { name: 'b', type: { kind: 'bool' } }, column: fixedColumn(n, bits) });
  } else {
    expected.set(
      'b',
      Array.from({ length: n }, () => 0),
    );
    encoded.push(undefined);
  }
  if (m.strings) {
    const values = m.strings.values.map(noCanary);
    expected.set('s', values);
    const column = utf8Column(values);
    if (m.strings.large) {
      const offsets = new Int32Array(column.buffers[1]!.buffer);
      column.buffers[1] = bytesOf(BigInt64Array.from(offsets, (o) => BigInt(o)));
    }
    encoded.push({
      field: { name: 's', type: { kind: m.strings.large ? 'largeUtf8' : 'utf8' } },
      column,
    });
  } else {
    expected.set(
      's',
      Array.from({ length: n }, () => ''),
    );
    encoded.push(undefined);
  }
  if (m.dict) {
    const dictionary = m.dict.values.map(noCanary);
    const width = m.dict.indexWidth as 8 | 16 | 32 | 64;
    const picks = m.dict.picks.map((p) => p % dictionary.length);
    const bytes = narrow(new BigInt64Array(picks.map(BigInt)), width);
    expected.set(
      'd',
      picks.map((p) => dictionary[p]),
    );
    encoded.push({
      field: {
        name: 'd',
        type: { kind: 'utf8' },
        dictionary: { id: 3, indexType: { bitWidth: width, signed: true } },
      },
      column: fixedColumn(n, bytes),
      dictionary,
    });
  } else {
    expected.set(
      'd',
      Array.from({ length: n }, () => ''),
    );
    encoded.push(undefined);
  }
  if (m.upids) {
    const view = new DataView(m.upids.buffer, m.upids.byteOffset);
    expected.set(
      'u',
      Array.from({ length: n }, (_, i) => [
        view.getBigUint64(16 * i, true),
        view.getBigUint64(16 * i + 8, true),
      ]),
    );
    encoded.push({
      field: { name: 'u', type: { kind: 'fixedSizeBinary', byteWidth: 16 } },
      column: fixedColumn(n, m.upids),
    });
  } else {
    expected.set(
      'u',
      Array.from({ length: n }, () => [0n, 0n]),
    );
    encoded.push(undefined);
  }
  const sent = m.order.map((i) => encoded[i]).filter((e): e is Encoded => e !== undefined);
  const dictionaries = sent
    .filter((e) => e.dictionary)
    .map((e) =>
      dictionaryBatchMessage(3, batchOf(e.dictionary!.length, [utf8Column(e.dictionary!)])),
    );
  const schema = schemaMessage(sent.map((e) => e.field));
  const batch = batchOf(
    n,
    sent.map((e) => e.column),
  );
  const batches = Array.from({ length: m.twice ? 2 : 1 }, () => recordBatchMessage(batch));
  const bytes = stream(schema, ...dictionaries, ...batches, EOS);
  if (m.twice) for (const [k, v] of expected) expected.set(k, [...v, ...v]);
  return { schema, dictionaries, batch, bytes, expected, sent: sent.length };
}

/** Little-endian integers of `bitWidth` bits from int64 values (two's complement, truncated). */
function narrow(values: BigInt64Array, bitWidth: number): Uint8Array {
  const width = bitWidth / 8;
  const out = new Uint8Array(values.length * width);
  for (let i = 0; i < values.length; i++)
    out.set(new Uint8Array(values.buffer, 8 * i, width), width * i);
  return out;
}

/** The stream placed in memory between canary bytes, as a request body would be. */
function inCanaries(bytes: Uint8Array): Uint8Array {
  const pad = 64;
  const memory = new Uint8Array(pad + bytes.length + pad).fill(CANARY);
  memory.set(bytes, pad);
  return memory.subarray(pad, pad + bytes.length);
}

/** The stored values of a decoded column, as plain values (UINT128 as [low, high]). */
function stored(c: ColumnData, n: number): unknown[] {
  switch (c.type) {
    case 'INT64':
    case 'TIME64NS':
    case 'FLOAT64':
    case 'BOOLEAN':
      return Array.from(c.values.subarray(0, n) as ArrayLike<unknown>);
    case 'UINT128':
      return Array.from({ length: n }, (_, i) => [c.values[2 * i], c.values[2 * i + 1]]);
    case 'STRING':
      if (c.values.kind === 'strings') return [...c.values.values];
      return Array.from({ length: n }, (_, i) => {
        const { offsets, data } = c.values as { offsets: Int32Array; data: Uint8Array };
        return new TextDecoder().decode(data.subarray(offsets[i]!, offsets[i + 1]!));
      });
  }
}

/** Every typed array the batch hands to the store that views the body lies inside the body. */
function expectViewsInsideBody(batch: ColumnBatch, body: Uint8Array): void {
  const inside = (a: ArrayBufferView) =>
    a.buffer !== body.buffer ||
    (a.byteOffset >= body.byteOffset &&
      a.byteOffset + a.byteLength <= body.byteOffset + body.byteLength);
  for (const c of batch.columns) {
    if (c.type === 'STRING') {
      if (c.values.kind === 'utf8') expect(inside(c.values.data)).toBe(true);
    } else {
      expect(inside(c.values)).toBe(true);
    }
  }
}

/**
 * The rows apache-arrow reads from a stream we accepted: a second, independent reader. Undefined
 * where it cannot view a buffer that is not aligned for its type.
 */
function arrowRows(bytes: Uint8Array): Map<string, unknown[]>[] | undefined {
  const out: Map<string, unknown[]>[] = [];
  let batches;
  try {
    batches = [...RecordBatchReader.from(bytes)];
  } catch (err) {
    if (err instanceof RangeError && /should be a multiple of/.test(err.message)) return undefined;
    throw err;
  }
  for (const batch of batches) {
    if (batch.numRows === 0) continue;
    const rows = new Map<string, unknown[]>();
    batch.schema.fields.forEach((field, i) => {
      const vector = batch.getChildAt(i)! as Vector;
      const values: unknown[] = [];
      for (let r = 0; r < batch.numRows; r++) values.push(arrowValue(field.name, vector, r));
      rows.set(field.name, values);
    });
    out.push(rows);
  }
  return out;
}

function arrowValue(name: string, vector: Vector, r: number): unknown {
  const type = vector.type as { unit?: number; typeId: number };
  const data = vector.data[0]!;
  if (name === 'time_') {
    const raw = BigInt((data.values as BigInt64Array)[data.offset + r]!);
    return raw * ([1_000_000_000n, 1_000_000n, 1_000n, 1n][type.unit ?? 3] ?? 1n);
  }
  if (data.dictionary) {
    // apache-arrow's own get() fails on Int64 indices; read the index, then the dictionary.
    return data.dictionary.get(
      Number((data.values as ArrayLike<number | bigint>)[data.offset + r]),
    );
  }
  const v = vector.get(r) as unknown;
  if (name === 'n') return BigInt(v as number | bigint);
  if (name === 'b') return v ? 1 : 0;
  if (name === 'u') {
    const view = new DataView((v as Uint8Array).buffer, (v as Uint8Array).byteOffset);
    return [view.getBigUint64(0, true), view.getBigUint64(8, true)];
  }
  return v;
}

/** Decodes; a refusal must be our own error. Returns the batches, or undefined when refused. */
function decodeOrRefuse(body: Uint8Array): ColumnBatch[] | undefined {
  const started = performance.now();
  try {
    return decodeArrowStream(SCHEMA, body, OPTIONS);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    expect(httpStatusOf(err)).toBeGreaterThanOrEqual(400);
    expect(httpStatusOf(err)).toBeLessThan(500);
    expect(err.message).toMatch(/^(table "fuzz"|batch for table "fuzz")/);
    return undefined;
  } finally {
    expect(performance.now() - started).toBeLessThan(2000);
  }
}

describe('decodeArrowStream (property)', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  let writer: ChunkWriter;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    const types = [...SCHEMA.columns.map((c) => logicalType(c.type)), BIGINT];
    const cols = [...SCHEMA.columns.map((c) => quoteIdent(c.name)), '_seq'];
    await conn.run(
      `CREATE TABLE fuzz (${cols.map((c, i) => `${c} ${types[i]!.toString()}`).join(', ')})`,
    );
    writer = new ChunkWriter(types);
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  /** Appends accepted batches to DuckDB as the store would: no lying value may reach it. */
  async function append(parts: ColumnBatch[]): Promise<void> {
    const appender = await conn.createAppender('fuzz');
    for (const p of parts) writer.append(appender, p, 0, p.rowCount, 1);
    appender.closeSync();
  }

  it('reads every valid stream exactly as its model says', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, async (m) => {
        const { bytes, expected, sent } = build(m);
        const body = inCanaries(bytes);
        const parts = decodeOrRefuse(body);
        if (sent === 0 && m.n > 0) {
          // Rows but no columns: refused, as the docs say.
          expect(parts).toBeUndefined();
          return;
        }
        expect(parts).toBeDefined();
        const rows = parts!.reduce((k, p) => k + p.rowCount, 0);
        expect(rows).toBe(m.twice ? 2 * m.n : m.n);
        let first = 0;
        for (const part of parts!) {
          expectViewsInsideBody(part, body);
          SCHEMA.columns.forEach((c, i) => {
            const want = expected.get(c.name)!.slice(first, first + part.rowCount);
            const got = stored(part.columns[i]!, part.rowCount);
            got.forEach((v, r) => expect(Object.is(v, want[r]) || equal(v, want[r])).toBe(true));
          });
          first += part.rowCount;
        }
        await append(parts!);
      }),
      fuzzParams(150, { seed: 11 }),
    );
  });

  const mutation = fc.record({
    target: fc.constantFrom(
      'length',
      'nodeLength',
      'nullCount',
      'bufferOffset',
      'bufferLength',
      'bodyLength',
    ),
    which: fc.nat(),
    value: fc.oneof(
      fc.constantFrom(-1, 0, 1, 7, 8, 2 ** 31 - 1, 2 ** 31, 1_500_000, 2 ** 53 - 1),
      fc.integer({ min: -64, max: 4096 }),
    ),
  });

  it('refuses or reads correctly a valid stream whose header lies about one length or offset', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, mutation, async (m, lie) => {
        const bytes = lyingStream(m, lie);
        const body = inCanaries(bytes);
        const parts = decodeOrRefuse(body);
        if (parts) await checkAccepted(parts, body, bytes);
      }),
      fuzzParams(300, { seed: 12 }),
    );
  });

  it('refuses or reads correctly a valid stream with bytes overwritten or cut short', async () => {
    const damage = fc.record({
      writes: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 6,
      }),
      cut: fc.option(fc.nat()),
    });
    await fc.assert(
      fc.asyncProperty(streamArb, damage, async (m, d) => {
        const { bytes } = build(m);
        const damaged = bytes.slice(0, d.cut === null ? bytes.length : d.cut % (bytes.length + 1));
        for (const [at, v] of d.writes) if (damaged.length) damaged[at % damaged.length] = v;
        const body = inCanaries(damaged);
        const parts = decodeOrRefuse(body);
        if (parts) await checkAccepted(parts, body, damaged);
      }),
      fuzzParams(300, { seed: 13 }),
    );
  });

  it('refuses arbitrary bytes with our own error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const parts = decodeOrRefuse(inCanaries(bytes));
        if (parts) for (const p of parts) expect(p.rowCount).toBeGreaterThan(0);
      }),
      fuzzParams(500, { seed: 14 }),
    );
  });

  /**
   * What is accepted from a damaged stream: views only of the body, no canary, the values
   * apache-arrow reads (where it can: it refuses buffers not 8-byte aligned, which we copy), and
   * storable in DuckDB.
   */
  async function checkAccepted(parts: ColumnBatch[], body: Uint8Array, bytes: Uint8Array) {
    const theirs = arrowRows(bytes);
    if (theirs) expect(parts.length).toBe(theirs.length);
    parts.forEach((part, k) => {
      expectViewsInsideBody(part, body);
      SCHEMA.columns.forEach((c, i) => {
        const got = stored(part.columns[i]!, part.rowCount);
        for (const v of got) expect(v).not.toBe(CANARY_INT);
        const want = theirs?.[k]!.get(c.name);
        if (want)
          got.forEach((v, r) => expect(Object.is(v, want[r]) || equal(v, want[r])).toBe(true));
      });
    });
    await append(parts);
  }
});

function equal(a: unknown, b: unknown): boolean {
  return (
    JSON.stringify(a, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) ===
    JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))
  );
}

/** The model's stream with one number of its record batch header replaced. */
function lyingStream(
  m: StreamModel,
  lie: { target: string; which: number; value: number },
): Uint8Array {
  const original = build(m);
  const bytes = original.bytes;
  const b: BatchSpec = {
    ...original.batch,
    nodes: [...original.batch.nodes],
    buffers: [...original.batch.buffers],
  };
  const pick = <T>(xs: T[]) => (xs.length ? xs[lie.which % xs.length] : undefined);
  switch (lie.target) {
    case 'length':
      b.length = lie.value;
      break;
    case 'nodeLength':
    case 'nullCount': {
      const node = pick(b.nodes);
      if (!node) return bytes;
      const i = b.nodes.indexOf(node);
      b.nodes[i] =
        lie.target === 'nodeLength'
          ? { ...node, length: lie.value }
          : { ...node, nullCount: lie.value };
      break;
    }
    case 'bufferOffset':
    case 'bufferLength': {
      const buffer = pick(b.buffers);
      if (!buffer) return bytes;
      const i = b.buffers.indexOf(buffer);
      b.buffers[i] =
        lie.target === 'bufferOffset'
          ? { ...buffer, offset: lie.value }
          : { ...buffer, length: lie.value };
      break;
    }
    case 'bodyLength':
      b.bodyLength = lie.value;
      break;
    case 'bodyInt32': {
      // String offsets and dictionary indices live in the body: one of its int32s lies.
      if (b.body.length < 4) return bytes;
      b.body = b.body.slice();
      const at = 4 * (lie.which % Math.floor(b.body.length / 4));
      new DataView(b.body.buffer).setInt32(at, lie.value, true);
      break;
    }
  }
  return stream(original.schema, ...original.dictionaries, recordBatchMessage(b), EOS);
}
