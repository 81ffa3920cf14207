import { gzipSync } from 'node:zlib';
import {
  Bool,
  FixedSizeBinary,
  Table,
  Utf8,
  makeData,
  makeVector,
  tableFromArrays,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import {
  ArrowTypeSpec,
  EOS,
  FieldSpec,
  batchOf,
  int64,
  int64Column,
  recordBatchMessage,
  schemaMessage,
  stream,
  utf8,
  utf8Column,
} from '../support/arrow-ipc';
import {
  TestGateway,
  getJson,
  ingest,
  postArrow,
  postJson,
  startTestGateway,
} from '../support/gateway';
import { httpRows } from '../support/rows';

const ARROW = 'application/vnd.apache.arrow.stream';
const T0 = BigInt(Date.now()) * 1_000_000n;

async function tableRows(url: string, name: string): Promise<number> {
  const { body } = await getJson(`${url}/v1/tables`);
  return body.tables.find((t: { name: string }) => t.name === name).rows;
}

describe('POST /v1/ingest', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ ingest: { maxBodyMb: 1 } });
  });
  afterAll(() => gw.close());

  it('stores 1,000 JSON http_events rows and lists them in /v1/tables', async () => {
    const before = await tableRows(gw.url, 'http_events');
    const res = await postJson(`${gw.url}/v1/ingest`, {
      table: 'http_events',
      rows: httpRows(1000),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ table: 'http_events', rows: 1000 });
    expect(await tableRows(gw.url, 'http_events')).toBe(before + 1000);
  });

  it('lists every table with its columns, types and semantic types', async () => {
    const { status, body } = await getJson(`${gw.url}/v1/tables`);
    expect(status).toBe(200);
    const http = body.tables.find((t: { name: string }) => t.name === 'http_events');
    expect(http.columns.slice(0, 4)).toEqual([
      { name: 'time_', type: 'TIME64NS', semanticType: 'ST_NONE' },
      { name: 'upid', type: 'UINT128', semanticType: 'ST_UPID' },
      { name: 'remote_addr', type: 'STRING', semanticType: 'ST_IP_ADDRESS' },
      { name: 'remote_port', type: 'INT64', semanticType: 'ST_PORT' },
    ]);
    expect(http.columns.find((c: { name: string }) => c.name === 'latency')).toEqual({
      name: 'latency',
      type: 'INT64',
      semanticType: 'ST_DURATION_NS',
    });
    expect(body.tables.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(['http_events', 'conn_stats', 'process_stats', 'network_stats']),
    );
  });

  const bad: Array<[string, unknown, number, string]> = [
    [
      'an unknown table',
      { table: 'nope', rows: [{}] },
      400,
      'unknown table "nope"; known tables: http_events, conn_stats',
    ],
    [
      'an unknown column',
      { table: 'http_events', rows: [{}, { req_path: '/', color: 'red' }] },
      400,
      'table "http_events", row 1, column "color": unknown column',
    ],
    [
      'a wrong type',
      { table: 'http_events', rows: [{}, {}, { resp_status: 'teapot' }] },
      400,
      'table "http_events", row 2, column "resp_status": expected INT64',
    ],
    [
      'a fractional INT64',
      { table: 'http_events', rows: [{ latency: 1.5 }] },
      400,
      'row 0, column "latency": expected INT64',
    ],
    [
      'a null value',
      { table: 'http_events', rows: [{ req_path: null }] },
      400,
      'row 0, column "req_path": null is not a value',
    ],
    [
      'a bad UPID',
      { table: 'http_events', rows: [{ upid: '1:2:x' }] },
      400,
      'row 0, column "upid": expected UINT128',
    ],
    [
      'a row that is not an object',
      { table: 'http_events', rows: [{}, 7] },
      400,
      'table "http_events", row 1: expected an object',
    ],
    [
      'rows that are not an array',
      { table: 'http_events', rows: {} },
      400,
      '"rows" must be an array',
    ],
    ['an unparseable body', '{"table": "http_events", "rows": [', 400, 'body is not valid JSON'],
  ];
  it.each(bad)(
    'refuses %s with a 4xx naming the problem, changing nothing',
    async (_what, body, status, message) => {
      const before = await tableRows(gw.url, 'http_events');
      const res = await postJson(`${gw.url}/v1/ingest`, body);
      expect(res.status).toBe(status);
      expect(res.body.error.message).toContain(message);
      expect(await tableRows(gw.url, 'http_events')).toBe(before);
    },
  );

  it('answers 413 for a body over the limit, and 415 for an unknown media type', async () => {
    const big = {
      table: 'http_events',
      rows: httpRows(1).map((r) => ({ ...r, req_body: 'x'.repeat(2 * 1024 * 1024) })),
    };
    const res = await postJson(`${gw.url}/v1/ingest`, big);
    expect(res.status).toBe(413);
    expect(res.body.error.message).toContain(
      'request body is larger than the limit of 1048576 bytes',
    );
    const plain = await fetch(`${gw.url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(plain.status).toBe(415);
  });

  it('accepts gzip-encoded JSON bodies', async () => {
    const before = await tableRows(gw.url, 'conn_stats');
    const res = await fetch(`${gw.url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(
        JSON.stringify({ table: 'conn_stats', rows: [{ bytes_sent: 5 }, { bytes_sent: 6 }] }),
      ),
    });
    expect(res.status).toBe(200);
    expect(await tableRows(gw.url, 'conn_stats')).toBe(before + 2);
  });

  it('stores an Arrow IPC stream with plain, dictionary and fixed-size-binary columns', async () => {
    const before = await tableRows(gw.url, 'http_events');
    const n = 3000;
    const upids = new Uint8Array(16 * n);
    const view = new DataView(upids.buffer);
    for (let i = 0; i < n; i++) {
      view.setBigUint64(i * 16, 99n, true); // low: start ticks
      view.setBigUint64(i * 16 + 8, (1n << 32n) | BigInt(i), true); // high: asid << 32 | pid
    }
    const table = new Table({
      time_: makeVector(BigInt64Array.from({ length: n }, (_, i) => T0 + BigInt(i))),
      upid: makeVector(makeData({ type: new FixedSizeBinary(16), length: n, data: upids })),
      req_path: vectorFromArray(
        Array.from({ length: n }, (_, i) => `/items/${i}/with/a/longer/path`),
        new Utf8(),
      ),
      req_method: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 2 ? 'GET' : 'POST'))),
      latency: makeVector(BigInt64Array.from({ length: n }, (_, i) => BigInt(i * 10))),
    });
    const res = await fetch(`${gw.url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': ARROW, 'x-pxgate-table': 'http_events' },
      body: tableToIPC(table, 'stream'),
    });
    expect(await res.json()).toMatchObject({ rows: n });
    expect(await tableRows(gw.url, 'http_events')).toBe(before + n);
    const conn = await gw.gateway.store.connect();
    const got = (
      await conn.runAndReadAll(
        `SELECT count(*), count(DISTINCT req_path), sum(latency), min(upid >> 96), max((upid >> 64) & 4294967295), count(*) FILTER (req_method = 'GET')
         FROM http_events WHERE req_path LIKE '/items/%'`,
      )
    ).getRows();
    conn.closeSync();
    expect(got).toEqual([
      [BigInt(n), BigInt(n), BigInt((10 * n * (n - 1)) / 2), 1n, BigInt(n - 1), BigInt(n / 2)],
    ]);
  });

  it('refuses an Arrow stream with an unknown column, a wrong type or no table header', async () => {
    const before = await tableRows(gw.url, 'http_events');
    const send = (table: Table, name = 'http_events') =>
      fetch(`${gw.url}/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': ARROW, ...(name ? { 'x-pxgate-table': name } : {}) },
        body: tableToIPC(table, 'stream'),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { error: { message: string } },
      }));
    const unknown = await send(tableFromArrays({ shoe_size: Float64Array.from([1]) }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain(
      'table "http_events", column "shoe_size": unknown column',
    );
    const wrong = await send(new Table({ req_path: vectorFromArray([true], new Bool()) }));
    expect(wrong.body.error.message).toContain(
      'column "req_path": Arrow type Bool cannot be stored in a STRING column',
    );
    const nulls = await send(
      new Table({ req_path: vectorFromArray(['a', null, 'c'], new Utf8()) }),
    );
    expect(nulls.body.error.message).toContain(
      'table "http_events", row 1, column "req_path": null is not a value',
    );
    const noHeader = await send(tableFromArrays({ latency: BigInt64Array.from([1n]) }), '');
    expect(noHeader.body.error.message).toContain('X-Pxgate-Table');
    const garbage = await fetch(`${gw.url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': ARROW, 'x-pxgate-table': 'http_events' },
      body: Buffer.from('definitely not arrow'),
    });
    expect(garbage.status).toBe(400);
    expect(await tableRows(gw.url, 'http_events')).toBe(before);
  });

  it('makes ingested rows visible to readers as soon as the ingest call returns', async () => {
    const conn = await gw.gateway.store.connect();
    const count = async () =>
      (
        await conn.runAndReadAll(`SELECT count(*) FROM conn_stats WHERE protocol = 77`)
      ).getRows()[0]![0];
    expect(await count()).toBe(0n);
    await postJson(`${gw.url}/v1/ingest`, { table: 'conn_stats', rows: [{ protocol: 77 }] });
    expect(await count()).toBe(1n);
    conn.closeSync();
  });
});

describe('time_ at ingest', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.close());

  /** time_ of the rows whose req_path is `path`, as decimal strings. */
  async function timesOf(path: string): Promise<string[]> {
    const conn = await gw.gateway.store.connect();
    try {
      const reader = await conn.runAndReadAll(
        `SELECT time_ FROM http_events WHERE req_path = '${path}' ORDER BY time_`,
      );
      return reader.getRows().map((r) => String(r[0]));
    } finally {
      conn.closeSync();
    }
  }

  const units: Array<[string, string | number, string]> = [
    [
      'milliseconds',
      1796544001615,
      '1796544001615 looks like milliseconds since the epoch (2026-12-06T',
    ],
    ['seconds', '1796544001', '1796544001 looks like seconds since the epoch (2026-12-06T'],
    [
      'microseconds',
      '1796544001615123',
      '1796544001615123 looks like microseconds since the epoch (2026-12-06T',
    ],
    ['no unit (0)', 0, '0 is not a time between 2000 and 2100 in nanoseconds, microseconds'],
  ];
  it.each(units)(
    'refuses a JSON time_ given in %s, saying what unit it looks like',
    async (_unit, time, message) => {
      const res = await postJson(`${gw.url}/v1/ingest`, {
        table: 'http_events',
        rows: [
          { time_: String(T0), req_path: '/unit' },
          { time_: time, req_path: '/unit' },
        ],
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        `table "http_events", row 1, column "time_": ${message}`,
      );
      expect(await timesOf('/unit')).toEqual([]);
    },
  );

  it('takes RFC 3339 time_ strings to the nanosecond, in any offset', async () => {
    const res = await postJson(`${gw.url}/v1/ingest`, {
      table: 'http_events',
      rows: [
        { time_: '2026-12-06T10:00:00.123456789+01:00', req_path: '/rfc3339' },
        { time_: '2026-12-06T09:00:01Z', req_path: '/rfc3339' },
      ],
    });
    expect(res.status).toBe(200);
    const nine = BigInt(Date.UTC(2026, 11, 6, 9)) * 1_000_000n;
    expect(await timesOf('/rfc3339')).toEqual([
      String(nine + 123_456_789n),
      String(nine + 1_000_000_000n),
    ]);
    const wrong = await postJson(`${gw.url}/v1/ingest`, {
      table: 'http_events',
      rows: [{ time_: '2026-02-30T00:00:00Z' }],
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('row 0, column "time_": expected TIME64NS');
  });

  it('stamps JSON rows without a time_ with the ingest time', async () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    await ingest(gw.url, 'http_events', [{ req_path: '/stamped' }, { req_path: '/stamped' }]);
    const after = BigInt(Date.now()) * 1_000_000n;
    const times = (await timesOf('/stamped')).map(BigInt);
    expect(times).toHaveLength(2);
    for (const t of times) {
      expect(t >= before && t <= after).toBe(true);
    }
  });

  /** Sends an Arrow stream of req_path '/arrow-time' rows, with a time_ field when given. */
  async function sendTimes(time?: { type: ArrowTypeSpec; values: bigint[] }) {
    const n = time?.values.length ?? 2;
    const fields: FieldSpec[] = [{ name: 'req_path', type: utf8 }];
    const columns = [utf8Column(Array.from({ length: n }, () => '/arrow-time'))];
    if (time) {
      fields.push({ name: 'time_', type: time.type });
      columns.push(int64Column(time.values));
    }
    const body = stream(schemaMessage(fields), recordBatchMessage(batchOf(n, columns)), EOS);
    return postArrow(gw.url, 'http_events', body);
  }

  it('converts Arrow Timestamps by their unit, refuses plain integers in another unit, and stamps a stream without time_', async () => {
    const ms = 1796544001615n;
    const converted = await sendTimes({
      type: { kind: 'timestamp', unit: 'millisecond' },
      values: [ms],
    });
    expect(converted.status).toBe(200);
    expect(await timesOf('/arrow-time')).toEqual([String(ms * 1_000_000n)]);
    const plain = await sendTimes({ type: int64, values: [T0, ms] });
    expect(plain.status).toBe(400);
    expect(plain.body.error?.message).toContain(
      'table "http_events", row 1, column "time_": 1796544001615 looks like milliseconds',
    );
    const before = BigInt(Date.now()) * 1_000_000n;
    expect((await sendTimes()).status).toBe(200);
    const stamped = (await timesOf('/arrow-time')).map(BigInt).filter((t) => t >= before);
    expect(stamped).toHaveLength(2);
  });
});
