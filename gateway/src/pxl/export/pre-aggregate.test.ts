import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { AttributeLimiter } from '../../jobs/otel/attribute-limiter';
import { CumulativeUpdate } from '../../jobs/otel/export-parts';
import { interpretExport } from '../../jobs/otel/interpret';
import {
  BASE_NS,
  PxlFixture,
  httpEvents,
  httpJson,
  pxlFixture,
} from '../../../../test/support/pxl';
import { RunOptions } from '../prepare';
import { ExportResult } from '../execute/result';

const SECOND = 1_000_000_000n;
const HTTP_METRICS = readFileSync(
  join(__dirname, '../../../../scripts/px/export/http-metrics.pxl'),
  'utf8',
);

/** One histogram series as the exporter totals it, with its sum rounded for comparison. */
function series(u: CumulativeUpdate) {
  if (u.kind !== 'histogram') throw new Error(`expected a histogram, got ${u.kind}`);
  return {
    resource: u.resource.attributes,
    metric: u.metric.name,
    attributes: u.attributes,
    count: u.count,
    bucketCounts: u.bucketCounts,
    min: u.min,
    max: u.max,
    sum: u.sum,
  };
}

type Series = ReturnType<typeof series>;

const byKey = (list: Series[]) =>
  [...list].sort((a, b) => {
    const [ka, kb] = [a, b].map((s) => JSON.stringify([s.resource, s.metric, s.attributes]));
    return ka! < kb! ? -1 : ka! > kb! ? 1 : 0;
  });

/**
 * The same series with the same counts, buckets, min and max; sums agree to the last few bits
 * (DuckDB adds a group's values in another order). Series are compared in a fixed order: with
 * weights, a group's first row may be one its histogram does not count.
 */
function expectSameSeries(aggregatedSeries: Series[], rowSeries: Series[]): void {
  const [aggregated, rows] = [byKey(aggregatedSeries), byKey(rowSeries)];
  expect(aggregated.map((s) => ({ ...s, sum: 0 }))).toEqual(rows.map((s) => ({ ...s, sum: 0 })));
  aggregated.forEach((s, i) => {
    const want = rows[i]!.sum;
    if (!Number.isFinite(want)) expect(s.sum).toBe(want);
    else expect(Math.abs(s.sum - want)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
  });
}

describe('exports of histograms aggregated by DuckDB', () => {
  let fx: PxlFixture;

  beforeAll(async () => {
    fx = await pxlFixture();
    await fx.insert('http_events', httpJson(httpEvents(3000, 21)));
  });
  afterAll(() => fx.close());

  const window: RunOptions = {
    pluginWindow: { startNs: BASE_NS, endNs: BASE_NS + 600n * SECOND },
  };

  /** The script's exports interpreted from the rows, and from DuckDB's aggregate of them. */
  async function bothWays(
    script: string,
    opts: RunOptions = {},
    limiter = () => new AttributeLimiter(),
  ) {
    const interpret = (exports: readonly ExportResult[]) => {
      const l = limiter();
      return exports.map((e, i) =>
        interpretExport(e, i, { nowNs: BASE_NS, limiter: l, idSalt: 'j' }),
      );
    };
    const rows = await fx.engine.run(script, { ...window, ...opts });
    const aggregated = await fx.engine.run(script, { ...window, ...opts, aggregateExports: true });
    return {
      rows: interpret(rows.exports),
      aggregated: interpret(aggregated.exports),
      raw: aggregated,
    };
  }

  it('gives the http-metrics preset the same series, counts and buckets as its rows do', async () => {
    const { rows, aggregated, raw } = await bothWays(HTTP_METRICS);
    expect(raw.exports.every((e) => e.aggregation !== undefined)).toBe(true);
    // Fewer rows reach the exporter, standing for all of them.
    expect(raw.exports[0]!.table.rows.length).toBeLessThan(aggregated[0]!.rows);
    expect(aggregated.map((p) => p.rows)).toEqual(rows.map((p) => p.rows));
    expect(rows[0]!.rows + rows[1]!.rows).toBe(3000);
    for (const [i, part] of aggregated.entries()) {
      expect(part.cumulative.length).toBeGreaterThan(5);
      expectSameSeries(part.cumulative.map(series), rows[i]!.cumulative.map(series));
    }
  });

  it('admits attribute values past a limit in the order of their first row, as the rows would', async () => {
    const limited = HTTP_METRICS.replace(
      "attribute_limits={'http.route': 200}",
      "attribute_limits={'http.route': 3}",
    );
    expect(limited).not.toBe(HTTP_METRICS);
    const { rows, aggregated } = await bothWays(limited);
    const routes = (s: Series[]) => [...new Set(s.map((x) => x.attributes['http.route']))].sort();
    const server = aggregated[0]!.cumulative.map(series);
    expect(routes(server)).toEqual(routes(rows[0]!.cumulative.map(series)));
    expect(routes(server)).toHaveLength(4); // three routes and the overflow value
    expectSameSeries(server, rows[0]!.cumulative.map(series));
  });

  it('holds the aggregate to max_output_rows_per_table as the rows themselves', async () => {
    const run = fx.engine.run(HTTP_METRICS, {
      ...window,
      aggregateExports: true,
      limits: { maxOutputRows: 1000 },
    });
    await expect(run).rejects.toThrow(/more than 1000 rows \(max_output_rows_per_table\)/);
  });

  it('leaves exports that are not all plain histograms to the exporter, errors and all', async () => {
    const script = (data: string) => `
import px
df = px.DataFrame('http_events', start_time=px.plugin.start_time, end_time=px.plugin.end_time)
df.service = 'svc'
px.export(df, px.otel.Data(resource={'service.name': df.service}, data=[${data}]))
`;
    for (const data of [
      "px.otel.metric.Gauge(name='g', value=df.latency)",
      "px.otel.metric.Histogram(name='h', value=df.req_method)",
      "px.otel.metric.Histogram(name='h', value=df.latency, bounds=[2, 1])",
      "px.otel.metric.Histogram(name='h', value=df.latency), px.otel.metric.Sum(name='s', value=df.latency)",
    ]) {
      const res = await fx.engine.run(script(data), { ...window, aggregateExports: true });
      expect(res.exports[0]!.aggregation).toBeUndefined();
      expect(res.exports[0]!.table.rows).toHaveLength(3000);
    }
  });

  it('agrees with the rows for any values, weights and bounds (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.double({ min: -1e6, max: 1e9, noNaN: true }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: -3, max: 5 }),
        fc.constantFrom('', ', count=df.w', ', count=df.wf'),
        async (rawBounds, divisor, shift, weight) => {
          const bounds = [...rawBounds].sort((a, b) => a - b);
          // Values with nulls (a zero divisor), negatives and repeats; weights zero, negative or null.
          const script = `
import px
df = px.DataFrame('http_events', start_time=px.plugin.start_time, end_time=px.plugin.end_time)
df.v = (df.latency - 40000000) / (df.remote_port % ${divisor})
df.w = df.req_body_size % 7 + ${shift}
df.wf = df.w / (df.resp_status % 3)
df.svc = px.select(df.trace_role == 1, 'client', 'server')
px.export(df, px.otel.Data(resource={'service.name': df.svc, 'k8s.cluster': 'c1'}, data=[
    px.otel.metric.Histogram(name='a', value=df.v, bounds=[${bounds.join(', ')}]${weight},
                             attributes={'method': df.req_method, 'status': df.resp_status}),
    px.otel.metric.Histogram(name='b', value=df.latency, attributes={'path': df.req_path}),
]))
`;
          const { rows, aggregated, raw } = await bothWays(script);
          expect(raw.exports[0]!.aggregation).toBeDefined();
          expect(aggregated[0]!.rows).toBe(rows[0]!.rows);
          expectSameSeries(aggregated[0]!.cumulative.map(series), rows[0]!.cumulative.map(series));
        },
      ),
      { numRuns: 25 },
    );
  });
});
