import {
  FbObject,
  finish,
  i16,
  i32,
  i64,
  int64Structs,
  str,
  table,
  tables,
  u8,
} from './flatbuffer';

/**
 * Arrow IPC stream messages made by hand (Arrow's Message.fbs and Schema.fbs), so that tests
 * can say every length, offset, count and index, including the ones that lie. Nothing here
 * checks anything: that is the gateway's job.
 */

/** Arrow's Type union, as numbered in Schema.fbs. */
export const TYPE = {
  Null: 1,
  Int: 2,
  FloatingPoint: 3,
  Binary: 4,
  Utf8: 5,
  Bool: 6,
  Decimal: 7,
  Date: 8,
  Timestamp: 10,
  List: 12,
  FixedSizeBinary: 15,
  LargeUtf8: 20,
  Utf8View: 24,
} as const;

export const TIME_UNIT = { second: 0, millisecond: 1, microsecond: 2, nanosecond: 3 } as const;
export const PRECISION = { half: 0, single: 1, double: 2 } as const;

export type ArrowTypeSpec =
  | { kind: 'int'; bitWidth: 8 | 16 | 32 | 64; signed: boolean }
  | { kind: 'float'; precision: keyof typeof PRECISION }
  | { kind: 'bool' }
  | { kind: 'utf8' }
  | { kind: 'largeUtf8' }
  | { kind: 'binary' }
  | { kind: 'fixedSizeBinary'; byteWidth: number }
  | { kind: 'timestamp'; unit: keyof typeof TIME_UNIT }
  /** Any other type, by its Type number, with an empty type table. */
  | { kind: 'other'; typeId: number };

export interface FieldSpec {
  name: string;
  type: ArrowTypeSpec;
  nullable?: boolean;
  dictionary?: { id: number; indexType: { bitWidth: 8 | 16 | 32 | 64; signed: boolean } };
}

export const int64: ArrowTypeSpec = { kind: 'int', bitWidth: 64, signed: true };
export const utf8: ArrowTypeSpec = { kind: 'utf8' };

const METADATA_V5 = 4;
const HEADER = { Schema: 1, DictionaryBatch: 2, RecordBatch: 3 } as const;

function typeTable(type: ArrowTypeSpec): [number, FbObject] {
  switch (type.kind) {
    case 'int':
      return [TYPE.Int, table(i32(type.bitWidth), u8(type.signed ? 1 : 0))];
    case 'float':
      return [TYPE.FloatingPoint, table(i16(PRECISION[type.precision]))];
    case 'bool':
      return [TYPE.Bool, table()];
    case 'utf8':
      return [TYPE.Utf8, table()];
    case 'largeUtf8':
      return [TYPE.LargeUtf8, table()];
    case 'binary':
      return [TYPE.Binary, table()];
    case 'fixedSizeBinary':
      return [TYPE.FixedSizeBinary, table(i32(type.byteWidth))];
    case 'timestamp':
      return [TYPE.Timestamp, table(i16(TIME_UNIT[type.unit]))];
    case 'other':
      return [type.typeId, table()];
  }
}

function fieldTable(f: FieldSpec): FbObject {
  const [typeId, typeObj] = typeTable(f.type);
  const dictionary = f.dictionary
    ? table(
        i64(f.dictionary.id),
        table(i32(f.dictionary.indexType.bitWidth), u8(f.dictionary.indexType.signed ? 1 : 0)),
      )
    : undefined;
  // Field: name, nullable, type_type, type, dictionary, children.
  return table(str(f.name), u8(f.nullable ? 1 : 0), u8(typeId), typeObj, dictionary, tables([]));
}

/** Frames a Message flatbuffer and its body as one encapsulated IPC message. */
function frame(message: FbObject, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const meta = finish(message);
  const metaLength = Math.ceil((8 + meta.length) / 8) * 8 - 8;
  const out = new Uint8Array(8 + metaLength + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0xffffffff, true);
  view.setInt32(4, metaLength, true);
  out.set(meta, 8);
  out.set(body, 8 + metaLength);
  return out;
}

function message(headerType: number, header: FbObject, bodyLength: bigint): FbObject {
  // Message: version, header_type, header, bodyLength.
  return table(i16(METADATA_V5), u8(headerType), header, i64(bodyLength));
}

/** The schema message. */
export function schemaMessage(fields: readonly FieldSpec[], opts: { bigEndian?: boolean } = {}) {
  // Schema: endianness, fields.
  const schema = table(i16(opts.bigEndian ? 1 : 0), tables(fields.map(fieldTable)));
  return frame(message(HEADER.Schema, schema, 0n));
}

/** One field node of a record batch: its length and null count. */
export interface NodeSpec {
  length: bigint | number;
  nullCount: bigint | number;
}

/** One buffer of a record batch: where it lies in the body. */
export interface BufferSpec {
  offset: bigint | number;
  length: bigint | number;
}

/** A record batch as sent: each number is written as given. */
export interface BatchSpec {
  length: bigint | number;
  nodes: NodeSpec[];
  buffers: BufferSpec[];
  body: Uint8Array;
  /** The Message's bodyLength; the body's own length unless given. */
  bodyLength?: bigint | number;
  /** A BodyCompression codec (0 LZ4_FRAME, 1 ZSTD) to declare. */
  compression?: number;
}

function recordBatchTable(b: BatchSpec): FbObject {
  // RecordBatch: length, nodes, buffers, compression.
  return table(
    i64(b.length),
    int64Structs(b.nodes.map((n) => [BigInt(n.length), BigInt(n.nullCount)])),
    int64Structs(b.buffers.map((x) => [BigInt(x.offset), BigInt(x.length)])),
    b.compression === undefined ? undefined : table(u8(b.compression), u8(0)),
  );
}

/** A record batch message with its body. */
export function recordBatchMessage(b: BatchSpec): Uint8Array {
  const header = recordBatchTable(b);
  return frame(message(HEADER.RecordBatch, header, BigInt(b.bodyLength ?? b.body.length)), b.body);
}

/** A dictionary batch message: the values of dictionary `id` as a one-column record batch. */
export function dictionaryBatchMessage(id: number, b: BatchSpec, isDelta = false): Uint8Array {
  // DictionaryBatch: id, data, isDelta.
  const header = table(i64(id), recordBatchTable(b), u8(isDelta ? 1 : 0));
  return frame(
    message(HEADER.DictionaryBatch, header, BigInt(b.bodyLength ?? b.body.length)),
    b.body,
  );
}

/** The end-of-stream marker. */
export const EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/** Concatenates messages into one stream. */
export function stream(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One column of a batch: its node and its buffers' bytes (validity first, as Arrow orders them). */
export interface ColumnSpec {
  length: number;
  nullCount?: number;
  buffers: Uint8Array[];
}

/**
 * Lays columns out as a record batch: buffers one after another in the body, each padded to 8
 * bytes, nodes and buffer regions truthful. Tests then change what they want to lie about.
 */
export function batchOf(length: number, columns: readonly ColumnSpec[]): BatchSpec {
  const nodes: NodeSpec[] = [];
  const buffers: BufferSpec[] = [];
  const parts: Array<[number, Uint8Array]> = [];
  let size = 0;
  for (const c of columns) {
    nodes.push({ length: c.length, nullCount: c.nullCount ?? 0 });
    for (const b of c.buffers) {
      buffers.push({ offset: size, length: b.length });
      parts.push([size, b]);
      size += Math.ceil(b.length / 8) * 8;
    }
  }
  const body = new Uint8Array(size);
  for (const [at, b] of parts) body.set(b, at);
  return { length, nodes, buffers, body };
}

const NONE = new Uint8Array(0);

/** Buffers of an Int64 (or Timestamp) column without nulls. */
export function int64Column(values: ReadonlyArray<bigint | number>): ColumnSpec {
  const data = new BigInt64Array(values.map((v) => BigInt(v)));
  return { length: values.length, buffers: [NONE, new Uint8Array(data.buffer)] };
}

/** Buffers of a fixed-width column from raw little-endian bytes, `length` values. */
export function fixedColumn(length: number, data: Uint8Array): ColumnSpec {
  return { length, buffers: [NONE, data] };
}

/** Buffers of a Utf8 column: Int32 offsets and the bytes, given as raw bytes or strings. */
export function utf8Column(values: ReadonlyArray<string | Uint8Array>): ColumnSpec {
  const encoded = values.map((v) => (typeof v === 'string' ? new TextEncoder().encode(v) : v));
  const offsets = new Int32Array(values.length + 1);
  encoded.forEach((v, i) => (offsets[i + 1] = offsets[i]! + v.length));
  const data = new Uint8Array(offsets[values.length]!);
  encoded.forEach((v, i) => data.set(v, offsets[i]!));
  return { length: values.length, buffers: [NONE, new Uint8Array(offsets.buffer), data] };
}

/** Buffers of a Utf8 column with offsets exactly as given (they may lie) over `data`. */
export function utf8ColumnWithOffsets(offsets: readonly number[], data: Uint8Array): ColumnSpec {
  const o = new Int32Array(offsets);
  return { length: offsets.length - 1, buffers: [NONE, new Uint8Array(o.buffer), data] };
}
