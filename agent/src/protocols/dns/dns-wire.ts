/**
 * A DNS message that cannot be read: the parser's own error class, caught where a message is
 * parsed (callers get a result, never an exception). `short` says the message ran out of bytes,
 * which a capture that kept only a prefix of the message explains.
 */
export class DnsFormatError extends Error {
  constructor(
    message: string,
    readonly short = false,
  ) {
    super(message);
    this.name = 'DnsFormatError';
  }
}

/** Longest name on the wire, length bytes included (RFC 1035 2.3.4). */
const MAX_NAME_OCTETS = 255;

/**
 * A bounds-checked cursor over one DNS message: every read checks it stays before `end` (the end
 * of the message, or of the record data being read) and throws DnsFormatError otherwise.
 */
export class WireReader {
  readonly buf: Buffer;
  pos: number;
  end: number;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    this.pos = 0;
    this.end = bytes.length;
  }

  /** Throws unless `n` more bytes lie before the end. */
  need(n: number): void {
    if (this.pos + n > this.end) {
      const short = this.end === this.buf.length;
      throw new DnsFormatError(`needs ${n} bytes at offset ${this.pos}, past the end`, short);
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /**
   * Reads a domain name, following compression pointers. Each pointer must point before the
   * start of the stretch of labels it ends (as a compressor that points to names written earlier
   * does), so a chain of pointers strictly moves back and cannot loop; the name may not pass 255
   * octets. The root name is ".", others have no trailing dot; label bytes that are not
   * printable, and dots and backslashes inside labels, are escaped as in zone files (`\DDD`,
   * `\.`).
   */
  name(): string {
    const buf = this.buf;
    let pos = this.pos;
    // The labels read in place must stay inside the current region; after a jump, inside the
    // whole message.
    let limit = this.end;
    let segmentStart = pos;
    let jumped = false;
    let octets = 1;
    let out = '';
    for (;;) {
      if (pos >= limit) throw new DnsFormatError('name runs past the end', limit === buf.length);
      const len = buf[pos]!;
      if (len === 0) {
        if (!jumped) this.pos = pos + 1;
        return out === '' ? '.' : out;
      }
      const tag = len & 0xc0;
      if (tag === 0xc0) {
        if (pos + 1 >= limit) throw new DnsFormatError('pointer cut short', limit === buf.length);
        const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
        if (target >= segmentStart)
          throw new DnsFormatError(`pointer at ${pos} does not point back`);
        if (!jumped) this.pos = pos + 2;
        jumped = true;
        limit = buf.length;
        segmentStart = target;
        pos = target;
        continue;
      }
      if (tag !== 0) throw new DnsFormatError(`label type ${tag >> 6} at ${pos} is not supported`);
      if (pos + 1 + len > limit)
        throw new DnsFormatError('label runs past the end', limit === buf.length);
      octets += len + 1;
      if (octets > MAX_NAME_OCTETS) throw new DnsFormatError('name longer than 255 octets');
      out += (out === '' ? '' : '.') + labelText(buf, pos + 1, pos + 1 + len);
      pos += 1 + len;
    }
  }
}

/** A label as text: plain bytes as they are (one slice), others escaped. */
function labelText(buf: Buffer, from: number, to: number): string {
  for (let i = from; i < to; i++) {
    if (!plain(buf[i]!)) return escapedLabel(buf, from, to);
  }
  return buf.toString('latin1', from, to);
}

function plain(c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== 0x2e && c !== 0x5c;
}

function escapedLabel(buf: Buffer, from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if (plain(c)) out += String.fromCharCode(c);
    else if (c === 0x2e || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else out += `\\${String(c).padStart(3, '0')}`;
  }
  return out;
}
