import { TestGateway, getJson, postJson, startTestGateway } from '../support/gateway';
import { waitFor } from '../support/wait';
import { watchWhile } from '../support/watch';

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

  it("refuses a body over the query limit with a 413 naming that limit, not ingest's", async () => {
    const script = `import px\n# ${'x'.repeat(2 * 1024 * 1024)}\npx.display(px.DataFrame('http_events'))`;
    const { status, body } = await postJson(`${gw.url}/v1/query`, { script });
    expect(status).toBe(413);
    expect(body.error.message).toBe(
      'the query body is larger than 2097152 bytes, the limit of POST /v1/query (a script may have at most 1000000 characters)',
    );
  });

  it('refuses a script past a PxL limit with a 422 naming the limit and where it was reached', async () => {
    const nested = `${'('.repeat(101)}1${')'.repeat(101)}`;
    const { status, body } = await postJson(`${gw.url}/v1/query`, {
      script: `import px\nx = 1\ny = ${nested}\n`,
    });
    expect(status).toBe(422);
    expect(body.error).toEqual({
      message:
        'brackets nest more than 100 levels deep (the PxL limit "nesting"); give the inner parts names of their own',
      line: 3,
      column: 105,
    });
  });

  it('compiles off the event loop: /healthz answers while a 900 KB script compiles, and the compile stops at queryTimeout', async () => {
    const slow = await startTestGateway({ pxl: { queryTimeout: '1s' } });
    const small = () =>
      postJson(`${slow.url}/v1/query`, {
        script: "import px\npx.display(px.DataFrame('http_events').head(1), 'one')",
      });
    try {
      // A compile worker starts with the first script; it takes a while from the TypeScript sources.
      await waitFor(small, (r) => r.status === 200, {
        what: 'a compile worker',
        timeoutMs: 15_000,
      });
      const script = 'x = 1\n'.repeat(150_000);
      const started = Date.now();
      const { result, watched } = await watchWhile(
        process.pid,
        slow.url,
        Infinity,
        postJson(`${slow.url}/v1/query`, { script }),
      );
      expect(result.status).toBe(422);
      expect(result.body.error.message).toMatch(
        /^the script took longer than 1 s \(pxl\.queryTimeout\) to compile and was stopped/,
      );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(watched.probes).toBeGreaterThan(2);
      expect(watched.slowestHealthMs).toBeLessThan(1000);
      // The stopped worker is replaced: the next scripts compile (once the new one has started).
      const next = await waitFor(small, (r) => r.status === 200, {
        what: 'a script answered after the stopped compile',
        timeoutMs: 15_000,
      });
      expect(next.body.tables.map((t: { name: string }) => t.name)).toEqual(['one']);
    } finally {
      await slow.close();
    }
  });
});
