import {
  Bool,
  Field,
  FixedSizeBinary,
  Float64,
  Int64,
  RecordBatch,
  RecordBatchReader,
  Schema,
  Struct,
  Table,
  Type,
  Utf8,
  makeData,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { decodeArrowStream } from '../../gateway/src/ingest/arrow';
import { CONN_STATS, HTTP_EVENTS } from '../../shared/contract/schemas';
import { TableSchema } from '../../shared/contract/types';
import { ArrowStreamEncoder } from '../../agent/src/transport/arrow-stream';
import { TableColumns } from '../../agent/src/transport/columns';
import { Uint128 } from '../../shared/contract/uint128';
import { Row } from '../../agent/src/transport/row';

function encode(schema: TableSchema, rows: readonly Row[], columns = new TableColumns(schema)) {
  columns.reset();
  for (const row of rows) columns.append(row);
  return new ArrowStreamEncoder(schema).encode(columns);
}

/** Decodes with the gateway's own ingest decoder and reads every value back as JS. */
function roundTrip(schema: TableSchema, body: Uint8Array): Record<string, unknown>[] {
  const [batch] = decodeArrowStream(schema, body);
  const text = new TextDecoder();
  return Array.from({ length: batch!.rowCount }, (_, i) =>
    Object.fromEntries(
      schema.columns.map((c, j) => {
        const col = batch!.columns[j]!;
        switch (col.type) {
          case 'STRING': {
            const v = col.values;
            if (v.kind !== 'utf8') throw new Error('expected utf8 buffers');
            return [c.name, text.decode(v.data.subarray(v.offsets[i], v.offsets[i + 1]))];
          }
          case 'UINT128':
            return [c.name, { low: col.values[2 * i], high: col.values[2 * i + 1] }];
          case 'BOOLEAN':
            return [c.name, col.values[i] === 1];
          default:
            return [c.name, col.values[i]];
        }
      }),
    ),
  );
}

/** The same rows encoded by apache-arrow's own builders: the reference. */
function referenceStream(schema: TableSchema, rows: readonly Row[]): Uint8Array {
  const n = rows.length;
  const children = schema.columns.map((c) => {
    const get = (i: number) => rows[i]![c.name];
    switch (c.type) {
      case 'INT64':
      case 'TIME64NS': {
        const values = BigInt64Array.from({ length: n }, (_, i) =>
          BigInt((get(i) ?? 0) as number | bigint),
        );
        return makeData({ type: new Int64(), length: n, nullCount: 0, data: values });
      }
      case 'UINT128': {
        const words = new BigUint64Array(2 * n);
        for (let i = 0; i < n; i++) {
          const v = get(i) as Uint128 | undefined;
          words[2 * i] = v?.low ?? 0n;
          words[2 * i + 1] = v?.high ?? 0n;
        }
        const data = new Uint8Array(words.buffer);
        return makeData({ type: new FixedSizeBinary(16), length: n, nullCount: 0, data });
      }
      case 'STRING':
        return vectorFromArray(
          rows.map((r) => String(r[c.name] ?? '')),
          new Utf8(),
        ).data[0]!;
      case 'FLOAT64': {
        const data = Float64Array.from({ length: n }, (_, i) => Number(get(i) ?? 0));
        return makeData({ type: new Float64(), length: n, nullCount: 0, data });
      }
      case 'BOOLEAN':
        return vectorFromArray(
          rows.map((r) => r[c.name] === true),
          new Bool(),
        ).data[0]!;
    }
  });
  const fields = children.map((d, i) => new Field(schema.columns[i]!.name, d.type, false));
  const struct = makeData({ type: new Struct(fields), length: n, nullCount: 0, children });
  return tableToIPC(new Table([new RecordBatch(new Schema(fields), struct)]), 'stream');
}

const HTTP_ROW: Row = {
  time_: 1732700000123456789n,
  upid: { high: (7n << 32n) | 4242n, low: 987654n },
  remote_addr: '10.0.1.7',
  remote_port: 51234,
  local_addr: '10.0.9.1',
  local_port: 8080,
  trace_role: 2,
  major_version: 1,
  minor_version: 1,
  content_type: 1,
  req_headers: '{"Host":"svc"}',
  req_method: 'POST',
  req_path: '/api/ünïcode?q=1',
  req_body: '{"a":1}',
  req_body_size: 7,
  resp_headers: `{"X-Long":"${'é'.repeat(40)}${'x'.repeat(100)}"}`,
  resp_status: 201,
  resp_message: 'Created',
  resp_body: '',
  resp_body_size: 0,
  latency: 1250000,
};

describe('ArrowStreamEncoder', () => {
  it("round-trips http_events through the gateway's Arrow decoder", () => {
    const [back] = roundTrip(HTTP_EVENTS, encode(HTTP_EVENTS, [HTTP_ROW]));
    const expected = Object.fromEntries(
      Object.entries(HTTP_ROW).map(([k, v]) => [k, typeof v === 'number' ? BigInt(v) : v]),
    );
    // A column the row leaves out takes its type's zero value.
    expect(back).toEqual({ ...expected, encrypted: false });
  });

  it("decodes, with apache-arrow, to exactly what apache-arrow's own encoding holds", () => {
    const rows: Row[] = Array.from({ length: 1500 }, (_, i) => ({
      ...HTTP_ROW,
      time_: 1732700000000000000n + BigInt(i) * 1_000_003n,
      upid: { high: BigInt(i), low: 2n ** 64n - 1n - BigInt(i) },
      remote_port: i,
      // Int64 from JS numbers: negative, past 32 bits, and near 2^53.
      latency: [i * 12345, -i, 2 ** 40 + i, -(2 ** 52) + i, 2 ** 53 - 1 - i][i % 5]!,
      req_path: `/p/${'ab'.repeat(i % 70)}${i % 3 ? '' : '/ü'}`,
      req_body: i % 4 ? '' : `{"i":${i}}`,
      resp_message: i % 11 ? 'OK' : '',
    }));
    const ours = tableFromIPC(encode(HTTP_EVENTS, rows));
    const reference = tableFromIPC(referenceStream(HTTP_EVENTS, rows));
    expect(ours.schema.fields.map(String)).toEqual(reference.schema.fields.map(String));
    expect(ours.numRows).toBe(1500);
    for (const f of reference.schema.fields) {
      expect([...ours.getChild(f.name)!]).toEqual([...reference.getChild(f.name)!]);
    }
  });

  it('sends zero values for columns a row leaves out, and booleans as bits', () => {
    const rows: Row[] = Array.from({ length: 10 }, (_, i) => ({ ssl: i % 3 === 0, conn_open: i }));
    const back = roundTrip(CONN_STATS, encode(CONN_STATS, rows));
    expect(back.map((r) => r.ssl)).toEqual(rows.map((r) => r.ssl));
    expect(back[4]).toMatchObject({ remote_addr: '', conn_open: 4n, upid: { low: 0n, high: 0n } });
  });

  it('reuses its column buffers: a later batch carries nothing of an earlier one', () => {
    const columns = new TableColumns(CONN_STATS);
    const first = Array.from({ length: 700 }, (_, i) => ({
      ssl: true,
      remote_addr: `10.0.0.${i % 250}-${'z'.repeat(i % 90)}`,
      bytes_sent: i,
    }));
    expect(roundTrip(CONN_STATS, encode(CONN_STATS, first, columns))).toHaveLength(700);
    const second: Row[] = [{ ssl: false, remote_addr: 'a' }, { bytes_sent: 5 }];
    const back = roundTrip(CONN_STATS, encode(CONN_STATS, second, columns));
    expect(back).toHaveLength(2);
    expect(back[0]).toMatchObject({ ssl: false, remote_addr: 'a', bytes_sent: 0n });
    expect(back[1]).toMatchObject({ ssl: false, remote_addr: '', bytes_sent: 5n });
  });

  it('encodes an empty batch as a valid stream', () => {
    const [batch] = [...RecordBatchReader.from(encode(CONN_STATS, []))];
    expect(batch!.numRows).toBe(0);
  });

  it('uses the fast-path Arrow types', () => {
    const [batch] = [...RecordBatchReader.from(encode(HTTP_EVENTS, [{}]))];
    const types = Object.fromEntries(batch!.schema.fields.map((f) => [f.name, f.type.typeId]));
    expect(types).toMatchObject({
      time_: Type.Int,
      upid: Type.FixedSizeBinary,
      req_path: Type.Utf8,
      latency: Type.Int,
    });
  });
});
