/**
 * Reads a gateway's Arrow answer to `POST /v1/query` (docs/api.md, "Arrow answers"): one IPC
 * stream per table, end to end, each a schema, one record batch and the end-of-stream marker.
 * Everything comes from the network, so every length, offset and count is checked against the
 * bytes before a view is taken: the message framing, each flatbuffer (the checked FlatTable),
 * each buffer's place in the body and its size for the row count, string offsets (ascending,
 * inside the data) and null counts (against the bitmap). Any breach is an ArrowAnswerError.
 */
import { FlatTable, FlatbufferError } from '../../../../shared/common/flatbuffer';
import {
  COLUMN_KEYS,
  QUERY_ARROW_TYPES,
  TABLE_KEYS,
} from '../../../../shared/contract/query-arrow';
import {
  ColumnarTable,
  ColumnVector,
  DataType,
  GatewayColumn,
  ScriptReference,
} from '../../types/gateway';

/** An Arrow answer that is not what the gateway writes. */
export class ArrowAnswerError extends Error {
  override name = 'ArrowAnswerError';
}

/**
 * Tables in one answer, and rows in all of them: far above any panel (the gateway's memory cap,
 * pxl.maxResultMb's 64 MiB, holds fewer than 2^22 rows). A boolean column takes a bit a value,
 * so a small answer could otherwise claim more values than the backend should build.
 */
const MAX_TABLES = 1024;
const MAX_ROWS = 1 << 22;

const CONTINUATION = 0xffffffff;
const METADATA_V4 = 3;
const METADATA_V5 = 4;
const HEADER_SCHEMA = 1;
const HEADER_RECORD_BATCH = 3;
/** Schema.fbs's Type union: the members an answer uses. */
const TYPE = { Int: 2, FloatingPoint: 3, Utf8: 5, Bool: 6, Timestamp: 10 } as const;
const DATA_TYPES: readonly DataType[] = [
  'BOOLEAN',
  'INT64',
  'UINT128',
  'FLOAT64',
  'STRING',
  'TIME64NS',
];

type ArrowKind = (typeof QUERY_ARROW_TYPES)[DataType];

/** A field of a table's schema: its column and the Arrow layout it must have. */
interface SchemaField {
  column: GatewayColumn;
  kind: ArrowKind;
}

function fail(message: string): never {
  throw new ArrowAnswerError(message);
}

function keyValues(table: FlatTable, slot: number): Map<string, string> {
  const map = new Map<string, string>();
  for (const kv of table.tables(slot)) map.set(kv.string(0) ?? '', kv.string(1) ?? '');
  return map;
}

/** The Arrow kind a field's type table declares, or undefined for any other type. */
function kindOf(field: FlatTable): ArrowKind | undefined {
  const type = field.table(3);
  switch (field.uint8(2, 0)) {
    case TYPE.Int:
      return type?.int32(0, 0) === 64 && type.uint8(1, 0) === 1 ? 'int64' : undefined;
    case TYPE.FloatingPoint:
      return type?.int16(0, 0) === 2 ? 'float64' : undefined;
    case TYPE.Timestamp:
      return type?.int16(0, 0) === 3 && type.string(1) === undefined ? 'timestamp_ns' : undefined;
    case TYPE.Utf8:
      return 'utf8';
    case TYPE.Bool:
      return 'bool';
    default:
      return undefined;
  }
}

function scriptReferenceOf(text: string | undefined, name: string): ScriptReference | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as ScriptReference;
    if (typeof value?.script === 'string' && typeof value.args === 'object' && value.args) {
      return value;
    }
  } catch {
    // Refused below, with the column's name.
  }
  return fail(`column "${name}" has a script reference that is not one`);
}

function schemaFields(schema: FlatTable): {
  name: string;
  exported: boolean;
  fields: SchemaField[];
} {
  if (schema.int16(0, 0) !== 0) fail('the schema is big-endian');
  const fields = schema.tables(1).map((field): SchemaField => {
    const name = field.string(0) ?? '';
    if (field.table(4)) fail(`column "${name}" is dictionary-encoded`);
    if (field.vectorLength(5, 4) > 0) fail(`column "${name}" has children`);
    const metadata = keyValues(field, 6);
    const type = metadata.get(COLUMN_KEYS.type) as DataType | undefined;
    if (!type || !DATA_TYPES.includes(type)) fail(`column "${name}" has no pxgate type`);
    const kind = kindOf(field);
    if (kind !== QUERY_ARROW_TYPES[type]) {
      fail(`column "${name}" of type ${type} is not sent as ${QUERY_ARROW_TYPES[type]}`);
    }
    const scriptReference = scriptReferenceOf(metadata.get(COLUMN_KEYS.scriptReference), name);
    return {
      kind,
      column: {
        name,
        type,
        semanticType: metadata.get(COLUMN_KEYS.semanticType) ?? 'ST_NONE',
        ...(scriptReference ? { scriptReference } : {}),
      },
    };
  });
  const metadata = keyValues(schema, 2);
  return {
    name: metadata.get(TABLE_KEYS.name) ?? '',
    exported: metadata.has(TABLE_KEYS.exportSpec),
    fields,
  };
}

/** One encapsulated message at `at`: its Message table and body; `end` follows the body. */
interface Message {
  header: FlatTable;
  type: number;
  body: Uint8Array;
  end: number;
}

/** The message at `at`, or null at the end-of-stream marker. */
function messageAt(bytes: Uint8Array, view: DataView, at: number): Message | null {
  if (bytes.length - at < 8) fail(`a message at byte ${at} is cut short`);
  if (view.getUint32(at, true) !== CONTINUATION) fail(`no message starts at byte ${at}`);
  const metaLength = view.getInt32(at + 4, true);
  if (metaLength === 0) return null;
  const metaStart = at + 8;
  if (metaLength < 0 || metaLength > bytes.length - metaStart) {
    fail(`the message at byte ${at} claims ${metaLength} bytes of metadata`);
  }
  const message = FlatTable.root(bytes.subarray(metaStart, metaStart + metaLength));
  const version = message.int16(0, 0);
  if (version !== METADATA_V4 && version !== METADATA_V5) {
    fail(`the message at byte ${at} has metadata version V${version + 1}`);
  }
  const header = message.table(2) ?? fail(`the message at byte ${at} has no header`);
  const bodyStart = metaStart + metaLength;
  const bodyLength = message.int64(3, 0);
  if (bodyLength < 0 || bodyLength > bytes.length - bodyStart) {
    fail(`the message at byte ${at} claims a body of ${bodyLength} bytes`);
  }
  return {
    header,
    type: message.uint8(1, 0),
    body: bytes.subarray(bodyStart, bodyStart + bodyLength),
    end: bodyStart + bodyLength,
  };
}

/** `bytes` as a view whose start suits a typed array of `align`-byte elements (copied if not). */
function aligned(bytes: Uint8Array, align: number): Uint8Array {
  return bytes.byteOffset % align === 0 ? bytes : bytes.slice();
}

function countNulls(bitmap: Uint8Array, length: number): number {
  let valid = 0;
  for (let i = 0; i < length; i++) valid += (bitmap[i >> 3]! >> (i & 7)) & 1;
  return length - valid;
}

/** The checked buffers of one column of a batch of `length` rows. */
function vectorOf(
  field: SchemaField,
  length: number,
  nullCount: number,
  buffers: Uint8Array[],
): ColumnVector {
  const name = field.column.name;
  const [validity, second, third] = buffers as [Uint8Array, Uint8Array, Uint8Array?];
  if (nullCount < 0 || nullCount > length) fail(`column "${name}" claims ${nullCount} nulls`);
  if (validity.length > 0 || nullCount > 0) {
    if (validity.length < Math.ceil(length / 8)) fail(`column "${name}" has a short bitmap`);
    if (countNulls(validity, length) !== nullCount) {
      fail(`column "${name}" has a bitmap of another null count than ${nullCount}`);
    }
  }
  const bitmap = nullCount > 0 ? validity.subarray(0, Math.ceil(length / 8)) : new Uint8Array(0);
  if (field.kind === 'utf8') {
    if (second.length < 4 * (length + 1)) fail(`column "${name}" has too few offsets`);
    const from = aligned(second, 4);
    const offsets = new Int32Array(from.buffer, from.byteOffset, length + 1);
    if (offsets[0] !== 0) fail(`column "${name}" has offsets that do not start at 0`);
    for (let i = 0; i < length; i++) {
      if (offsets[i + 1]! < offsets[i]!) fail(`column "${name}" has descending offsets`);
    }
    if (offsets[length]! > third!.length) fail(`column "${name}" has offsets past its data`);
    return { nullCount, validity: bitmap, offsets, data: third!.subarray(0, offsets[length]) };
  }
  const size = field.kind === 'bool' ? Math.ceil(length / 8) : 8 * length;
  if (second.length < size) fail(`column "${name}" has ${second.length} bytes for ${length} rows`);
  return { nullCount, validity: bitmap, data: aligned(second.subarray(0, size), 8) };
}

function recordBatch(batch: FlatTable, body: Uint8Array, fields: SchemaField[]) {
  if (batch.table(3)) fail('the record batch is compressed');
  const length = batch.int64(0, 0);
  if (length < 0 || length > MAX_ROWS) fail(`a record batch claims ${length} rows`);
  const nodes = batch.int64Structs(1, 2);
  const regions = batch.int64Structs(2, 2);
  if (nodes.count !== fields.length) fail(`a record batch has ${nodes.count} columns`);
  const wanted = fields.reduce((n, f) => n + (f.kind === 'utf8' ? 3 : 2), 0);
  if (regions.count !== wanted) fail(`a record batch has ${regions.count} buffers, not ${wanted}`);
  let region = 0;
  const vectors = fields.map((field, i) => {
    if (nodes.get(i, 0) !== length) fail(`column "${field.column.name}" has another length`);
    const count = field.kind === 'utf8' ? 3 : 2;
    const buffers: Uint8Array[] = [];
    for (let k = 0; k < count; k++, region++) {
      const offset = regions.get(region, 0);
      const size = regions.get(region, 1);
      if (offset < 0 || size < 0 || offset + size > body.length) {
        fail(`buffer ${region} (${size} bytes at ${offset}) lies outside the body`);
      }
      buffers.push(body.subarray(offset, offset + size));
    }
    return vectorOf(field, length, nodes.get(i, 1), buffers);
  });
  return { length, vectors };
}

/** One table's stream from `at`; `end` follows its end-of-stream marker. */
function tableAt(bytes: Uint8Array, view: DataView, at: number) {
  const schema = messageAt(bytes, view, at);
  if (!schema || schema.type !== HEADER_SCHEMA) fail(`no schema at byte ${at}`);
  const { name, exported, fields } = schemaFields(schema.header);
  const batch = messageAt(bytes, view, schema.end);
  if (!batch || batch.type !== HEADER_RECORD_BATCH) fail(`table "${name}" has no record batch`);
  const { length, vectors } = recordBatch(batch.header, batch.body, fields);
  if (messageAt(bytes, view, batch.end) !== null) fail(`table "${name}" has more than one batch`);
  const table: ColumnarTable = { name, columns: fields.map((f) => f.column), length, vectors };
  return { table, exported, end: batch.end + 8 };
}

/**
 * The tables an Arrow answer displays, in its order (the tables of `px.export` that follow them
 * are read, checked and left out, as a JSON answer's `exports` are). Throws ArrowAnswerError.
 */
export function readArrowAnswer(bytes: Uint8Array): ColumnarTable[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tables: ColumnarTable[] = [];
  try {
    for (let at = 0, read = 0, rows = 0; at < bytes.length; read++) {
      if (read >= MAX_TABLES) fail(`the answer holds more than ${MAX_TABLES} tables`);
      const { table, exported, end } = tableAt(bytes, view, at);
      rows += table.length;
      if (rows > MAX_ROWS) fail(`the answer holds more than ${MAX_ROWS} rows`);
      if (!exported) tables.push(table);
      at = end;
    }
  } catch (err) {
    if (err instanceof FlatbufferError) throw new ArrowAnswerError(err.message);
    throw err;
  }
  return tables;
}
