import { ColumnSchema, DataType, TableSchema } from '../../../shared/contract/types';
import { Uint128 } from '../../../shared/contract/uint128';
import { CellValue, Utf8Text } from './row';

/**
 * One column's values as the Arrow buffers that carry them, appended a row at a time. Buffers
 * grow by doubling and are kept across batches (`reset`), so a steady stream of rows allocates
 * nothing but the encoded batches.
 */
export interface ColumnBuilder {
  readonly type: DataType;
  append(value: CellValue | undefined): void;
  /** The Arrow buffers after the (empty) validity buffer, for the first `rows` rows. */
  buffers(rows: number): Uint8Array[];
  reset(): void;
}

const TWO_32 = 4294967296;
const INITIAL_ROWS = 256;

/** Int64 (INT64 and TIME64NS): numbers are split into 32-bit halves, never turned into BigInt. */
class Int64Column implements ColumnBuilder {
  private words = new Int32Array(2 * INITIAL_ROWS);
  private wide = new BigInt64Array(this.words.buffer);
  private n = 0;

  constructor(readonly type: DataType) {}

  append(value: CellValue | undefined): void {
    const i = this.n++;
    if (2 * i >= this.words.length) this.grow();
    if (typeof value === 'bigint') {
      this.wide[i] = value;
    } else if (typeof value === 'number') {
      writeInt64(this.words, i, value);
    } else {
      this.wide[i] = 0n;
    }
  }

  buffers(rows: number): Uint8Array[] {
    return [new Uint8Array(this.words.buffer, 0, rows * 8)];
  }

  reset(): void {
    this.n = 0;
  }

  private grow(): void {
    const words = new Int32Array(this.words.length * 2);
    words.set(this.words);
    this.words = words;
    this.wide = new BigInt64Array(words.buffer);
  }
}

/** Writes a (safe) integer as little-endian int64 words `2i`, `2i + 1`. */
function writeInt64(words: Int32Array, i: number, value: number): void {
  const v = Math.trunc(value);
  const high = Math.floor(v / TWO_32);
  words[2 * i] = v - high * TWO_32;
  words[2 * i + 1] = high;
}

/** FixedSizeBinary(16), little-endian, low half first (DuckDB's UHUGEINT layout). */
class Uint128Column implements ColumnBuilder {
  readonly type = 'UINT128';
  private words = new BigUint64Array(2 * INITIAL_ROWS);
  private n = 0;

  append(value: CellValue | undefined): void {
    const i = this.n++;
    if (2 * i >= this.words.length) {
      const words = new BigUint64Array(this.words.length * 2);
      words.set(this.words);
      this.words = words;
    }
    const v = value as Uint128 | undefined;
    this.words[2 * i] = v?.low ?? 0n;
    this.words[2 * i + 1] = v?.high ?? 0n;
  }

  buffers(rows: number): Uint8Array[] {
    return [new Uint8Array(this.words.buffer, 0, rows * 16)];
  }

  reset(): void {
    this.n = 0;
  }
}

class Float64Column implements ColumnBuilder {
  readonly type = 'FLOAT64';
  private values = new Float64Array(INITIAL_ROWS);
  private n = 0;

  append(value: CellValue | undefined): void {
    const i = this.n++;
    if (i >= this.values.length) {
      const values = new Float64Array(this.values.length * 2);
      values.set(this.values);
      this.values = values;
    }
    this.values[i] = typeof value === 'number' || typeof value === 'bigint' ? Number(value) : 0;
  }

  buffers(rows: number): Uint8Array[] {
    return [new Uint8Array(this.values.buffer, 0, rows * 8)];
  }

  reset(): void {
    this.n = 0;
  }
}

/** Bool: one bit per row, least significant bit first. */
class BoolColumn implements ColumnBuilder {
  readonly type = 'BOOLEAN';
  private bits = new Uint8Array(INITIAL_ROWS / 8);
  private n = 0;

  append(value: CellValue | undefined): void {
    const i = this.n++;
    if (i >> 3 >= this.bits.length) {
      const bits = new Uint8Array(this.bits.length * 2);
      bits.set(this.bits);
      this.bits = bits;
    }
    if (value === true) this.bits[i >> 3]! |= 1 << (i & 7);
    else this.bits[i >> 3]! &= ~(1 << (i & 7));
  }

  buffers(rows: number): Uint8Array[] {
    return [this.bits.subarray(0, (rows + 7) >> 3)];
  }

  reset(): void {
    this.n = 0;
  }
}

/**
 * Utf8: int32 offsets and one data buffer that strings are encoded straight into. Short ASCII
 * strings (most of what HTTP carries) are copied by a loop; the rest through Buffer's encoder.
 */
class Utf8Column implements ColumnBuilder {
  readonly type = 'STRING';
  private offsets = new Int32Array(INITIAL_ROWS + 1);
  private data = Buffer.allocUnsafe(64 * INITIAL_ROWS);
  private n = 0;

  append(value: CellValue | undefined): void {
    const i = this.n++;
    if (i + 1 >= this.offsets.length) {
      const offsets = new Int32Array(this.offsets.length * 2);
      offsets.set(this.offsets);
      this.offsets = offsets;
    }
    let at = this.offsets[i]!;
    if (isUtf8Text(value)) {
      const max = value.maxUtf8Bytes();
      if (at + max > this.data.length) this.growData(at + max);
      this.offsets[i + 1] = at + value.writeUtf8(this.data, at);
      return;
    }
    const s = typeof value === 'string' ? value : value === undefined ? '' : String(value);
    // A UTF-16 code unit takes at most 3 UTF-8 bytes.
    if (at + 3 * s.length > this.data.length) this.growData(at + 3 * s.length);
    const data = this.data;
    if (s.length <= 64) {
      let k = 0;
      for (; k < s.length; k++) {
        const c = s.charCodeAt(k);
        if (c >= 0x80) break;
        data[at + k] = c;
      }
      at += k < s.length ? k + data.write(s.slice(k), at + k) : k;
    } else {
      at += data.write(s, at);
    }
    this.offsets[i + 1] = at;
  }

  buffers(rows: number): Uint8Array[] {
    const offsets = new Uint8Array(this.offsets.buffer, 0, (rows + 1) * 4);
    return [offsets, this.data.subarray(0, this.offsets[rows])];
  }

  reset(): void {
    this.n = 0;
  }

  private growData(needed: number): void {
    let size = this.data.length * 2;
    while (size < needed) size *= 2;
    const data = Buffer.allocUnsafe(size);
    this.data.copy(data, 0, 0, this.offsets[this.n - 1]);
    this.data = data;
  }
}

function isUtf8Text(value: CellValue | undefined): value is Utf8Text {
  return typeof value === 'object' && 'writeUtf8' in value;
}

function builderFor(c: ColumnSchema): ColumnBuilder {
  switch (c.type) {
    case 'INT64':
    case 'TIME64NS':
      return new Int64Column(c.type);
    case 'UINT128':
      return new Uint128Column();
    case 'FLOAT64':
      return new Float64Column();
    case 'BOOLEAN':
      return new BoolColumn();
    case 'STRING':
      return new Utf8Column();
  }
}

/**
 * A table's rows as Arrow columns, built as rows arrive (no row objects are held). Every column
 * of the schema is filled; a row without a value for one gets the type's zero value.
 */
export class TableColumns {
  readonly builders: readonly ColumnBuilder[];
  private readonly names: readonly string[];
  /** Rows appended since the last reset. */
  length = 0;

  constructor(readonly schema: TableSchema) {
    this.builders = schema.columns.map(builderFor);
    this.names = schema.columns.map((c) => c.name);
  }

  append(row: Readonly<Record<string, CellValue>>): void {
    const builders = this.builders;
    for (let i = 0; i < builders.length; i++) builders[i]!.append(row[this.names[i]!]);
    this.length++;
  }

  reset(): void {
    for (const b of this.builders) b.reset();
    this.length = 0;
  }
}
