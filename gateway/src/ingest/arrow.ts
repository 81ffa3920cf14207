import {
  Data,
  DataType as ArrowType,
  RecordBatch,
  RecordBatchReader,
  TimeUnit,
  Type,
  Vector,
} from 'apache-arrow';
import { TextDecoder } from 'node:util';
import {
  ColumnBatch,
  ColumnData,
  StringValues,
  columnBatch,
  stringHeapBytes,
} from '../store/batch';
import { ColumnSchema, TableSchema } from '../store/types';
import { IngestError } from './errors';
import { toUint128 } from './values';

/** Media type of an Arrow IPC stream, the agent's wire format. */
export const ARROW_STREAM_TYPE = 'application/vnd.apache.arrow.stream';

const NS_PER_UNIT: Record<TimeUnit, bigint> = {
  [TimeUnit.SECOND]: 1_000_000_000n,
  [TimeUnit.MILLISECOND]: 1_000_000n,
  [TimeUnit.MICROSECOND]: 1_000n,
  [TimeUnit.NANOSECOND]: 1n,
};

/**
 * Decodes an Arrow IPC stream into column batches of the table, one per record batch. Fields are
 * matched to columns by name; a column the stream lacks takes its zero value. Numeric and Utf8
 * buffers are used in place, without copying values one by one.
 */
export function decodeArrowStream(schema: TableSchema, body: Uint8Array): ColumnBatch[] {
  let reader: RecordBatchReader;
  let batches: RecordBatch[];
  try {
    reader = RecordBatchReader.from(body);
    batches = [...reader];
  } catch (err) {
    throw IngestError.at(
      schema.name,
      undefined,
      undefined,
      `body is not a valid Arrow IPC stream: ${(err as Error).message}`,
    );
  }
  const parts: ColumnBatch[] = [];
  let firstRow = 0;
  for (const batch of batches) {
    parts.push(decodeBatch(schema, batch, firstRow));
    firstRow += batch.numRows;
  }
  return parts;
}

function decodeBatch(schema: TableSchema, batch: RecordBatch, firstRow: number): ColumnBatch {
  const n = batch.numRows;
  const byName = new Map<string, Vector>();
  batch.schema.fields.forEach((field, i) => {
    if (!schema.columns.some((c) => c.name === field.name)) {
      throw IngestError.at(
        schema.name,
        undefined,
        field.name,
        `unknown column; the table has ${schema.columns.map((c) => c.name).join(', ')}`,
      );
    }
    if (byName.has(field.name))
      throw IngestError.at(schema.name, undefined, field.name, 'the stream has this column twice');
    byName.set(field.name, batch.getChildAt(i)!);
  });
  let heapBytes = 0;
  const columns = schema.columns.map((c) => {
    const vector = byName.get(c.name);
    if (!vector) return zeroColumn(c, n);
    const data = vector.data[0]!;
    if (data.nullCount > 0) {
      const row = firstNull(data);
      throw IngestError.at(
        schema.name,
        firstRow + row,
        c.name,
        'null is not a value; leave the column out to store its zero value',
      );
    }
    const column = convert(schema.name, c, data, firstRow);
    if (column.type === 'STRING') heapBytes += stringBytes(column.values);
    return column;
  });
  return columnBatch(schema, n, columns, heapBytes);
}

function convert(table: string, c: ColumnSchema, data: Data, firstRow: number): ColumnData {
  const type = data.type as ArrowType;
  const n = data.length;
  const wrong = (): IngestError =>
    IngestError.at(
      table,
      undefined,
      c.name,
      `Arrow type ${String(type)} cannot be stored in a ${c.type} column (${accepted(c)})`,
    );
  switch (c.type) {
    case 'INT64':
    case 'TIME64NS': {
      if (type.typeId === Type.Int || (c.type === 'TIME64NS' && type.typeId === Type.Timestamp)) {
        const scale =
          type.typeId === Type.Timestamp
            ? NS_PER_UNIT[(type as unknown as { unit: TimeUnit }).unit]
            : 1n;
        return { type: c.type, values: toBigInt64(table, c, data, scale, firstRow) };
      }
      throw wrong();
    }
    case 'FLOAT64': {
      if (type.typeId === Type.Float && data.values instanceof Float64Array) {
        return { type: 'FLOAT64', values: data.values.subarray(data.offset, data.offset + n) };
      }
      if (type.typeId === Type.Float || type.typeId === Type.Int) {
        const out = new Float64Array(n);
        const src = data.values as ArrayLike<number | bigint>;
        for (let i = 0; i < n; i++) out[i] = Number(src[data.offset + i]!);
        return { type: 'FLOAT64', values: out };
      }
      throw wrong();
    }
    case 'BOOLEAN': {
      if (type.typeId !== Type.Bool) throw wrong();
      const out = new Uint8Array(n);
      const bits = data.values as Uint8Array;
      for (let i = 0; i < n; i++) {
        const bit = data.offset + i;
        out[i] = (bits[bit >> 3]! >> (bit & 7)) & 1;
      }
      return { type: 'BOOLEAN', values: out };
    }
    case 'STRING': {
      const strings = stringValues(data);
      if (!strings) throw wrong();
      return { type: 'STRING', values: strings };
    }
    case 'UINT128': {
      if (
        type.typeId === Type.FixedSizeBinary &&
        (type as unknown as { byteWidth: number }).byteWidth === 16
      ) {
        const bytes = (data.values as Uint8Array).subarray(
          data.offset * 16,
          (data.offset + n) * 16,
        );
        const out = new BigUint64Array(2 * n);
        new Uint8Array(out.buffer).set(bytes);
        return { type: 'UINT128', values: out };
      }
      const strings = stringValues(data);
      if (!strings) throw wrong();
      const out = new BigUint64Array(2 * n);
      const decoder = new TextDecoder();
      for (let i = 0; i < n; i++) {
        const text = stringAt(strings, i, decoder);
        const v = toUint128(text);
        if (!v) {
          throw IngestError.at(
            table,
            firstRow + i,
            c.name,
            `expected UINT128 ("high:low" or "asid:pid:start_ticks"), got ${JSON.stringify(text)}`,
          );
        }
        out[2 * i] = v[0];
        out[2 * i + 1] = v[1];
      }
      return { type: 'UINT128', values: out };
    }
  }
}

function toBigInt64(
  table: string,
  c: ColumnSchema,
  data: Data,
  scale: bigint,
  firstRow: number,
): BigInt64Array {
  const n = data.length;
  const src = data.values as ArrayLike<number | bigint>;
  if (src instanceof BigInt64Array && scale === 1n)
    return src.subarray(data.offset, data.offset + n);
  const out = new BigInt64Array(n);
  const max = 2n ** 63n - 1n;
  for (let i = 0; i < n; i++) {
    const v = BigInt(src[data.offset + i]!) * scale;
    if (v > max || v < -max - 1n)
      throw IngestError.at(table, firstRow + i, c.name, `value ${v} is out of the INT64 range`);
    out[i] = v;
  }
  return out;
}

/** Utf8 (and dictionary-encoded Utf8) columns as buffers; other string encodings as JS strings. */
function stringValues(data: Data): StringValues | undefined {
  const type = data.type as ArrowType;
  const n = data.length;
  if (type.typeId === Type.Utf8) {
    return {
      kind: 'utf8',
      offsets: (data.valueOffsets as Int32Array).subarray(data.offset, data.offset + n + 1),
      data: data.values as Uint8Array,
    };
  }
  if (type.typeId === Type.LargeUtf8) {
    const wide = (data.valueOffsets as unknown as BigInt64Array).subarray(
      data.offset,
      data.offset + n + 1,
    );
    const offsets = Int32Array.from(wide, (v) => Number(v));
    return { kind: 'utf8', offsets, data: data.values as Uint8Array };
  }
  if (type.typeId === Type.Dictionary) {
    const dictionary = data.dictionary as Vector | undefined;
    const valueType = dictionary?.type as ArrowType | undefined;
    if (!dictionary || valueType?.typeId !== Type.Utf8) return undefined;
    const indices = data.values as ArrayLike<number>;
    const values = new Array<string>(n);
    for (let i = 0; i < n; i++) values[i] = dictionary.get(indices[data.offset + i]!) as string;
    return { kind: 'strings', values };
  }
  return undefined;
}

function stringAt(strings: StringValues, i: number, decoder: TextDecoder): string {
  if (strings.kind === 'strings') return strings.values[i]!;
  return decoder.decode(strings.data.subarray(strings.offsets[i]!, strings.offsets[i + 1]!));
}

function stringBytes(strings: StringValues): number {
  let bytes = 0;
  if (strings.kind === 'strings') {
    for (const s of strings.values) bytes += stringHeapBytes(s.length);
  } else {
    const o = strings.offsets;
    for (let i = 0; i + 1 < o.length; i++) bytes += stringHeapBytes(o[i + 1]! - o[i]!);
  }
  return bytes;
}

function zeroColumn(c: ColumnSchema, n: number): ColumnData {
  switch (c.type) {
    case 'INT64':
    case 'TIME64NS':
      return { type: c.type, values: new BigInt64Array(n) };
    case 'FLOAT64':
      return { type: 'FLOAT64', values: new Float64Array(n) };
    case 'BOOLEAN':
      return { type: 'BOOLEAN', values: new Uint8Array(n) };
    case 'UINT128':
      return { type: 'UINT128', values: new BigUint64Array(2 * n) };
    case 'STRING':
      return {
        type: 'STRING',
        values: { kind: 'utf8', offsets: new Int32Array(n + 1), data: new Uint8Array(0) },
      };
  }
}

function firstNull(data: Data): number {
  for (let i = 0; i < data.length; i++) if (!data.getValid(i)) return i;
  return 0;
}

function accepted(c: ColumnSchema): string {
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
