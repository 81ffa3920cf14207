/**
 * A protobuf writer that fills its buffer from the end towards the start, as upb's encoder does:
 * a message's body is written before its length prefix, so every length is known when it is
 * written and one pass suffices (no sizing pass, no copying of nested messages).
 *
 * The price is order: callers write the fields of a message last to first, and repeated fields
 * from their last element to their first. `finish()` returns the bytes in wire order.
 */
export class ProtoWriter {
  private buf: Buffer;
  private dv: DataView;
  private pos: number;
  /** Encoded `tag, length, bytes` of cached strings, one map per field number. */
  private readonly cache: Map<string, Uint8Array>[] = [];
  private cached = 0;
  /** The size of a buffer handed over by finish(): the next one starts that large. */
  private sizeHint = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.pos = initialBytes;
  }

  /** Bytes written so far; length prefixes are differences of two readings. */
  get length(): number {
    return this.buf.length - this.pos;
  }

  /** Starts over, keeping the buffer for the next message. */
  reset(): void {
    this.pos = this.buf.length;
  }

  /**
   * The bytes written, in wire order, without copying: valid until the writer is used again.
   * For bytes consumed at once (compressed, say).
   */
  view(): Buffer {
    return this.buf.subarray(this.pos);
  }

  /** A copy of the last `n` bytes written (the front of the message): an encoding to keep. */
  copyFront(n: number): Uint8Array {
    return new Uint8Array(this.buf.subarray(this.pos, this.pos + n));
  }

  /** A copy of the last `n` bytes written (the front of the message) as words, for rawWords(). */
  copyFrontWords(n: number): Int32Array {
    return toWords(this.buf.subarray(this.pos, this.pos + n));
  }

  /**
   * The bytes written, in wire order, as a buffer of their own. When they fill most of the buffer, the buffer itself is
   * handed over (and the writer takes a new one) rather than copied: one large allocation per
   * message instead of two.
   */
  finish(): Buffer {
    const used = this.buf.length - this.pos;
    if (used < this.buf.length >>> 1) return Buffer.from(this.buf.subarray(this.pos));
    const out = this.buf.subarray(this.pos);
    this.sizeHint = this.buf.length;
    this.buf = EMPTY;
    this.dv = new DataView(EMPTY.buffer, EMPTY.byteOffset, 0);
    this.pos = 0;
    return out;
  }

  tag(field: number, wireType: number): void {
    this.uint32((field << 3) | wireType);
  }

  /** Closes a length-delimited field whose body began when `length` read `mark`. */
  ldelim(field: number, mark: number): void {
    this.prefix(field, this.length - mark);
  }

  uint32(value: number): void {
    let v = value >>> 0;
    const n = v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
    if (this.pos < n) this.grow(n);
    let p = (this.pos -= n);
    const buf = this.buf;
    while (v >= 0x80) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p] = v;
  }

  /** An int64 or uint64 varint; negative values take ten bytes (two's complement). */
  int64(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
      if (value <= 0xffffffff) this.uint32(value);
      else this.uint53(value);
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    let n = 1;
    for (let t = v >> 7n; t > 0n; t >>= 7n) n++;
    if (this.pos < n) this.grow(n);
    let p = (this.pos -= n);
    while (v >= 0x80n) {
      this.buf[p++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[p] = Number(v);
  }

  /**
   * A varint of a safe integer past 32 bits (millisecond timestamps), from its two 32-bit
   * halves as protobufjs does: integer shifts, no BigInt and no division per byte.
   */
  private uint53(value: number): void {
    let lo = value >>> 0;
    let hi = (value - lo) / 0x100000000;
    const n = ((70 - Math.clz32(hi)) / 7) | 0;
    if (this.pos < n) this.grow(n);
    let p = (this.pos -= n);
    const buf = this.buf;
    while (hi !== 0) {
      buf[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo >= 0x80) {
      buf[p++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    buf[p] = lo;
  }

  fixed64(value: bigint): void {
    if (this.pos < 8) this.grow(8);
    this.pos -= 8;
    this.dv.setBigUint64(this.pos, value, true);
  }

  /** A fixed64 field (tag and eight bytes), with one bounds check when its tag is one byte. */
  fixed64Field(field: number, value: bigint): void {
    if (field >= 16) {
      this.fixed64(value);
      this.tag(field, 1);
      return;
    }
    if (this.pos < 9) this.grow(9);
    const p = (this.pos -= 9);
    this.buf[p] = (field << 3) | 1;
    this.dv.setBigUint64(p + 1, value, true);
  }

  /** A fixed64 from a non-negative integer number (counts). */
  fixed64Number(value: number): void {
    if (this.pos < 8) this.grow(8);
    const p = (this.pos -= 8);
    this.dv.setUint32(p, value >>> 0, true);
    this.dv.setUint32(p + 4, Math.floor(value / 0x100000000) >>> 0, true);
  }

  fixed32(value: number): void {
    if (this.pos < 4) this.grow(4);
    this.pos -= 4;
    this.dv.setUint32(this.pos, value >>> 0, true);
  }

  double(value: number): void {
    if (this.pos < 8) this.grow(8);
    this.pos -= 8;
    this.dv.setFloat64(this.pos, value, true);
  }

  /** A string field (tag, length, UTF-8 bytes). */
  string(field: number, value: string): void {
    const n = value.length;
    if (this.pos < n) this.grow(n);
    // Short ASCII strings are copied in JS; anything else goes through Buffer's UTF-8 encoder.
    let ascii = n <= 64;
    if (ascii) {
      const buf = this.buf;
      const p = this.pos - n;
      for (let i = 0; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        buf[p + i] = c;
      }
    }
    let len = n;
    if (ascii) {
      this.pos -= n;
    } else {
      len = Buffer.byteLength(value);
      if (this.pos < len) this.grow(len);
      this.pos -= len;
      this.buf.write(value, this.pos, len, 'utf8');
    }
    this.prefix(field, len);
  }

  /**
   * A string field whose encoding is kept: for names and keys that repeat on every item
   * (attribute keys, metric and label names). The cache holds at most 4,096 strings.
   */
  cachedString(field: number, value: string): void {
    const cache = (this.cache[field] ??= new Map());
    let bytes = cache.get(value);
    if (bytes === undefined) {
      const len = Buffer.byteLength(value);
      const encoded = Buffer.allocUnsafe(len + varintSize(len) + varintSize(field << 3));
      let p = writeVarint(encoded, 0, (field << 3) | 2);
      p = writeVarint(encoded, p, len);
      encoded.write(value, p, len, 'utf8');
      bytes = new Uint8Array(encoded);
      if (this.cached >= 4096) {
        for (const m of this.cache) m?.clear();
        this.cached = 0;
      }
      cache.set(value, bytes);
      this.cached++;
    }
    this.raw(bytes);
  }

  /** A bytes field (tag, length, bytes). */
  bytes(field: number, data: Uint8Array): void {
    const n = data.length;
    const tag = (field << 3) | 2;
    if (n < 0x80 && tag < 0x80) {
      if (this.pos < n + 2) this.grow(n + 2);
      const p = (this.pos -= n + 2);
      this.buf[p] = tag;
      this.buf[p + 1] = n;
      this.copyAt(data, p + 2);
      return;
    }
    this.raw(data);
    this.prefix(field, n);
  }

  /**
   * A bytes field of an id (16 bytes or fewer, a one-byte tag): tag, length and bytes in one
   * bounds check, the bytes copied in JS (a call to `set` costs more than 16 of them).
   */
  idField(field: number, id: Uint8Array): void {
    const n = id.length;
    const tag = (field << 3) | 2;
    if (n > 16 || tag >= 0x80) {
      this.bytes(field, id);
      return;
    }
    if (this.pos < n + 2) this.grow(n + 2);
    const p = (this.pos -= n + 2);
    const buf = this.buf;
    buf[p] = tag;
    buf[p + 1] = n;
    for (let i = 0; i < n; i++) buf[p + 2 + i] = id[i]!;
  }

  /**
   * Bytes already in wire form, kept as words (toWords): copied four bytes a step, in place of a
   * call to `set` (whose fixed cost, for the 20 to 60 bytes of a cached KeyValue or label, is
   * most of the copy). The first word may reach below the bytes: into the free part of the
   * buffer, which later writes overwrite.
   */
  rawWords(words: Int32Array): void {
    const k = words.length - 1;
    if (this.pos < 4 * k) this.grow(4 * k);
    const dv = this.dv;
    const end = this.pos;
    for (let i = k, p = end - 4; i >= 1; i--, p -= 4) dv.setInt32(p, words[i]!, true);
    this.pos = end - words[0]!;
  }

  /** A length-delimited field whose body, length prefix included, is kept as words (rawWords). */
  prefixedWordsField(field: number, prefixedBody: Int32Array): void {
    this.rawWords(prefixedBody);
    const tag = (field << 3) | 2;
    if (tag >= 0x80 || this.pos < 1) this.uint32(tag);
    else this.buf[--this.pos] = tag;
  }

  /** Bytes already in wire form. */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    if (this.pos < n) this.grow(n);
    this.copyAt(bytes, (this.pos -= n));
  }

  /** The tag and length in front of a length-delimited body of `len` bytes. */
  private prefix(field: number, len: number): void {
    const tag = (field << 3) | 2;
    // Most bodies are short and most field numbers small: tag and length, a byte each.
    if (len < 0x80 && tag < 0x80) {
      if (this.pos < 2) this.grow(2);
      const p = (this.pos -= 2);
      this.buf[p] = tag;
      this.buf[p + 1] = len;
      return;
    }
    this.uint32(len);
    this.uint32(tag);
  }

  /** Copies `bytes` to `p` (room already made): short ones in JS, cheaper than a call to set. */
  private copyAt(bytes: Uint8Array, p: number): void {
    const n = bytes.length;
    if (n < 16) {
      const buf = this.buf;
      for (let i = 0; i < n; i++) buf[p + i] = bytes[i]!;
    } else {
      this.buf.set(bytes, p);
    }
  }

  private grow(n: number): void {
    const used = this.buf.length - this.pos;
    const size = Math.max(this.buf.length * 2, used + n + 1024, this.sizeHint);
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, size - used, this.pos);
    this.buf = next;
    this.dv = new DataView(next.buffer, next.byteOffset, next.length);
    this.pos = size - used;
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Bytes as rawWords() copies them: their count, then little-endian words aligned to their end
 * (the first word padded at its front with zeros).
 */
export function toWords(bytes: Uint8Array): Int32Array {
  const n = bytes.length;
  const k = (n + 3) >>> 2;
  const words = new Int32Array(k + 1);
  words[0] = n;
  const pad = 4 * k - n;
  for (let b = 0; b < n; b++) {
    const q = pad + b;
    const w = 1 + (q >>> 2);
    words[w] = words[w]! | (bytes[b]! << ((q & 3) * 8));
  }
  return words;
}

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

function writeVarint(buf: Buffer, pos: number, value: number): number {
  let v = value >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}
