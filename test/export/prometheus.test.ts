import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORT_PRESETS } from '../../cli/config/export-schema';
import { TestGateway, ingest, startTestGateway } from '../support/gateway';
import { metricValue } from '../support/metrics';
import { HttpEvent, httpEvents, httpJson } from '../support/pxl';
import {
  RunningPrometheus,
  prometheusUnavailable,
  promtoolCheckMetrics,
  startPrometheus,
} from '../support/prometheus';
import { describeIfAvailable } from '../support/system';
import { waitFor } from '../support/wait';
import { seedWorld, statsRows, worldTraffic } from '../support/world';
import { countBy, dbCalls } from '../support/db-calls';
import { PlainRow, ingestArrow, plainRow } from '../support/protocol-rows';

const N = 400;

/** Gauges carry their rows' times, and Prometheus takes samples of the last hour only. */
const nearNow = () => BigInt(Date.now() - 60_000) * 1_000_000n;
const REQUESTS = '{__name__=~"http_(server|client)_request_duration_seconds_count"}';

/** Requests per status code, as the events say. */
function perStatus(events: readonly HttpEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) out[e.resp_status] = (out[e.resp_status] ?? 0) + 1;
  return out;
}

async function requestCounts(prom: RunningPrometheus) {
  const total = await prom.query(`sum(${REQUESTS})`);
  const byStatus = await prom.query(`sum by (http_response_status_code) (${REQUESTS})`);
  return {
    total: total[0]?.value ?? 0,
    byStatus: Object.fromEntries(
      byStatus.map((r) => [r.metric.http_response_status_code, r.value]),
    ),
  };
}

/**
 * Every PromQL target of the Prometheus RED dashboard that ships with the Grafana plugin, with
 * its variables filled as Grafana would fill them for "All" services and a one-hour range.
 */
function redDashboardQueries(): { panel: string; expr: string }[] {
  const file = join(__dirname, '..', '..', 'dashboards', 'pxgate-red-prometheus.json');
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as {
    panels: { title: string; targets?: { expr?: string }[] }[];
  };
  return dashboard.panels.flatMap((p) =>
    (p.targets ?? []).flatMap((t) =>
      t.expr
        ? [
            {
              panel: p.title,
              expr: t.expr
                .replaceAll('$job', '.+')
                .replaceAll('$__rate_interval', '1h')
                .replaceAll('$__range', '1h'),
            },
          ]
        : [],
    ),
  );
}

describeIfAvailable('a real Prometheus (Debian prometheus 2.42)', prometheusUnavailable(), () => {
  let prom: RunningPrometheus | undefined;
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    await prom?.close();
    gw = prom = undefined;
  });
  const events = httpEvents(N, 11);

  it('counts N requests, and N per status code, from remote-write', async () => {
    prom = await startPrometheus();
    gw = await startTestGateway({
      export: {
        presets: [...EXPORT_PRESETS],
        interval: '1h',
        remoteWrite: { url: `${prom.url}/api/v1/write`, externalLabels: { cluster: 'test' } },
      },
    });
    const world = await seedWorld(gw.gateway.store);
    await ingest(gw.url, 'http_events', httpJson(events));
    for (const [table, rows] of Object.entries(statsRows(nearNow())))
      await ingest(gw.url, table, rows);
    const outcomes = await gw.gateway.exports.runAll();
    expect(outcomes.map((o) => o.outcome)).toEqual(EXPORT_PRESETS.map(() => 'ok'));

    expect(await requestCounts(prom)).toEqual({ total: N, byStatus: perStatus(events) });
    // Prometheus took every sample: nothing refused, nothing out of order.
    const registry = gw.gateway.metrics.registry;
    expect(
      await metricValue(registry, 'pxgate_exporter_dropped_items_total', { sink: 'remote-write' }),
    ).toBe(0);
    expect(
      await metricValue(registry, 'pxgate_exporter_sent_items_total', { sink: 'remote-write' }),
    ).toBeGreaterThan(0);

    // job/instance from the resource, the rest on target_info, external labels everywhere.
    const info = await prom.query('target_info{job="shop/cart", instance="cart-0"}');
    expect(info).toHaveLength(1);
    expect(info[0]!.metric).toMatchObject({
      cluster: 'test',
      k8s_namespace_name: 'shop',
      k8s_pod_name: 'cart-0',
      k8s_pod_uid: 'uid-0',
      k8s_node_name: 'node-0',
      host_name: 'node-0',
    });
    // The other presets' metrics arrived with their Prometheus names.
    for (const name of [
      'process_cpu_time_seconds_total',
      'process_memory_usage_bytes',
      'pxgate_connection_io_bytes_total',
      'k8s_pod_network_io_bytes_total',
    ]) {
      expect(await prom.query(`count(${name})`)).toEqual([
        expect.objectContaining({ value: expect.any(Number) }),
      ]);
    }
    // The second reading of process 0's CPU counter: 2 s user + 0.5 s system, twice.
    const cpu = await prom.query(
      'sum(process_cpu_time_seconds_total{job="shop/cart", instance="cart-0:100"})',
    );
    expect(cpu[0]!.value).toBeCloseTo(5, 6);

    // More requests: the counters grow by exactly as many.
    const more = httpEvents(50, 12);
    await ingest(gw.url, 'http_events', httpJson(more));
    await gw.gateway.exports.runAll();
    expect(await requestCounts(prom)).toMatchObject({ total: N + 50 });

    // The RED dashboard reads these very series: each of its panels finds data for every
    // service that served requests (two remote-writes make the rates computable).
    const jobOf = (e: HttpEvent) => {
      const w = world.find((p) => p.pod === e.pod)!;
      return w.namespace ? `${w.namespace}/${w.service}` : w.service;
    };
    const served = [...events, ...more].filter((e) => e.trace_role === 2);
    const servers = new Set(served.map(jobOf));
    const withErrors = new Set(served.filter((e) => e.resp_status >= 500).map(jobOf));
    expect(withErrors.size).toBeGreaterThan(1);
    const queries = redDashboardQueries();
    expect(queries.length).toBeGreaterThanOrEqual(6);
    for (const { panel, expr } of queries) {
      const result = await prom.query(expr);
      const jobs = new Set(result.map((r) => r.metric.job));
      const expected = panel.startsWith('Errors') ? withErrors : servers;
      expect({ panel, jobs: [...jobs].sort() }).toEqual({ panel, jobs: [...expected].sort() });
      for (const r of result)
        expect({ panel, value: r.value }).toEqual({ panel, value: expect.any(Number) });
    }
  }, 60_000);

  it('counts database calls per operation and gRPC calls per status code exactly, from remote-write', async () => {
    prom = await startPrometheus();
    gw = await startTestGateway({
      export: {
        presets: ['db-metrics', 'rpc-metrics', 'dns-metrics'],
        interval: '1h',
        remoteWrite: { url: `${prom.url}/api/v1/write` },
      },
    });
    await seedWorld(gw.gateway.store);
    const traffic = worldTraffic();
    for (const [table, rows] of traffic) await ingestArrow(gw.url, table, rows);
    // One job at a time: a run's deadline includes its wait for a compile worker.
    const outcomes = [];
    for (const job of gw.gateway.exports.jobs) outcomes.push(await job.run());
    expect(outcomes.map((o) => o.error ?? o.outcome)).toEqual(['ok', 'ok', 'ok']);

    const plain = new Map([...traffic].map(([t, rows]) => [t, rows.map(plainRow)]));
    const calls = dbCalls(plain).filter((c) => c.row.trace_role === 1);
    const grpc = plain.get('http_events')!.filter((r) => r.content_type === 2);
    const grpcStatus = (r: PlainRow) =>
      (JSON.parse(String(r.resp_headers)) as Record<string, string>)['grpc-status']!;
    const lookups = plain.get('dns_events')!.filter((r) => r.trace_role === 1);
    const rcode = (r: PlainRow) => (JSON.parse(String(r.resp_header)) as { rcode: number }).rcode;
    /** A PromQL sum by labels, as "label|label" -> value (an absent label reads ""). */
    const sumBy = async (labels: string[], expr: string) =>
      Object.fromEntries(
        (await prom!.query(`sum by (${labels.join(', ')}) (${expr})`)).map((r) => [
          labels.map((l) => r.metric[l] ?? '').join('|'),
          r.value,
        ]),
      );

    const perOperation = countBy(calls, (c) => `${c.system}|${c.operation}`);
    expect(Object.keys(perOperation).length).toBeGreaterThan(15);
    expect(
      await sumBy(
        ['db_system_name', 'db_operation_name'],
        'db_client_operation_duration_seconds_count',
      ),
    ).toEqual(perOperation);
    expect(
      await sumBy(['db_system_name', 'error_type'], 'db_client_operation_duration_seconds_count'),
    ).toEqual(countBy(calls, (c) => `${c.system}|${c.failed ? c.statusCode || '_OTHER' : ''}`));
    for (const [metric, role] of [
      ['rpc_server_duration_seconds_count', 2],
      ['rpc_client_duration_seconds_count', 1],
    ] as const) {
      expect(await sumBy(['rpc_grpc_status_code'], metric)).toEqual(
        countBy(
          grpc.filter((r) => r.trace_role === role),
          grpcStatus,
        ),
      );
    }
    expect(await sumBy(['error_type'], 'dns_lookup_duration_seconds_count')).toEqual(
      countBy(lookups, (r) =>
        rcode(r) === 3 ? 'NameError' : rcode(r) === 0 ? '' : String(rcode(r)),
      ),
    );
    // The histograms' buckets are there too, in seconds.
    const slowest = await prom.query(
      'sum(db_client_operation_duration_seconds_bucket{le="+Inf"}) - sum(db_client_operation_duration_seconds_bucket{le="10"})',
    );
    expect(slowest[0]!.value).toBe(0);
  }, 60_000);

  it('counts N requests, and N per status code, by scraping /metrics', async () => {
    gw = await startTestGateway({ export: { presets: ['http-metrics'], interval: '1h' } });
    prom = await startPrometheus({ scrapeUrl: `${gw.url}/metrics` });
    await seedWorld(gw.gateway.store);
    await ingest(gw.url, 'http_events', httpJson(events));
    expect((await gw.gateway.exports.runAll()).map((o) => o.outcome)).toEqual(['ok']);
    const want = { total: N, byStatus: perStatus(events) };
    await waitFor(
      () => requestCounts(prom!),
      (seen) => JSON.stringify(seen) === JSON.stringify(want),
      { timeoutMs: 20_000, what: `Prometheus scraping ${JSON.stringify(want)}` },
    );
    const up = await prom.query('up{job="pxgate"}');
    expect(up[0]!.value).toBe(1);
  }, 60_000);

  it('exposes every preset on /metrics so that promtool check metrics finds nothing to say', async () => {
    gw = await startTestGateway({ export: { presets: [...EXPORT_PRESETS], interval: '1h' } });
    await seedWorld(gw.gateway.store);
    await ingest(gw.url, 'http_events', httpJson(events));
    for (const [table, rows] of Object.entries(statsRows(nearNow())))
      await ingest(gw.url, table, rows);
    for (const [table, rows] of worldTraffic()) await ingestArrow(gw.url, table, rows);
    await gw.gateway.exports.runAll();
    const exposition = await (await fetch(`${gw.url}/metrics`)).text();
    for (const name of [
      'db_client_operation_duration_seconds_bucket',
      'rpc_server_duration_seconds_count',
      'rpc_client_duration_seconds_sum',
      'dns_lookup_duration_seconds_bucket',
      'http_server_request_duration_seconds_bucket',
      'http_client_request_duration_seconds_count',
      'process_cpu_time_seconds_total',
      'pxgate_connection_active',
      'k8s_pod_network_io_bytes_total',
      'target_info',
      'pxgate_ingest_rows_total',
    ]) {
      expect(exposition).toContain(`\n${name}{`);
    }
    expect(promtoolCheckMetrics(exposition)).toEqual({ status: 0, output: '' });
  }, 60_000);
});
