import {
  BASE_NS,
  HttpEvent,
  PxlFixture,
  httpEvents,
  httpJson,
  pxlFixture,
  records,
} from '../../../../test/support/pxl';
import { toJsonTable } from '../execute/result';

const SECOND = 1_000_000_000n;

describe("px.export, exporters' cursors and script references", () => {
  let fx: PxlFixture;
  let events: HttpEvent[];

  beforeAll(async () => {
    fx = await pxlFixture();
    events = httpEvents(200, 9);
    await fx.insert('http_events', httpJson(events));
  });
  afterAll(() => fx.close());

  it('evaluates the spec into a plain tree next to the exported table', async () => {
    const res = await fx.engine.run(
      `
import px
df = px.DataFrame('http_events', start_time=px.plugin.start_time, end_time=px.plugin.end_time)
df = df.groupby('req_method').agg(n=('latency', px.count), p=('latency', px.quantiles))
df.p50 = px.pluck_float64(df.p, 'p50')
df.service = 'checkout'
px.export(df, px.otel.Data(
    resource={'service.name': df.service, 'k8s.cluster': 'demo'},
    data=[
        px.otel.metric.Gauge(name='http.requests', value=df.n, attributes={'method': df.req_method}),
        px.otel.metric.Summary('http.latency', df.n, df.p50, {0.5: df.p50}, unit='ns'),
        px.otel.trace.Span(name=df.req_method, start_time=df.n, end_time=df.n, kind=px.otel.trace.SPAN_KIND_CLIENT),
        px.otel.resource.Custom(1, 'two', big=2 ** 60),
    ],
    endpoint=px.otel.Endpoint(url='http://collector:4318', headers={'x-token': 'abc'}, insecure=True),
))
`,
      { pluginWindow: { startNs: BASE_NS, endNs: BASE_NS + 60n * SECOND } },
    );
    expect(res.tables).toEqual([]);
    expect(res.exports).toHaveLength(1);
    expect(res.exports[0]!.spec).toEqual({
      call: 'px.otel.Data',
      args: {
        resource: { dict: { 'service.name': { column: 'service' }, 'k8s.cluster': 'demo' } },
        data: [
          {
            call: 'px.otel.metric.Gauge',
            args: {
              name: 'http.requests',
              value: { column: 'n' },
              attributes: { dict: { method: { column: 'req_method' } } },
            },
          },
          {
            call: 'px.otel.metric.Summary',
            args: {
              name: 'http.latency',
              count: { column: 'n' },
              sum: { column: 'p50' },
              quantile_values: { dict: { '0.5': { column: 'p50' } } },
              unit: 'ns',
            },
          },
          {
            call: 'px.otel.trace.Span',
            args: {
              name: { column: 'req_method' },
              start_time: { column: 'n' },
              end_time: { column: 'n' },
              kind: 3,
            },
          },
          { call: 'px.otel.resource.Custom', args: { big: 2n ** 60n }, posArgs: [1, 'two'] },
        ],
        endpoint: {
          call: 'px.otel.Endpoint',
          args: {
            url: 'http://collector:4318',
            headers: { dict: { 'x-token': 'abc' } },
            insecure: true,
          },
        },
      },
    });
    const inWindow = events.filter((e) => e.time_ < BASE_NS + 60n * SECOND);
    const table = res.exports[0]!.table;
    expect(table.columns.map((c) => c.name)).toEqual(['req_method', 'n', 'p', 'p50', 'service']);
    const counts = records(table).map((r) => [r.req_method, r.n]);
    const want = [...new Set(inWindow.map((e) => e.req_method))]
      .sort()
      .map((m) => [m, BigInt(inWindow.filter((e) => e.req_method === m).length)]);
    expect(counts).toEqual(want);
  });

  it('reads only rows in the sequence range from every table', async () => {
    const all = await fx.run(
      "import px\npx.display(px.DataFrame('http_events', select=['latency']), 'out')",
      {
        limits: { maxOutputRows: 1000 },
      },
    );
    expect(all.out!.rows).toHaveLength(events.length);
    const part = await fx.run(
      "import px\npx.display(px.DataFrame('http_events', select=['latency']), 'out')",
      {
        seqRange: { after: 50, upTo: 120 },
      },
    );
    expect(part.out!.rows).toEqual(events.slice(50, 120).map((e) => [BigInt(e.latency)]));
  });

  it('refuses px.plugin times outside an export run', async () => {
    await expect(
      fx.run("import px\npx.display(px.DataFrame('http_events', start_time=px.plugin.start_time))"),
    ).rejects.toThrow('px.plugin.start_time is only set when the script runs as an export plugin');
  });

  it('shows a script reference as its label, with the target script and arguments on the column', async () => {
    const { out } = await fx.run(`
import px
df = px.DataFrame('http_events', select=['req_method', 'req_path']).head(3)
df.req_method = px.script_reference(df.req_method, 'px/http_data', {'method': df.req_method, 'start_time': '-5m', 'limit': 10})
df = df.groupby(['req_method', 'req_path']).agg()
px.display(df, 'out')
`);
    const json = toJsonTable(out!) as { columns: unknown[]; rows: unknown[][] };
    expect(json.columns[0]).toEqual({
      name: 'req_method',
      type: 'STRING',
      semanticType: 'ST_SCRIPT_REFERENCE',
      scriptReference: {
        script: 'px/http_data',
        args: { method: { column: 'req_method' }, start_time: '-5m', limit: 10 },
      },
    });
    const first3 = events.slice(0, 3).map((e) => [e.req_method, e.req_path]);
    expect(json.rows).toEqual(
      [...new Map(first3.map((r) => [r.join(' '), r])).values()].sort((a, b) =>
        a.join(' ') < b.join(' ') ? -1 : 1,
      ),
    );
  });
});
