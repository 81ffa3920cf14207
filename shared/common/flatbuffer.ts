/** A flatbuffer that cannot be read as the schema says: an offset, length or vtable out of bounds. */
export class FlatbufferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlatbufferError';
  }
}

const TWO_32 = 4294967296;

/** A vector of structs of int64 fields (Arrow's FieldNode and Buffer), read on demand. */
export interface Int64Structs {
  readonly count: number;
  /** Field `field` of struct `i`, as a number (its place and range are already checked). */
  get(i: number, field: number): number;
}
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A table of a flatbuffer, read with every position checked against the buffer before it is
 * touched: the vtable, each field, each offset's target and each vector's extent. Offsets to
 * tables, vectors and strings are unsigned and point forward, so no walk can loop.
 */
export class FlatTable {
  private constructor(
    private readonly buf: FlatBuffer,
    private readonly pos: number,
    private readonly vtable: number,
    private readonly vtableSize: number,
    private readonly inlineSize: number,
  ) {}

  /** The root table of a flatbuffer. */
  static root(bytes: Uint8Array): FlatTable {
    const buf = new FlatBuffer(bytes);
    return FlatTable.at(buf, buf.follow(0));
  }

  private static at(buf: FlatBuffer, pos: number): FlatTable {
    const vtable = pos - buf.int32(pos);
    const vtableSize = buf.uint16(vtable);
    const inlineSize = buf.uint16(vtable + 2);
    if (vtableSize < 4 || vtableSize % 2 !== 0 || vtable + vtableSize > buf.length) {
      throw new FlatbufferError(`table at ${pos} has a vtable of ${vtableSize} bytes`);
    }
    if (inlineSize < 4 || pos + inlineSize > buf.length) {
      throw new FlatbufferError(`table at ${pos} claims ${inlineSize} bytes`);
    }
    return new FlatTable(buf, pos, vtable, vtableSize, inlineSize);
  }

  /** Position of field `slot` holding `width` bytes, or undefined when the field is absent. */
  private field(slot: number, width: number): number | undefined {
    const entry = 4 + 2 * slot;
    if (entry + 2 > this.vtableSize) return undefined;
    const offset = this.buf.uint16(this.vtable + entry);
    if (offset === 0) return undefined;
    if (offset + width > this.inlineSize) {
      throw new FlatbufferError(`field ${slot} of the table at ${this.pos} lies outside it`);
    }
    return this.pos + offset;
  }

  uint8(slot: number, otherwise: number): number {
    const at = this.field(slot, 1);
    return at === undefined ? otherwise : this.buf.uint8(at);
  }

  int16(slot: number, otherwise: number): number {
    const at = this.field(slot, 2);
    return at === undefined ? otherwise : this.buf.int16(at);
  }

  int32(slot: number, otherwise: number): number {
    const at = this.field(slot, 4);
    return at === undefined ? otherwise : this.buf.int32(at);
  }

  /** An int64 field as a number; values beyond 2^53 in magnitude are refused. */
  int64(slot: number, otherwise: number): number {
    const at = this.field(slot, 8);
    return at === undefined ? otherwise : this.buf.int64(at);
  }

  table(slot: number): FlatTable | undefined {
    const at = this.field(slot, 4);
    return at === undefined ? undefined : FlatTable.at(this.buf, this.buf.follow(at));
  }

  string(slot: number): string | undefined {
    const at = this.field(slot, 4);
    if (at === undefined) return undefined;
    const { start, count } = this.buf.vector(this.buf.follow(at), 1);
    return this.buf.text(start, count);
  }

  /** The tables of a vector field (empty when absent). */
  tables(slot: number): FlatTable[] {
    const at = this.field(slot, 4);
    if (at === undefined) return [];
    const { start, count } = this.buf.vector(this.buf.follow(at), 4);
    const out: FlatTable[] = [];
    for (let i = 0; i < count; i++)
      out.push(FlatTable.at(this.buf, this.buf.follow(start + 4 * i)));
    return out;
  }

  /**
   * A vector of structs made of int64 fields, `fields` per struct. Every value is checked here
   * (inside 2^53), so reading one later cannot fail; none is turned into an object.
   */
  int64Structs(slot: number, fields: number): Int64Structs {
    const at = this.field(slot, 4);
    if (at === undefined) return { count: 0, get: () => 0 };
    const { start, count } = this.buf.vector(this.buf.follow(at), 8 * fields);
    for (let k = 0; k < count * fields; k++) this.buf.int64(start + 8 * k);
    return { count, get: (i, field) => this.buf.int64(start + 8 * (i * fields + field)) };
  }

  /** The number of elements of a vector field (0 when absent), without reading them. */
  vectorLength(slot: number, elementBytes: number): number {
    const at = this.field(slot, 4);
    return at === undefined ? 0 : this.buf.vector(this.buf.follow(at), elementBytes).count;
  }
}

/** The bytes of one flatbuffer, read little-endian with bounds checks. */
class FlatBuffer {
  private readonly view: DataView;
  readonly length: number;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.length = bytes.byteLength;
  }

  private check(at: number, width: number): void {
    if (!(at >= 0 && at + width <= this.length)) {
      throw new FlatbufferError(
        `read of ${width} bytes at ${at} is outside the ${this.length}-byte buffer`,
      );
    }
  }

  uint8(at: number): number {
    this.check(at, 1);
    return this.view.getUint8(at);
  }

  uint16(at: number): number {
    this.check(at, 2);
    return this.view.getUint16(at, true);
  }

  int16(at: number): number {
    this.check(at, 2);
    return this.view.getInt16(at, true);
  }

  int32(at: number): number {
    this.check(at, 4);
    return this.view.getInt32(at, true);
  }

  int64(at: number): number {
    this.check(at, 8);
    const low = this.view.getUint32(at, true);
    const high = this.view.getInt32(at + 4, true);
    if (high >= 0x200000 || high < -0x200000) {
      throw new FlatbufferError(`the int64 at ${at} is beyond 2^53 in magnitude`);
    }
    return high * TWO_32 + low;
  }

  /** The target of the unsigned offset stored at `at`. */
  follow(at: number): number {
    this.check(at, 4);
    const target = at + this.view.getUint32(at, true);
    this.check(target, 4);
    return target;
  }

  /** A vector at `at`: its first element and element count, checked to fit the buffer. */
  vector(at: number, elementBytes: number): { start: number; count: number } {
    this.check(at, 4);
    const count = this.view.getUint32(at, true);
    const start = at + 4;
    if (count * elementBytes > this.length - start) {
      throw new FlatbufferError(
        `vector at ${at} of ${count} elements runs past the end of the buffer`,
      );
    }
    return { start, count };
  }

  text(start: number, count: number): string {
    try {
      return STRICT_UTF8.decode(this.bytes.subarray(start, start + count));
    } catch {
      throw new FlatbufferError(`the string at ${start} is not valid UTF-8`);
    }
  }
}
