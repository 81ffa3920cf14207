import { BASE_NS, PxlFixture } from '../../../../test/support/pxl';
import {
  bundledScripts,
  expectSameTable,
  goldenQueries,
  localCoordinator,
  splitWorld,
} from '../../../../test/support/cluster-query';
import { Coordinator } from './coordinator';
import { RunOptions } from '../../pxl/prepare';

const WARM_UP = "import px\npx.display(px.DataFrame('http_events').head(1), 'w')";
const NOW = BASE_NS + 120_000_000_000n;
const OPTS: RunOptions = {
  now: NOW,
  pluginWindow: { startNs: BASE_NS, endNs: NOW },
};

/** More shapes than the bundled scripts: every push-down case and what runs after the gather. */
const EXTRA: { name: string; text: string }[] = [
  {
    name: 'every aggregate, no groups',
    text: `import px
df = px.DataFrame('http_events')
df.failed = df.resp_status >= 400
px.display(df.agg(n=('latency', px.count), s=('latency', px.sum), m=('latency', px.mean),
  lo=('latency', px.min), hi=('latency', px.max), f=('failed', px.mean), q=('latency', px.quantiles),
  fs=('failed', px.sum), path=('req_path', px.max)), 'out')`,
  },
  {
    name: 'distinct groups, then a head after the gather',
    text: `import px
df = px.DataFrame('http_events')
px.display(df.groupby(['req_method', 'resp_status']).agg().head(7), 'out')`,
  },
  {
    name: 'an aggregate over a head (runs after the gather)',
    text: `import px
df = px.DataFrame('http_events', select=['time_', 'req_method', 'latency']).head(500)
px.display(df.groupby('req_method').agg(n=('latency', px.count), m=('latency', px.mean)), 'out')`,
  },
  {
    name: 'a second aggregate over the first',
    text: `import px
df = px.DataFrame('http_events')
df = df.groupby(['req_path', 'req_method']).agg(n=('latency', px.count))
px.display(df.groupby('req_method').agg(paths=('req_path', px.count), most=('n', px.max)), 'out')`,
  },
  {
    name: 'metadata after an aggregate, on the gathering gateway',
    text: `import px
df = px.DataFrame('http_events')
df = df.groupby('upid').agg(n=('latency', px.count))
df.pod = df.ctx['pod']
df.service = df.ctx['service']
px.display(df, 'out')`,
  },
  {
    name: 'rows with a float column and a late filter',
    text: `import px
df = px.DataFrame('http_events', select=['time_', 'upid', 'latency', 'resp_status'])
df.ms = df.latency / 1000000.0
df.pod = df.ctx['pod']
df = df[df.resp_status >= 500]
px.display(df[['time_', 'pod', 'ms']].head(40), 'out')`,
  },
  {
    name: 'an append of two filtered tables, then a head',
    text: `import px
df = px.DataFrame('http_events', select=['time_', 'req_path', 'resp_status'])
a = df[df.resp_status >= 500]
b = df[df.resp_status < 300]
px.display(a.append(b).head(100), 'out')`,
  },
];

/** The scripts whose tables (http_events, conn_stats, process_stats) the world fills. */
const WITH_ROWS = [
  'conn_stats.pxl',
  'http_data.pxl',
  'http_errors.pxl',
  'net_flow_graph.pxl',
  'process_stats.pxl',
  'service_map.pxl',
  'service_stats.pxl',
  'export/conn-metrics.pxl',
  'export/http-metrics.pxl',
  'export/http-spans.pxl',
  'export/process-metrics.pxl',
  'merge_append.pxl',
  'quantiles_shown.pxl',
  'shared_agg.pxl',
  ...EXTRA.map((e) => e.name),
];

describe('a query split over 1, 2 and 3 stores gives one store\u2019s answer', () => {
  let one: PxlFixture[];
  const split: { k: number; fixtures: PxlFixture[]; coordinator: Coordinator }[] = [];

  beforeAll(async () => {
    one = await splitWorld(1);
    for (const k of [1, 2, 3]) {
      const fixtures = await splitWorld(k);
      split.push({ k, fixtures, coordinator: localCoordinator(fixtures) });
    }
    // Under ts-node a compile worker takes seconds to start (more under load): each engine
    // starts one first, so that the first cases do not pay for it.
    for (const fx of [...one, ...split.flatMap((s) => s.fixtures)]) {
      await fx.run(WARM_UP, { limits: { timeoutMs: 120_000 } });
    }
  }, 600_000);
  afterAll(async () => {
    for (const fx of [...one, ...split.flatMap((s) => s.fixtures)]) await fx.close();
  });

  const cases = [...bundledScripts(), ...goldenQueries(), ...EXTRA].flatMap((s) =>
    [1, 2, 3].map((k) => [s.name, k, s.text] as const),
  );

  const nonEmpty = new Set<string>();
  it.each(cases)(
    '%s over %i store(s)',
    async (name, k, text) => {
      const want = await one[0]!.engine.run(text, OPTS);
      const { coordinator } = split.find((s) => s.k === k)!;
      const got = await coordinator.run(text, OPTS);
      expect(got.warnings).toBeUndefined();
      expect(got.tables.map((t) => t.name)).toEqual(want.tables.map((t) => t.name));
      // A merge's rows have no order (in PxL, nor in DuckDB's hash join): compared as sets.
      const how = { quantiles: text.includes('px.quantiles'), ordered: !text.includes('.merge(') };
      got.tables.forEach((t, i) => expectSameTable(t, want.tables[i]!, how));
      expect(got.exports.length).toBe(want.exports.length);
      got.exports.forEach((e, i) => {
        expect(e.spec).toEqual(want.exports[i]!.spec);
        expectSameTable(e.table, want.exports[i]!.table, how);
      });
      const rows = [...want.tables, ...want.exports.map((e) => e.table)].reduce(
        (n, t) => n + t.rows.length,
        0,
      );
      if (rows > 0) nonEmpty.add(name);
    },
    120_000,
  );

  it('compared answers with rows, not empty tables, for the scripts over the generated tables', () => {
    for (const name of WITH_ROWS) expect(nonEmpty).toContain(name);
  });
});
