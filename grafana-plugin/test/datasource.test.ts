/**
 * The data source end to end: queries go through Grafana's API (replayed) and the plugin's
 * backend to a real gateway seeded with a generated cluster, and come back as the frames panels
 * read.
 */
import { DataFrame, DataQueryResponse, FieldType } from '@grafana/data';
import { lastValueFrom } from 'rxjs';

import { PxgateQuery } from '../src/types/query';
import { PxgateVariableSupport } from '../src/datasource/variables';
import { PxgateVariableQuery } from '../src/types/variables';
import { PXGATE_VERSION } from '../../gateway/src/common/package-info';
import { SERVICES } from '../../test/support/cluster';
import { queryRequest } from './support/harness';
import { SeededGateway, startSeededGateway } from './support/gatewayFixture';

let env: SeededGateway;
beforeAll(async () => {
  env = await startSeededGateway();
});
afterAll(() => env?.close());

function query(script: string, patch: Partial<PxgateQuery> = {}): PxgateQuery {
  return { refId: 'A', version: 1, script, format: 'table', ...patch };
}

async function run(
  targets: PxgateQuery[],
  variables = [] as Parameters<SeededGateway['datasource']>[0],
) {
  const { ds } = env.datasource(variables);
  return lastValueFrom(ds.query(queryRequest(targets, { ...env.range, intervalMs: 10_000 })));
}

const field = (frame: DataFrame, name: string) => {
  const f = frame.fields.find((x) => x.name === name);
  if (!f) throw new Error(`no field ${name} in ${frame.fields.map((x) => x.name).join(', ')}`);
  return f;
};

const PER_SERVICE = `import px
df = px.DataFrame(table='http_events', start_time=$__from, end_time=$__to)
df = df[df.trace_role == 2]
df.service = df.ctx['service']
df.time_ = px.bin(df.time_, $__interval)
df = df.groupby(['time_', 'service']).agg(latency=('latency', px.quantiles), requests=('latency', px.count))
df.latency_p99 = px.DurationNanos(px.floor(px.pluck_float64(df.latency, 'p99')))
df.requests_per_s = df.requests / ($__interval / 1000000000)
px.display(df[['time_', 'service', 'latency_p99', 'requests_per_s', 'latency']], 'per_service')
`;

describe('query', () => {
  it('converts column types and semantic types to fields and units', async () => {
    const res = await run([
      query(`import px
df = px.DataFrame(table='http_events', start_time=$__from, end_time=$__to)
df.failed = df.resp_status >= 500
df.bytes = px.Bytes(df.resp_body_size)
df = df[['time_', 'upid', 'req_path', 'latency', 'failed', 'bytes']]
px.display(df.head(20), 'rows')
`),
    ]);
    expect(res.errors).toBeUndefined();
    const [frame] = res.data as DataFrame[];
    expect(frame!.name).toBe('rows');
    expect(frame!.length).toBe(20);
    expect(frame!.fields.map((f) => [f.name, f.type, f.config.unit])).toEqual([
      ['time_', FieldType.time, undefined],
      ['upid', FieldType.string, undefined],
      ['req_path', FieldType.string, undefined],
      ['latency', FieldType.number, 'ns'],
      ['failed', FieldType.boolean, undefined],
      ['bytes', FieldType.number, 'bytes'],
    ]);
    const times = field(frame!, 'time_').values as number[];
    expect(times.every((t) => t >= env.range.fromMs && t <= env.range.toMs)).toBe(true);
    expect(SERVICES.map((s) => s.upid)).toEqual(
      expect.arrayContaining([field(frame!, 'upid').values[0]]),
    );
    expect(frame!.meta?.executedQueryString).toMatch(/start_time=\d{19}, end_time=\d{19}/);
  });

  it('turns a long table into wide time series, one series per service, with units', async () => {
    const res = await run([query(PER_SERVICE, { format: 'time_series' })]);
    expect(res.errors).toBeUndefined();
    const [wide] = res.data as DataFrame[];
    const time = wide!.fields[0]!;
    expect(time.type).toBe(FieldType.time);
    const sorted = [...(time.values as number[])].sort((a, b) => a - b);
    expect(time.values).toEqual(sorted);
    // Every HTTP service but prometheus, which only calls others, answers requests.
    const serving = SERVICES.filter((s) => s.serves === 'http')
      .map((s) => s.name)
      .filter((n) => n !== 'ops/prometheus');
    const p99 = wide!.fields.filter((f) => f.name === 'latency_p99');
    expect(p99.map((f) => f.labels?.service).sort()).toEqual(serving.sort());
    expect(p99.every((f) => f.config.unit === 'ns' && f.values.length === wide!.length)).toBe(true);
    const quantiles = wide!.fields.filter((f) => f.name === 'latency_p50');
    expect(quantiles).toHaveLength(serving.length);
    // payments answers slowest in the generated cluster
    const slowest = p99.reduce((a, b) =>
      Math.max(...(a.values as number[]).filter(Number.isFinite)) >
      Math.max(...(b.values as number[]).filter(Number.isFinite))
        ? a
        : b,
    );
    expect(slowest.labels?.service).toBe('shop/payments');
  });

  it('builds node graph frames from the bundled service map', async () => {
    const scripts = (await import('@pxgate/scripts')).default;
    const serviceMap = scripts.find((s) => s.id === 'service_map')!;
    const res = await run([query(serviceMap.script, { format: 'node_graph' })]);
    expect(res.errors).toBeUndefined();
    const [nodes, edges] = res.data as DataFrame[];
    expect(nodes!.name).toBe('nodes');
    expect(edges!.name).toBe('edges');
    expect(nodes!.meta?.preferredVisualisationType).toBe('nodeGraph');
    const ids = new Set(field(nodes!, 'id').values as string[]);
    for (const s of ['shop/frontend', 'shop/cart', 'shop/payments', 'ops/prometheus'])
      expect(ids.has(s)).toBe(true);
    const pairs = (field(edges!, 'source').values as string[]).map(
      (s, i) => `${s}->${field(edges!, 'target').values[i]}`,
    );
    expect(pairs).toEqual(
      expect.arrayContaining(['shop/frontend->shop/cart', 'shop/cart->shop/payments']),
    );
    for (const id of [...field(edges!, 'source').values, ...field(edges!, 'target').values])
      expect(ids.has(id as string)).toBe(true);
  });

  it('fills template variables as literals and reports script errors with line and column', async () => {
    const res = await run(
      [
        query(`import px
df = px.DataFrame(table='http_events', start_time=$__from, end_time=$__to)
df.service = df.ctx['service']
df = df[df.service == $service]
df = df.groupby('service').agg(n=('latency', px.count))
px.display(df, 'one')
`),
        query(
          `import px\ndf = px.DataFrame(table='http_events')\npx.display(df[df.no_such_column > 1])\n`,
          { refId: 'B' },
        ),
      ],
      [{ name: 'service', value: 'shop/cart' }],
    );
    const [one] = res.data as DataFrame[];
    expect(field(one!, 'service').values).toEqual(['shop/cart']);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ refId: 'B', status: 400 });
    expect(res.errors![0]!.message).toMatch(/^line 3, column \d+: .*no_such_column/);
  });

  it('links px.script_reference cells to the referenced bundled script in Explore', async () => {
    const res = await run([
      query(`import px
df = px.DataFrame(table='http_events', start_time=$__from, end_time=$__to)
df.service = df.ctx['service']
df = df.groupby('service').agg(n=('latency', px.count))
df.stats = px.script_reference(df.service, 'px/service_stats', {'start_time': '-15m', 'service': df.service})
px.display(df, 'services')
`),
    ]);
    expect(res.errors).toBeUndefined();
    const stats = field((res.data as DataFrame[])[0]!, 'stats');
    expect(stats.config.links).toEqual([
      expect.objectContaining({
        title: 'Open Service stats',
        internal: expect.objectContaining({
          datasourceUid: 'pxgate-test',
          query: expect.objectContaining({ func: 'service_stats', args: { start_time: '-15m' } }),
        }),
      }),
    ]);
  });

  it('reports a missing output table by name', async () => {
    const res = await run([query(PER_SERVICE, { output: 'nope' })]);
    expect(res.errors?.[0]?.message).toBe(
      'the script displayed no table named "nope"; it displayed "per_service"',
    );
  });
});

describe('variables', () => {
  async function values(
    q: Omit<PxgateVariableQuery, 'refId'>,
    variables: Parameters<SeededGateway['datasource']>[0] = [],
  ) {
    const { ds } = env.datasource(variables);
    const res: DataQueryResponse = await lastValueFrom(
      (ds.variables as PxgateVariableSupport).query(
        queryRequest([{ refId: 'variable', ...q } as PxgateVariableQuery], env.range),
      ),
    );
    expect(res.error).toBeUndefined();
    return (res.data[0] as DataFrame).fields.find((f) => f.name === 'text')!.values;
  }

  it('lists namespaces, services, pods and nodes from the metadata', async () => {
    expect([...(await values({ kind: 'namespaces' }))].sort()).toEqual(['ops', 'shop']);
    expect([...(await values({ kind: 'services' }))].sort()).toEqual(
      SERVICES.map((s) => s.name).sort(),
    );
    expect([...(await values({ kind: 'pods' }))].sort()).toEqual(SERVICES.map((s) => s.pod).sort());
    expect([...(await values({ kind: 'nodes' }))].sort()).toEqual(['node-a', 'node-b']);
  });

  it('filters services by a namespace variable, whose "All" value * filters nothing', async () => {
    const got = await values({ kind: 'services', namespace: '$namespace' }, [
      { name: 'namespace', value: 'ops' },
    ]);
    expect(got).toEqual(
      SERVICES.filter((s) => s.namespace === 'ops')
        .map((s) => s.name)
        .sort(),
    );
    const all = [{ name: 'namespace', value: '$__all', options: ['ops', 'shop'], allValue: '*' }];
    expect(await values({ kind: 'pods', namespace: '$namespace' }, all)).toHaveLength(
      SERVICES.length,
    );
  });

  it("takes the first column of any script's first table", async () => {
    const got = await values({
      kind: 'script',
      script:
        "import px\ndf = px.DataFrame(table='http_events', start_time=$__from)\npx.display(df.groupby('req_method').agg())\n",
    });
    expect([...got].sort()).toEqual(['GET', 'POST']);
  });
});

describe('health', () => {
  it('passes when the backend reaches the gateway', async () => {
    const { ds } = env.datasource();
    expect(await ds.testDatasource()).toEqual({
      status: 'success',
      message: `Connected to pxgate ${PXGATE_VERSION} at ${env.gateway.url}, which asks for no token (plugin 0.1.0).`,
    });
  });
});
