import { TestGateway, getJson, postJson, startTestGateway } from '../support/gateway';
import { metricValue } from '../support/metrics';
import {
  Answer,
  OtlpReceiver,
  attributesOf,
  latestHistogramCount,
  metricsOf,
  spansOf,
  startOtlpReceiver,
} from '../support/otlp-receiver';
import { BASE_NS, HttpEvent, httpEvents, httpJson } from '../support/pxl';
import { WorldPod, seedWorld } from '../support/world';

const N = 300;

/** Every third request carries a W3C traceparent, as instrumented callers send. */
function traceparent(i: number): { traceId: string; parentId: string } {
  const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
  return {
    traceId: `4bf92f3577b34da6a3ce929d${hex(i + 1, 8)}`,
    parentId: `00f067aa${hex(i + 1, 8)}`,
  };
}

function ingestRows(events: readonly HttpEvent[], offset = 0): Record<string, unknown>[] {
  return httpJson(events).map((row, i) => {
    if ((i + offset) % 3 !== 0) return row;
    const { traceId, parentId } = traceparent(i + offset);
    return { ...row, req_headers: JSON.stringify({ Traceparent: `00-${traceId}-${parentId}-01` }) };
  });
}

async function startGateway(receiver: OtlpReceiver, otlp: Record<string, unknown> = {}) {
  return startTestGateway({
    export: {
      presets: ['http-metrics', 'http-spans'],
      // Runs are started by the tests (runAll), not by the clock.
      interval: '1h',
      otlp: {
        endpoint: receiver.url,
        retry: { initialInterval: '20ms', maxInterval: '50ms', maxElapsed: '20s' },
        ...otlp,
      },
    },
  });
}

describe('export presets to an OTLP receiver decoding with the official schema', () => {
  let receiver: OtlpReceiver;
  let gw: TestGateway;
  let world: WorldPod[];
  const events = httpEvents(N);
  afterEach(async () => {
    await gw?.close();
    await receiver?.close();
  });

  it('sends N requests as N distinct spans with the semantic-convention attributes, and histograms counting N', async () => {
    receiver = await startOtlpReceiver();
    gw = await startGateway(receiver);
    world = await seedWorld(gw.gateway.store);
    expect(
      (await postJson(`${gw.url}/v1/ingest`, { table: 'http_events', rows: ingestRows(events) }))
        .status,
    ).toBe(200);

    const outcomes = await gw.gateway.exports.runAll();
    expect(outcomes.map((o) => o.outcome)).toEqual(['ok', 'ok']);

    const spans = spansOf(receiver.accepted);
    expect(spans).toHaveLength(N);
    expect(new Set(spans.map((s) => s.span.spanId)).size).toBe(N);
    const byEnd = new Map(events.map((e, i) => [e.time_.toString(), { e, i }]));
    for (const { resource, span } of spans) {
      const { e, i } = byEnd.get(span.endTimeUnixNano)!;
      const server = e.trace_role === 2;
      const attrs = attributesOf(span.attributes);
      expect(span.kind).toBe(server ? 2 : 3);
      expect(BigInt(span.startTimeUnixNano)).toBe(e.time_ - BigInt(e.latency));
      expect(attrs).toMatchObject({
        'http.request.method': e.req_method,
        'url.path': e.req_path,
        'http.response.status_code': e.resp_status,
        [server ? 'client.address' : 'server.address']: e.remote_addr,
      });
      expect(span.status.code).toBe((server ? e.resp_status >= 500 : e.resp_status >= 400) ? 2 : 0);
      if (i % 3 === 0) {
        expect(span.traceId).toBe(traceparent(i).traceId);
        expect(span.parentSpanId).toBe(traceparent(i).parentId);
      } else {
        expect(span.parentSpanId).toBe('');
      }
      const pod = world[e.pod]!;
      expect(resource['service.name']).toBe(pod.service);
      if (pod.k8sPod) {
        expect(resource).toMatchObject({
          'service.namespace': 'shop',
          'service.instance.id': pod.k8sPod,
          'k8s.namespace.name': 'shop',
          'k8s.pod.name': pod.k8sPod,
          'k8s.pod.uid': `uid-${e.pod}`,
          'k8s.node.name': pod.node,
          'host.name': pod.node,
        });
      }
    }

    const servers = events.filter((e) => e.trace_role === 2).length;
    expect(latestHistogramCount(receiver, 'http.server.request.duration')).toBe(servers);
    expect(latestHistogramCount(receiver, 'http.client.request.duration')).toBe(N - servers);
    const point = metricsOf(receiver.accepted).find(
      (m) => m.metric.name === 'http.server.request.duration',
    )!;
    expect(point.metric).toMatchObject({ unit: 's', histogram: { aggregationTemporality: 2 } });
    expect(
      Object.keys(attributesOf(point.metric.histogram.dataPoints[0].attributes)).sort(),
    ).toEqual(['http.request.method', 'http.response.status_code', 'http.route']);
  });

  it('reads each row once: a run without new rows sends no span, and late rows are exported', async () => {
    receiver = await startOtlpReceiver();
    gw = await startGateway(receiver);
    await seedWorld(gw.gateway.store);
    await postJson(`${gw.url}/v1/ingest`, { table: 'http_events', rows: ingestRows(events) });
    await gw.gateway.exports.runAll();
    await gw.gateway.exports.runAll();
    expect(spansOf(receiver.accepted)).toHaveLength(N);
    expect(latestHistogramCount(receiver, 'http.server.request.duration')).toBe(
      events.filter((e) => e.trace_role === 2).length,
    );

    // Five more, one of them an hour older than everything exported so far.
    const more = httpEvents(5, 99).map((e, i) => ({
      ...e,
      time_: i === 0 ? BASE_NS - 3_600_000_000_000n : e.time_ + 1n,
      trace_role: 2,
    }));
    await postJson(`${gw.url}/v1/ingest`, { table: 'http_events', rows: httpJson(more) });
    await gw.gateway.exports.runAll();
    const spans = spansOf(receiver.accepted);
    expect(spans).toHaveLength(N + 5);
    expect(new Set(spans.map((s) => s.span.spanId)).size).toBe(N + 5);
    expect(
      spans.some((s) => s.span.endTimeUnixNano === (BASE_NS - 3_600_000_000_000n).toString()),
    ).toBe(true);
    expect(latestHistogramCount(receiver, 'http.server.request.duration')).toBe(
      events.filter((e) => e.trace_role === 2).length + 5,
    );

    const { body } = await getJson(`${gw.url}/v1/exports`);
    const lastSeq = gw.gateway.store.lastSeq();
    expect(
      body.jobs.map((j: any) => [
        j.name,
        j.lastRun.outcome,
        j.sinks.map((s: any) => [s.sink, s.cursor]),
      ]),
    ).toEqual([
      [
        'http-metrics',
        'ok',
        [
          ['otlp', lastSeq],
          ['prometheus', lastSeq],
        ],
      ],
      [
        // /metrics takes no spans: the pair is not listed.
        'http-spans',
        'ok',
        [['otlp', lastSeq]],
      ],
    ]);
  });

  it('loses nothing when the receiver first answers 503 with Retry-After', async () => {
    receiver = await startOtlpReceiver((_r, i): Answer =>
      i < 2 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    gw = await startGateway(receiver);
    await seedWorld(gw.gateway.store);
    await postJson(`${gw.url}/v1/ingest`, { table: 'http_events', rows: ingestRows(events) });
    const outcomes = await gw.gateway.exports.runAll();
    expect(outcomes.map((o) => o.outcome)).toEqual(['ok', 'ok']);
    expect(receiver.all.length - receiver.accepted.length).toBe(2);
    const spans = spansOf(receiver.accepted);
    expect(spans).toHaveLength(N);
    expect(new Set(spans.map((s) => s.span.spanId)).size).toBe(N);
    expect(
      latestHistogramCount(receiver, 'http.server.request.duration') +
        latestHistogramCount(receiver, 'http.client.request.duration'),
    ).toBe(N);
  });

  it('does not retry a 400: the drop is counted and the rows are not read again', async () => {
    receiver = await startOtlpReceiver((r): Answer =>
      r.path === '/v1/traces' ? { status: 400 } : { status: 200 },
    );
    gw = await startGateway(receiver);
    await seedWorld(gw.gateway.store);
    await postJson(`${gw.url}/v1/ingest`, { table: 'http_events', rows: ingestRows(events) });
    await gw.gateway.exports.runAll();
    const traceRequests = receiver.all.filter((r) => r.path === '/v1/traces').length;
    expect(traceRequests).toBe(1);
    const registry = gw.gateway.metrics.registry;
    expect(
      await metricValue(registry, 'pxgate_exporter_dropped_items_total', {
        sink: 'otlp',
        signal: 'spans',
        reason: 'permanent',
      }),
    ).toBe(N);
    expect(await metricValue(registry, 'pxgate_exporter_retries_total', { sink: 'otlp' })).toBe(0);
    await gw.gateway.exports.runAll();
    expect(receiver.all.filter((r) => r.path === '/v1/traces')).toHaveLength(traceRequests);
    const { body } = await getJson(`${gw.url}/v1/exports`);
    const spansJob = body.jobs.find((j: any) => j.name === 'http-spans');
    expect(spansJob.sinks.find((s: any) => s.sink === 'otlp')).toMatchObject({
      dropped: { by_sink: N },
      cursor: gw.gateway.store.lastSeq(),
    });
    expect(body.sinks.find((s: any) => s.sink === 'otlp').dropped).toEqual({ permanent: N });
  });

  it('keeps the cursor of a sink that stays down, and sends its rows once it is back', async () => {
    let up = false;
    receiver = await startOtlpReceiver((): Answer => ({ status: up ? 200 : 502 }));
    gw = await startGateway(receiver, {
      retry: { initialInterval: '10ms', maxInterval: '20ms', maxElapsed: '150ms' },
    });
    await seedWorld(gw.gateway.store);
    await postJson(`${gw.url}/v1/ingest`, { table: 'http_events', rows: ingestRows(events) });
    const failed = await gw.gateway.exports.runAll();
    expect(failed.map((o) => o.outcome)).toEqual(['failed', 'failed']);
    const { body } = await getJson(`${gw.url}/v1/exports`);
    const spansJob = body.jobs.find((j: any) => j.name === 'http-spans');
    const target = spansJob.sinks.find((s: any) => s.sink === 'otlp');
    expect(target).toMatchObject({
      cursor: 0,
      behindRows: gw.gateway.store.lastSeq(),
      lastError: { message: expect.stringMatching(/HTTP 502/) },
    });
    // Every attempt of the job's requests failed: at least one, and no more than the sink's,
    // which counts the other job's attempts too.
    const sink = body.sinks.find((s: any) => s.sink === 'otlp');
    expect(target.consecutiveFailures).toBeGreaterThanOrEqual(1);
    expect(target.consecutiveFailures).toBeLessThanOrEqual(sink.consecutiveFailures);
    expect(failed[1]!.error).toMatch(/^otlp: /);

    up = true;
    expect((await gw.gateway.exports.runAll()).map((o) => o.outcome)).toEqual(['ok', 'ok']);
    const spans = spansOf(receiver.accepted);
    expect(spans).toHaveLength(N);
    expect(
      latestHistogramCount(receiver, 'http.server.request.duration') +
        latestHistogramCount(receiver, 'http.client.request.duration'),
    ).toBe(N);
  });
});
