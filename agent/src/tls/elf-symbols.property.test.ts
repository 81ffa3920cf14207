import fc from 'fast-check';
import { buildElf } from '../../../test/support/elf-build';
import { fuzzParams } from '../../../test/support/fuzz';
import { ByteSource, DEFAULT_ELF_LIMITS, ElfError, functionOffsets } from './elf-symbols';

const NAMES = ['SSL_read', 'SSL_write', 'SSL_read_ex', 'SSL_write_ex', 'SSL_free'];
const LIMITS = { ...DEFAULT_ELF_LIMITS, maxTableBytes: 1 << 16 };

/** Well-formed files of random segments and symbols, the raw material of the lies below. */
const elfArb = fc
  .record({
    segments: fc.array(
      fc.record({
        offset: fc.nat(0x4000),
        vaddr: fc.nat(0x10000),
        filesz: fc.nat(0x4000),
        flags: fc.integer({ min: 0, max: 7 }),
      }),
      { maxLength: 4 },
    ),
    dynsym: fc.array(
      fc.record({
        name: fc.constantFrom(...NAMES, 'SSL_', 'other'),
        value: fc.nat(0x14000),
        type: fc.constantFrom(0, 1, 2, 10),
        shndx: fc.constantFrom(0, 1, 0xfff1),
      }),
      { maxLength: 12 },
    ),
    symtab: fc.option(
      fc.array(fc.record({ name: fc.constantFrom(...NAMES), value: fc.nat(0x14000) }), {
        maxLength: 6,
      }),
      { nil: undefined },
    ),
    minSize: fc.nat(0x6000),
  })
  .map((spec) => buildElf(spec));

/** A file with some of its bytes overwritten: offsets, sizes, counts and links that lie. */
const lyingElfArb = fc
  .tuple(
    elfArb,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom(1, 2, 8)), {
      minLength: 1,
      maxLength: 8,
    }),
  )
  .map(([elf, edits]) => {
    const out = Buffer.from(elf);
    for (const [at, byte, width] of edits) {
      // Mostly the headers, where every offset and count is.
      const pos = at % Math.min(out.length, at % 3 === 0 ? out.length : 512);
      out.fill(width === 8 ? 0xff : byte, pos, Math.min(out.length, pos + width));
    }
    return out;
  });

/** Reads that fail loudly past the end, so that any read out of bounds shows. */
function strictSource(bytes: Uint8Array): ByteSource & { reads: number } {
  const src = {
    size: bytes.length,
    reads: 0,
    read(offset: number, length: number): Promise<Uint8Array> {
      src.reads++;
      if (
        !Number.isSafeInteger(offset) ||
        offset < 0 ||
        length < 0 ||
        offset + length > bytes.length
      ) {
        throw new Error(`read out of bounds: ${length} bytes at ${offset} of ${bytes.length}`);
      }
      return Promise.resolve(bytes.subarray(offset, offset + length));
    },
  };
  return src;
}

describe('functionOffsets under arbitrary input', () => {
  it('never reads out of bounds, throws only ElfError, and gives offsets inside the file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 400 }), elfArb, lyingElfArb),
        async (bytes) => {
          const src = strictSource(bytes);
          try {
            const found = await functionOffsets(src, NAMES, LIMITS);
            for (const [name, offset] of found) {
              expect(NAMES).toContain(name);
              expect(offset).toBeGreaterThanOrEqual(0);
              expect(offset).toBeLessThan(bytes.length);
            }
          } catch (err) {
            if (!(err instanceof ElfError)) throw err;
          }
          // Reads are whole tables, a few per file: bounded whatever the headers claim.
          expect(src.reads).toBeLessThanOrEqual(
            8 + 2 * Math.ceil(LIMITS.maxTableBytes / 24 / 8192),
          );
        },
      ),
      fuzzParams(500),
    );
  });
});
