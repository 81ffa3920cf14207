/**
 * Where named functions start in an ELF file, as file offsets (what a uprobe is placed at).
 * Reads only the headers and the symbol tables, bounds-checking every offset, size and count
 * that the file states: the file comes from any process on the node.
 */

/** An ELF file that cannot be read as one: the reader's own error class. */
export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfError';
  }
}

/** Positioned reads from a file of known size. */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes at `offset` (fewer only when the file ends first). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface ElfLimits {
  /** Largest symbol table or string table read (Node's own .strtab is about 7.5 MB). */
  readonly maxTableBytes: number;
  readonly maxProgramHeaders: number;
  readonly maxSections: number;
}

export const DEFAULT_ELF_LIMITS: ElfLimits = {
  maxTableBytes: 64 << 20,
  maxProgramHeaders: 4096,
  maxSections: 65535,
};

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const PT_LOAD = 1;
const PF_X = 1;
const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const STT_FUNC = 2;
/** Symbols read per chunk of a symbol table. */
const SYMS_PER_CHUNK = 8192;

interface Segment {
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
}

interface Section {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly entsize: number;
}

/**
 * The file offset of each of `names` that the file defines as a function in .dynsym or .symtab
 * (in an executable segment). Names not found are left out. Only 64-bit little-endian files
 * (x86-64, arm64) are read; anything else, and any header that lies, throws ElfError.
 */
export async function functionOffsets(
  src: ByteSource,
  names: readonly string[],
  limits: ElfLimits = DEFAULT_ELF_LIMITS,
): Promise<Map<string, number>> {
  const eh = view(await readExact(src, 0, EHDR_SIZE, 'ELF header'));
  if (eh.getUint32(0, false) !== 0x7f454c46) throw new ElfError('not an ELF file');
  if (eh.getUint8(4) !== 2 || eh.getUint8(5) !== 1) {
    throw new ElfError('not a 64-bit little-endian ELF file');
  }
  const segments = await executableSegments(src, eh, limits);
  const sections = await readSections(src, eh, limits);
  const wanted = names.map((n) => Buffer.from(`${n}\0`, 'latin1'));
  const found = new Map<string, number>();
  // A file has one table of each kind (the ELF specification): a file with more is lying, and
  // reading only the first keeps the work bounded.
  for (const type of [SHT_DYNSYM, SHT_SYMTAB]) {
    const table = sections.find((s) => s.type === type);
    const strings = table && sections[table.link];
    if (found.size === names.length || !strings || table.entsize !== SYM_SIZE) continue;
    await scanSymbols(src, table, strings, wanted, segments, found, limits);
  }
  return found;
}

async function executableSegments(
  src: ByteSource,
  eh: DataView,
  limits: ElfLimits,
): Promise<Segment[]> {
  const phoff = u64(eh, 0x20, 'e_phoff');
  const phnum = eh.getUint16(0x38, true);
  if (phnum === 0) return [];
  if (eh.getUint16(0x36, true) !== PHDR_SIZE) throw new ElfError('unexpected program header size');
  if (phnum > limits.maxProgramHeaders) throw new ElfError(`${phnum} program headers`);
  const ph = view(await readExact(src, phoff, phnum * PHDR_SIZE, 'program headers'));
  const out: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = i * PHDR_SIZE;
    if (ph.getUint32(at, true) !== PT_LOAD || (ph.getUint32(at + 4, true) & PF_X) === 0) continue;
    out.push({
      offset: u64(ph, at + 8, 'p_offset'),
      vaddr: u64(ph, at + 16, 'p_vaddr'),
      filesz: u64(ph, at + 32, 'p_filesz'),
    });
  }
  return out;
}

async function readSections(src: ByteSource, eh: DataView, limits: ElfLimits): Promise<Section[]> {
  const shoff = u64(eh, 0x28, 'e_shoff');
  const shnum = eh.getUint16(0x3c, true);
  if (shoff === 0 || shnum === 0) return [];
  if (eh.getUint16(0x3a, true) !== SHDR_SIZE) throw new ElfError('unexpected section header size');
  if (shnum > limits.maxSections) throw new ElfError(`${shnum} sections`);
  const sh = view(await readExact(src, shoff, shnum * SHDR_SIZE, 'section headers'));
  const out: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = i * SHDR_SIZE;
    out.push({
      type: sh.getUint32(at + 4, true),
      offset: u64(sh, at + 0x18, 'sh_offset'),
      size: u64(sh, at + 0x20, 'sh_size'),
      link: sh.getUint32(at + 0x28, true),
      entsize: u64(sh, at + 0x38, 'sh_entsize'),
    });
  }
  return out;
}

/** Records in `found` the functions of `table` whose names are in `wanted`. */
async function scanSymbols(
  src: ByteSource,
  table: Section,
  strtab: Section,
  wanted: readonly Buffer[],
  segments: readonly Segment[],
  found: Map<string, number>,
  limits: ElfLimits,
): Promise<void> {
  if (table.size > limits.maxTableBytes || strtab.size > limits.maxTableBytes) {
    throw new ElfError(`a symbol table of ${Math.max(table.size, strtab.size)} bytes`);
  }
  const strings = Buffer.from(await readExact(src, strtab.offset, strtab.size, 'string table'));
  // Most files name none of the functions: then their symbols need not be read at all.
  if (!wanted.some((w) => strings.includes(w))) return;
  const count = Math.floor(table.size / SYM_SIZE);
  for (let first = 0; first < count; first += SYMS_PER_CHUNK) {
    const n = Math.min(SYMS_PER_CHUNK, count - first);
    const syms = view(
      await readExact(src, table.offset + first * SYM_SIZE, n * SYM_SIZE, 'symbols'),
    );
    for (let i = 0; i < n; i++) {
      const at = i * SYM_SIZE;
      if ((syms.getUint8(at + 4) & 0xf) !== STT_FUNC || syms.getUint16(at + 6, true) === 0) {
        continue;
      }
      const name = wanted.find((w) => nameIs(strings, syms.getUint32(at, true), w));
      if (!name) continue;
      const key = name.toString('latin1', 0, name.length - 1);
      const offset = fileOffset(segments, u64(syms, at + 8, 'st_value'));
      if (offset !== undefined && offset < src.size && !found.has(key)) found.set(key, offset);
    }
  }
}

function nameIs(strings: Uint8Array, at: number, wanted: Buffer): boolean {
  if (at + wanted.length > strings.length) return false;
  for (let i = 0; i < wanted.length; i++) if (strings[at + i] !== wanted[i]) return false;
  return true;
}

/** The file offset of a virtual address inside an executable segment's file bytes. */
function fileOffset(segments: readonly Segment[], vaddr: number): number | undefined {
  if (vaddr === 0) return undefined;
  for (const s of segments) {
    if (vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz) return s.offset + (vaddr - s.vaddr);
  }
  return undefined;
}

async function readExact(
  src: ByteSource,
  offset: number,
  length: number,
  what: string,
): Promise<Uint8Array> {
  if (!Number.isSafeInteger(offset + length) || offset + length > src.size) {
    throw new ElfError(`${what}: ${length} bytes at ${offset} run past the end of the file`);
  }
  const bytes = await src.read(offset, length);
  if (bytes.length !== length) throw new ElfError(`${what}: cut short`);
  return bytes;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function u64(v: DataView, at: number, field: string): number {
  const n = v.getBigUint64(at, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`${field} is out of range`);
  return Number(n);
}
