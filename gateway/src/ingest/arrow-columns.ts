import { ColumnData, StringValues } from '../store/batch';
import { ColumnSchema } from '../../../shared/contract/types';
import {
  BatchBody,
  bitValues,
  dictionaryIndices,
  firstNull,
  fixedValues,
  intValues,
  typed,
  Utf8Array,
  utf8Values,
} from './arrow-ipc/arrays';
import { halfToNumber } from './arrow-ipc/float16';
import { ArrowField } from './arrow-ipc/messages';
import { ArrowType, TimeUnit, typeName } from './arrow-ipc/types';
import { IngestError } from './errors';
import { parseUint128 } from '../../../shared/contract/uint128';

const NS_PER_UNIT: Record<TimeUnit, bigint> = {
  SECOND: 1_000_000_000n,
  MILLISECOND: 1_000_000n,
  MICROSECOND: 1_000n,
  NANOSECOND: 1n,
};
const INT64_MAX = 2n ** 63n - 1n;

/** A dictionary's values, decoded once. */
export type Dictionary = readonly string[];

/** One field of a record batch and where it goes. */
export interface FieldSlot {
  readonly table: string;
  readonly column: ColumnSchema;
  readonly field: ArrowField;
  /** Index of the field's node, and of its first buffer (its validity bitmap). */
  readonly node: number;
  readonly buffer: number;
}

/** Buffers a field has in a record batch: validity, then values (and offsets first for Utf8). */
export function bufferCount(field: ArrowField): number {
  if (field.dictionary) return 2;
  return field.type.id === 'Utf8' || field.type.id === 'LargeUtf8' ? 3 : 2;
}

/** The field's type as a message names it: the value type, or `Dictionary<Int8, Utf8>`. */
export function fieldTypeName(field: ArrowField): string {
  const { dictionary, type } = field;
  return dictionary
    ? `Dictionary<${typeName(dictionary.indexType)}, ${typeName(type)}>`
    : typeName(type);
}

/** Whether an Arrow field can be stored in a column of this type (and how, in `convertField`). */
export function accepts(column: ColumnSchema, field: ArrowField): boolean {
  const t = field.type;
  const text = t.id === 'Utf8' || t.id === 'LargeUtf8';
  if (field.dictionary) return text && (column.type === 'STRING' || column.type === 'UINT128');
  switch (column.type) {
    case 'INT64':
      return t.id === 'Int';
    case 'TIME64NS':
      return t.id === 'Int' || t.id === 'Timestamp';
    case 'FLOAT64':
      return t.id === 'Float' || t.id === 'Int';
    case 'BOOLEAN':
      return t.id === 'Bool';
    case 'STRING':
      return text;
    case 'UINT128':
      return text || (t.id === 'FixedSizeBinary' && t.byteWidth === 16);
  }
}

/** What a column of this type takes, for the message that refuses another type. */
export function acceptedTypes(c: ColumnSchema): string {
  switch (c.type) {
    case 'INT64':
      return 'send Int8..Int64 or Uint8..Uint64';
    case 'TIME64NS':
      return 'send Timestamp (any unit) or Int64 nanoseconds';
    case 'FLOAT64':
      return 'send Float16/32/64 or an integer type';
    case 'BOOLEAN':
      return 'send Bool';
    case 'STRING':
      return 'send Utf8, LargeUtf8 or Dictionary<Utf8>';
    case 'UINT128':
      return 'send FixedSizeBinary(16), little-endian, or Utf8 "high:low" / "asid:pid:start_ticks"';
  }
}

/**
 * Reads one field of a checked record batch as a column: nulls refused, every buffer checked to
 * hold its rows, offsets and dictionary indices checked, strings checked to be UTF-8, and values
 * converted by their declared type (Float16 by value, Timestamps by their unit). Fixed-width
 * values the store takes as they are stay views of the body.
 */
export function convertField(
  slot: FieldSlot,
  body: BatchBody,
  dictionaries: ReadonlyMap<number, Dictionary>,
  firstRow: number,
): ColumnData {
  const { table, column, field } = slot;
  const n = body.length;
  const nulls = body.nullCount(slot.node);
  if (nulls > 0) {
    const row = firstNull(body.buffer(slot.buffer), n, nulls);
    throw IngestError.at(
      table,
      firstRow + row,
      column.name,
      'null is not a value; leave the column out to store its zero value',
    );
  }
  const values = body.buffer(slot.buffer + 1);
  const invalid = (row: number, problem: string) =>
    IngestError.at(table, firstRow + row, column.name, problem);
  if (field.dictionary) {
    const dictionary = dictionaries.get(field.dictionary.id);
    if (!dictionary) {
      throw IngestError.at(
        table,
        undefined,
        column.name,
        `no dictionary batch with id ${field.dictionary.id} came before this record batch`,
        'malformed',
      );
    }
    const { bitWidth, signed } = field.dictionary.indexType;
    const indices = dictionaryIndices(values, n, bitWidth, signed, dictionary.length);
    const strings = Array.from(indices, (i) => dictionary[i]!);
    if (column.type === 'UINT128') return uint128FromStrings(strings, invalid);
    return { type: 'STRING', values: { kind: 'strings', values: strings } };
  }
  const t = field.type;
  if (t.id === 'Utf8' || t.id === 'LargeUtf8') {
    const utf8 = utf8Values(values, body.buffer(slot.buffer + 2), n, t.id === 'LargeUtf8');
    const strings: StringValues = { kind: 'utf8', ...utf8 };
    if (column.type === 'UINT128') return uint128FromStrings(decodeStrings(utf8), invalid);
    return { type: 'STRING', values: strings };
  }
  switch (column.type) {
    case 'INT64':
      return { type: 'INT64', values: toInt64(intOf(t), values, n, 1n, invalid) };
    case 'TIME64NS': {
      const scale = t.id === 'Timestamp' ? NS_PER_UNIT[t.unit] : 1n;
      const ints = t.id === 'Timestamp' ? INT64 : intOf(t);
      return { type: 'TIME64NS', values: toInt64(ints, values, n, scale, invalid) };
    }
    case 'FLOAT64':
      return { type: 'FLOAT64', values: toFloat64(t, values, n) };
    case 'BOOLEAN': {
      const bits = bitValues(values, n);
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = (bits[i >> 3]! >> (i & 7)) & 1;
      return { type: 'BOOLEAN', values: out };
    }
    case 'UINT128':
      return { type: 'UINT128', values: typed(BigUint64Array, fixedValues(values, n, 16)) };
    case 'STRING':
      throw new Error(`a STRING column was given ${typeName(t)}`);
  }
}

type IntType = ArrowType & { id: 'Int' };
const INT64: IntType = { id: 'Int', bitWidth: 64, signed: true };

function intOf(t: ArrowType): IntType {
  if (t.id !== 'Int') throw new Error(`expected an Int type, got ${typeName(t)}`);
  return t;
}

/** Integers of any width as INT64 values, multiplied by `scale`; a view when nothing changes. */
function toInt64(
  t: IntType,
  bytes: Uint8Array,
  n: number,
  scale: bigint,
  invalid: (row: number, problem: string) => IngestError,
): BigInt64Array {
  const data = fixedValues(bytes, n, t.bitWidth / 8);
  if (t.bitWidth === 64 && scale === 1n) {
    if (!t.signed) {
      // A Uint64 has the same bits as an Int64 where it fits: the top bit must be clear.
      for (let i = 0; i < n; i++) {
        if (data[8 * i + 7]! & 0x80) {
          const v = new DataView(data.buffer, data.byteOffset).getBigUint64(8 * i, true);
          throw invalid(i, `value ${v} is out of the INT64 range`);
        }
      }
    }
    return typed(BigInt64Array, data);
  }
  const src = intValues(data, t.bitWidth, t.signed);
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const v = BigInt(src[i]!) * scale;
    if (v > INT64_MAX || v < -INT64_MAX - 1n) {
      throw invalid(i, `value ${v} is out of the INT64 range`);
    }
    out[i] = v;
  }
  return out;
}

/** Floats of any precision, or integers, as FLOAT64 by value. */
function toFloat64(t: ArrowType, bytes: Uint8Array, n: number): Float64Array {
  if (t.id === 'Float') {
    const data = fixedValues(bytes, n, t.bytes);
    if (t.bytes === 8) return typed(Float64Array, data);
    if (t.bytes === 4) return Float64Array.from(typed(Float32Array, data));
    return Float64Array.from(typed(Uint16Array, data), halfToNumber);
  }
  const ints = intOf(t);
  const src = intValues(fixedValues(bytes, n, ints.bitWidth / 8), ints.bitWidth, ints.signed);
  return Float64Array.from({ length: n }, (_, i) => Number(src[i]!));
}

/** The strings of a validated Utf8 array as JS strings (dictionaries, UPIDs written as text). */
export function decodeStrings({ offsets, data }: Utf8Array): string[] {
  const decoder = new TextDecoder();
  return Array.from({ length: offsets.length - 1 }, (_, i) =>
    decoder.decode(data.subarray(offsets[i]!, offsets[i + 1]!)),
  );
}

function uint128FromStrings(
  strings: readonly string[],
  invalid: (row: number, problem: string) => IngestError,
): ColumnData {
  const out = new BigUint64Array(2 * strings.length);
  strings.forEach((text, i) => {
    const v = parseUint128(text);
    if (!v) {
      throw invalid(
        i,
        `expected UINT128 ("high:low" or "asid:pid:start_ticks"), got ${JSON.stringify(text.slice(0, 60))}`,
      );
    }
    out[2 * i] = v.low;
    out[2 * i + 1] = v.high;
  });
  return { type: 'UINT128', values: out };
}
