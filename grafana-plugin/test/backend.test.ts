/**
 * The backend executable as Grafana runs it, with no Grafana: built from the sources, started
 * with Grafana's environment and a PATH without Node, its handshake read, and every service
 * called over gRPC with a schema written from the protocol's field numbers. Frames are decoded
 * from Arrow as Grafana's server decodes them. The gateway is real, seeded with known rows.
 */
import { DataFrame, FieldType } from '@grafana/data';
import { spawn } from 'child_process';

import { PXGATE_VERSION } from '../../gateway/src/common/package-info';
import { waitFor } from '../../test/support/wait';
import { closedPort } from './support/ports';
import { buildTestExecutable } from './support/grafana/executable';
import { decodeFrame } from './support/grafana/frames';
import { grafanaEnv, PluginProcess } from './support/grafana/pluginProcess';
import { OrdersGateway, startOrdersGateway } from './support/grafana/orders';

const TOKEN = 'a-token-of-at-least-16-chars';
const BUILD_TIMEOUT_MS = 180_000;

let executable: { file: string; remove(): void };
let env: OrdersGateway;
let plugin: PluginProcess;

beforeAll(async () => {
  executable = await buildTestExecutable();
  env = await startOrdersGateway(TOKEN);
  plugin = await PluginProcess.start(executable.file);
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await plugin?.close();
  await env?.gateway.close();
  executable?.remove();
});

/** The plugin context Grafana sends for a data source with these settings. */
function pluginContext(url: string, token: string | undefined = TOKEN) {
  return {
    orgId: 1,
    pluginId: 'pxgate-pxgate-datasource',
    pluginVersion: '0.1.0',
    userAgent: 'Grafana/12.2.0',
    grafanaConfig: { GF_APP_URL: 'http://localhost:3000/' },
    user: { login: 'admin', name: 'admin', email: 'admin@localhost', role: 'Admin' },
    dataSourceInstanceSettings: {
      id: 7,
      uid: 'pxgate-uid',
      name: 'pxgate',
      jsonData: Buffer.from(JSON.stringify({ url })),
      decryptedSecureJsonData: token ? { token } : {},
      lastUpdatedMS: Date.now(),
    },
  };
}

function dataQuery(refId: string, json: object, intervalMS = 10_000) {
  return {
    refId,
    maxDataPoints: 1000,
    intervalMS,
    timeRange: { fromEpochMS: env.range.fromMs, toEpochMS: env.range.toMs },
    json: Buffer.from(JSON.stringify(json)),
  };
}

async function query(queries: object[], headers: Record<string, string> = {}, url?: string) {
  const res = await plugin.queryData({
    pluginContext: pluginContext(url ?? env.gateway.url),
    headers,
    queries,
  });
  return res.responses as Record<
    string,
    { frames: Buffer[]; error: string; status: number; errorSource: string }
  >;
}

const frames = (r: { frames: Buffer[] }): DataFrame[] => r.frames.map(decodeFrame);
const ms = (seconds: number) => Number(env.baseNs / 1_000_000n) + seconds * 1000;
const shape = (f: DataFrame) =>
  f.fields.map((x) => ({ name: x.name, type: x.type, labels: x.labels, values: x.values }));

const BINNED = `import px
df = px.DataFrame(table='orders', start_time=$__from, end_time=$__to)
df.time_ = px.bin(df.time_, $__interval)
df = df.groupby(['time_', 'service']).agg(n=('latency', px.count), latency_max=('latency', px.max))
px.display(df, 'binned')
`;

describe('the handshake', () => {
  it("prints go-plugin's line first, on a loopback port in Grafana's range, and logs hclog JSON", async () => {
    expect(plugin.handshake).toMatch(/^1\|2\|tcp\|127\.0\.0\.1:\d+\|grpc$/);
    const port = Number(plugin.address.split(':')[1]);
    expect(port).toBeGreaterThanOrEqual(10000);
    expect(port).toBeLessThanOrEqual(25000);
    const started = await waitFor(
      () =>
        plugin.stderr
          .map((l) => JSON.parse(l))
          .find((l) => l['@message'] === 'pxgate backend started'),
      (line) => line !== undefined,
      { what: 'the start log line' },
    );
    expect(started).toMatchObject({ '@level': 'info', '@module': 'pxgate', grafana: '12.2.0' });
  });

  it('answers gRPC health SERVING for "plugin", as go-plugin pings it', async () => {
    expect(await plugin.health()).toEqual({ status: 1 });
    await expect(plugin.health('other')).rejects.toMatchObject({ code: 5 });
  });

  it.each([
    ['without the magic cookie', { grafana_plugin_type: '' }],
    ['with a wrong magic cookie', { grafana_plugin_type: 'app' }],
  ])('exits 1 %s, with a message and no handshake', async (_what, patch) => {
    const child = spawn(executable.file, [], { env: grafanaEnv(patch) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      "This is the pxgate data source's Grafana backend plugin: Grafana starts it " +
        "(grafana_plugin_type=datasource is not set), so install the plugin in Grafana's " +
        'plugins folder instead of running it.\n',
    );
  });

  it('exits 1 when Grafana offers no protocol version it speaks', async () => {
    const child = spawn(executable.file, [], {
      env: grafanaEnv({ PLUGIN_PROTOCOL_VERSIONS: '1' }),
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
    expect(stderr).toMatch(
      /^Grafana offers plugin protocol versions 1; this plugin speaks version 2/,
    );
  });
});

describe('QueryData', () => {
  it('answers a table query with every value, type and unit, and the token sent as Bearer', async () => {
    const { A } = await query([
      dataQuery('A', {
        version: 1,
        format: 'table',
        script: `import px\ndf = px.DataFrame(table='orders', start_time=$__from, end_time=$__to)\npx.display(df, 'orders')\n`,
      }),
    ]);
    expect(A!.error).toBe('');
    expect(A!.status).toBe(200);
    const [frame] = frames(A!);
    expect(frame!.name).toBe('orders');
    expect(frame!.refId).toBe('A');
    expect(frame!.meta?.executedQueryString).toBe(
      `import px\ndf = px.DataFrame(table='orders', start_time=${env.range.fromMs}000000, end_time=${env.range.toMs}000000)\npx.display(df, 'orders')\n`,
    );
    expect(frame!.fields.map((f) => [f.name, f.type, f.config.unit])).toEqual([
      ['time_', FieldType.time, undefined],
      ['service', FieldType.string, undefined],
      ['latency', FieldType.number, 'ns'],
      ['failed', FieldType.boolean, undefined],
    ]);
    const rows = frame!.fields[0]!.values.map((t, i) => [
      t,
      frame!.fields[0]!.nanos?.[i] ?? 0,
      ...frame!.fields.slice(1).map((f) => f.values[i]),
    ]);
    expect(
      rows.sort(
        (a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number),
      ),
    ).toEqual([
      [ms(0), 0, 'shop/cart', 1_000_000, false],
      [ms(0), 5, 'shop/payments', 5_000_000, true],
      [ms(1), 0, 'shop/cart', 3_000_000, true],
      [ms(10), 0, 'shop/cart', 2_000_000, false],
      [ms(20), 0, 'shop/payments', 7_000_000, false],
    ]);
  });

  it('turns a long table into one wide time series frame, a series per label set', async () => {
    const { A } = await query([
      dataQuery('A', { version: 1, format: 'time_series', script: BINNED }),
    ]);
    const [wide] = frames(A!);
    expect(wide!.meta).toMatchObject({ type: 'timeseries-wide', typeVersion: [0, 1] });
    expect(shape(wide!)).toEqual([
      { name: 'time_', type: FieldType.time, labels: undefined, values: [ms(0), ms(10), ms(20)] },
      { name: 'n', type: FieldType.number, labels: { service: 'shop/cart' }, values: [2, 1, null] },
      {
        name: 'latency_max',
        type: FieldType.number,
        labels: { service: 'shop/cart' },
        values: [3e6, 2e6, null],
      },
      {
        name: 'n',
        type: FieldType.number,
        labels: { service: 'shop/payments' },
        values: [1, null, 1],
      },
      {
        name: 'latency_max',
        type: FieldType.number,
        labels: { service: 'shop/payments' },
        values: [5e6, null, 7e6],
      },
    ]);
    expect(wide!.fields[2]!.config.unit).toBe('ns');
  });

  it('answers alert rules (FromAlert) with timeseries-multi: one frame per series, sorted by time', async () => {
    const { A } = await query(
      [dataQuery('A', { version: 1, format: 'time_series', script: BINNED })],
      { FromAlert: 'true' },
    );
    const multi = frames(A!);
    expect(multi.map((f) => f.meta)).toEqual(
      multi.map(() => expect.objectContaining({ type: 'timeseries-multi', typeVersion: [0, 1] })),
    );
    expect(multi.map(shape)).toEqual([
      [
        { name: 'time_', type: FieldType.time, labels: undefined, values: [ms(0), ms(10)] },
        { name: 'n', type: FieldType.number, labels: { service: 'shop/cart' }, values: [2, 1] },
      ],
      [
        { name: 'time_', type: FieldType.time, labels: undefined, values: [ms(0), ms(10)] },
        {
          name: 'latency_max',
          type: FieldType.number,
          labels: { service: 'shop/cart' },
          values: [3e6, 2e6],
        },
      ],
      [
        { name: 'time_', type: FieldType.time, labels: undefined, values: [ms(0), ms(20)] },
        { name: 'n', type: FieldType.number, labels: { service: 'shop/payments' }, values: [1, 1] },
      ],
      [
        { name: 'time_', type: FieldType.time, labels: undefined, values: [ms(0), ms(20)] },
        {
          name: 'latency_max',
          type: FieldType.number,
          labels: { service: 'shop/payments' },
          values: [5e6, 7e6],
        },
      ],
    ]);
  });

  it('answers an alert on a table without time (an error rate per service) with numeric-multi', async () => {
    const { A } = await query(
      [
        dataQuery('A', {
          version: 1,
          format: 'table',
          script: `import px
df = px.DataFrame(table='orders', start_time=$__from, end_time=$__to)
df = df.groupby('service').agg(error_rate=('failed', px.mean))
px.display(df, 'errors')
`,
        }),
      ],
      { FromAlert: 'true' },
    );
    const values = frames(A!);
    expect(values.map((f) => f.meta?.type)).toEqual(['numeric-multi', 'numeric-multi']);
    expect(
      values.map(shape).sort((a, b) => (a[0]!.labels!.service! < b[0]!.labels!.service! ? -1 : 1)),
    ).toEqual([
      [
        {
          name: 'error_rate',
          type: FieldType.number,
          labels: { service: 'shop/cart' },
          values: [1 / 3],
        },
      ],
      [
        {
          name: 'error_rate',
          type: FieldType.number,
          labels: { service: 'shop/payments' },
          values: [0.5],
        },
      ],
    ]);
  });

  it('fills template variables the browser resolved, with the macros, in one pass', async () => {
    const { A } = await query([
      dataQuery('A', {
        version: 1,
        format: 'table',
        script: `import px
df = px.DataFrame(table='orders', start_time=$__from, end_time=$__to)
df = df[df.service == $service]
df.note = 'from=$__from'
px.display(df[['service', 'note']].head(1), 'one')
`,
        templateValues: { service: 'shop/payments' },
      }),
    ]);
    const [frame] = frames(A!);
    expect(frame!.fields.map((f) => f.values)).toEqual([
      ['shop/payments'],
      [`from=${env.range.fromMs}000000`],
    ]);
  });

  it('reports a PxL error with its line and column, the gateway status, downstream', async () => {
    const { A, B } = await query([
      dataQuery('A', {
        version: 1,
        format: 'table',
        script: `import px\ndf = px.DataFrame(table='orders')\npx.display(df[df.no_such_column > 1])\n`,
      }),
      dataQuery('B', { version: 1, format: 'table', script: BINNED }),
    ]);
    expect(A).toMatchObject({ status: 400, errorSource: 'downstream', frames: [] });
    expect(A!.error).toMatch(/^line 3, column \d+: .*no_such_column/);
    expect(B!.error).toBe('');
    expect(frames(B!)[0]!.name).toBe('binned');
  });

  it('refuses a query it cannot run, naming the field, without asking the gateway', async () => {
    const { A, B } = await query([
      dataQuery('A', { version: 1, script: 'x', func: 'not a name' }),
      { ...dataQuery('B', {}), json: Buffer.from('{"script": 5}') },
    ]);
    expect(A).toMatchObject({
      status: 400,
      errorSource: 'downstream',
      error: 'function name "not a name" is not a PxL identifier',
    });
    expect(B).toMatchObject({
      status: 400,
      errorSource: 'downstream',
      error: '"script" must be text',
    });
  });

  it("says the gateway is down as a 502 downstream, and a wrong token as the gateway's 401", async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const { A } = await query([dataQuery('A', { version: 1, script: BINNED })], {}, down);
    expect(A).toMatchObject({
      status: 502,
      errorSource: 'downstream',
      error: `could not connect to the gateway at ${down} (ECONNREFUSED)`,
    });
    const res = await plugin.queryData({
      pluginContext: pluginContext(env.gateway.url, 'wrong-token-0123456789'),
      queries: [dataQuery('A', { version: 1, script: BINNED })],
    });
    expect(res.responses.A).toMatchObject({
      status: 401,
      errorSource: 'downstream',
      error: 'invalid bearer token',
    });
  });
});

describe('CheckHealth', () => {
  const check = async (url: string, token?: string) => {
    const res = await plugin.checkHealth({ pluginContext: pluginContext(url, token) });
    return {
      status: res.status,
      message: res.message,
      details: JSON.parse(res.jsonDetails.toString()),
    };
  };

  it("is OK when the gateway runs a query with the token, naming the gateway's and the plugin's versions", async () => {
    expect(await check(env.gateway.url, TOKEN)).toEqual({
      status: 1,
      message:
        `Connected to pxgate ${PXGATE_VERSION} at ${env.gateway.url}, which accepted the token ` +
        `for queries (plugin 0.1.0).`,
      details: {
        pluginVersion: '0.1.0',
        gateway: env.gateway.url,
        authenticated: true,
        gatewayVersion: PXGATE_VERSION,
      },
    });
  });

  it('is an ERROR naming the cause: wrong token, gateway down, no URL', async () => {
    expect(await check(env.gateway.url, 'wrong-token-0123456789')).toMatchObject({
      status: 2,
      message:
        `The gateway at ${env.gateway.url} refused the token (401): set Token to the gateway's ` +
        `auth.token (and save, so that Grafana's server uses it).`,
    });
    const down = `http://127.0.0.1:${await closedPort()}`;
    expect(await check(down)).toMatchObject({
      status: 2,
      message:
        `Could not connect to the gateway at ${down} (ECONNREFUSED). Check the URL, and that ` +
        `Grafana's server (not only your browser) can reach the gateway.`,
    });
    expect(await check('')).toMatchObject({
      status: 2,
      message: 'Set the gateway URL (for example http://pxgate-gateway.pxgate.svc:8090).',
    });
  });
});

describe('CallResource', () => {
  const call = async (method: string, path: string, body?: object) => {
    const [res, ...more] = await plugin.callResource({
      pluginContext: pluginContext(env.gateway.url),
      method,
      path,
      url: `/api/datasources/uid/pxgate-uid/resources/${path}`,
      body: Buffer.from(body ? JSON.stringify(body) : ''),
    });
    expect(more).toEqual([]);
    return {
      code: res.code,
      type: res.headers['Content-Type']?.values,
      body: JSON.parse(res.body.toString()),
    };
  };

  it('lists the bundled scripts for the editor', async () => {
    const res = await call('GET', 'scripts');
    expect(res.code).toBe(200);
    expect(res.type).toEqual(['application/json']);
    const ids = res.body.scripts.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['http_data', 'service_map', 'service_stats']));
    expect(res.body.scripts.find((s: { id: string }) => s.id === 'service_map').script).toContain(
      'px.display',
    );
  });

  it('gives the first column of a script for variables, and names what it does not serve', async () => {
    const values = await call('POST', 'variable-values', {
      script:
        "import px\ndf = px.DataFrame(table='orders')\npx.display(df.groupby('service').agg(), 'v')\n",
    });
    expect(values.code).toBe(200);
    expect([...values.body.values].sort()).toEqual(['shop/cart', 'shop/payments']);
    expect(await call('GET', 'nope')).toEqual({
      code: 404,
      type: ['application/json'],
      body: { error: { message: 'no resource "nope"; resources: scripts, variable-values' } },
    });
    expect((await call('GET', 'variable-values')).code).toBe(405);
  });
});

describe('CollectMetrics', () => {
  it("exposes the plugin's own metrics in Prometheus text", async () => {
    const res = await plugin.collectMetrics();
    const text = res.metrics.prometheus.toString();
    expect(text).toMatch(/^pxgate_plugin_queries_total\{outcome="ok"\} [1-9]\d*$/m);
    expect(text).toMatch(/^pxgate_plugin_queries_total\{outcome="query_error"\} [1-9]\d*$/m);
    expect(text).toMatch(
      /^pxgate_plugin_gateway_request_duration_seconds_count\{call="query"\} [1-9]\d*$/m,
    );
    expect(text).toMatch(/^pxgate_plugin_process_resident_memory_bytes \d+$/m);
  });
});

describe('Shutdown', () => {
  it('exits 0 within a second of the controller asking', async () => {
    const other = await PluginProcess.start(executable.file);
    try {
      const asked = Date.now();
      await other.shutdown();
      const exit = await other.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - asked).toBeLessThan(1000);
    } finally {
      await other.close();
    }
  });
});
