import fc from 'fast-check';
import { fuzzParams } from '../../../../../test/support/fuzz';
import {
  LiteralKind,
  indexed,
  literal,
  sizeUpdate,
} from '../../../../../test/support/http2-frames';
import { HeaderField, HpackDecoder } from './hpack-decoder';
import { STATIC_TABLE } from './static-table';

const LIMITS = { maxBlockBytes: 4096, maxTableBytes: 4096, maxFieldBytes: 2048 };

/** How the test encoder writes one field. */
interface Choice {
  readonly field: HeaderField;
  /** Refer to a table entry with this name (and value, when `whole`), if there is one. */
  readonly reuse: 'whole' | 'name' | 'none';
  readonly kind: LiteralKind;
  readonly huffman: boolean;
}

/**
 * A reference model of the encoder's dynamic table, written from RFC 7541 section 4 apart from
 * the decoder's: entries newest first, evicted oldest first to fit `max`.
 */
class ModelTable {
  entries: HeaderField[] = [];
  max = 4096;

  size(): number {
    return this.entries.reduce((n, e) => n + e.name.length + e.value.length + 32, 0);
  }

  add(f: HeaderField): void {
    this.entries.unshift(f);
    while (this.size() > this.max) this.entries.pop();
  }

  resize(max: number): void {
    this.max = max;
    while (this.size() > max) this.entries.pop();
  }

  /** The HPACK index of an entry matching `f` (all of it, or its name), static ones first. */
  find(f: HeaderField, whole: boolean): number | undefined {
    const match = (name: string, value: string) => name === f.name && (!whole || value === f.value);
    const s = STATIC_TABLE.findIndex(([n, v], i) => i > 0 && match(n, v));
    if (s > 0) return s;
    const d = this.entries.findIndex((e) => match(e.name, e.value));
    return d >= 0 ? STATIC_TABLE.length + d : undefined;
  }
}

function encode(table: ModelTable, choices: readonly Choice[], resize?: number): Buffer {
  const parts: Buffer[] = [];
  if (resize !== undefined) {
    parts.push(sizeUpdate(resize));
    table.resize(resize);
  }
  for (const c of choices) {
    const at = c.reuse === 'none' ? undefined : table.find(c.field, c.reuse === 'whole');
    if (at !== undefined && c.reuse === 'whole') {
      parts.push(indexed(at));
      continue;
    }
    parts.push(literal(at ?? c.field.name, c.field.value, c.kind, c.huffman));
    if (c.kind === 'indexing') table.add(c.field);
  }
  return Buffer.concat(parts);
}

const text = (max: number) =>
  fc.string({
    maxLength: max,
    unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
  });
const fieldArb: fc.Arbitrary<HeaderField> = fc.oneof(
  fc.constantFrom(...STATIC_TABLE.slice(1)).map(([name, value]) => ({ name, value })),
  fc.record({ name: fc.constantFrom(':path', 'x-a', 'x-b', 'content-type'), value: text(40) }),
  fc.record({ name: text(12), value: text(60) }),
);
const choiceArb: fc.Arbitrary<Choice> = fc.record({
  field: fieldArb,
  reuse: fc.constantFrom('whole' as const, 'name' as const, 'none' as const),
  kind: fc.constantFrom('indexing' as const, 'without' as const, 'never' as const),
  huffman: fc.boolean(),
});

describe('HpackDecoder under arbitrary input', () => {
  it('decodes what an encoder writes, block after block, with its table in step', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            choices: fc.array(choiceArb, { maxLength: 12 }),
            resize: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        (blocks) => {
          const table = new ModelTable();
          const d = new HpackDecoder(LIMITS);
          for (const b of blocks) {
            const bytes = encode(table, b.choices, b.resize);
            const r = d.decode(bytes);
            expect(r).toEqual({
              kind: 'ok',
              fields: b.choices.map((c) => c.field),
              unknown: 0,
              dropped: 0,
            });
          }
        },
      ),
      fuzzParams(300),
    );
  });

  it('never throws on random or mutated blocks, and keeps what it returns bounded', () => {
    const blockArb = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc
        .tuple(fc.array(choiceArb, { maxLength: 10 }), fc.nat(), fc.integer({ min: 0, max: 255 }))
        .map(([choices, at, byte]) => {
          const b = encode(new ModelTable(), choices);
          if (b.length > 0) b[at % b.length] = byte;
          return b;
        }),
    );
    fc.assert(
      fc.property(fc.array(blockArb, { maxLength: 6 }), (blocks) => {
        const d = new HpackDecoder({ ...LIMITS, maxFieldBytes: 256 });
        for (const b of blocks) {
          const r = d.decode(b);
          if (r.kind === 'ok') {
            const kept = r.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
            expect(kept).toBeLessThanOrEqual(256);
          } else {
            expect(typeof r.reason).toBe('string');
          }
        }
      }),
      fuzzParams(1000),
    );
  });
});
