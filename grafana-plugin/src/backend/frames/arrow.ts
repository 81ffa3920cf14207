/**
 * Data frames to the bytes Grafana reads from a backend: each frame one Arrow IPC *file*, as
 * grafana-plugin-sdk-go's `Frame.MarshalArrow` writes it. The schema's metadata carries the
 * frame's `name`, `refId` and `meta` (JSON); each field's metadata its `name`, `labels` and
 * `config` (JSON). Types are declared, never inferred: time is Timestamp(ns), numbers Float64,
 * text Utf8 (never a dictionary), booleans Bool, and `other` values JSON in Binary, which the SDK
 * reads as its JSON field type. A field is nullable only when it holds a null.
 */
import {
  Binary,
  Bool,
  Data,
  Field as ArrowField,
  Float64,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  TimestampNanosecond,
  Utf8,
} from 'apache-arrow';
import { DataFrame, Field, FieldType } from '@grafana/data';

const NS_PER_MS = 1_000_000n;

/** A frame that cannot be encoded (a bug of ours, not the user's). */
export class FrameEncodingError extends Error {
  override name = 'FrameEncodingError';
}

function isNull(value: unknown): boolean {
  return value === null || value === undefined;
}

/**
 * A validity bitmap of `length` bits, one per value: unset for a null. `null` when no value is
 * null, which Arrow reads as all valid.
 */
function validity(
  values: readonly unknown[],
  length: number,
): { bitmap: Uint8Array | null; nulls: number } {
  const bitmap = new Uint8Array(Math.ceil(length / 8));
  let nulls = 0;
  for (let i = 0; i < length; i++) {
    if (isNull(values[i])) nulls++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { bitmap: nulls > 0 ? bitmap : null, nulls };
}

function timeData(field: Field, values: readonly unknown[], length: number): Data {
  const ns = new BigInt64Array(length);
  const valid = validity(values, length);
  for (let i = 0; i < length; i++) {
    const ms = values[i];
    if (typeof ms === 'number' && Number.isFinite(ms)) {
      ns[i] = BigInt(Math.floor(ms)) * NS_PER_MS + BigInt(field.nanos?.[i] ?? 0);
    }
  }
  return makeData({
    type: new TimestampNanosecond(),
    length,
    nullCount: valid.nulls,
    nullBitmap: valid.bitmap,
    data: ns,
  });
}

function numberData(values: readonly unknown[], length: number): Data {
  const data = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const v = values[i];
    data[i] = typeof v === 'number' ? v : 0;
  }
  const valid = validity(values, length);
  return makeData({
    type: new Float64(),
    length,
    nullCount: valid.nulls,
    nullBitmap: valid.bitmap,
    data,
  });
}

function boolData(values: readonly unknown[], length: number): Data {
  const data = new Uint8Array(Math.ceil(length / 8));
  for (let i = 0; i < length; i++) if (values[i]) data[i >> 3]! |= 1 << (i & 7);
  const valid = validity(values, length);
  return makeData({
    type: new Bool(),
    length,
    nullCount: valid.nulls,
    nullBitmap: valid.bitmap,
    data,
  });
}

/** Utf8 (or Binary) data: every value's UTF-8 bytes end to end, and where each starts. */
function bytesData<T extends Utf8 | Binary>(
  type: T,
  texts: ReadonlyArray<string | null>,
  length: number,
): Data {
  const valueOffsets = new Int32Array(length + 1);
  let size = 0;
  for (let i = 0; i < length; i++) {
    size += texts[i] === null ? 0 : Buffer.byteLength(texts[i]!, 'utf8');
    valueOffsets[i + 1] = size;
  }
  const data = Buffer.alloc(size);
  for (let i = 0; i < length; i++) {
    if (texts[i] !== null) data.write(texts[i]!, valueOffsets[i]!, 'utf8');
  }
  const valid = validity(texts, length);
  return makeData({
    type,
    length,
    nullCount: valid.nulls,
    nullBitmap: valid.bitmap,
    valueOffsets,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  } as never);
}

/** The Arrow data of one field. */
function column(field: Field, length: number): Data {
  const values = field.values as readonly unknown[];
  switch (field.type) {
    case FieldType.time:
      return timeData(field, values, length);
    case FieldType.number:
      return numberData(values, length);
    case FieldType.boolean:
      return boolData(values, length);
    case FieldType.string:
      return bytesData(
        new Utf8(),
        Array.from({ length }, (_, i) => (isNull(values[i]) ? null : String(values[i]))),
        length,
      );
    case FieldType.other:
      return bytesData(
        new Binary(),
        Array.from({ length }, (_, i) => (isNull(values[i]) ? null : JSON.stringify(values[i]))),
        length,
      );
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

/** One frame as an Arrow IPC file. */
export function encodeFrame(frame: DataFrame): Uint8Array {
  const length = frame.length ?? frame.fields[0]?.values.length ?? 0;
  const columns = frame.fields.map((field) => {
    if (field.values.length !== length) {
      throw new FrameEncodingError(
        `field "${field.name}" of frame "${frame.name ?? ''}" has ${field.values.length} values, the frame ${length} rows`,
      );
    }
    return column(field, length);
  });
  const fields = frame.fields.map(
    (field, i) =>
      new ArrowField(
        field.name,
        columns[i]!.type,
        columns[i]!.nullCount > 0,
        metadata([
          ['name', field.name],
          ['labels', hasKeys(field.labels) ? field.labels : undefined],
          ['config', hasKeys(field.config) ? field.config : undefined],
        ]),
      ),
  );
  const schema = new Schema(
    fields,
    metadata([
      ['name', frame.name ?? ''],
      ['refId', frame.refId ?? ''],
      ['meta', hasKeys(frame.meta) ? frame.meta : undefined],
    ]),
  );
  const batch = new RecordBatch(
    schema,
    makeData({
      type: new Struct(fields),
      length,
      nullCount: 0,
      children: columns,
    }),
  );
  // Arrow's RecordBatch (and Table) merge fields that share a name into the first of them, and
  // a wide frame's series share theirs: the batch and the writer get the schema as built.
  (batch as { schema: Schema }).schema = schema;
  const writer = new RecordBatchFileWriter();
  writer.reset(undefined, schema);
  writer.write(batch);
  writer.finish();
  return writer.toUint8Array(true);
}
