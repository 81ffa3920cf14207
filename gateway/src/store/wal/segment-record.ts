import { isUtf8 } from 'node:buffer';
import { ColumnBatch, ColumnData } from '../batch';
import { DataType, TableSchema } from '../../../../shared/contract/types';
import { LogFileError } from './frames';

/** One batch slice as the log keeps it: its rows, their first ingest sequence number, its size. */
export interface SegmentRecord {
  readonly firstSeq: number;
  readonly batch: ColumnBatch;
  /** The id the batch was sent with, so that a batch sent again after a restart is stored once. */
  readonly batchId: string | undefined;
}

const VERSION = 1;
const HEAD_BYTES = 40;
/** What a batch id may hold (ingest checks it against BATCH_ID_PATTERN, which this covers). */
const BATCH_ID = /^[\x21-\x7e]{1,255}$/;
const COLUMN_HEAD_BYTES = 8;
const TYPE_CODES: Readonly<Record<DataType, number>> = {
  BOOLEAN: 1,
  INT64: 2,
  UINT128: 3,
  FLOAT64: 4,
  STRING: 5,
  TIME64NS: 6,
};
const WIDTH: Readonly<Record<Exclude<DataType, 'STRING'>, number>> = {
  BOOLEAN: 1,
  INT64: 8,
  TIME64NS: 8,
  FLOAT64: 8,
  UINT128: 16,
};

/**
 * Encodes rows [from, from + count) of a batch as a log record's payload, in parts to write one
 * after the other: a head (version, row and column counts, first sequence number, store bytes,
 * largest time_, length of the batch id) and the batch id, then each column as a type code and
 * byte length followed by its values as the store lays them out (strings: int32 offsets from 0,
 * then UTF-8 bytes); each part after the head is padded to 8 bytes. Values are not copied: the
 * parts are views of the batch's own arrays (only string offsets are rebased).
 */
export function encodeSegmentRecord(
  schema: TableSchema,
  part: ColumnBatch,
  from: number,
  count: number,
  firstSeq: number,
  bytes: number,
  batchId: string | undefined,
): Uint8Array[] {
  const id = Buffer.from(batchId ?? '', 'latin1');
  const head = Buffer.alloc(HEAD_BYTES + pad8(id.length));
  head.writeUInt8(VERSION, 0);
  head.writeUInt8(part.maxTime !== undefined ? 1 : 0, 1);
  head.writeUInt16LE(schema.columns.length, 2);
  head.writeUInt32LE(count, 4);
  head.writeDoubleLE(firstSeq, 8);
  head.writeDoubleLE(bytes, 16);
  head.writeBigInt64LE(part.maxTime ?? 0n, 24);
  head.writeUInt8(id.length, 32);
  head.set(id, HEAD_BYTES);
  const parts: Uint8Array[] = [head];
  part.columns.forEach((column, i) => {
    const c = slice(column, from, count);
    const columnHead = Buffer.alloc(COLUMN_HEAD_BYTES);
    columnHead.writeUInt8(TYPE_CODES[schema.columns[i]!.type], 0);
    columnHead.writeUInt32LE(c.data.length, 4);
    parts.push(columnHead);
    let length = c.data.length;
    if (c.offsets) {
      parts.push(new Uint8Array(c.offsets.buffer, c.offsets.byteOffset, c.offsets.byteLength));
      length += c.offsets.byteLength;
    }
    parts.push(c.data);
    if (pad8(length) > length) parts.push(ZEROS.subarray(0, pad8(length) - length));
  });
  return parts;
}

const ZEROS = new Uint8Array(8);

/** A column slice as bytes: fixed-width values, or string offsets (from 0) and UTF-8 data. */
function slice(
  c: ColumnData,
  from: number,
  count: number,
): { offsets?: Int32Array; data: Uint8Array } {
  if (c.type !== 'STRING') {
    const width = WIDTH[c.type];
    const v = c.values;
    return { data: new Uint8Array(v.buffer, v.byteOffset + from * width, count * width) };
  }
  const s = c.values;
  const offsets = new Int32Array(count + 1);
  if (s.kind === 'utf8') {
    const base = s.offsets[from]!;
    for (let i = 0; i <= count; i++) offsets[i] = s.offsets[from + i]! - base;
    return { offsets, data: s.data.subarray(base, base + offsets[count]!) };
  }
  const parts = s.values.slice(from, from + count).map((v) => Buffer.from(v, 'utf8'));
  parts.forEach((p, i) => (offsets[i + 1] = offsets[i]! + p.length));
  return { offsets, data: Buffer.concat(parts) };
}

/**
 * Decodes a record payload for a table. Every length, offset and type is checked against the
 * payload and the schema before anything is copied, and strings must be UTF-8 split at character
 * boundaries: a payload that passed its checksum but lies is refused with a LogFileError.
 */
export function decodeSegmentRecord(schema: TableSchema, payload: Buffer): SegmentRecord {
  const fail = (why: string): never => {
    throw new LogFileError(`a record of table "${schema.name}": ${why}`);
  };
  if (payload.length < HEAD_BYTES) fail(`${payload.length} bytes, shorter than its head`);
  if (payload.readUInt8(0) !== VERSION) fail(`unknown version ${payload.readUInt8(0)}`);
  const hasMaxTime = payload.readUInt8(1) === 1;
  const columnCount = payload.readUInt16LE(2);
  const rows = payload.readUInt32LE(4);
  const firstSeq = payload.readDoubleLE(8);
  const bytes = payload.readDoubleLE(16);
  if (columnCount !== schema.columns.length) {
    fail(`${columnCount} columns where the table has ${schema.columns.length}`);
  }
  if (!Number.isSafeInteger(firstSeq) || firstSeq < 1 || !Number.isSafeInteger(firstSeq + rows)) {
    fail(`first sequence number ${firstSeq} is not a positive integer`);
  }
  if (!Number.isFinite(bytes) || bytes < 0) fail(`size ${bytes} is not a byte count`);
  const idLength = payload.readUInt8(32);
  if (payload.length - HEAD_BYTES < pad8(idLength)) fail('its batch id is cut short');
  const batchId = payload.toString('latin1', HEAD_BYTES, HEAD_BYTES + idLength);
  if (idLength > 0 && !BATCH_ID.test(batchId)) fail('its batch id is not printable ASCII');
  let at = HEAD_BYTES + pad8(idLength);
  const columns = schema.columns.map((col): ColumnData => {
    if (payload.length - at < COLUMN_HEAD_BYTES) fail(`column "${col.name}" cut short`);
    if (payload.readUInt8(at) !== TYPE_CODES[col.type]) {
      fail(`column "${col.name}" has type code ${payload.readUInt8(at)}, not ${col.type}`);
    }
    const dataBytes = payload.readUInt32LE(at + 4);
    at += COLUMN_HEAD_BYTES;
    const start = at;
    const take = (n: number): Buffer => {
      if (payload.length - at < n)
        fail(`column "${col.name}" needs ${n} bytes, ${payload.length - at} are left`);
      const b = payload.subarray(at, at + n);
      at += n;
      return b;
    };
    let column: ColumnData;
    if (col.type === 'STRING') {
      // Taken before allocating: a lying row count fails here, not in an allocation.
      const offsetBytes = take((rows + 1) * 4);
      const offsets = copyInto(new Int32Array(rows + 1), offsetBytes);
      const data = take(dataBytes);
      checkStrings(offsets, data, (why) => fail(`column "${col.name}": ${why}`));
      column = { type: 'STRING', values: { kind: 'utf8', offsets, data } };
    } else {
      if (dataBytes !== rows * WIDTH[col.type]) {
        fail(`column "${col.name}" holds ${dataBytes} bytes for ${rows} ${col.type} values`);
      }
      column = fixedColumn(col.type, rows, take(dataBytes));
    }
    at = start + pad8(at - start);
    if (at > payload.length) fail(`column "${col.name}" is not padded`);
    return column;
  });
  if (at !== payload.length) fail(`${payload.length - at} bytes after the last column`);
  return {
    firstSeq,
    batchId: idLength > 0 ? batchId : undefined,
    batch: {
      rowCount: rows,
      columns,
      bytes,
      maxTime: hasMaxTime && rows > 0 ? payload.readBigInt64LE(24) : undefined,
    },
  };
}

function fixedColumn(type: Exclude<DataType, 'STRING'>, rows: number, bytes: Buffer): ColumnData {
  switch (type) {
    case 'BOOLEAN':
      return { type, values: copyInto(new Uint8Array(rows), bytes) };
    case 'INT64':
    case 'TIME64NS':
      return { type, values: copyInto(new BigInt64Array(rows), bytes) };
    case 'FLOAT64':
      return { type, values: copyInto(new Float64Array(rows), bytes) };
    case 'UINT128':
      return { type, values: copyInto(new BigUint64Array(rows * 2), bytes) };
  }
}

/** Copies bytes into a fresh (aligned) typed array of exactly their length. */
function copyInto<T extends ArrayBufferView>(target: T, bytes: Uint8Array): T {
  new Uint8Array(target.buffer, target.byteOffset, target.byteLength).set(bytes);
  return target;
}

/** Offsets from 0 to the data's end, never going back, each at a UTF-8 character's start. */
function checkStrings(offsets: Int32Array, data: Uint8Array, fail: (why: string) => never): void {
  if (offsets[0] !== 0) fail(`the first string offset is ${offsets[0]}, not 0`);
  if (offsets[offsets.length - 1] !== data.length) {
    fail(`the last string offset is ${offsets[offsets.length - 1]}, not ${data.length}`);
  }
  for (let i = 1; i < offsets.length; i++) {
    const o = offsets[i]!;
    if (o < offsets[i - 1]!) fail(`string offset ${i} goes back`);
    if (o < data.length && (data[o]! & 0xc0) === 0x80)
      fail(`string ${i} starts inside a character`);
  }
  if (!isUtf8(data)) fail('strings that are not UTF-8');
}

function pad8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
