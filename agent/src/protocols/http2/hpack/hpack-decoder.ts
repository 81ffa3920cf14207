import { DynamicTable, ENTRY_OVERHEAD } from './dynamic-table';
import { huffmanDecode, maxHuffmanDecodedLength } from './huffman';
import { STATIC_TABLE, STATIC_TABLE_LAST } from './static-table';

/** A decoded header field. Names and values are latin1 (one char per byte), as HTTP/1 heads. */
export interface HeaderField {
  readonly name: string;
  readonly value: string;
}

export interface HpackLimits {
  /** Longest header block decoded (after CONTINUATION frames are joined). */
  readonly maxBlockBytes: number;
  /** Most bytes (as HPACK counts them) kept in the dynamic table. */
  readonly maxTableBytes: number;
  /** Most bytes of fields (names and values) kept per block; the rest are counted and dropped. */
  readonly maxFieldBytes: number;
}

/** What decoding a header block gave. */
export type BlockResult =
  | {
      readonly kind: 'ok';
      readonly fields: HeaderField[];
      /** Fields dropped because they named a dynamic entry this decoder does not know. */
      readonly unknown: number;
      /** Fields dropped past `maxFieldBytes`. */
      readonly dropped: number;
    }
  | { readonly kind: 'error'; readonly reason: string };

/** Integers past this are lies (no real table, string or size is this large). */
const MAX_INTEGER = 0x0fffffff;

class HpackError extends Error {}

const EMPTY = Buffer.alloc(0);

/**
 * One direction's HPACK decoder (RFC 7541): its dynamic table and the decoding of header blocks.
 * Every length and index read from the block is checked against the bytes that are there before
 * anything is read or allocated. A malformed block (a lie, a bad Huffman string, a size update in
 * the wrong place) yields an error and makes the table unknown (`lose`), because the peer's
 * table may have changed in ways this decoder cannot follow. A field that names a dynamic entry
 * the decoder does not know (it joined the connection midway, or lost a block) is dropped and
 * counted, never guessed.
 */
export class HpackDecoder {
  private readonly table: DynamicTable;
  /** Room for one Huffman-decoded string of the longest block. */
  private readonly scratch: Buffer;
  private block: Buffer = EMPTY;
  private pos = 0;
  private end = 0;

  constructor(private readonly limits: HpackLimits) {
    this.table = new DynamicTable(limits.maxTableBytes);
    this.scratch = Buffer.allocUnsafe(maxHuffmanDecodedLength(limits.maxBlockBytes));
  }

  /**
   * Forgets the dynamic table: a header block was lost (or the connection was joined midway), so
   * which entries the peer holds is unknown. Fields naming any of them are dropped from now on.
   */
  lose(): void {
    this.table.clear();
  }

  /**
   * The decoding endpoint announced SETTINGS_HEADER_TABLE_SIZE: the encoder's table is at most
   * that from now on (RFC 7541 section 4.2).
   */
  settingsTableSize(size: number): void {
    this.table.resize(size);
  }

  /** Decodes one whole header block (HEADERS or PUSH_PROMISE with its CONTINUATIONs). */
  decode(block: Uint8Array): BlockResult {
    if (block.length > this.limits.maxBlockBytes) {
      this.lose();
      return { kind: 'error', reason: 'header block too large' };
    }
    // One Buffer view a block, so each literal string is one latin1 slice of it.
    this.block = Buffer.isBuffer(block)
      ? block
      : Buffer.from(block.buffer, block.byteOffset, block.length);
    this.pos = 0;
    this.end = block.length;
    const fields: HeaderField[] = [];
    let unknown = 0;
    let dropped = 0;
    let kept = 0;
    try {
      let sizeUpdateAllowed = true;
      while (this.pos < this.end) {
        const b = block[this.pos]!;
        let field: HeaderField | undefined;
        if (b & 0x80) {
          field = this.indexed(this.integer(7));
        } else if ((b & 0xe0) === 0x20) {
          if (!sizeUpdateAllowed) throw new HpackError('table size update after a field');
          this.table.resize(this.integer(5));
          continue;
        } else {
          field = this.literal(b);
        }
        sizeUpdateAllowed = false;
        if (!field) {
          unknown++;
        } else if (kept + field.name.length + field.value.length > this.limits.maxFieldBytes) {
          dropped++;
        } else {
          kept += field.name.length + field.value.length;
          fields.push(field);
        }
      }
    } catch (err) {
      if (!(err instanceof HpackError)) throw err;
      this.lose();
      return { kind: 'error', reason: err.message };
    } finally {
      this.block = EMPTY;
    }
    return { kind: 'ok', fields, unknown, dropped };
  }

  /** An indexed field (RFC 7541 section 6.1); undefined when its entry is unknown. */
  private indexed(index: number): HeaderField | undefined {
    if (index === 0) throw new HpackError('index 0');
    if (index <= STATIC_TABLE_LAST) {
      const [name, value] = STATIC_TABLE[index]!;
      return { name, value };
    }
    const k = index - STATIC_TABLE_LAST - 1;
    const name = this.table.name(k);
    return typeof name === 'string' ? { name, value: this.table.value(k) } : undefined;
  }

  /**
   * A literal field (section 6.2): with incremental indexing (01), without indexing (0000) or
   * never indexed (0001). Its name is indexed or literal; its value always literal. Undefined
   * when its name is an unknown entry (a field added to the table then adds a placeholder).
   */
  private literal(first: number): HeaderField | undefined {
    const indexing = (first & 0xc0) === 0x40;
    const nameIndex = this.integer(indexing ? 6 : 4);
    let name: string | null | undefined;
    if (nameIndex === 0) {
      name = this.string();
    } else if (nameIndex <= STATIC_TABLE_LAST) {
      name = STATIC_TABLE[nameIndex]![0];
    } else {
      name = this.table.name(nameIndex - STATIC_TABLE_LAST - 1) ?? null;
    }
    const value = this.string();
    if (indexing) {
      const size = (name?.length ?? 0) + value.length + ENTRY_OVERHEAD;
      this.table.add(name, value, size);
    }
    return name === null ? undefined : { name, value };
  }

  /** An integer with an N-bit prefix (section 5.1). */
  private integer(prefixBits: number): number {
    const max = (1 << prefixBits) - 1;
    let value = this.block[this.pos++]! & max;
    if (value < max) return value;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new HpackError('integer cut short');
      const b = this.block[this.pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (value > MAX_INTEGER) throw new HpackError('integer too large');
      if ((b & 0x80) === 0) return value;
      shift += 7;
    }
  }

  /** A string literal (section 5.2), Huffman-coded or not; its length is checked first. */
  private string(): string {
    if (this.pos >= this.end) throw new HpackError('string cut short');
    const huffman = (this.block[this.pos]! & 0x80) !== 0;
    const length = this.integer(7);
    if (length > this.end - this.pos) throw new HpackError('string longer than the block');
    const from = this.pos;
    this.pos += length;
    if (!huffman) return this.block.toString('latin1', from, this.pos);
    const n = huffmanDecode(this.block, from, this.pos, this.scratch);
    if (n < 0) throw new HpackError('bad Huffman string');
    return this.scratch.toString('latin1', 0, n);
  }
}
