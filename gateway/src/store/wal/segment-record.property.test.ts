import fc from 'fast-check';
import { fuzzParams } from '../../../../test/support/fuzz';
import { decodeJsonRows } from '../../ingest/json';
import { ColumnBatch } from '../batch';
import { TableSchema } from '../../../../shared/contract/types';
import { LogFileError, frame, readFrames } from './frames';
import { decodeSegmentRecord, encodeSegmentRecord } from './segment-record';

const SCHEMA: TableSchema = {
  name: 'kinds',
  description: '',
  builtin: false,
  columns: [
    { name: 'time_', type: 'TIME64NS', semanticType: 'ST_NONE' },
    { name: 'id', type: 'UINT128', semanticType: 'ST_UPID' },
    { name: 'n', type: 'INT64', semanticType: 'ST_NONE' },
    { name: 'f', type: 'FLOAT64', semanticType: 'ST_NONE' },
    { name: 'b', type: 'BOOLEAN', semanticType: 'ST_NONE' },
    { name: 's', type: 'STRING', semanticType: 'ST_NONE' },
  ],
};

const rowArb = fc.record({
  time_: fc.bigInt({ min: 0n, max: 2n ** 62n }).map(String),
  id: fc
    .tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }))
    .map(([h, l]) => `${h}:${l}`),
  n: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  f: fc.double({ noNaN: true, noDefaultInfinity: true }),
  b: fc.boolean(),
  s: fc.string({ unit: 'binary', maxLength: 40 }),
});

/** A batch of rows and a slice of it, as the store logs it. */
const sliceArb = fc
  .array(rowArb, { minLength: 1, maxLength: 30 })
  .chain((rows) =>
    fc.record({
      rows: fc.constant(rows),
      from: fc.nat(rows.length - 1),
      seq: fc.integer({ min: 1, max: 2 ** 40 }),
    }),
  )
  .chain((x) =>
    fc.record({ x: fc.constant(x), count: fc.integer({ min: 0, max: x.rows.length - x.from }) }),
  );

function encoded(rows: Record<string, unknown>[], from: number, count: number, seq: number) {
  const batch = decodeJsonRows(SCHEMA, rows);
  const batchId = count % 2 === 0 ? undefined : `agent-7:${seq}`;
  return {
    batch,
    batchId,
    payload: Buffer.concat(encodeSegmentRecord(SCHEMA, batch, from, count, seq, 123, batchId)),
  };
}

/** Values of rows [from, from + count) of a batch, column by column, as plain arrays. */
function valuesOf(b: ColumnBatch, from = 0, count = b.rowCount): unknown[][] {
  return b.columns.map((c) => {
    if (c.type === 'STRING') {
      if (c.values.kind === 'strings') return c.values.values.slice(from, from + count);
      const { offsets, data } = c.values;
      return Array.from({ length: count }, (_, i) =>
        Buffer.from(data.subarray(offsets[from + i]!, offsets[from + i + 1]!)).toString('utf8'),
      );
    }
    const width = c.type === 'UINT128' ? 2 : 1;
    return Array.from(c.values.slice(from * width, (from + count) * width) as ArrayLike<unknown>);
  });
}

/** Whatever comes out stays inside the payload and agrees with itself. */
function checkShape(b: ColumnBatch, payload: Buffer): void {
  for (const c of b.columns) {
    if (c.type === 'STRING') {
      if (c.values.kind !== 'utf8') throw new Error('decoded strings must be utf8 buffers');
      const { offsets, data } = c.values;
      expect(offsets.length).toBe(b.rowCount + 1);
      expect(offsets[b.rowCount]).toBe(data.length);
      expect(data.buffer).toBe(payload.buffer);
      expect(data.byteOffset).toBeGreaterThanOrEqual(payload.byteOffset);
      expect(data.byteOffset + data.length).toBeLessThanOrEqual(
        payload.byteOffset + payload.length,
      );
    } else {
      expect(c.values.length).toBe(b.rowCount * (c.type === 'UINT128' ? 2 : 1));
    }
  }
}

describe('the write-ahead log record format', () => {
  it('reads back exactly the slice that was written', () => {
    fc.assert(
      fc.property(sliceArb, ({ x: { rows, from, seq }, count }) => {
        const { batch, batchId, payload } = encoded(rows, from, count, seq);
        const back = decodeSegmentRecord(SCHEMA, payload);
        expect(back.firstSeq).toBe(seq);
        expect(back.batchId).toBe(batchId);
        expect(back.batch.rowCount).toBe(count);
        expect(back.batch.bytes).toBe(123);
        expect(valuesOf(back.batch)).toEqual(valuesOf(batch, from, count));
      }),
      fuzzParams(300, { seed: 11 }),
    );
  });

  it('refuses any change to a record with its own error, never reading outside the record', () => {
    fc.assert(
      fc.property(
        sliceArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.option(fc.tuple(fc.nat(), fc.nat({ max: 0xffffffff }))),
        ({ x: { rows, from, seq }, count }, flips, lie) => {
          const { payload } = encoded(rows, from, count, seq);
          const bad = Buffer.from(payload);
          for (const [at, value] of flips) bad[at % bad.length] = value;
          // A lying length: a u32 written over any aligned field.
          if (lie && bad.length >= 4) bad.writeUInt32LE(lie[1], (lie[0] % (bad.length >> 2)) * 4);
          try {
            checkShape(decodeSegmentRecord(SCHEMA, bad).batch, bad);
          } catch (err) {
            if (!(err instanceof LogFileError)) throw err;
          }
        },
      ),
      fuzzParams(500, { seed: 12 }),
    );
  });

  it('refuses arbitrary bytes with its own error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const buf = Buffer.from(bytes);
        try {
          checkShape(decodeSegmentRecord(SCHEMA, buf).batch, buf);
        } catch (err) {
          if (!(err instanceof LogFileError)) throw err;
        }
      }),
      fuzzParams(500, { seed: 13 }),
    );
  });

  it('finds every whole frame of a file and stops at the first torn or changed one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }),
        fc.option(fc.nat()),
        fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }))),
        (payloads, cut, flip) => {
          const frames = payloads.map((p) => Buffer.concat(frame([p])));
          let file = Buffer.concat(frames);
          if (cut !== null && file.length > 0) file = file.subarray(0, cut % file.length);
          if (flip !== null && file.length > 0) {
            file = Buffer.from(file);
            file[flip[0] % file.length] ^= flip[1] || 1;
          }
          const scan = readFrames(file);
          expect(scan.validBytes).toBeLessThanOrEqual(file.length);
          expect(scan.problem === undefined).toBe(scan.validBytes === file.length);
          // What it returns is a prefix of what was written, byte for byte.
          scan.payloads.forEach((p, i) =>
            expect(Buffer.from(p)).toEqual(Buffer.from(payloads[i]!)),
          );
          expect(scan.validBytes).toBe(
            frames.slice(0, scan.payloads.length).reduce((n, f) => n + f.length, 0),
          );
        },
      ),
      fuzzParams(500, { seed: 14 }),
    );
  });
});
