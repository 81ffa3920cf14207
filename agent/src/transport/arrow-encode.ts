import {
  Bool,
  Data,
  DataType,
  Field,
  FixedSizeBinary,
  Float64,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  makeData,
  tableToIPC,
} from 'apache-arrow';
import { ColumnSchema, TableSchema } from '../../../gateway/src/store/types';
import { Row, Uint128, Value } from './row';

/**
 * Encodes rows as one Arrow IPC stream in the gateway's fast-path types: Int64 for INT64 and
 * TIME64NS, FixedSizeBinary(16) little-endian (low half first) for UINT128, Utf8, Float64, Bool.
 * Every column of the table is sent; a row without a value for one sends its zero value.
 */
export function encodeRows(schema: TableSchema, rows: readonly Row[]): Uint8Array {
  const fields = schema.columns.map((c) => new Field(c.name, arrowType(c), false));
  const children = schema.columns.map((c) => column(c, rows));
  const struct = makeData({
    type: new Struct(fields),
    length: rows.length,
    nullCount: 0,
    children,
  });
  const batch = new RecordBatch(new Schema(fields), struct);
  return tableToIPC(new Table([batch]), 'stream');
}

function arrowType(c: ColumnSchema): DataType {
  switch (c.type) {
    case 'INT64':
    case 'TIME64NS':
      return new Int64();
    case 'UINT128':
      return new FixedSizeBinary(16);
    case 'STRING':
      return new Utf8();
    case 'FLOAT64':
      return new Float64();
    case 'BOOLEAN':
      return new Bool();
  }
}

function column(c: ColumnSchema, rows: readonly Row[]): Data {
  const n = rows.length;
  const get = (i: number): Value | undefined => rows[i]![c.name];
  switch (c.type) {
    case 'INT64':
    case 'TIME64NS': {
      const values = new BigInt64Array(n);
      for (let i = 0; i < n; i++) values[i] = toBigInt(get(i));
      return makeData({ type: new Int64(), length: n, nullCount: 0, data: values });
    }
    case 'UINT128': {
      const words = new BigUint64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const v = get(i) as Uint128 | undefined;
        words[2 * i] = BigInt.asUintN(64, v?.low ?? 0n);
        words[2 * i + 1] = BigInt.asUintN(64, v?.high ?? 0n);
      }
      const bytes = new Uint8Array(words.buffer);
      return makeData({ type: new FixedSizeBinary(16), length: n, nullCount: 0, data: bytes });
    }
    case 'STRING': {
      // Two passes (sizes, then one buffer written in place): no per-string allocation.
      const strings = new Array<string>(n);
      const offsets = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) {
        const v = get(i);
        const s = typeof v === 'string' ? v : v === undefined ? '' : String(v);
        strings[i] = s;
        offsets[i + 1] = offsets[i]! + Buffer.byteLength(s, 'utf8');
      }
      const data = Buffer.allocUnsafe(offsets[n]!);
      for (let i = 0; i < n; i++) data.write(strings[i]!, offsets[i]!, 'utf8');
      return makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data });
    }
    case 'FLOAT64': {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = Number(get(i) ?? 0);
      return makeData({ type: new Float64(), length: n, nullCount: 0, data: values });
    }
    case 'BOOLEAN': {
      const bits = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (get(i) === true) bits[i >> 3]! |= 1 << (i & 7);
      return makeData({ type: new Bool(), length: n, nullCount: 0, data: bits });
    }
  }
}

function toBigInt(v: Value | undefined): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  return 0n;
}
