import { FlatTable, FlatbufferError } from '../../../../shared/common/flatbuffer';

/** Arrow's time units, by their number in Schema.fbs. */
export const TIME_UNITS = ['SECOND', 'MILLISECOND', 'MICROSECOND', 'NANOSECOND'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

/** Arrow's float precisions, by their number in Schema.fbs, with their byte widths. */
const PRECISIONS = [
  ['HALF', 2],
  ['SINGLE', 4],
  ['DOUBLE', 8],
] as const;

/** The Arrow types the gateway can store, and a name for every other one (to refuse it by name). */
export type ArrowType =
  | { readonly id: 'Int'; readonly bitWidth: 8 | 16 | 32 | 64; readonly signed: boolean }
  | { readonly id: 'Float'; readonly bytes: 2 | 4 | 8 }
  | { readonly id: 'Bool' }
  | { readonly id: 'Utf8' }
  | { readonly id: 'LargeUtf8' }
  | { readonly id: 'FixedSizeBinary'; readonly byteWidth: number }
  | { readonly id: 'Timestamp'; readonly unit: TimeUnit; readonly timezone: string | undefined }
  | { readonly id: 'Other'; readonly name: string };

/** Names of the Type union's members (Schema.fbs), for the types only named in messages. */
const TYPE_NAMES = [
  'NONE',
  'Null',
  'Int',
  'FloatingPoint',
  'Binary',
  'Utf8',
  'Bool',
  'Decimal',
  'Date',
  'Time',
  'Timestamp',
  'Interval',
  'List',
  'Struct',
  'Union',
  'FixedSizeBinary',
  'FixedSizeList',
  'Map',
  'Duration',
  'LargeBinary',
  'LargeUtf8',
  'LargeList',
  'RunEndEncoded',
  'BinaryView',
  'Utf8View',
  'ListView',
  'LargeListView',
];

/** Reads a field's type from its `type_type` tag and `type` table. */
export function readType(tag: number, table: FlatTable | undefined): ArrowType {
  const name = TYPE_NAMES[tag] ?? `type #${tag}`;
  switch (name) {
    case 'Int':
      return intType(table);
    case 'FloatingPoint': {
      const precision = PRECISIONS[table?.int16(0, 0) ?? 0];
      if (!precision) throw new FlatbufferError('FloatingPoint has an unknown precision');
      return { id: 'Float', bytes: precision[1] };
    }
    case 'Bool':
    case 'Utf8':
    case 'LargeUtf8':
      return { id: name };
    case 'FixedSizeBinary':
      return { id: 'FixedSizeBinary', byteWidth: table?.int32(0, 0) ?? 0 };
    case 'Timestamp': {
      const unit = TIME_UNITS[table?.int16(0, 0) ?? 0];
      if (!unit) throw new FlatbufferError('Timestamp has an unknown time unit');
      return { id: 'Timestamp', unit, timezone: table?.string(1) };
    }
    default:
      return { id: 'Other', name };
  }
}

/** Reads an `Int` type table (also a dictionary's index type). */
export function intType(table: FlatTable | undefined): ArrowType & { id: 'Int' } {
  const bitWidth = table?.int32(0, 0) ?? 0;
  if (bitWidth !== 8 && bitWidth !== 16 && bitWidth !== 32 && bitWidth !== 64) {
    throw new FlatbufferError(`Int has a bit width of ${bitWidth}`);
  }
  return { id: 'Int', bitWidth, signed: (table?.uint8(1, 0) ?? 0) !== 0 };
}

/** The type's name as Arrow writes it (`Int64`, `Uint8`, `Float16`, `Timestamp<MILLISECOND>`). */
export function typeName(t: ArrowType): string {
  switch (t.id) {
    case 'Int':
      return `${t.signed ? 'Int' : 'Uint'}${t.bitWidth}`;
    case 'Float':
      return `Float${t.bytes * 8}`;
    case 'FixedSizeBinary':
      return `FixedSizeBinary[${t.byteWidth}]`;
    case 'Timestamp':
      return `Timestamp<${t.unit}${t.timezone ? `, ${t.timezone}` : ''}>`;
    case 'Other':
      return t.name;
    default:
      return t.id;
  }
}
