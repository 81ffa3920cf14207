import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildElf, memorySource } from '../../../test/support/elf-build';
import { missingCommand } from '../../../test/support/ebpf';
import { describeIfAvailable } from '../../../test/support/system';
import { DEFAULT_ELF_LIMITS, ElfError, functionOffsets } from './elf-symbols';

const TEXT = { offset: 0x2000, vaddr: 0x402000, filesz: 0x1000, flags: 5 };
const DATA = { offset: 0x3000, vaddr: 0x603000, filesz: 0x1000, flags: 6 };
const NAMES = ['SSL_read', 'SSL_write', 'SSL_free'];

const offsets = async (bytes: Uint8Array, names = NAMES) =>
  Object.fromEntries(await functionOffsets(memorySource(bytes), names));

describe('functionOffsets', () => {
  it('gives the file offset of each function the dynamic symbol table defines', async () => {
    const elf = buildElf({
      segments: [TEXT, DATA],
      dynsym: [
        { name: 'SSL_write', value: 0x402400 },
        { name: 'SSL_read', value: 0x402010 },
        { name: 'SSL_read_early_data', value: 0x402800 },
      ],
      minSize: 0x4000,
    });
    expect(await offsets(elf)).toEqual({ SSL_read: 0x2010, SSL_write: 0x2400 });
  });

  it('looks in .symtab for what .dynsym lacks, and keeps .dynsym where both have a name', async () => {
    const elf = buildElf({
      segments: [TEXT],
      dynsym: [{ name: 'SSL_read', value: 0x402010 }],
      symtab: [
        { name: 'SSL_read', value: 0x402999 },
        { name: 'SSL_write', value: 0x402020 },
      ],
      minSize: 0x3000,
    });
    expect(await offsets(elf)).toEqual({ SSL_read: 0x2010, SSL_write: 0x2020 });
  });

  it('leaves out undefined symbols, data objects, addresses outside executable segments and zero', async () => {
    const elf = buildElf({
      segments: [TEXT, DATA],
      dynsym: [
        { name: 'SSL_read', value: 0x402010, shndx: 0 },
        { name: 'SSL_write', value: 0x402010, type: 1 },
        { name: 'SSL_free', value: 0x603010 },
      ],
      symtab: [{ name: 'SSL_free', value: 0 }],
      minSize: 0x4000,
    });
    expect(await offsets(elf)).toEqual({});
  });

  it('finds nothing in a file without section headers or symbols', async () => {
    expect(await offsets(buildElf({ segments: [TEXT], minSize: 0x3000 }))).toEqual({});
  });

  it.each([
    [
      'a script',
      Buffer.from('#!/bin/sh\necho a script, not an ELF file\n'.repeat(2)),
      'not an ELF file',
    ],
    [
      'a 32-bit file',
      Buffer.concat([Buffer.of(0x7f, 0x45, 0x4c, 0x46, 1, 1), Buffer.alloc(64)]),
      'not a 64-bit little-endian ELF file',
    ],
    [
      'a file cut inside its header',
      Buffer.of(0x7f, 0x45, 0x4c, 0x46),
      'ELF header: 64 bytes at 0 run past the end of the file',
    ],
  ])('refuses %s with an ElfError', async (_what, bytes, message) => {
    await expect(functionOffsets(memorySource(bytes), NAMES)).rejects.toThrow(
      new ElfError(message),
    );
  });

  it('refuses headers that point past the end of the file', async () => {
    const elf = buildElf({ segments: [TEXT], dynsym: [{ name: 'SSL_read', value: 0x402010 }] });
    const lying = Buffer.from(elf);
    lying.writeBigUInt64LE(BigInt(elf.length - 8), 0x28); // e_shoff
    await expect(functionOffsets(memorySource(lying), NAMES)).rejects.toThrow(
      /section headers: \d+ bytes at \d+ run past the end of the file/,
    );
  });

  it('refuses a symbol table larger than its limit instead of reading it', async () => {
    const elf = buildElf({
      segments: [TEXT],
      dynsym: Array.from({ length: 100 }, (_, i) => ({ name: `SSL_f${i}`, value: 0x402000 + i })),
      minSize: 0x3000,
    });
    const limits = { ...DEFAULT_ELF_LIMITS, maxTableBytes: 1024 };
    await expect(functionOffsets(memorySource(elf), NAMES, limits)).rejects.toThrow(
      'a symbol table of 2424 bytes',
    );
  });
});

const LIBSSL = [
  '/usr/lib/x86_64-linux-gnu/libssl.so.3',
  '/usr/lib/aarch64-linux-gnu/libssl.so.3',
].find((p) => existsSync(p));

/** Symbol addresses as nm prints them, and the executable segments as readelf does. */
function expectedOffsets(file: string, dynamic: boolean, names: string[]): Record<string, number> {
  const nm = execFileSync('nm', [...(dynamic ? ['-D'] : []), '--defined-only', file], {
    encoding: 'utf8',
  });
  const segments = [
    ...execFileSync('readelf', ['-lW', file], { encoding: 'utf8' }).matchAll(
      /^\s*LOAD\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x[0-9a-f]+ 0x([0-9a-f]+) 0x[0-9a-f]+ [R ][W ]E/gm,
    ),
  ].map((m) => ({
    offset: parseInt(m[1]!, 16),
    vaddr: parseInt(m[2]!, 16),
    filesz: parseInt(m[3]!, 16),
  }));
  const out: Record<string, number> = {};
  for (const m of nm.matchAll(/^([0-9a-f]+) [Tt] (\w+)(@@?\S+)?$/gm)) {
    if (!names.includes(m[2]!)) continue;
    const vaddr = parseInt(m[1]!, 16);
    const s = segments.find((g) => vaddr >= g.vaddr && vaddr < g.vaddr + g.filesz)!;
    out[m[2]!] = vaddr - s.vaddr + s.offset;
  }
  return out;
}

describeIfAvailable(
  'functionOffsets on real files',
  LIBSSL === undefined ? 'libssl.so.3 is not installed' : missingCommand('nm', 'readelf', 'clang'),
  () => {
    const SSL = ['SSL_read', 'SSL_write', 'SSL_read_ex', 'SSL_write_ex', 'SSL_free'];

    it("finds OpenSSL's plaintext functions in libssl.so.3 where nm and readelf place them", async () => {
      const found = await offsets(readFileSync(LIBSSL!), SSL);
      expect(Object.keys(found).sort()).toEqual([...SSL].sort());
      expect(found).toEqual(expectedOffsets(LIBSSL!, true, SSL));
    });

    it('finds a function that only the static symbol table of an executable names', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pxgate-elf-'));
      try {
        const src = join(dir, 'static.c');
        const exe = join(dir, 'static');
        writeFileSync(
          src,
          [
            '__attribute__((noinline, visibility("hidden"))) int SSL_write(void *s, const void *b, int n) { return n + (s != 0); }',
            'int main(int argc, char **argv) { return SSL_write(argv, argv[0], argc) > 100; }',
          ].join('\n'),
        );
        execFileSync('clang', ['-O1', '-o', exe, src]);
        const found = await offsets(readFileSync(exe), SSL);
        expect(found).toEqual(expectedOffsets(exe, false, SSL));
        expect(Object.keys(found)).toEqual(['SSL_write']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
