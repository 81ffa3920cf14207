/**
 * One record batch as an Arrow IPC *file* or *stream*, written straight from column buffers
 * with the flatbuffers builder (Arrow's columnar format spec, "IPC Streaming Format" and "IPC
 * File Format"; metadata version V5, little-endian). The stream is the schema message, the
 * record batch message and its body, and the end-of-stream marker; the file wraps the same
 * messages in the magic and adds the footer (the schema again and the batch's block), the
 * footer's length and the magic. apache-arrow's writers wrote the same bytes (the file without
 * the schema message before the batch) through their visitors, at more than twice the CPU.
 *
 * Only the flat types pxgate sends: Timestamp(ns), Int64, Float64, Bool, Utf8 and Binary. The
 * gateway answers queries with the stream (docs/api.md); the Grafana backend writes frames as
 * files.
 */
import { Builder } from 'flatbuffers';

/** The Arrow types a frame's column may have. */
export type ColumnType = 'timestamp_ns' | 'int64' | 'float64' | 'bool' | 'utf8' | 'binary';

/** One column: its field and its buffers in Arrow's order (validity, [offsets,] values). */
export interface IpcColumn {
  name: string;
  type: ColumnType;
  nullable: boolean;
  metadata: Map<string, string>;
  nullCount: number;
  /** The validity bitmap (empty when no value is null), then offsets for Utf8 and Binary, then values. */
  buffers: Uint8Array[];
}

// Enum values from Arrow's Schema.fbs and Message.fbs.
const METADATA_V5 = 4;
const ENDIANNESS_LITTLE = 0;
const HEADER_SCHEMA = 1;
const HEADER_RECORD_BATCH = 3;
const TYPE_IDS: Record<ColumnType, number> = {
  timestamp_ns: 10,
  int64: 2,
  float64: 3,
  bool: 6,
  utf8: 5,
  binary: 4,
};
const PRECISION_DOUBLE = 2;
const TIME_UNIT_NANOSECOND = 3;

const MAGIC = new TextEncoder().encode('ARROW1');
const CONTINUATION = 0xffffffff;
const ALIGNMENT = 8;

function padded(n: number): number {
  return Math.ceil(n / ALIGNMENT) * ALIGNMENT;
}

function offsetVector(b: Builder, offsets: number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
  return b.endVector();
}

function keyValues(b: Builder, metadata: Map<string, string>): number {
  const entries = [...metadata].map(([key, value]) => {
    const k = b.createString(key);
    const v = b.createString(value);
    b.startObject(2);
    b.addFieldOffset(0, k, 0);
    b.addFieldOffset(1, v, 0);
    return b.endObject();
  });
  return offsetVector(b, entries);
}

/** The type table of a field (Schema.fbs: Timestamp, Int, FloatingPoint, or an empty table). */
function typeTable(b: Builder, type: ColumnType): number {
  switch (type) {
    case 'int64':
      b.startObject(2);
      b.addFieldInt32(0, 64, 0);
      b.addFieldInt8(1, 1, 0);
      return b.endObject();
    case 'timestamp_ns':
      b.startObject(2);
      b.addFieldInt16(0, TIME_UNIT_NANOSECOND, 0);
      return b.endObject();
    case 'float64':
      b.startObject(1);
      b.addFieldInt16(0, PRECISION_DOUBLE, 0);
      return b.endObject();
    default:
      b.startObject(0);
      return b.endObject();
  }
}

function field(b: Builder, column: IpcColumn): number {
  const name = b.createString(column.name);
  const type = typeTable(b, column.type);
  const children = offsetVector(b, []);
  const metadata = keyValues(b, column.metadata);
  b.startObject(7);
  b.addFieldOffset(0, name, 0);
  b.addFieldInt8(1, column.nullable ? 1 : 0, 0);
  b.addFieldInt8(2, TYPE_IDS[column.type], 0);
  b.addFieldOffset(3, type, 0);
  b.addFieldOffset(5, children, 0);
  b.addFieldOffset(6, metadata, 0);
  return b.endObject();
}

function schema(b: Builder, columns: readonly IpcColumn[], metadata: Map<string, string>): number {
  const fields = offsetVector(
    b,
    columns.map((c) => field(b, c)),
  );
  const custom = keyValues(b, metadata);
  b.startObject(4);
  b.addFieldInt16(0, ENDIANNESS_LITTLE, 0);
  b.addFieldOffset(1, fields, 0);
  b.addFieldOffset(2, custom, 0);
  return b.endObject();
}

/** A Message table around a header; returns the finished flatbuffer. */
function message(b: Builder, headerType: number, header: number, bodyLength: number): Uint8Array {
  b.startObject(5);
  b.addFieldInt16(0, METADATA_V5, 0);
  b.addFieldInt8(1, headerType, 0);
  b.addFieldOffset(2, header, 0);
  b.addFieldInt64(3, BigInt(bodyLength), 0n);
  b.finish(b.endObject());
  return b.asUint8Array();
}

/** Two int64s per entry (FieldNode: length, null count; Buffer: offset, length), as a struct vector. */
function pairVector(b: Builder, pairs: Array<[number, number]>): number {
  b.startVector(16, pairs.length, 8);
  for (let i = pairs.length - 1; i >= 0; i--) {
    b.prep(8, 16);
    b.writeInt64(BigInt(pairs[i]![1]));
    b.writeInt64(BigInt(pairs[i]![0]));
  }
  return b.endVector();
}

/** Where the body's buffers go: each at an 8-byte boundary. */
function layout(columns: readonly IpcColumn[]): { regions: Array<[number, number]>; size: number } {
  const regions: Array<[number, number]> = [];
  let size = 0;
  for (const column of columns) {
    for (const buffer of column.buffers) {
      regions.push([size, buffer.byteLength]);
      size += padded(buffer.byteLength);
    }
  }
  return { regions, size };
}

/** The bytes of an encapsulated message: continuation, metadata length, metadata, padding. */
function encapsulated(metadata: Uint8Array): { prefix: Uint8Array; length: number } {
  const length = 8 + padded(metadata.byteLength);
  const prefix = new Uint8Array(length);
  const view = new DataView(prefix.buffer);
  view.setUint32(0, CONTINUATION, true);
  view.setInt32(4, length - 8, true);
  prefix.set(metadata, 8);
  return { prefix, length };
}

/** The schema and record batch messages of one batch, and where its buffers go in the body. */
interface BatchMessages {
  schema: { prefix: Uint8Array; length: number };
  batch: { prefix: Uint8Array; length: number };
  body: { regions: Array<[number, number]>; size: number };
}

function batchMessages(
  b: Builder,
  columns: readonly IpcColumn[],
  length: number,
  schemaMetadata: Map<string, string>,
): BatchMessages {
  const schemaMessage = encapsulated(
    message(b, HEADER_SCHEMA, schema(b, columns, schemaMetadata), 0),
  );
  const body = layout(columns);
  b.clear();
  const nodes = pairVector(
    b,
    columns.map((c) => [length, c.nullCount]),
  );
  const buffers = pairVector(b, body.regions);
  b.startObject(5);
  b.addFieldInt64(0, BigInt(length), 0n);
  b.addFieldOffset(1, nodes, 0);
  b.addFieldOffset(2, buffers, 0);
  const batchMessage = encapsulated(message(b, HEADER_RECORD_BATCH, b.endObject(), body.size));
  return { schema: schemaMessage, batch: batchMessage, body };
}

/** Writes the messages, the body and the end-of-stream marker into `out` from `at`; returns the end. */
function writeMessages(
  out: Uint8Array,
  at: number,
  columns: readonly IpcColumn[],
  m: BatchMessages,
): number {
  out.set(m.schema.prefix, at);
  out.set(m.batch.prefix, at + m.schema.length);
  const bodyAt = at + m.schema.length + m.batch.length;
  let region = 0;
  for (const column of columns) {
    for (const buffer of column.buffers) out.set(buffer, bodyAt + m.body.regions[region++]![0]);
  }
  const eosAt = bodyAt + m.body.size;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(eosAt, CONTINUATION, true);
  view.setInt32(eosAt + 4, 0, true);
  return eosAt + 8;
}

/** The bytes of a stream of one batch (see streamLength). */
function streamLength(m: BatchMessages): number {
  return m.schema.length + m.batch.length + m.body.size + 8;
}

/** One record batch of `length` rows as an Arrow IPC stream: schema, batch, end of stream. */
export function writeIpcStream(
  columns: readonly IpcColumn[],
  length: number,
  schemaMetadata: Map<string, string>,
): Uint8Array {
  const m = batchMessages(new Builder(1024), columns, length, schemaMetadata);
  const out = new Uint8Array(streamLength(m));
  writeMessages(out, 0, columns, m);
  return out;
}

/** One record batch of `length` rows as an Arrow IPC file. */
export function writeIpcFile(
  columns: readonly IpcColumn[],
  length: number,
  schemaMetadata: Map<string, string>,
): Uint8Array {
  const b = new Builder(1024);
  const m = batchMessages(b, columns, length, schemaMetadata);
  const batchOffset = ALIGNMENT + m.schema.length;
  b.clear();
  const footerSchema = schema(b, columns, schemaMetadata);
  b.startVector(24, 0, 8);
  const dictionaries = b.endVector();
  b.startVector(24, 1, 8);
  b.prep(8, 24);
  b.writeInt64(BigInt(m.body.size));
  b.pad(4);
  b.writeInt32(m.batch.length);
  b.writeInt64(BigInt(batchOffset));
  const batches = b.endVector();
  b.startObject(5);
  b.addFieldInt16(0, METADATA_V5, 0);
  b.addFieldOffset(1, footerSchema, 0);
  b.addFieldOffset(2, dictionaries, 0);
  b.addFieldOffset(3, batches, 0);
  b.finish(b.endObject());
  const footer = b.asUint8Array();

  const footerAt = ALIGNMENT + streamLength(m);
  const out = new Uint8Array(footerAt + footer.byteLength + 4 + MAGIC.byteLength);
  out.set(MAGIC, 0);
  writeMessages(out, ALIGNMENT, columns, m);
  out.set(footer, footerAt);
  new DataView(out.buffer).setInt32(footerAt + footer.byteLength, footer.byteLength, true);
  out.set(MAGIC, footerAt + footer.byteLength + 4);
  return out;
}
