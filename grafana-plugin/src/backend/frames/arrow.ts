/**
 * Data frames to the bytes Grafana reads from a backend: each frame one Arrow IPC *file*, as
 * grafana-plugin-sdk-go's `Frame.MarshalArrow` writes it. The schema's metadata carries the
 * frame's `name`, `refId` and `meta` (JSON); each field's metadata its `name`, `labels` and
 * `config` (JSON). Types are declared, never inferred: time is Timestamp(ns), numbers Float64,
 * text Utf8 (never a dictionary), booleans Bool, and `other` values JSON in Binary, which the SDK
 * reads as its JSON field type. A field is nullable only when it holds a null.
 */
import { DataFrame, Field, FieldType } from '@grafana/data';

import { IpcColumn, writeIpcFile } from '../../../../shared/common/arrow-ipc-writer';

const NS_PER_MS = 1_000_000n;
const TWO_32 = 2 ** 32;
const EMPTY = new Uint8Array(0);

/** A frame that cannot be encoded (a bug of ours, not the user's). */
export class FrameEncodingError extends Error {
  override name = 'FrameEncodingError';
}

function isNull(value: unknown): boolean {
  return value === null || value === undefined;
}

/** A column's type and buffers, before its field's name and metadata. */
type ColumnData = Pick<IpcColumn, 'type' | 'nullCount' | 'buffers'>;

/**
 * A validity bitmap of `length` bits, one per value: unset for a null. Empty when no value is
 * null, which Arrow reads as all valid.
 */
function validity(
  values: readonly unknown[],
  length: number,
): { bitmap: Uint8Array; nulls: number } {
  const bitmap = new Uint8Array(Math.ceil(length / 8));
  let nulls = 0;
  for (let i = 0; i < length; i++) {
    if (isNull(values[i])) nulls++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { bitmap: nulls > 0 ? bitmap : EMPTY, nulls };
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Writes `ms * 10^6 + nanos` into the int64 at `i` as two 32-bit halves (Arrow and the hosts
 * Node runs on are little-endian): each step stays below 2^53, so it is exact without a BigInt
 * per value. Times before 1970 take BigInt.
 */
function writeNanos(ns: BigInt64Array, words: Uint32Array, i: number, ms: number, nanos: number) {
  if (ms < 0 || ms > Number.MAX_SAFE_INTEGER || !(nanos >= 0 && nanos < 1e6)) {
    ns[i] = BigInt(ms) * NS_PER_MS + BigInt(nanos);
    return;
  }
  const low = (ms % TWO_32) * 1e6 + nanos;
  words[2 * i] = low % TWO_32;
  words[2 * i + 1] = Math.floor(ms / TWO_32) * 1e6 + Math.floor(low / TWO_32);
}

function timeData(field: Field, values: readonly unknown[], length: number): ColumnData {
  const ns = new BigInt64Array(length);
  const words = new Uint32Array(ns.buffer);
  for (let i = 0; i < length; i++) {
    const ms = values[i];
    if (typeof ms === 'number' && Number.isFinite(ms)) {
      writeNanos(ns, words, i, Math.floor(ms), field.nanos?.[i] ?? 0);
    }
  }
  const valid = validity(values, length);
  return { type: 'timestamp_ns', nullCount: valid.nulls, buffers: [valid.bitmap, bytesOf(ns)] };
}

function numberData(values: readonly unknown[], length: number): ColumnData {
  const data = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const v = values[i];
    data[i] = typeof v === 'number' ? v : 0;
  }
  const valid = validity(values, length);
  return { type: 'float64', nullCount: valid.nulls, buffers: [valid.bitmap, bytesOf(data)] };
}

function boolData(values: readonly unknown[], length: number): ColumnData {
  const data = new Uint8Array(Math.ceil(length / 8));
  for (let i = 0; i < length; i++) if (values[i]) data[i >> 3]! |= 1 << (i & 7);
  const valid = validity(values, length);
  return { type: 'bool', nullCount: valid.nulls, buffers: [valid.bitmap, data] };
}

/**
 * Utf8 (or Binary) data: every value's UTF-8 bytes end to end, and where each starts. When the
 * whole column is ASCII (what panels mostly show), one native call encodes it all, where a call
 * per value cost more than the copy.
 */
function bytesData(
  type: 'utf8' | 'binary',
  values: readonly unknown[],
  toText: (value: unknown) => string,
  length: number,
): ColumnData {
  const texts = new Array<string>(length);
  // JSON.stringify answers undefined for a function, say: written as an empty value.
  for (let i = 0; i < length; i++) texts[i] = isNull(values[i]) ? '' : (toText(values[i]) ?? '');
  const joined = texts.join('');
  const size = Buffer.byteLength(joined, 'utf8');
  const ascii = size === joined.length;
  const offsets = new Int32Array(length + 1);
  for (let i = 0, at = 0; i < length; i++) {
    at += ascii ? texts[i]!.length : Buffer.byteLength(texts[i]!, 'utf8');
    offsets[i + 1] = at;
  }
  // Otherwise each value is encoded on its own: encoding the joined text could pair one
  // value's lone surrogate with the next one's.
  const data = Buffer.allocUnsafe(offsets[length]!);
  if (ascii) data.write(joined, 0, 'latin1');
  else for (let i = 0; i < length; i++) data.write(texts[i]!, offsets[i]!, 'utf8');
  const valid = validity(values, length);
  return { type, nullCount: valid.nulls, buffers: [valid.bitmap, bytesOf(offsets), data] };
}

/** The Arrow data of one field. */
function column(field: Field, length: number): ColumnData {
  const values = field.values as readonly unknown[];
  switch (field.type) {
    case FieldType.time:
      return timeData(field, values, length);
    case FieldType.number:
      return numberData(values, length);
    case FieldType.boolean:
      return boolData(values, length);
    case FieldType.string:
      return bytesData('utf8', values, String, length);
    case FieldType.other:
      return bytesData('binary', values, (value) => JSON.stringify(value), length);
    default:
      throw new FrameEncodingError(
        `field "${field.name}" has type ${field.type}, which Arrow frames here do not carry`,
      );
  }
}

function metadata(entries: Array<[string, unknown]>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [key, value] of entries) {
    if (value === undefined) continue;
    map.set(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return map;
}

function hasKeys(value: object | undefined): boolean {
  return value !== undefined && Object.keys(value).length > 0;
}

/** A field's metadata as Grafana reads it: its name, and its labels and config when it has any. */
export function fieldMetadata(
  field: Pick<Field, 'name' | 'labels' | 'config'>,
): Map<string, string> {
  return metadata([
    ['name', field.name],
    ['labels', hasKeys(field.labels) ? field.labels : undefined],
    ['config', hasKeys(field.config) ? field.config : undefined],
  ]);
}

/** A frame's schema metadata as Grafana reads it: name, refId, and meta when it has any. */
export function frameMetadata(
  frame: Pick<DataFrame, 'name' | 'refId' | 'meta'>,
): Map<string, string> {
  return metadata([
    ['name', frame.name ?? ''],
    ['refId', frame.refId ?? ''],
    ['meta', hasKeys(frame.meta) ? frame.meta : undefined],
  ]);
}

/** One field of `length` values as a column of a frame's file. */
export function fieldColumn(field: Field, length: number, frameName = ''): IpcColumn {
  if (field.values.length !== length) {
    throw new FrameEncodingError(
      `field "${field.name}" of frame "${frameName}" has ${field.values.length} values, the frame ${length} rows`,
    );
  }
  const data = column(field, length);
  return {
    ...data,
    name: field.name,
    nullable: data.nullCount > 0,
    metadata: fieldMetadata(field),
  };
}

/** One frame as an Arrow IPC file. */
export function encodeFrame(frame: DataFrame): Uint8Array {
  const length = frame.length ?? frame.fields[0]?.values.length ?? 0;
  const columns = frame.fields.map((field) => fieldColumn(field, length, frame.name ?? ''));
  return writeIpcFile(columns, length, frameMetadata(frame));
}
