import { RecordBatchReader, Type } from 'apache-arrow';
import { decodeArrowStream } from '../../../gateway/src/ingest/arrow';
import { CONN_STATS, HTTP_EVENTS } from '../../../gateway/src/store/schemas';
import { TableSchema } from '../../../gateway/src/store/types';
import { encodeRows } from './arrow-encode';
import { Row } from './row';

/** Decodes with the gateway's own ingest decoder and reads every value back as JS. */
function roundTrip(schema: TableSchema, rows: Row[]): Record<string, unknown>[] {
  const [batch] = decodeArrowStream(schema, encodeRows(schema, rows));
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

describe('encodeRows', () => {
  it("round-trips http_events through the gateway's Arrow decoder", () => {
    const row: Row = {
      time_: 1732700000123456789n,
      upid: { high: (0n << 32n) | 4242n, low: 987654n },
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
      resp_headers: '{}',
      resp_status: 201,
      resp_message: 'Created',
      resp_body: '',
      resp_body_size: 0,
      latency: 1250000n,
    };
    const [back] = roundTrip(HTTP_EVENTS, [row]);
    const expected = Object.fromEntries(
      Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? BigInt(v) : v]),
    );
    expect(back).toEqual(expected);
  });

  it('sends zero values for columns a row leaves out, and booleans as bits', () => {
    const rows: Row[] = Array.from({ length: 10 }, (_, i) => ({ ssl: i % 3 === 0, conn_open: i }));
    const back = roundTrip(CONN_STATS, rows);
    expect(back.map((r) => r.ssl)).toEqual(rows.map((r) => r.ssl));
    expect(back[4]).toMatchObject({ remote_addr: '', conn_open: 4n, upid: { low: 0n, high: 0n } });
  });

  it('uses the fast-path Arrow types', () => {
    const reader = RecordBatchReader.from(encodeRows(HTTP_EVENTS, [{}]));
    const [batch] = [...reader];
    const types = Object.fromEntries(batch!.schema.fields.map((f) => [f.name, f.type.typeId]));
    expect(types).toMatchObject({
      time_: Type.Int,
      upid: Type.FixedSizeBinary,
      req_path: Type.Utf8,
      latency: Type.Int,
    });
  });
});
