/** A message field that does not fit its message, or a value no valid message holds. */
export class SqlProtocolError extends Error {
  override readonly name = 'SqlProtocolError';
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Reads fields from one message payload, checking every length against what is left before it
 * reads: a field that runs past the end throws SqlProtocolError, never reads outside the payload.
 * PostgreSQL is big-endian with NUL-terminated strings; MySQL is little-endian with
 * length-encoded integers and strings: both are here, the protocols pick theirs.
 */
export class BinaryReader {
  private at: number;

  constructor(
    private readonly buf: Uint8Array,
    from = 0,
    private readonly end = buf.length,
  ) {
    this.at = from;
  }

  /** Bytes not read yet. */
  remaining(): number {
    return this.end - this.at;
  }

  offset(): number {
    return this.at;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }

  i16be(): number {
    this.need(2);
    const v = (this.buf[this.at]! << 8) | this.buf[this.at + 1]!;
    this.at += 2;
    return (v << 16) >> 16;
  }

  i32be(): number {
    this.need(4);
    const b = this.buf;
    const i = this.at;
    this.at += 4;
    return (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
  }

  /** An unsigned little-endian integer of 1 to 6 bytes (exact in a double). */
  uintLe(bytes: number): number {
    this.need(bytes);
    let v = 0;
    for (let k = bytes - 1; k >= 0; k--) v = v * 256 + this.buf[this.at + k]!;
    this.at += bytes;
    return v;
  }

  /** A little-endian integer of 8 bytes, signed or not. */
  int64Le(signed: boolean): bigint {
    this.need(8);
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.at, 8);
    this.at += 8;
    return signed ? view.getBigInt64(0, true) : view.getBigUint64(0, true);
  }

  /** A little-endian IEEE float of 4 or 8 bytes. */
  floatLe(bytes: 4 | 8): number {
    this.need(bytes);
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.at, bytes);
    this.at += bytes;
    return bytes === 4 ? view.getFloat32(0, true) : view.getFloat64(0, true);
  }

  /** The next `n` bytes, as a view. */
  bytes(n: number): Uint8Array {
    if (n < 0) throw new SqlProtocolError(`negative length ${n}`);
    this.need(n);
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  /** The next `n` bytes, or all that is left when fewer are (a field cut short by the capture). */
  bytesUpTo(n: number): Uint8Array {
    return this.bytes(Math.min(n, this.remaining()));
  }

  /** The next `n` bytes as UTF-8 text (invalid sequences become U+FFFD). */
  text(n: number): string {
    return decodeText(this.bytes(n));
  }

  /** Text up to a NUL byte, which is consumed and not returned. */
  cstring(): string {
    const nul = this.buf.indexOf(0, this.at);
    if (nul < 0 || nul >= this.end) throw new SqlProtocolError('string without its NUL');
    const s = decodeText(this.buf.subarray(this.at, nul));
    this.at = nul + 1;
    return s;
  }

  /** The rest of the payload as text. */
  rest(): string {
    return this.text(this.remaining());
  }

  /**
   * A MySQL length-encoded integer: one byte below 0xfb, or 0xfc/0xfd/0xfe and 2, 3 or 8 bytes.
   * 0xfb (NULL in a row) and 0xff are not integers. Values above 2^53 are refused (no length in
   * a packet of at most 2^24 bytes is that long).
   */
  lenencInt(): number {
    const first = this.u8();
    if (first < 0xfb) return first;
    if (first === 0xfc) return this.uintLe(2);
    if (first === 0xfd) return this.uintLe(3);
    if (first === 0xfe) {
      const v = this.int64Le(false);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new SqlProtocolError('length too large');
      return Number(v);
    }
    throw new SqlProtocolError(`0x${first.toString(16)} is not a length-encoded integer`);
  }

  /** A MySQL length-encoded string, as bytes. */
  lenencBytes(): Uint8Array {
    return this.bytes(this.lenencInt());
  }

  skip(n: number): void {
    this.bytes(n);
  }

  private need(n: number): void {
    if (this.end - this.at < n) {
      throw new SqlProtocolError(`field of ${n} bytes runs past the message's end`);
    }
  }
}

/** UTF-8 text of bytes; ASCII takes the fast path. */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.length === 0) return '';
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) return decoder.decode(bytes);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}
