import { TestGateway, getJson, postJson, startTestGateway } from './support/gateway';

const T0 = 1_800_000_000_000_000_000n;

describe('POST /v1/query', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway();
    const rows = [
      {
        time_: String(T0),
        upid: '1:42:7',
        req_method: 'GET',
        req_path: '/a',
        resp_status: 200,
        latency: 1000,
      },
      {
        time_: String(T0 + 1n),
        upid: '1:42:7',
        req_method: 'GET',
        req_path: '/b',
        resp_status: 500,
        latency: 3000,
      },
      {
        time_: String(T0 + 2n),
        upid: '2:43:9',
        req_method: 'POST',
        req_path: '/a',
        resp_status: 201,
        latency: 2000,
      },
    ];
    const res = await postJson(`${gw.url}/v1/ingest`, { table: 'http_events', rows });
    expect(res.status).toBe(200);
  });
  afterAll(() => gw.close());

  it('answers the displayed tables in px.display order, with types and semantic types', async () => {
    const script = `
import px
df = px.DataFrame('http_events')
px.display(df.groupby('req_method').agg(n=('latency', px.count), mean=('latency', px.mean)), 'by_method')
px.display(df[['time_', 'upid', 'latency']].head(2), 'raw')
`;
    const { status, body } = await postJson(`${gw.url}/v1/query`, { script });
    expect(status).toBe(200);
    expect(body).toEqual({
      tables: [
        {
          name: 'by_method',
          columns: [
            { name: 'req_method', type: 'STRING', semanticType: 'ST_HTTP_REQ_METHOD' },
            { name: 'n', type: 'INT64', semanticType: 'ST_NONE' },
            { name: 'mean', type: 'FLOAT64', semanticType: 'ST_DURATION_NS' },
          ],
          rows: [
            ['GET', 2, 2000],
            ['POST', 1, 2000],
          ],
        },
        {
          name: 'raw',
          columns: [
            { name: 'time_', type: 'TIME64NS', semanticType: 'ST_NONE' },
            { name: 'upid', type: 'UINT128', semanticType: 'ST_UPID' },
            { name: 'latency', type: 'INT64', semanticType: 'ST_DURATION_NS' },
          ],
          rows: [
            [String(T0), '1:42:7', 1000],
            [String(T0 + 1n), '1:42:7', 3000],
          ],
        },
      ],
    });
  });

  it('calls a function with arguments and shows its result under the function name', async () => {
    const script = `
import px
def slow(min_latency: int, method: str):
    df = px.DataFrame('http_events')
    return df[df.latency >= min_latency and df.req_method == method][['req_path', 'latency']]
`;
    const { status, body } = await postJson(`${gw.url}/v1/query`, {
      script,
      func: 'slow',
      args: { min_latency: '1500', method: 'GET' },
    });
    expect(status).toBe(200);
    expect(body.tables.map((t: any) => [t.name, t.rows])).toEqual([['slow', [['/b', 3000]]]]);
  });

  it('locates a script error with line and column', async () => {
    const { status, body } = await postJson(`${gw.url}/v1/query`, {
      script: "import px\n\ndf = px.DataFrame('http_event')\npx.display(df)",
    });
    expect(status).toBe(400);
    expect(body.error).toEqual({
      message: expect.stringMatching(
        /^table "http_event" does not exist; did you mean "http_events"\?/,
      ),
      line: 3,
      column: 6,
    });
  });

  it('refuses a body without a script', async () => {
    const { status, body } = await postJson(`${gw.url}/v1/query`, { func: 'x' });
    expect(status).toBe(400);
    expect(body.error.message).toBe('"script" must be the text of a PxL script');
  });

  it('lists the bundled scripts with their titles, entry functions and parameters', async () => {
    const { status, body } = await getJson(`${gw.url}/v1/scripts`);
    expect(status).toBe(200);
    expect(body.scripts.map((s: any) => s.name)).toEqual([
      'px/conn_stats',
      'px/db_stats',
      'px/dns_data',
      'px/http_data',
      'px/http_errors',
      'px/mysql_data',
      'px/net_flow_graph',
      'px/pgsql_data',
      'px/process_stats',
      'px/redis_data',
      'px/service_map',
      'px/service_stats',
      'px/sql_queries',
    ]);
    expect(body.scripts.find((s: any) => s.name === 'px/service_stats')).toEqual({
      name: 'px/service_stats',
      title: 'Service stats',
      description: expect.stringMatching(/^Latency quantiles, error rate and throughput/),
      func: 'service_stats',
      params: [
        { name: 'start_time', type: 'str', default: '-5m' },
        { name: 'window', type: 'str', default: '10s' },
      ],
    });
    const one = await getJson(`${gw.url}/v1/scripts/px/http_data`);
    expect(one.body.source).toMatch(/^'''HTTP data\n/);
    const missing = await getJson(`${gw.url}/v1/scripts/px/nope`);
    expect(missing.status).toBe(404);
  });

  it('runs a bundled script through its entry function', async () => {
    const { body: script } = await getJson(`${gw.url}/v1/scripts/px/http_errors`);
    const { status, body } = await postJson(`${gw.url}/v1/query`, {
      script: script.source,
      func: 'http_errors',
      args: { start_time: '-10000d' },
    });
    expect(status).toBe(200);
    expect(body.tables[0].rows.map((r: any[]) => r[6])).toEqual([500]);
  });
});
