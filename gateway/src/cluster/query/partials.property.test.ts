import fc from 'fast-check';
import { fuzzParams } from '../../../../test/support/fuzz';
import { localShards } from '../../../../test/support/cluster-query';
import { BASE_NS, PxlFixture, pxlFixture } from '../../../../test/support/pxl';
import {
  SKETCH_RELATIVE_ERROR,
  SketchFormatError,
  parseSketches,
} from '../../pxl/functions/sketch';
import { Cell, ResultTable } from '../../pxl/execute/result';
import { TypedColumn } from '../../pxl/check/typed';
import { Coordinator, ShardTarget } from './coordinator';
import { ShardReplyError, decodeReply, encodeReply } from './protocol';
import { ShardAnswerError, decodeAnswer, encodeAnswer } from './shard-answer';

const METHODS = ['GET', 'POST', 'PUT'];
const STEP = 1_000_000n;

/** One generated row: its group, value, status, and the store it goes to. */
const rowArb = fc.record({
  method: fc.constantFrom(...METHODS),
  latency: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 0, max: 2_000_000_000 }),
    fc.integer({ min: 1, max: 100 }),
  ),
  status: fc.constantFrom(200, 404, 500),
  store: fc.nat(2),
});

const script = (start: bigint, end: bigint) => `import px
df = px.DataFrame('http_events', start_time=${start}, end_time=${end})
df.f = df.latency / 7.0
df.ok = df.resp_status < 400
px.display(df.groupby('req_method').agg(n=('latency', px.count), s=('latency', px.sum),
  m=('f', px.mean), lo=('latency', px.min), hi=('f', px.max), r=('ok', px.mean),
  q=('latency', px.quantiles)), 'out')`;

/** Cells equal, floats within 1e-9, quantiles' JSON within the sketch's relative error. */
function same(got: ResultTable, want: ResultTable): void {
  expect(got.rows.length).toBe(want.rows.length);
  got.rows.forEach((row, i) =>
    row.forEach((g: Cell, j) => {
      const w = want.rows[i]![j]!;
      if (want.columns[j]!.name === 'q') {
        const gq = JSON.parse(String(g)) as Record<string, number>;
        const wq = JSON.parse(String(w)) as Record<string, number>;
        for (const k of Object.keys(wq)) {
          expect(Math.abs(gq[k]! - wq[k]!)).toBeLessThanOrEqual(
            SKETCH_RELATIVE_ERROR * Math.abs(wq[k]!) + 1e-9,
          );
        }
      } else if (typeof w === 'number') {
        expect(Math.abs((g as number) - w)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(w)));
      } else {
        expect(g).toEqual(w);
      }
    }),
  );
}

describe('partial aggregates merged across stores', () => {
  let whole: PxlFixture;
  let stores: PxlFixture[];
  let coordinators: Coordinator[];
  let window = 0n;

  beforeAll(async () => {
    whole = await pxlFixture();
    stores = await Promise.all([0, 1, 2].map(() => pxlFixture()));
    const shards = localShards(stores);
    // Splits into 1, 2 and 3 stores: the first k stores hold the rows of a k-way split.
    coordinators = [1, 2, 3].map(
      (k) =>
        new Coordinator(stores[0]!.engine, {
          targets: () => shards.slice(0, k),
          partitions: () => shards.slice(0, k).flatMap((s) => s.partitions),
        }),
    );
  }, 120_000);
  afterAll(async () => {
    for (const fx of [whole, ...stores]) await fx.close();
  });

  it('equal the direct aggregate for random rows and random splits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { maxLength: 60 }),
        fc.integer({ min: 1, max: 3 }),
        async (rows, k) => {
          const start = BASE_NS + window * 1_000n * STEP;
          window++;
          const json = rows.map((r, i) => ({
            time_: String(start + BigInt(i) * STEP),
            req_method: r.method,
            latency: r.latency,
            resp_status: r.status,
          }));
          await whole.insert('http_events', json);
          for (let s = 0; s < k; s++) {
            const mine = json.filter((_j, i) => rows[i]!.store % k === s);
            if (mine.length > 0) await stores[s]!.insert('http_events', mine);
          }
          const text = script(start, start + 1_000n * STEP);
          const want = await whole.engine.run(text);
          const got = await coordinators[k - 1]!.run(text);
          expect(got.warnings).toBeUndefined();
          same(got.tables[0]!, want.tables[0]!);
        },
      ),
      fuzzParams(15, { seed: 1601 }),
    );
  }, 300_000);
});

const COLUMNS: TypedColumn[] = [
  { name: 'time_', type: 'TIME64NS', semanticType: 'ST_NONE' },
  { name: 'upid', type: 'UINT128', semanticType: 'ST_UPID' },
  { name: 'f', type: 'FLOAT64', semanticType: 'ST_NONE' },
  { name: 'b', type: 'BOOLEAN', semanticType: 'ST_NONE' },
  { name: 's', type: 'STRING', semanticType: 'ST_NONE' },
];

const cellRow = fc.tuple(
  fc.option(fc.bigInt({ min: 0n, max: 2n ** 62n })),
  fc.option(fc.tuple(fc.nat(), fc.nat(), fc.nat()).map(([a, p, t]) => `${a}:${p}:${t}`)),
  fc.option(fc.double({ noNaN: true })),
  fc.option(fc.boolean()),
  fc.option(fc.string()),
);

describe('shard answers', () => {
  it('decode to what was encoded, nulls included', () => {
    fc.assert(
      fc.property(fc.array(cellRow, { maxLength: 40 }), (rows) => {
        const table: ResultTable = { name: 't', columns: COLUMNS, rows };
        const batches = decodeAnswer(encodeAnswer(table, COLUMNS), COLUMNS, 1 << 24);
        expect(batches.reduce((n, b) => n + b.rowCount, 0)).toBe(rows.length);
        const nulls = batches.flatMap((b) => [...(b.columns[1] as { values: Uint8Array }).values]);
        expect(nulls).toEqual(rows.map((r) => (r[0] === null ? 1 : 0)));
      }),
      fuzzParams(100, { seed: 1602 }),
    );
  });

  it('that lie (truncated, garbled, another schema) are refused with ShardAnswerError only', () => {
    const other: TypedColumn[] = [{ name: 'x', type: 'INT64', semanticType: 'ST_NONE' }];
    fc.assert(
      fc.property(
        fc.array(cellRow, { minLength: 1, maxLength: 20 }),
        fc.oneof(
          fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
          fc.record({
            kind: fc.constant('flip' as const),
            at: fc.nat(),
            bits: fc.integer({ min: 1, max: 255 }),
          }),
          fc.record({ kind: fc.constant('schema' as const) }),
        ),
        (rows, lie) => {
          let bytes = encodeAnswer({ name: 't', columns: COLUMNS, rows }, COLUMNS);
          if (lie.kind === 'truncate') bytes = bytes.subarray(0, lie.at % bytes.length);
          if (lie.kind === 'flip') {
            bytes = bytes.slice();
            bytes[lie.at % bytes.length]! ^= lie.bits;
          }
          if (lie.kind === 'schema') {
            bytes = encodeAnswer({ name: 't', columns: other, rows: rows.map(() => [1n]) }, other);
          }
          try {
            decodeAnswer(bytes, COLUMNS, 1 << 24);
          } catch (err) {
            expect(err).toBeInstanceOf(ShardAnswerError);
            return;
          }
          // A flipped bit in a value is still an answer; a lie in its framing or schema is not.
          expect(lie.kind).toBe('flip');
        },
      ),
      fuzzParams(300, { seed: 1603 }),
    );
  });

  it('replies and sketches of random bytes are refused with their own errors only', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.string({ maxLength: 60 }),
        (bytes, text) => {
          try {
            decodeReply(bytes, 2);
          } catch (err) {
            expect(err).toBeInstanceOf(ShardReplyError);
          }
          try {
            parseSketches(text);
          } catch (err) {
            expect(err).toBeInstanceOf(SketchFormatError);
          }
        },
      ),
      fuzzParams(300, { seed: 1604 }),
    );
  });

  it('from a lying gateway leave it out with a warning naming it, and the answer comes back', async () => {
    const fx = await pxlFixture();
    try {
      const [honest] = localShards([fx]);
      const liar: ShardTarget = {
        id: 'liar',
        partitions: ['node-9'],
        ask: async () =>
          encodeReply({
            ok: true,
            partitions: ['node-9'],
            answers: [new Uint8Array([255, 255, 255, 255, 9])],
          }),
      };
      const coordinator = new Coordinator(fx.engine, {
        targets: () => [honest!, liar],
        partitions: () => ['p0', 'node-9'],
      });
      const got = await coordinator.run(`import px
px.display(px.DataFrame('http_events').agg(n=('latency', px.count)), 'out')`);
      expect(got.tables[0]!.rows).toEqual([[0n]]);
      expect(got.warnings).toEqual([
        expect.stringMatching(
          /^gateway liar is missing from the results \(partitions node-9\): its answer was refused: /,
        ),
        'partitions missing from the results: node-9',
      ]);
    } finally {
      await fx.close();
    }
  });
});
