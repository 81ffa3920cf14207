/** A symbol for buildElf: a function (type 2) defined in section 1 unless told otherwise. */
export interface ElfSymbol {
  readonly name: string;
  readonly value: number;
  readonly type?: number;
  readonly shndx?: number;
}

export interface ElfSegment {
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
  /** PF_X 1, PF_W 2, PF_R 4. */
  readonly flags: number;
}

export interface ElfSpec {
  readonly segments: readonly ElfSegment[];
  readonly dynsym?: readonly ElfSymbol[];
  readonly symtab?: readonly ElfSymbol[];
  /** Bytes of the file at least (room for the segments' contents). */
  readonly minSize?: number;
}

/**
 * A small 64-bit little-endian ELF file with the given PT_LOAD segments and symbol tables, laid
 * out as a linker would (header, program headers, tables, section headers), for tests of the
 * symbol reader.
 */
export function buildElf(spec: ElfSpec): Buffer {
  const tables: { type: number; name: string; syms: readonly ElfSymbol[] }[] = [];
  if (spec.dynsym) tables.push({ type: 11, name: '.dynsym', syms: spec.dynsym });
  if (spec.symtab) tables.push({ type: 2, name: '.symtab', syms: spec.symtab });
  const parts: Buffer[] = [];
  let at = 64 + 56 * spec.segments.length;
  const place = (b: Buffer) => {
    const offset = at;
    parts.push(b);
    at += b.length;
    return offset;
  };
  // Section 0 is the null section; each table is followed by its string table.
  const sections: { type: number; offset: number; size: number; link: number; entsize: number }[] =
    [{ type: 0, offset: 0, size: 0, link: 0, entsize: 0 }];
  for (const t of tables) {
    const names: Buffer[] = [Buffer.of(0)];
    let strSize = 1;
    const syms = Buffer.alloc(24 * (t.syms.length + 1));
    t.syms.forEach((s, i) => {
      const at = 24 * (i + 1);
      syms.writeUInt32LE(strSize, at);
      syms.writeUInt8(s.type ?? 2, at + 4);
      syms.writeUInt16LE(s.shndx ?? 1, at + 6);
      syms.writeBigUInt64LE(BigInt(s.value), at + 8);
      const n = Buffer.from(`${s.name}\0`, 'latin1');
      names.push(n);
      strSize += n.length;
    });
    const symOffset = place(syms);
    const strings = Buffer.concat(names);
    const strOffset = place(strings);
    const symIndex = sections.length;
    sections.push({
      type: t.type,
      offset: symOffset,
      size: syms.length,
      link: symIndex + 1,
      entsize: 24,
    });
    sections.push({ type: 3, offset: strOffset, size: strings.length, link: 0, entsize: 0 });
  }
  const shoff = at;
  const shdrs = Buffer.alloc(64 * sections.length);
  sections.forEach((s, i) => {
    shdrs.writeUInt32LE(s.type, 64 * i + 4);
    shdrs.writeBigUInt64LE(BigInt(s.offset), 64 * i + 0x18);
    shdrs.writeBigUInt64LE(BigInt(s.size), 64 * i + 0x20);
    shdrs.writeUInt32LE(s.link, 64 * i + 0x28);
    shdrs.writeBigUInt64LE(BigInt(s.entsize), 64 * i + 0x38);
  });
  place(shdrs);

  const eh = Buffer.alloc(64);
  eh.writeUInt32BE(0x7f454c46, 0);
  eh.writeUInt8(2, 4); // ELFCLASS64
  eh.writeUInt8(1, 5); // little-endian
  eh.writeUInt8(1, 6);
  eh.writeUInt16LE(3, 0x10); // ET_DYN
  eh.writeUInt16LE(62, 0x12); // x86-64
  eh.writeBigUInt64LE(64n, 0x20);
  eh.writeBigUInt64LE(BigInt(shoff), 0x28);
  eh.writeUInt16LE(64, 0x34);
  eh.writeUInt16LE(56, 0x36);
  eh.writeUInt16LE(spec.segments.length, 0x38);
  eh.writeUInt16LE(64, 0x3a);
  eh.writeUInt16LE(sections.length, 0x3c);
  const ph = Buffer.alloc(56 * spec.segments.length);
  spec.segments.forEach((s, i) => {
    ph.writeUInt32LE(1, 56 * i); // PT_LOAD
    ph.writeUInt32LE(s.flags, 56 * i + 4);
    ph.writeBigUInt64LE(BigInt(s.offset), 56 * i + 8);
    ph.writeBigUInt64LE(BigInt(s.vaddr), 56 * i + 16);
    ph.writeBigUInt64LE(BigInt(s.vaddr), 56 * i + 24);
    ph.writeBigUInt64LE(BigInt(s.filesz), 56 * i + 32);
    ph.writeBigUInt64LE(BigInt(s.filesz), 56 * i + 40);
  });
  const file = Buffer.concat([eh, ph, ...parts]);
  const size = Math.max(file.length, spec.minSize ?? 0);
  return size > file.length ? Buffer.concat([file, Buffer.alloc(size - file.length)]) : file;
}

/** A ByteSource over bytes in memory. */
export function memorySource(bytes: Uint8Array): {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
} {
  return {
    size: bytes.length,
    read: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
  };
}
