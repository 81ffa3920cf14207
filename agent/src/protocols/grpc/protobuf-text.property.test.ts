import fc from 'fast-check';
import { Writer } from 'protobufjs';
import { fuzzParams } from '../../../../test/support/fuzz';
import { protobufText } from './protobuf-text';

/** A message model: fields of each wire type, strings that cannot parse as messages. */
type Field =
  | { readonly n: number; readonly kind: 'varint'; readonly v: number }
  | { readonly n: number; readonly kind: 'fixed32'; readonly v: number }
  | { readonly n: number; readonly kind: 'string'; readonly v: string }
  | { readonly n: number; readonly kind: 'message'; readonly v: readonly Field[] };

const fieldArb: fc.Memo<Field> = fc.memo((depth) =>
  fc.oneof(
    fc.record({
      n: fc.integer({ min: 1, max: 5000 }),
      kind: fc.constant('varint' as const),
      v: fc.nat(),
    }),
    fc.record({
      n: fc.integer({ min: 1, max: 5000 }),
      kind: fc.constant('fixed32' as const),
      v: fc.nat(),
    }),
    // A first byte of field number 0 is no tag: such a string never reads as a message.
    fc.record({
      n: fc.integer({ min: 1, max: 5000 }),
      kind: fc.constant('string' as const),
      v: fc.stringMatching(/^[a-z ]{0,12}$/).map((s) => `\x01${s}`),
    }),
    ...(depth > 1
      ? [
          fc.record({
            n: fc.integer({ min: 1, max: 5000 }),
            kind: fc.constant('message' as const),
            v: fc.array(fieldArb(depth - 1), { minLength: 1, maxLength: 4 }),
          }),
        ]
      : []),
  ),
);

/** Encodes with protobufjs, the reference encoder. */
function encode(fields: readonly Field[]): Uint8Array {
  const w = Writer.create();
  for (const f of fields) {
    if (f.kind === 'varint') w.uint32(f.n * 8).uint64(f.v);
    else if (f.kind === 'fixed32') w.uint32(f.n * 8 + 5).fixed32(f.v);
    else if (f.kind === 'string') w.uint32(f.n * 8 + 2).string(f.v);
    else w.uint32(f.n * 8 + 2).bytes(encode(f.v));
  }
  return w.finish();
}

/** The text protobuf's printer gives, from the model. */
function expected(fields: readonly Field[], indent = ''): string {
  return fields
    .map((f) => {
      if (f.kind === 'varint') return `${indent}${f.n}: ${f.v}\n`;
      if (f.kind === 'fixed32') return `${indent}${f.n}: 0x${f.v.toString(16).padStart(8, '0')}\n`;
      if (f.kind === 'string') return `${indent}${f.n}: "\\001${f.v.slice(1)}"\n`;
      return `${indent}${f.n} {\n${expected(f.v, `${indent}  `)}${indent}}\n`;
    })
    .join('');
}

describe('protobufText under arbitrary input', () => {
  it('prints what protobufjs encodes as protobuf prints it', () => {
    fc.assert(
      fc.property(fc.array(fieldArb(4), { maxLength: 6 }), (fields) => {
        expect(protobufText(encode(fields), 1e6)).toEqual({
          text: expected(fields),
          complete: true,
          cut: false,
        });
      }),
      fuzzParams(500),
    );
  });

  it('never throws on random bytes, and keeps to maxChars', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.integer({ min: 0, max: 300 }), (b, max) => {
        const r = protobufText(b, max);
        expect(r.text.length).toBeLessThanOrEqual(max);
      }),
      fuzzParams(2000),
    );
  });
});
