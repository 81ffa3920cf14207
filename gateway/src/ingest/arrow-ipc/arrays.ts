import { isUtf8 } from 'node:buffer';
import { ArrowFormatError, RecordBatchHeader } from './messages';

/**
 * The body of one record batch, checked before anything is read from it: the node and buffer
 * counts are what the fields need, and every buffer lies inside the body.
 */
export class BatchBody {
  constructor(
    private readonly header: RecordBatchHeader,
    private readonly body: Uint8Array,
    fields: number,
    buffers: number,
  ) {
    const { length, nodes } = header;
    if (length < 0) throw new ArrowFormatError(`the record batch has a length of ${length}`);
    if (nodes.count !== fields) {
      throw new ArrowFormatError(
        `the record batch has ${nodes.count} field nodes for the schema's ${fields} fields`,
      );
    }
    if (header.buffers.count !== buffers) {
      throw new ArrowFormatError(
        `the record batch has ${header.buffers.count} buffers where its fields have ${buffers}`,
      );
    }
    for (let i = 0; i < buffers; i++) {
      const offset = header.buffers.get(i, 0);
      const size = header.buffers.get(i, 1);
      if (offset < 0 || size < 0 || offset + size > body.length) {
        throw new ArrowFormatError(
          `buffer ${i} (offset ${offset}, length ${size}) lies outside the ${body.length}-byte body`,
        );
      }
    }
  }

  /** Rows in the batch. */
  get length(): number {
    return this.header.length;
  }

  /** Buffer `i`, a view of the body. */
  buffer(i: number): Uint8Array {
    const offset = this.header.buffers.get(i, 0);
    return this.body.subarray(offset, offset + this.header.buffers.get(i, 1));
  }

  /** The null count of field `i`, whose length must be the batch's. */
  nullCount(i: number): number {
    const length = this.header.nodes.get(i, 0);
    const nulls = this.header.nodes.get(i, 1);
    if (length !== this.header.length) {
      throw new ArrowFormatError(
        `the field has ${length} values in a batch of ${this.header.length} rows`,
      );
    }
    if (nulls < 0 || nulls > length) {
      throw new ArrowFormatError(`the field claims ${nulls} nulls in ${length} values`);
    }
    return nulls;
  }
}

/** A format fault at one row of a column. */
export class RowFormatError extends ArrowFormatError {
  constructor(
    readonly row: number,
    message: string,
  ) {
    super(message);
    this.name = 'RowFormatError';
  }
}

/** The first row the validity bitmap marks null, for a field whose node declares nulls. */
export function firstNull(validity: Uint8Array, n: number, nulls: number): number {
  if (validity.length < Math.ceil(n / 8)) {
    throw new ArrowFormatError(
      `the validity bitmap has ${validity.length} bytes for ${n} rows (needs ${Math.ceil(n / 8)})`,
    );
  }
  for (let i = 0; i < n; i++) if (((validity[i >> 3]! >> (i & 7)) & 1) === 0) return i;
  throw new ArrowFormatError(`the field claims ${nulls} nulls but its validity bitmap has none`);
}

/** The first `n * width` bytes of a buffer of fixed-width values, checked to be there. */
export function fixedValues(data: Uint8Array, n: number, width: number): Uint8Array {
  if (data.length < n * width) {
    throw new ArrowFormatError(
      `the values buffer has ${data.length} bytes for ${n} values of ${width} bytes`,
    );
  }
  return data.subarray(0, n * width);
}

/** The bytes of a Bool bitmap for `n` rows, checked to be there. */
export function bitValues(data: Uint8Array, n: number): Uint8Array {
  const bytes = Math.ceil(n / 8);
  if (data.length < bytes) {
    throw new ArrowFormatError(`the Bool buffer has ${data.length} bytes for ${n} values`);
  }
  return data.subarray(0, bytes);
}

interface TypedArrayType<T> {
  readonly BYTES_PER_ELEMENT: number;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
}

/** A typed array over bytes: a view where they are aligned for it, else an aligned copy. */
export function typed<T>(type: TypedArrayType<T>, bytes: Uint8Array): T {
  const count = Math.floor(bytes.length / type.BYTES_PER_ELEMENT);
  if (bytes.byteOffset % type.BYTES_PER_ELEMENT === 0) {
    return new type(bytes.buffer, bytes.byteOffset, count);
  }
  return new type(new Uint8Array(bytes).buffer, 0, count);
}

/** Validated Utf8 values: `n + 1` offsets into `data`, each string valid UTF-8. */
export interface Utf8Array {
  readonly offsets: Int32Array;
  readonly data: Uint8Array;
}

/**
 * Checks the offsets of `n` strings (Int32, or Int64 for LargeUtf8): the first not negative,
 * none going backwards, none past the data buffer, and every string valid UTF-8. Done on the raw
 * buffers: one pass over the offsets and one native UTF-8 check of the bytes they cover.
 */
export function utf8Values(
  offsetBytes: Uint8Array,
  data: Uint8Array,
  n: number,
  large: boolean,
): Utf8Array {
  if (n === 0) return { offsets: new Int32Array(1), data: data.subarray(0, 0) };
  const width = large ? 8 : 4;
  if (offsetBytes.length < (n + 1) * width) {
    throw new ArrowFormatError(
      `the offsets buffer has ${offsetBytes.length} bytes for ${n} strings (needs ${(n + 1) * width})`,
    );
  }
  const offsets = large
    ? narrowOffsets(typed(BigInt64Array, offsetBytes.subarray(0, (n + 1) * 8)), data.length)
    : typed(Int32Array, offsetBytes.subarray(0, (n + 1) * 4));
  const first = offsets[0]!;
  if (first < 0 || first > data.length) {
    throw new RowFormatError(
      0,
      `the string starts at offset ${first}, outside the ${data.length}-byte data buffer`,
    );
  }
  const end = offsets[n]!;
  let splitsCharacter = false;
  for (let i = 0; i < n; i++) {
    const start = offsets[i]!;
    const next = offsets[i + 1]!;
    if (next < start) {
      throw new RowFormatError(i, `string offsets go backwards (${start} to ${next})`);
    }
    if (next > data.length) {
      throw new RowFormatError(
        i,
        `the string ends at offset ${next}, past the ${data.length}-byte data buffer`,
      );
    }
    // A string may only start where a character starts: not on a UTF-8 continuation byte.
    if (start < end && (data[start]! & 0xc0) === 0x80) splitsCharacter = true;
  }
  if (splitsCharacter || !isUtf8(data.subarray(first, end))) {
    for (let i = 0; i < n; i++) {
      if (!isUtf8(data.subarray(offsets[i]!, offsets[i + 1]!))) {
        throw new RowFormatError(i, 'the string is not valid UTF-8');
      }
    }
  }
  return { offsets, data };
}

/** LargeUtf8's Int64 offsets as Int32 ones; any that cannot index the data buffer is refused. */
function narrowOffsets(wide: BigInt64Array, dataLength: number): Int32Array {
  const out = new Int32Array(wide.length);
  for (let i = 0; i < wide.length; i++) {
    const v = wide[i]!;
    if (v < 0n || v > BigInt(dataLength)) {
      throw new RowFormatError(
        Math.max(0, i - 1),
        `the string offset ${v} lies outside the ${dataLength}-byte data buffer`,
      );
    }
    out[i] = Number(v);
  }
  return out;
}

/** Dictionary indices of `n` rows, each checked to be inside a dictionary of `size` values. */
export function dictionaryIndices(
  data: Uint8Array,
  n: number,
  bitWidth: 8 | 16 | 32 | 64,
  signed: boolean,
  size: number,
): Int32Array {
  const bytes = fixedValues(data, n, bitWidth / 8);
  const src = intValues(bytes, bitWidth, signed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const index = Number(src[i]!);
    if (!(index >= 0 && index < size)) {
      throw new RowFormatError(
        i,
        `dictionary index ${src[i]} is out of range (the dictionary has ${size} values)`,
      );
    }
    out[i] = index;
  }
  return out;
}

/** Integers of an Arrow Int type (values or dictionary indices) as the typed array of their width. */
export function intValues(
  bytes: Uint8Array,
  bitWidth: 8 | 16 | 32 | 64,
  signed: boolean,
): ArrayLike<number | bigint> {
  switch (bitWidth) {
    case 8:
      return signed ? typed(Int8Array, bytes) : bytes;
    case 16:
      return signed ? typed(Int16Array, bytes) : typed(Uint16Array, bytes);
    case 32:
      return signed ? typed(Int32Array, bytes) : typed(Uint32Array, bytes);
    case 64:
      return signed ? typed(BigInt64Array, bytes) : typed(BigUint64Array, bytes);
  }
}
