/**
 * Arrow frames back to data frames, as Grafana's server reads a backend's DataResponse
 * (grafana-plugin-sdk-go's UnmarshalArrowFrame): one Arrow IPC *file* per frame, the frame's
 * name, refId and meta from the schema's metadata, each field's name, labels and config from
 * its own. Timestamps are nanoseconds, split into milliseconds and the remaining nanoseconds as
 * Grafana's frontend keeps them; Binary fields are JSON.
 */
import { DataFrame, Field, FieldType } from '@grafana/data';
import { Data, DataType, RecordBatchFileReader, Type } from 'apache-arrow';

const MAGIC = 'ARROW1';

function json<T>(text: string | undefined): T | undefined {
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

function fieldType(type: DataType): FieldType {
  switch (type.typeId) {
    case Type.Timestamp:
      return FieldType.time;
    case Type.Float:
    case Type.Int:
      return FieldType.number;
    case Type.Utf8:
      return FieldType.string;
    case Type.Bool:
      return FieldType.boolean;
    case Type.Binary:
      return FieldType.other;
    default:
      throw new Error(`a Grafana frame has no field of Arrow type ${String(type)}`);
  }
}

function isValid(data: Data, i: number): boolean {
  return (
    !data.nullBitmap || data.nullCount === 0 || (data.nullBitmap[i >> 3]! & (1 << (i & 7))) !== 0
  );
}

function cell(data: Data, i: number, type: FieldType): unknown {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = () => (data.values as Uint8Array).subarray(offsets[i]!, offsets[i + 1]!);
  switch (type) {
    case FieldType.number:
      return Number((data.values as Float64Array)[i]);
    case FieldType.boolean:
      return ((data.values as Uint8Array)[i >> 3]! & (1 << (i & 7))) !== 0;
    case FieldType.string:
      return new TextDecoder().decode(bytes());
    default:
      return JSON.parse(new TextDecoder().decode(bytes()));
  }
}

/** A column's values over every record batch (Grafana appends them). */
function values(chunks: Data[], type: FieldType): { values: unknown[]; nanos?: number[] } {
  const out: unknown[] = [];
  const nanos: number[] = [];
  for (const data of chunks) {
    for (let i = 0; i < data.length; i++) {
      if (!isValid(data, i)) {
        out.push(null);
        nanos.push(0);
      } else if (type === FieldType.time) {
        const ns = (data.values as BigInt64Array)[i]!;
        out.push(Number(ns / 1_000_000n));
        nanos.push(Number(ns % 1_000_000n));
      } else {
        out.push(cell(data, i, type));
      }
    }
  }
  return type === FieldType.time && nanos.some((n) => n !== 0)
    ? { values: out, nanos }
    : { values: out };
}

/** Decodes one frame; throws unless it is an Arrow IPC file. */
export function decodeFrame(bytes: Uint8Array): DataFrame {
  const text = (from: number, to: number) =>
    Buffer.from(bytes.subarray(from, to)).toString('latin1');
  if (text(0, 6) !== MAGIC || text(bytes.length - 6, bytes.length) !== MAGIC) {
    throw new Error('the frame is not an Arrow IPC file (no ARROW1 magic at both ends)');
  }
  // The footer's schema, field by field: fields may share a name (a wide frame's series do).
  const reader = RecordBatchFileReader.from(bytes);
  reader.open();
  const schema = reader.schema;
  const batches = [...reader];
  const meta = schema.metadata;
  const fields: Field[] = schema.fields.map((f, i) => {
    const type = fieldType(f.type);
    if (type === FieldType.time && (f.type as { unit?: number }).unit !== 3) {
      throw new Error(`time field "${f.name}" is not in nanoseconds`);
    }
    const field: Field = {
      name: f.metadata.get('name') ?? f.name,
      type,
      config: json(f.metadata.get('config')) ?? {},
      ...values(
        batches.map((b) => b.data.children[i]!),
        type,
      ),
    };
    const labels = json<Record<string, string>>(f.metadata.get('labels'));
    if (labels) field.labels = labels;
    return field;
  });
  return {
    name: meta.get('name') || undefined,
    refId: meta.get('refId') || undefined,
    meta: json(meta.get('meta')),
    fields,
    length: batches.reduce((n, b) => n + b.numRows, 0),
  };
}
