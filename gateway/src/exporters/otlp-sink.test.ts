import { Registry } from 'prom-client';
import { SinkSet } from './sink-set';
import { sampleHistogram, sampleResourceSpans } from '../../../test/support/telemetry';
import { startedOtlpSinks } from '../../../test/support/sinks';
import { metricValue } from '../../../test/support/metrics';
import {
  OtlpReceiver,
  metricsOf,
  spansOf,
  startOtlpReceiver,
} from '../../../test/support/otlp-receiver';
import { ResourceMetrics } from './model/telemetry';

const histogram = (count: number): ResourceMetrics[] => sampleHistogram([count]);

describe('OTLP/HTTP sink against a receiver decoding with the official schema', () => {
  let receiver: OtlpReceiver | undefined;
  let set: SinkSet | undefined;
  afterEach(async () => {
    await set?.shutdown();
    await receiver?.close();
  });

  it('delivers every span once, gzip-compressed protobuf to <endpoint>/v1/traces, in batches', async () => {
    receiver = await startOtlpReceiver();
    const registry = new Registry();
    set = startedOtlpSinks(
      { endpoint: `${receiver.url}/`, maxBatchItems: 300, headers: { 'X-Tenant': 'a' } },
      registry,
    );
    const groups = sampleResourceSpans(1000, 4);
    const report = await set.configured[0]!.export({ spans: groups, metrics: [] });
    expect(report).toEqual({ sent: 1000, dropped: 0 });
    expect(receiver.accepted.map((r) => r.path)).toEqual(Array(4).fill('/v1/traces'));
    expect(receiver.accepted[0]!.headers).toMatchObject({
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
      'x-tenant': 'a',
    });
    expect(receiver.accepted[0]!.headers['user-agent']).toMatch(/^pxgate\//);
    const spans = spansOf(receiver.accepted);
    expect(new Set(spans.map((s) => s.span.spanId)).size).toBe(1000);
    expect(
      await metricValue(registry, 'pxgate_exporter_sent_items_total', {
        sink: 'otlp',
        signal: 'spans',
      }),
    ).toBe(1000);
  });

  it('splits requests that pass the byte bound', async () => {
    receiver = await startOtlpReceiver();
    set = startedOtlpSinks(
      { endpoint: receiver.url, maxBatchMb: 0.01, compression: 'none' },
      new Registry(),
    );
    await set.configured[0]!.export({ spans: sampleResourceSpans(200, 2), metrics: [] });
    expect(receiver.accepted.length).toBeGreaterThan(2);
    for (const r of receiver.accepted) expect(r.bytes).toBeLessThanOrEqual(0.01 * 1024 * 1024);
    expect(spansOf(receiver.accepted)).toHaveLength(200);
  });

  it('speaks OTLP/JSON when asked', async () => {
    receiver = await startOtlpReceiver();
    set = startedOtlpSinks({ endpoint: receiver.url, protocol: 'http/json' }, new Registry());
    await set.configured[0]!.export({ spans: sampleResourceSpans(10, 1), metrics: histogram(10) });
    expect(receiver.accepted.map((r) => [r.path, r.headers['content-type']])).toEqual([
      ['/v1/traces', 'application/json'],
      ['/v1/metrics', 'application/json'],
    ]);
    expect(spansOf(receiver.accepted)).toHaveLength(10);
    expect(metricsOf(receiver.accepted)[0]!.metric.histogram.dataPoints[0].count).toBe('10');
  });

  it('waits as Retry-After says on 503 and loses nothing', async () => {
    receiver = await startOtlpReceiver((_r, i) =>
      i < 2 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const registry = new Registry();
    set = startedOtlpSinks({ endpoint: receiver.url }, registry);
    const started = Date.now();
    const report = await set.configured[0]!.export({
      spans: sampleResourceSpans(50, 2),
      metrics: histogram(50),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(report).toEqual({ sent: 51, dropped: 0 });
    expect(receiver.all).toHaveLength(4);
    expect(spansOf(receiver.accepted)).toHaveLength(50);
    expect(metricsOf(receiver.accepted)[0]!.metric.histogram.dataPoints[0].count).toBe('50');
    expect(await metricValue(registry, 'pxgate_exporter_retries_total', { sink: 'otlp' })).toBe(2);
  });

  it('does not retry a 400, and counts the dropped items', async () => {
    receiver = await startOtlpReceiver(() => ({ status: 400, message: 'bad data' }));
    const registry = new Registry();
    set = startedOtlpSinks({ endpoint: receiver.url }, registry);
    const report = await set.configured[0]!.export({
      spans: sampleResourceSpans(30, 1),
      metrics: [],
    });
    expect(report).toEqual({ sent: 0, dropped: 30 });
    expect(receiver.all).toHaveLength(1);
    expect(
      await metricValue(registry, 'pxgate_exporter_dropped_items_total', {
        sink: 'otlp',
        reason: 'permanent',
      }),
    ).toBe(30);
    expect(await metricValue(registry, 'pxgate_exporter_retries_total')).toBe(0);
  });

  it('counts the items a receiver rejects in a partial success', async () => {
    receiver = await startOtlpReceiver(() => ({ status: 200, rejected: 3, message: 'too old' }));
    const registry = new Registry();
    set = startedOtlpSinks({ endpoint: receiver.url }, registry);
    const report = await set.configured[0]!.export({
      spans: sampleResourceSpans(20, 1),
      metrics: [],
    });
    expect(report).toEqual({ sent: 17, dropped: 3 });
    expect(
      await metricValue(registry, 'pxgate_exporter_dropped_items_total', { reason: 'rejected' }),
    ).toBe(3);
  });

  it('fails the batch for its job to resend when the receiver stays down past the retry bound', async () => {
    receiver = await startOtlpReceiver(() => ({ status: 502 }));
    const registry = new Registry();
    set = startedOtlpSinks(
      {
        endpoint: receiver.url,
        retry: { initialInterval: '10ms', maxInterval: '20ms', maxElapsed: '200ms' },
      },
      registry,
    );
    await expect(
      set.configured[0]!.export({ spans: sampleResourceSpans(5, 1), metrics: [] }),
    ).rejects.toMatchObject({
      errorClass: 'retryable',
      message: expect.stringMatching(/gave up after \d+ attempt\(s\).*HTTP 502/),
    });
    expect(receiver.all.length).toBeGreaterThan(2);
    expect(
      await metricValue(registry, 'pxgate_exporter_failed_items_total', { sink: 'otlp' }),
    ).toBe(5);
  });
});
