import { DataType } from '../../../../shared/contract/types';
import { ExportSpec } from '../export/spec';
import { PxlError } from '../errors';
import { Cell, ResultColumn, ResultTable } from './result';

/**
 * One column's values in Arrow's layout, ready to be sent as they are: a validity bitmap, then
 * 8 bytes a value (INT64 and TIME64NS as little-endian int64, FLOAT64 as float64), a bit a
 * value (BOOLEAN), or offsets and UTF-8 bytes (STRING, and UINT128 as its text). A null's
 * value is zero (or empty), a non-finite float is a null and -0 is 0, as in JSON answers.
 */
export interface ColumnVector {
  readonly nullCount: number;
  /** A bit a value, set when it is valid (least significant first); empty when none is null. */
  readonly validity: Uint8Array;
  /** For STRING and UINT128: where each value's bytes start, `length + 1` entries. */
  readonly offsets?: Int32Array;
  readonly data: Uint8Array;
}

/** A result table kept as columns (what an Arrow answer sends). */
export interface ColumnarTable {
  readonly name: string;
  readonly columns: readonly ResultColumn[];
  readonly length: number;
  readonly vectors: readonly ColumnVector[];
}

/** A run's result kept as columns (see RunResult). */
export interface ColumnarRunResult {
  readonly tables: readonly ColumnarTable[];
  readonly exports: readonly { readonly table: ColumnarTable; readonly spec: ExportSpec }[];
  readonly warnings?: readonly string[];
}

const EMPTY = new Uint8Array(0);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** How a column of each type is laid out. */
function layoutOf(type: DataType): 'fixed8' | 'bits' | 'bytes' {
  switch (type) {
    case 'INT64':
    case 'TIME64NS':
    case 'FLOAT64':
      return 'fixed8';
    case 'BOOLEAN':
      return 'bits';
    case 'STRING':
    case 'UINT128':
      return 'bytes';
  }
}

/**
 * UTF-16 code units of a UTF-8 string (what `String.length` would say of it): every byte that
 * starts a character counts one, and a four-byte character one more (a surrogate pair).
 */
export function utf16Units(bytes: Uint8Array): number {
  let units = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if ((b & 0xc0) !== 0x80) units += b >= 0xf0 ? 2 : 1;
  }
  return units;
}

/**
 * Builds one ColumnVector from values appended in order: whole runs of DuckDB's vectors (the
 * fast paths, one copy each) or single cells (any other DuckDB type, and rows of cells).
 * Buffers grow by doubling.
 */
export class ColumnBuilder {
  length = 0;
  nullCount = 0;
  private readonly layout: 'fixed8' | 'bits' | 'bytes';
  private validity: Uint8Array<ArrayBuffer> = new Uint8Array(64);
  private data: Uint8Array<ArrayBuffer>;
  private offsets: Int32Array | undefined;
  private used = 0;

  constructor(readonly type: DataType) {
    this.layout = layoutOf(type);
    this.data = new Uint8Array(this.layout === 'fixed8' ? 512 * 8 : 512);
    if (this.layout === 'bytes') this.offsets = new Int32Array(513);
  }

  /** Room for `n` more values (and `bytes` more bytes of strings). */
  reserve(n: number, bytes = 0): void {
    const values = this.length + n;
    if (values > this.validity.length * 8) {
      this.validity = grown(this.validity, Math.ceil(values / 8));
    }
    if (this.layout === 'fixed8' && values * 8 > this.data.length) {
      this.data = grown(this.data, values * 8);
    } else if (this.layout === 'bits' && values > this.data.length * 8) {
      this.data = grown(this.data, Math.ceil(values / 8));
    } else if (this.layout === 'bytes') {
      if (values + 1 > this.offsets!.length) {
        const offsets = new Int32Array(Math.max(values + 1, 2 * this.offsets!.length));
        offsets.set(this.offsets!);
        this.offsets = offsets;
      }
      if (this.used + bytes > this.data.length) this.data = grown(this.data, this.used + bytes);
    }
  }

  /** Appends a null. */
  appendNull(): void {
    this.reserve(1);
    this.nullCount++;
    if (this.layout === 'bytes') this.offsets![this.length + 1] = this.used;
    this.length++;
  }

  /** Appends one cell (of this column's type, or null), as the JSON answer would show it. */
  appendCell(cell: Cell): void {
    if (cell === null) return this.appendNull();
    switch (this.type) {
      case 'INT64':
      case 'TIME64NS': {
        const v = typeof cell === 'bigint' ? cell : BigInt(cell as number);
        if (v < INT64_MIN || v > INT64_MAX) {
          throw new PxlError(
            `a value of ${v} does not fit an Arrow Int64; ask for JSON (Accept: application/json)`,
            undefined,
            'limit-exceeded',
          );
        }
        this.reserve(1);
        new DataView(this.data.buffer).setBigInt64(8 * this.length, v, true);
        return this.valid();
      }
      case 'FLOAT64': {
        const v = Number(cell);
        if (!Number.isFinite(v)) return this.appendNull();
        this.reserve(1);
        new DataView(this.data.buffer).setFloat64(8 * this.length, v === 0 ? 0 : v, true);
        return this.valid();
      }
      case 'BOOLEAN':
        this.reserve(1);
        if (cell) this.data[this.length >> 3]! |= 1 << (this.length & 7);
        return this.valid();
      case 'STRING':
      case 'UINT128':
        return this.appendBytes(Buffer.from(String(cell), 'utf8'));
    }
  }

  /** Appends one valid string's UTF-8 bytes. */
  appendBytes(bytes: Uint8Array): void {
    this.reserve(1, bytes.length);
    this.data.set(bytes, this.used);
    this.used += bytes.length;
    this.offsets![this.length + 1] = this.used;
    this.valid();
  }

  /**
   * Appends `n` 8-byte values (int64 or float64, little-endian) read from DuckDB, with its
   * validity mask (null when every value is valid). Nulls, and non-finite floats, are zeroed.
   */
  appendFixed8(values: Uint8Array, n: number, mask: Uint8Array | null): void {
    this.reserve(n);
    const start = this.length;
    this.data.set(values.subarray(0, 8 * n), 8 * start);
    const floats =
      this.type === 'FLOAT64' ? new Float64Array(this.data.buffer, 8 * start, n) : null;
    if (!mask && !floats) {
      setValid(this.validity, start, start + n);
      this.length += n;
      return;
    }
    for (let r = 0; r < n; r++) {
      const valid = (!mask || (mask[r >> 3]! >> (r & 7)) & 1) && (!floats || isFinite(floats[r]!));
      // JSON has no negative zero: -0 is answered as 0 there, and so here.
      if (floats && floats[r] === 0) floats[r] = 0;
      if (valid) this.validity[(start + r) >> 3]! |= 1 << ((start + r) & 7);
      else {
        this.nullCount++;
        this.data.fill(0, 8 * (start + r), 8 * (start + r + 1));
      }
    }
    this.length += n;
  }

  /** Appends `n` booleans read from DuckDB (a byte each), with its validity mask. */
  appendBooleans(values: Uint8Array, n: number, mask: Uint8Array | null): void {
    this.reserve(n);
    for (let r = 0; r < n; r++) {
      const at = this.length + r;
      if (mask && !((mask[r >> 3]! >> (r & 7)) & 1)) {
        this.nullCount++;
        continue;
      }
      this.validity[at >> 3]! |= 1 << (at & 7);
      if (values[r]) this.data[at >> 3]! |= 1 << (at & 7);
    }
    this.length += n;
  }

  /** The finished vector (views of the builder's buffers: append nothing after). */
  finish(): ColumnVector {
    const n = this.length;
    const data =
      this.layout === 'fixed8'
        ? this.data.subarray(0, 8 * n)
        : this.layout === 'bits'
          ? this.data.subarray(0, Math.ceil(n / 8))
          : this.data.subarray(0, this.used);
    return {
      nullCount: this.nullCount,
      validity: this.nullCount > 0 ? this.validity.subarray(0, Math.ceil(n / 8)) : EMPTY,
      ...(this.offsets ? { offsets: this.offsets.subarray(0, n + 1) } : {}),
      data,
    };
  }

  private valid(): void {
    this.validity[this.length >> 3]! |= 1 << (this.length & 7);
    this.length++;
  }
}

function grown(bytes: Uint8Array, atLeast: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(Math.max(atLeast, 2 * bytes.length));
  out.set(bytes);
  return out;
}

/** Sets the bits [from, to) of a bitmap. */
function setValid(bits: Uint8Array, from: number, to: number): void {
  let i = from;
  for (; i < to && i & 7; i++) bits[i >> 3]! |= 1 << (i & 7);
  const whole = to & ~7;
  if (i < whole) {
    bits.fill(0xff, i >> 3, whole >> 3);
    i = whole;
  }
  for (; i < to; i++) bits[i >> 3]! |= 1 << (i & 7);
}

/** A table of rows as columns (a cluster's merged answer, whose rows the coordinator built). */
export function columnsFromRows(table: ResultTable): ColumnarTable {
  const vectors = table.columns.map((column, i) => {
    const builder = new ColumnBuilder(column.type);
    for (const row of table.rows) builder.appendCell(row[i] ?? null);
    return builder.finish();
  });
  return { name: table.name, columns: table.columns, length: table.rows.length, vectors };
}
