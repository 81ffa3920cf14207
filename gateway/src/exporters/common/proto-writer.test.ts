import fc from 'fast-check';
import { Reader, Writer } from 'protobufjs';
import { ProtoWriter, toWords } from './proto-writer';

type Field =
  | { kind: 'uint32'; value: number }
  | { kind: 'int64'; value: bigint }
  | { kind: 'fixed64'; value: bigint }
  | { kind: 'double'; value: number }
  | { kind: 'string'; value: string; cached: boolean }
  | { kind: 'bytes'; value: string }
  | { kind: 'id'; value: string }
  | { kind: 'kept'; value: string };

const field: fc.Arbitrary<Field> = fc.oneof(
  fc.nat({ max: 0xffffffff }).map((value) => ({ kind: 'uint32' as const, value })),
  fc
    .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
    .map((value) => ({ kind: 'int64' as const, value })),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value) => ({ kind: 'fixed64' as const, value })),
  fc.double({ noNaN: true }).map((value) => ({ kind: 'double' as const, value })),
  fc
    .record({ value: fc.string({ unit: 'grapheme', maxLength: 80 }), cached: fc.boolean() })
    .map((r) => ({ kind: 'string' as const, ...r })),
  fc
    .uint8Array({ minLength: 0, maxLength: 200 })
    .map((b) => ({ kind: 'bytes' as const, value: Buffer.from(b).toString('hex') })),
  fc
    .uint8Array({ minLength: 0, maxLength: 20 })
    .map((b) => ({ kind: 'id' as const, value: Buffer.from(b).toString('hex') })),
  fc.string({ unit: 'grapheme', maxLength: 80 }).map((value) => ({ kind: 'kept' as const, value })),
);

/** A string's body with its length prefix, as a cache keeps a KeyValue's. */
function prefixedBody(value: string): Uint8Array {
  return Writer.create().string(value).finish();
}

/** Writes the fields as one message (field i+1 holds fields[i]), backwards as the writer wants. */
function write(w: ProtoWriter, fields: readonly Field[]): Buffer {
  w.reset();
  for (let i = fields.length - 1; i >= 0; i--) {
    const f = fields[i]!;
    const n = i + 1;
    switch (f.kind) {
      case 'uint32':
        w.uint32(f.value);
        w.tag(n, 0);
        break;
      case 'int64':
        w.int64(f.value);
        w.tag(n, 0);
        break;
      case 'fixed64':
        // Both ways of writing one: the value then its tag, and the field at once.
        if (f.value % 2n === 0n) {
          w.fixed64(f.value);
          w.tag(n, 1);
        } else {
          w.fixed64Field(n, f.value);
        }
        break;
      case 'double':
        w.double(f.value);
        w.tag(n, 1);
        break;
      case 'string':
        if (f.cached) w.cachedString(n, f.value);
        else w.string(n, f.value);
        break;
      case 'bytes':
        w.bytes(n, Buffer.from(f.value, 'hex'));
        break;
      case 'id':
        w.idField(n, Buffer.from(f.value, 'hex'));
        break;
      case 'kept':
        w.prefixedWordsField(n, toWords(prefixedBody(f.value)));
        break;
    }
  }
  return w.finish();
}

function read(bytes: Uint8Array, fields: readonly Field[]): unknown[] {
  const r = Reader.create(bytes);
  const out: unknown[] = [];
  for (const f of fields) {
    r.uint32();
    switch (f.kind) {
      case 'uint32':
        out.push(r.uint32());
        break;
      case 'int64':
        out.push(BigInt(r.int64().toString()));
        break;
      case 'fixed64':
        out.push(BigInt(r.fixed64().toString()));
        break;
      case 'double':
        out.push(r.double());
        break;
      case 'string':
        out.push(r.string());
        break;
      case 'bytes':
      case 'id':
        out.push(Buffer.from(r.bytes()).toString('hex'));
        break;
      case 'kept':
        out.push(r.string());
        break;
    }
  }
  expect(r.pos).toBe(bytes.length);
  return out;
}

describe('ProtoWriter', () => {
  it('writes any sequence of fields so that protobufjs reads the same values back', () => {
    // A tiny first buffer makes every run cross buffer growth.
    const w = new ProtoWriter(16);
    fc.assert(
      fc.property(fc.array(field, { maxLength: 40 }), (fields) => {
        const values = read(write(w, fields), fields);
        expect(values).toEqual(fields.map((f) => f.value));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the front of what it wrote as words that write the same bytes again', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), fc.uint8Array({ maxLength: 9 }), (a, b) => {
        const w = new ProtoWriter(16);
        w.raw(b);
        w.raw(a);
        const words = w.copyFrontWords(a.length);
        expect(words).toEqual(toWords(a));
        // Written again after other bytes: the word copy's padding must not reach them.
        w.reset();
        w.raw(b);
        w.rawWords(words);
        expect(Buffer.from(w.finish())).toEqual(Buffer.concat([a, b]));
      }),
      { numRuns: 300 },
    );
  });

  it('writes unsigned varints at their size boundaries in the fewest bytes', () => {
    const w = new ProtoWriter(8);
    for (const [value, size] of [
      [0, 1],
      [127, 1],
      [128, 2],
      [16383, 2],
      [16384, 3],
      [0xffffffff, 5],
    ] as const) {
      w.reset();
      w.uint32(value);
      expect(w.finish().length).toBe(size);
    }
  });

  it('writes millisecond timestamps past 2^32 as the same varint as BigInt would', () => {
    const w = new ProtoWriter(8);
    w.int64(1_732_700_000_123);
    const viaNumber = w.finish();
    w.reset();
    w.int64(1_732_700_000_123n);
    expect(viaNumber).toEqual(w.finish());
    expect(Reader.create(viaNumber).int64().toString()).toBe('1732700000123');
  });

  it('hands over a buffer it filled and keeps working with a fresh one', () => {
    const w = new ProtoWriter(64);
    w.string(1, 'x'.repeat(50));
    const first = w.finish();
    w.reset();
    w.string(1, 'y'.repeat(50));
    const second = w.finish();
    expect(Reader.create(first).skip(1).string()).toBe('x'.repeat(50));
    expect(Reader.create(second).skip(1).string()).toBe('y'.repeat(50));
  });
});
