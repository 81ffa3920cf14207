/**
 * Every PxL target of every dashboard in dashboards/, run on a seeded gateway with its macros and
 * variables filled as Grafana fills them (each variable's own query picks its values), must give
 * the frames its panel type draws. The Prometheus dashboard is checked for what it queries.
 */
import { AnnotationQuery, DataFrame, FieldType } from '@grafana/data';
import fs from 'fs';
import path from 'path';
import { lastValueFrom } from 'rxjs';

import { PxgateQuery } from '../src/types/query';
import { PxgateVariableSupport } from '../src/datasource/variables';
import { PxgateVariableQuery } from '../src/types/variables';
import { queryRequest } from './support/harness';
import { SeededGateway, startSeededGateway } from './support/gatewayFixture';
import { TestVariable } from './support/templateSrv';

const PXGATE = 'pxgate-pxgate-datasource';
const DIR = path.join(__dirname, '..', '..', 'dashboards');

interface Panel {
  type: string;
  title: string;
  interval?: string;
  datasource?: { type?: string };
  targets?: Array<Record<string, unknown>>;
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query: unknown;
  includeAll?: boolean;
  allValue?: string;
  datasource?: { type?: string };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
  annotations: {
    list: Array<{ name: string; datasource?: { type?: string }; target?: PxgateQuery }>;
  };
}

const dashboards: Array<[string, Dashboard]> = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => [f, JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as Dashboard]);

const panelsOf = (d: Dashboard): Panel[] =>
  d.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
const isPxgate = (x: { datasource?: { type?: string } }) => x.datasource?.type === PXGATE;

function intervalMs(text: string | undefined): number {
  const m = /^(\d+)(ms|s|m)$/.exec(text ?? '10s');
  if (!m) throw new Error(`unexpected panel interval ${text}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] as 'ms' | 's' | 'm'];
}

const numbers = (frames: DataFrame[]) =>
  frames.flatMap((f) => f.fields.filter((x) => x.type === FieldType.number));

/** What each panel type needs from its frames; returns the problem, or undefined. */
const SHAPES: Record<string, (frames: DataFrame[]) => string | undefined> = {
  timeseries: (frames) => {
    const f = frames[0];
    if (!f || f.length === 0) return 'no rows';
    if (f.fields[0]?.type !== FieldType.time) return 'the first field is not time';
    if (!f.fields.some((x) => x.type === FieldType.number)) return 'no numeric field';
    return undefined;
  },
  stat: (frames) =>
    numbers(frames).some((f) => f.values.length > 0) ? undefined : 'no numeric value',
  table: (frames) =>
    frames[0] && frames[0].length > 0 && frames[0].fields.length > 0 ? undefined : 'no rows',
  nodeGraph: (frames) => {
    const nodes = frames.find((f) => f.name === 'nodes');
    const edges = frames.find((f) => f.name === 'edges');
    if (!nodes || !edges) return 'no nodes and edges frames';
    const ids = new Set(nodes.fields.find((f) => f.name === 'id')?.values as string[]);
    const ends = ['source', 'target'].flatMap(
      (n) => edges.fields.find((f) => f.name === n)?.values ?? [],
    );
    if (ids.size === 0 || edges.length === 0) return 'an empty graph';
    const dangling = ends.filter((e) => !ids.has(e as string));
    if (dangling.length) return `edges to unknown nodes: ${dangling.join(', ')}`;
    // The arcs around a node are shares of its circle: where a node has them, they add up to 1.
    // (A node that only calls others has none: PxL's outer merge fills its stats with zeros.)
    const arcs = nodes.fields.filter((f) => f.name.startsWith('arc__'));
    for (let row = 0; row < nodes.length && arcs.length; row++) {
      const parts = arcs.map((f) => f.values[row] as number | null);
      if (parts.every((p) => !p)) continue;
      const sum = parts.reduce((a: number, p) => a + (p ?? 0), 0);
      if (Math.abs(sum - 1) > 1e-9) return `arcs of node ${row} add up to ${sum}`;
    }
    return undefined;
  },
};

let env: SeededGateway;
beforeAll(async () => {
  env = await startSeededGateway();
});
afterAll(() => env?.close());

/** The variables' values as Grafana picks them: "All" where offered, else the first value. */
async function variableValues(
  d: Dashboard,
  override: Record<string, string>,
): Promise<TestVariable[]> {
  const values: TestVariable[] = [];
  for (const v of d.templating.list.filter(isPxgate)) {
    const { ds } = env.datasource(values);
    const support = ds.variables as PxgateVariableSupport;
    const res = await lastValueFrom(
      support.query(queryRequest([v.query as PxgateVariableQuery], { ...env.range })),
    );
    expect(res.error).toBeUndefined();
    const options = (res.data[0] as DataFrame).fields[0]!.values as string[];
    expect(options.length).toBeGreaterThan(0);
    const chosen = override[v.name] ?? (v.includeAll ? '$__all' : options[0]!);
    values.push({ name: v.name, value: chosen, options, allValue: v.allValue });
  }
  return values;
}

describe.each(dashboards.filter(([, d]) => panelsOf(d).some(isPxgate)))(
  'dashboard %s',
  (_file, dashboard) => {
    const pxPanels = panelsOf(dashboard).filter(isPxgate);

    it.each([
      ['every variable at its default', {}],
      ['namespace "shop"', { namespace: 'shop' }],
    ])('draws every panel with %s', async (_label, override: Record<string, string>) => {
      const variables = await variableValues(dashboard, override);
      const { ds } = env.datasource(variables);
      const problems: string[] = [];
      for (const panel of pxPanels) {
        const shape = SHAPES[panel.type];
        expect(shape).toBeDefined();
        const targets = (panel.targets ?? []) as unknown as PxgateQuery[];
        expect(targets.length).toBeGreaterThan(0);
        const request = queryRequest(targets, {
          ...env.range,
          intervalMs: intervalMs(panel.interval),
        });
        const res = await lastValueFrom(ds.query(request));
        const problem =
          res.errors?.map((e) => e.message).join('; ') ?? shape!(res.data as DataFrame[]);
        if (problem) problems.push(`${panel.title} (${panel.type}): ${problem}`);
      }
      expect(problems).toEqual([]);
    });

    const annotations = dashboard.annotations.list.filter(isPxgate);
    if (annotations.length > 0) {
      it('turns its annotation queries into events', async () => {
        // payments fails a fifth of its requests in the generated cluster: it has bursts to mark.
        const { ds } = env.datasource(
          await variableValues(dashboard, { service: 'shop/payments' }),
        );
        for (const anno of annotations) {
          const prepared = ds.annotations!.prepareAnnotation!(anno as AnnotationQuery<PxgateQuery>);
          const res = await lastValueFrom(ds.query(queryRequest([prepared.target!], env.range)));
          expect(res.errors).toBeUndefined();
          const events = await lastValueFrom(
            ds.annotations!.processEvents!(prepared, res.data as DataFrame[]),
          );
          expect(events!.length).toBeGreaterThan(0);
          expect(events![0]).toMatchObject({
            title: expect.any(String),
            text: expect.any(String),
            tags: expect.any(Array),
          });
        }
      });
    }
  },
);

/** The frames of a dashboard's panel, by title, with every variable at its default. */
async function panelFrames(uid: string, title: string): Promise<DataFrame[]> {
  const dashboard = dashboards.find(([, d]) => d.uid === uid)![1];
  const panel = panelsOf(dashboard).find((p) => p.title === title)!;
  const { ds } = env.datasource(await variableValues(dashboard, {}));
  const res = await lastValueFrom(
    ds.query(
      queryRequest((panel.targets ?? []) as unknown as PxgateQuery[], {
        ...env.range,
        intervalMs: intervalMs(panel.interval),
      }),
    ),
  );
  expect(res.errors).toBeUndefined();
  return res.data as DataFrame[];
}

/** A frame's rows as objects. */
function rowsOf(frame: DataFrame): Array<Record<string, unknown>> {
  return Array.from({ length: frame.length }, (_, i) =>
    Object.fromEntries(frame.fields.map((f) => [f.name, f.values[i]])),
  );
}

describe('the protocol views of the generated cluster', () => {
  it('the service map has database and DNS servers as nodes, and an edge per protocol', async () => {
    const frames = await panelFrames('pxgate-service-map', 'Service map');
    const nodes = rowsOf(frames.find((f) => f.name === 'nodes')!).map((n) => n.id);
    const edges = rowsOf(frames.find((f) => f.name === 'edges')!);
    expect(nodes).toEqual(
      expect.arrayContaining(['shop/postgres', 'shop/mysql', 'shop/redis', 'ops/kube-dns']),
    );
    expect(new Set(edges.map((e) => e.detail__protocol))).toEqual(
      new Set(['http', 'grpc', 'postgresql', 'mysql', 'redis', 'dns']),
    );
    expect(edges.map((e) => e.id)).toEqual(
      expect.arrayContaining([
        'shop/frontend -> shop/payments (grpc)',
        'shop/frontend -> shop/cart (http)',
        'shop/catalog -> shop/postgres (postgresql)',
        'shop/payments -> shop/mysql (mysql)',
        'shop/cart -> shop/redis (redis)',
        'shop/frontend -> ops/kube-dns (dns)',
      ]),
    );
  });

  it('the databases dashboard ranks the normalized queries of each database by their total time', async () => {
    const [frame] = await panelFrames('pxgate-databases', 'Top queries by time');
    const queries = rowsOf(frame!);
    expect(new Set(queries.map((q) => q.db_system))).toEqual(
      new Set(['postgresql', 'mysql', 'redis']),
    );
    // Constants are placeholders: a statement run with other values is one row.
    const sql = queries.filter((q) => q.db_system !== 'redis');
    const text = (system: string) =>
      sql.filter((q) => q.db_system === system).map((q) => String(q.query));
    expect(text('postgresql').some((q) => q.includes('$1'))).toBe(true);
    expect(text('mysql').some((q) => q.includes('?'))).toBe(true);
    expect(sql.filter((q) => /'alice'|\balice@/.test(String(q.query)))).toEqual([]);
    const keys = sql.map((q) => `${q.db_system} ${q.server} ${q.query}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const q of queries) expect(Number(q.total_time)).toBeGreaterThan(0);
  });
});

describe('the shipped dashboards', () => {
  it('cover the views the project promises, each with a unique uid', () => {
    const uids = dashboards.map(([, d]) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    const types = dashboards.flatMap(([, d]) => panelsOf(d).map((p) => p.type));
    expect(types).toEqual(expect.arrayContaining(['timeseries', 'table', 'nodeGraph', 'stat']));
    expect(uids).toEqual(
      expect.arrayContaining([
        'pxgate-http-overview',
        'pxgate-service',
        'pxgate-service-map',
        'pxgate-network',
        'pxgate-processes',
        'pxgate-red-prometheus',
        'pxgate-databases',
      ]),
    );
  });

  it('choose their data source through a variable, so provisioning needs no uid', () => {
    for (const [, d] of dashboards) {
      for (const p of panelsOf(d))
        expect(p.datasource).toMatchObject({ uid: expect.stringMatching(/^\$\{\w+\}$/) });
      expect(d.templating.list.some((v) => v.type === 'datasource')).toBe(true);
    }
  });

  it('query the exported request-duration histogram on Prometheus', () => {
    const red = dashboards.find(([, d]) => d.uid === 'pxgate-red-prometheus')![1];
    const exprs = panelsOf(red).flatMap((p) => (p.targets ?? []).map((t) => String(t.expr)));
    expect(exprs.length).toBeGreaterThanOrEqual(5);
    for (const e of exprs)
      expect(e).toMatch(/http_server_request_duration_seconds_(count|sum|bucket)\{job=~"\$job"/);
    expect(exprs.some((e) => e.includes('histogram_quantile'))).toBe(true);
  });
});
