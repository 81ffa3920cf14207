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
  DataType,
  Field as ArrowField,
  Float64,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  TimestampNanosecond,
  Utf8,
  vectorFromArray,
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

function timeData(field: Field, length: number): Data {
  const ns = new BigInt64Array(length);
  const valid = new Uint8Array(Math.ceil(length / 8));
  let nulls = 0;
  for (let i = 0; i < length; i++) {
    const ms = field.values[i] as number | null | undefined;
    if (isNull(ms) || !Number.isFinite(ms)) {
      nulls++;
      continue;
    }
    ns[i] = BigInt(Math.floor(ms!)) * NS_PER_MS + BigInt(field.nanos?.[i] ?? 0);
    valid[i >> 3]! |= 1 << (i & 7);
  }
  return makeData({
    type: new TimestampNanosecond(),
    length,
    nullCount: nulls,
    nullBitmap: nulls > 0 ? valid : null,
    data: ns,
  });
}

function jsonBytes(value: unknown): Uint8Array | null {
  return isNull(value) ? null : new TextEncoder().encode(JSON.stringify(value));
}

function number(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

/** The Arrow type and the values of one field. */
function column(field: Field, length: number): { type: DataType; data: Data } {
  const values = Array.from({ length }, (_, i) => field.values[i]);
  switch (field.type) {
    case FieldType.time: {
      const data = timeData(field, length);
      return { type: data.type, data };
    }
    case FieldType.number:
      return columnOf(new Float64(), values.map(number));
    case FieldType.boolean:
      return columnOf(
        new Bool(),
        values.map((v) => (isNull(v) ? null : Boolean(v))),
      );
    case FieldType.string:
      return columnOf(
        new Utf8(),
        values.map((v) => (isNull(v) ? null : String(v))),
      );
    case FieldType.other:
      return columnOf(new Binary(), values.map(jsonBytes));
    default:
      throw new FrameEncodingError(
        `field "${field.name}" has type ${field.type}, which Arrow frames here do not carry`,
      );
  }
}

function columnOf<T extends DataType>(type: T, values: unknown[]): { type: DataType; data: Data } {
  const data = vectorFromArray(values as never, type).data[0]!;
  return { type, data };
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
        columns[i]!.data.nullCount > 0,
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
      children: columns.map((c) => c.data),
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
