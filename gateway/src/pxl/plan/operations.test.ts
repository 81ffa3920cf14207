import {
  BASE_NS,
  HttpEvent,
  PxlFixture,
  groupBy,
  httpEvents,
  httpJson,
  pxlFixture,
  quantile,
  records,
} from '../../../../test/support/pxl';

const SECOND = 1_000_000_000n;
const NOW = BASE_NS + 120n * SECOND;

const byKey = <T>(m: Map<string, T[]>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe('DataFrame operations, each against the same computation in TypeScript', () => {
  let fx: PxlFixture;
  let events: HttpEvent[];
  const run = async (body: string) => {
    const tables = await fx.run(`import px\n${body}`, { now: NOW });
    return Object.fromEntries(Object.entries(tables).map(([k, t]) => [k, records(t)]));
  };

  beforeAll(async () => {
    fx = await pxlFixture();
    events = httpEvents(2000, 5);
    await fx.insert('http_events', httpJson(events));
  });
  afterAll(() => fx.close());

  it('takes start and end times as relative strings, nanoseconds and time expressions', async () => {
    const count = (from: bigint, to?: bigint) =>
      BigInt(events.filter((e) => e.time_ >= from && (to === undefined || e.time_ < to)).length);
    const out = await run(`
n = ('latency', px.count)
px.display(px.DataFrame('http_events', start_time='-30s').agg(n=n), 'rel')
px.display(px.DataFrame('http_events', start_time=${BASE_NS + 10n * SECOND}, end_time=${BASE_NS + 20n * SECOND}).agg(n=n), 'ns')
px.display(px.DataFrame('http_events', start_time=px.now() - px.parse_duration('45s'), end_time='-5s').agg(n=n), 'expr')
`);
    expect(out).toEqual({
      rel: [{ n: count(NOW - 30n * SECOND) }],
      ns: [{ n: count(BASE_NS + 10n * SECOND, BASE_NS + 20n * SECOND) }],
      expr: [{ n: count(NOW - 45n * SECOND, NOW - 5n * SECOND) }],
    });
  });

  it('filters with and, or and not, folding known flags', async () => {
    const out = await run(`
skip_health = True
keep_all = False
df = px.DataFrame('http_events')
df = df[(df.req_path != '/healthz' or not skip_health) and (df.resp_status >= 500 or keep_all or not df.req_method == 'GET')]
px.display(df[['req_path', 'resp_status', 'req_method']], 'out')
`);
    const want = events
      .filter((e) => e.req_path !== '/healthz' && (e.resp_status >= 500 || e.req_method !== 'GET'))
      .map((e) => ({
        req_path: e.req_path,
        resp_status: BigInt(e.resp_status),
        req_method: e.req_method,
      }));
    expect(out.out).toEqual(want);
  });

  it('projects, sets columns in place or at the end, and drops', async () => {
    const out = await run(`
df = px.DataFrame('http_events')
a = df['req_method', 'latency']
a.latency = a.latency * 2
a['double'] = a.latency
px.display(a.head(3), 'a')
b = df[['upid', 'req_path', 'resp_status']].drop('upid')
px.display(b.drop(['resp_status']).head(2), 'b')
`);
    expect(out.a).toEqual(
      events.slice(0, 3).map((e) => ({
        req_method: e.req_method,
        latency: BigInt(e.latency * 2),
        double: BigInt(e.latency * 2),
      })),
    );
    expect(out.b).toEqual(events.slice(0, 2).map((e) => ({ req_path: e.req_path })));
  });

  it('aggregates per group with every aggregate, and reads quantiles with pluck_float64', async () => {
    const out = await run(`
df = px.DataFrame('http_events')
df.failure = df.resp_status >= 400
df = df.groupby(['req_method', 'trace_role']).agg(
    n=('latency', px.count),
    total=('resp_body_size', px.sum),
    mean=('latency', px.mean),
    rate=('failure', px.mean),
    lo=('latency', px.min),
    hi=('req_path', px.max),
    q=('latency', px.quantiles),
    any_role=('trace_role', px.any),
)
df.p50 = px.pluck_float64(df.q, 'p50')
df.p99 = px.pluck_float64(df.q, 'p99')
px.display(df.drop('q'), 'out')
`);
    const want = byKey(groupBy(events, (e) => `${e.req_method}\u0000${e.trace_role}`)).map(
      ([, es]) => {
        const lat = es.map((e) => e.latency).sort((a, b) => a - b);
        return {
          req_method: es[0]!.req_method,
          trace_role: BigInt(es[0]!.trace_role),
          n: BigInt(es.length),
          total: BigInt(es.reduce((s, e) => s + e.resp_body_size, 0)),
          mean: lat.reduce((s, x) => s + x, 0) / lat.length,
          rate: es.filter((e) => e.resp_status >= 400).length / es.length,
          lo: BigInt(lat[0]!),
          hi: es
            .map((e) => e.req_path)
            .sort()
            .at(-1),
          any_role: BigInt(es[0]!.trace_role),
          p50: quantile(lat, 0.5),
          p99: quantile(lat, 0.99),
        };
      },
    );
    expect(out.out!.length).toBe(want.length);
    out.out!.forEach((row, i) => {
      const w = want[i]!;
      expect({ ...row, mean: 0, rate: 0, p50: 0, p99: 0 }).toEqual({
        ...w,
        mean: 0,
        rate: 0,
        p50: 0,
        p99: 0,
      });
      for (const k of ['mean', 'rate', 'p50', 'p99'] as const) expect(row[k]).toBeCloseTo(w[k], 6);
    });
  });

  it('gives quantiles as a JSON object of p01..p99 with the duration semantic type', async () => {
    const tables = await fx.run(
      "import px\npx.display(px.DataFrame('http_events').agg(q=('latency', px.quantiles)), 'q')",
      { now: NOW },
    );
    const q = JSON.parse(tables.q!.rows[0]![0] as string) as Record<string, number>;
    const lat = events.map((e) => e.latency).sort((a, b) => a - b);
    expect(Object.keys(q)).toEqual(['p01', 'p10', 'p25', 'p50', 'p75', 'p90', 'p99']);
    expect(q.p90).toBeCloseTo(quantile(lat, 0.9), 3);
    expect(tables.q!.columns[0]!.semanticType).toBe('ST_DURATION_NS_QUANTILES');
  });

  it('groupby().agg() with no aggregates is a distinct, and df.agg() covers the whole table', async () => {
    const out = await run(`
df = px.DataFrame('http_events')
px.display(df.groupby(['req_method', 'resp_message']).agg(), 'distinct')
px.display(df.agg(n=('latency', px.count), slowest=('latency', px.max)), 'all')
`);
    const pairs = [...new Set(events.map((e) => `${e.req_method}|${e.resp_message}`))].sort();
    expect(out.distinct).toEqual(
      pairs.map((p) => ({ req_method: p.split('|')[0], resp_message: p.split('|')[1] })),
    );
    expect(out.all).toEqual([
      { n: BigInt(events.length), slowest: BigInt(Math.max(...events.map((e) => e.latency))) },
    ]);
  });

  it('filters, maps and limits after an aggregate', async () => {
    const out = await run(`
df = px.DataFrame('http_events')
df = df.groupby('req_path').agg(n=('latency', px.count), mean=('latency', px.mean))
df = df[df.n > 20]
df.mean_ms = df.mean / 1000000
px.display(df.head(4), 'out')
`);
    const want = byKey(groupBy(events, (e) => e.req_path))
      .filter(([, es]) => es.length > 20)
      .slice(0, 4)
      .map(([path, es]) => {
        const mean = es.reduce((s, e) => s + e.latency, 0) / es.length;
        return { req_path: path, n: BigInt(es.length), mean, mean_ms: mean / 1e6 };
      });
    expect(out.out!.map((r) => r.req_path)).toEqual(want.map((w) => w.req_path));
    out.out!.forEach((r, i) => expect(r.mean_ms).toBeCloseTo(want[i]!.mean_ms, 9));
  });

  it('head() takes five rows by default', async () => {
    const out = await run(
      "px.display(px.DataFrame('http_events', select=['latency']).head(), 'out')",
    );
    expect(out.out).toEqual(events.slice(0, 5).map((e) => ({ latency: BigInt(e.latency) })));
  });

  it.each(['inner', 'left', 'right', 'outer'] as const)(
    'merges how=%s, keeping both key columns and suffixing clashes',
    async (how) => {
      const out = await run(`
df = px.DataFrame('http_events')
left = df[df.resp_status >= 500].groupby('req_path').agg(errors=('latency', px.count))
right = df[df.req_method == 'POST'].groupby('req_path').agg(posts=('latency', px.count), errors=('latency', px.max))
px.display(left.merge(right, how='${how}', left_on='req_path', right_on='req_path', suffixes=['', '_r']), 'out')
`);
      const l = new Map(
        byKey(
          groupBy(
            events.filter((e) => e.resp_status >= 500),
            (e) => e.req_path,
          ),
        ),
      );
      const r = new Map(
        byKey(
          groupBy(
            events.filter((e) => e.req_method === 'POST'),
            (e) => e.req_path,
          ),
        ),
      );
      const keys = [...new Set([...l.keys(), ...r.keys()])].filter((k) =>
        how === 'inner'
          ? l.has(k) && r.has(k)
          : how === 'left'
            ? l.has(k)
            : how === 'right'
              ? r.has(k)
              : true,
      );
      const want = keys.map((k) => ({
        req_path: l.has(k) ? k : '',
        errors: BigInt(l.get(k)?.length ?? 0),
        req_path_r: r.has(k) ? k : '',
        posts: BigInt(r.get(k)?.length ?? 0),
        errors_r: BigInt(r.has(k) ? Math.max(...r.get(k)!.map((e) => e.latency)) : 0),
      }));
      const sort = (rows: Record<string, unknown>[]) =>
        [...rows].sort((a, b) => JSON.stringify(a, big).localeCompare(JSON.stringify(b, big)));
      expect(sort(out.out!)).toEqual(sort(want));
    },
  );

  it('appends DataFrames with the same columns', async () => {
    const out = await run(`
df = px.DataFrame('http_events', select=['req_method', 'latency'])
slow = df[df.latency > 79000000]
gets = df[df.req_method == 'DELETE'].head(3)
px.display(slow.append(gets), 'out')
`);
    const want = [
      ...events.filter((e) => e.latency > 79_000_000),
      ...events.filter((e) => e.req_method === 'DELETE').slice(0, 3),
    ].map((e) => ({ req_method: e.req_method, latency: BigInt(e.latency) }));
    const sort = (rows: Record<string, unknown>[]) =>
      [...rows].sort((a, b) => JSON.stringify(a, big).localeCompare(JSON.stringify(b, big)));
    expect(sort(out.out!)).toEqual(sort(want));
  });

  it('groups on computed windows and keeps the window as a time', async () => {
    const tables = await fx.run(
      `import px
df = px.DataFrame('http_events')
df.window = px.bin(df.time_, px.seconds(20))
px.display(df.groupby('window').agg(n=('latency', px.count)), 'out')`,
      { now: NOW },
    );
    const want = byKey(groupBy(events, (e) => String(e.time_ - (e.time_ % (20n * SECOND))))).map(
      ([w, es]) => ({
        window: BigInt(w),
        n: BigInt(es.length),
      }),
    );
    expect(records(tables.out!)).toEqual(want.sort((a, b) => Number(a.window - b.window)));
    expect(tables.out!.columns[0]!.type).toBe('TIME64NS');
  });
});

function big(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}
