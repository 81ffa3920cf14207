import { status } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { SinkSet } from './sink-set';
import { sampleHistogram, sampleResourceSpans } from '../../../test/support/telemetry';
import { closeSinkTest, startedOtlpSinks } from '../../../test/support/sinks';
import { metricValue } from '../../../test/support/metrics';
import {
  Answer,
  OtlpReceiver,
  metricsOf,
  spansOf,
  startOtlpReceiver,
} from '../../../test/support/otlp-receiver';
import {
  GrpcAnswer,
  spansOfCalls,
  startOtlpGrpcReceiver,
} from '../../../test/support/otlp-grpc-receiver';
import { ResourceMetrics } from './model/telemetry';

const histogram = (count: number): ResourceMetrics[] => sampleHistogram([count]);

/** How a receiver answers one request, whatever the transport. */
type Outcome = 'ok' | 'permanent' | 'retryable' | { readonly rejected: number };

/** A receiver on loopback that decodes what it takes with the official schema. */
interface Receiver {
  readonly url: string;
  /** Requests (or calls) received, answered with success or not. */
  received(): number;
  /** Spans of the requests answered with success. */
  spans(): { spanId: string }[];
  /** A header (or metadata entry) of the n-th request answered with success. */
  header(n: number, name: string): unknown;
  close(): Promise<void>;
}

/** One transport of the OTLP sink: its protocol setting and a receiver that speaks it. */
interface Transport {
  readonly name: string;
  readonly protocol: string;
  start(outcome?: (request: number) => Outcome): Promise<Receiver>;
  /** How a retryable refusal reads in the error of a batch that gave up. */
  readonly refusal: RegExp;
}

const HTTP: Transport = {
  name: 'HTTP',
  protocol: 'http/protobuf',
  refusal: /HTTP 503/,
  async start(outcome = () => 'ok') {
    const answer = (o: Outcome): Answer =>
      o === 'ok'
        ? { status: 200 }
        : o === 'permanent'
          ? { status: 400, message: 'bad data' }
          : o === 'retryable'
            ? { status: 503 }
            : { status: 200, rejected: o.rejected, message: 'too old' };
    const r = await startOtlpReceiver((_req, i) => answer(outcome(i)));
    return {
      url: r.url,
      received: () => r.all.length,
      spans: () => spansOf(r.accepted).map((s) => s.span),
      header: (n, name) => r.accepted[n]!.headers[name],
      close: () => r.close(),
    };
  },
};

const GRPC: Transport = {
  name: 'gRPC',
  protocol: 'grpc',
  refusal: /gRPC UNAVAILABLE/,
  async start(outcome = () => 'ok') {
    const answer = (o: Outcome): GrpcAnswer =>
      o === 'ok'
        ? {}
        : o === 'permanent'
          ? { code: status.INVALID_ARGUMENT, details: 'bad data' }
          : o === 'retryable'
            ? { code: status.UNAVAILABLE, details: 'warming up' }
            : { rejected: o.rejected, message: 'too old' };
    const r = await startOtlpGrpcReceiver((_call, i) => answer(outcome(i)));
    return {
      url: r.url,
      received: () => r.all.length,
      spans: () => spansOfCalls(r.accepted),
      header: (n, name) => r.accepted[n]!.metadata[name],
      close: () => r.close(),
    };
  },
};

describe.each([HTTP, GRPC])(
  'OTLP sink over $name, against a receiver decoding with the official schema',
  (transport) => {
    let receiver: Receiver | undefined;
    let set: SinkSet | undefined;
    afterEach(async () => {
      await closeSinkTest(set, receiver);
      set = receiver = undefined;
    });
    const sinks = (otlp: Record<string, unknown>, registry = new Registry()) =>
      startedOtlpSinks(
        { protocol: transport.protocol, endpoint: receiver!.url, ...otlp },
        registry,
      );

    it('delivers every span once, in batches, with its headers and its User-Agent', async () => {
      receiver = await transport.start();
      const registry = new Registry();
      set = sinks({ maxBatchItems: 300, headers: { 'X-Tenant': 'a' } }, registry);
      const report = await set.configured[0]!.export({
        spans: sampleResourceSpans(1000, 4),
        metrics: [],
      });
      expect(report).toEqual({ sent: 1000, dropped: 0 });
      expect(receiver.received()).toBe(4);
      expect(receiver.header(0, 'x-tenant')).toBe('a');
      expect(receiver.header(0, 'user-agent')).toMatch(/^pxgate\//);
      const spans = receiver.spans();
      expect(spans).toHaveLength(1000);
      expect(new Set(spans.map((s) => s.spanId)).size).toBe(1000);
      expect(
        await metricValue(registry, 'pxgate_exporter_sent_items_total', {
          sink: 'otlp',
          signal: 'spans',
        }),
      ).toBe(1000);
      expect(set.status()[0]).toMatchObject({ sink: 'otlp', sent: 1000, consecutiveFailures: 0 });
    });

    it('retries a receiver that is not ready with backoff, and loses nothing', async () => {
      receiver = await transport.start((i) => (i < 3 ? 'retryable' : 'ok'));
      const registry = new Registry();
      set = sinks({}, registry);
      const report = await set.configured[0]!.export({
        spans: sampleResourceSpans(200, 3),
        metrics: [],
      });
      expect(report).toEqual({ sent: 200, dropped: 0 });
      expect(receiver.received()).toBe(4);
      expect(new Set(receiver.spans().map((s) => s.spanId)).size).toBe(200);
      expect(await metricValue(registry, 'pxgate_exporter_retries_total', { sink: 'otlp' })).toBe(
        3,
      );
    });

    it('does not retry a permanent refusal, and counts the dropped items', async () => {
      receiver = await transport.start(() => 'permanent');
      const registry = new Registry();
      set = sinks({}, registry);
      const report = await set.configured[0]!.export({
        spans: sampleResourceSpans(30, 1),
        metrics: [],
      });
      expect(report).toEqual({ sent: 0, dropped: 30 });
      expect(receiver.received()).toBe(1);
      expect(
        await metricValue(registry, 'pxgate_exporter_dropped_items_total', {
          sink: 'otlp',
          reason: 'permanent',
        }),
      ).toBe(30);
      expect(await metricValue(registry, 'pxgate_exporter_retries_total')).toBe(0);
    });

    it('counts the spans and data points a receiver rejects in a partial success', async () => {
      // Each request is answered "3 rejected": all 20 spans go in one, the one data point in
      // another, of which no more than its one point can count.
      receiver = await transport.start(() => ({ rejected: 3 }));
      const registry = new Registry();
      set = sinks({}, registry);
      const report = await set.configured[0]!.export({
        spans: sampleResourceSpans(20, 1),
        metrics: histogram(5),
      });
      expect(report).toEqual({ sent: 17, dropped: 4 });
      const rejected = (signal: string) =>
        metricValue(registry, 'pxgate_exporter_dropped_items_total', {
          signal,
          reason: 'rejected',
        });
      expect([await rejected('spans'), await rejected('metrics')]).toEqual([3, 1]);
    });

    it('fails the batch for its job to resend when the receiver refuses past the retry bound', async () => {
      receiver = await transport.start(() => 'retryable');
      const registry = new Registry();
      set = sinks(
        { retry: { initialInterval: '10ms', maxInterval: '20ms', maxElapsed: '200ms' } },
        registry,
      );
      await expect(
        set.configured[0]!.export({ spans: sampleResourceSpans(5, 1), metrics: [] }),
      ).rejects.toMatchObject({
        errorClass: 'retryable',
        message: expect.stringMatching(
          new RegExp(`gave up after \\d+ attempt\\(s\\).*${transport.refusal.source}`),
        ),
      });
      expect(receiver.received()).toBeGreaterThan(2);
      expect(
        await metricValue(registry, 'pxgate_exporter_failed_items_total', { sink: 'otlp' }),
      ).toBe(5);
    });
  },
);

describe('OTLP/HTTP sink', () => {
  let receiver: OtlpReceiver | undefined;
  let set: SinkSet | undefined;
  afterEach(() => closeSinkTest(set, receiver));

  it('posts gzip-compressed protobuf to <endpoint>/v1/traces', async () => {
    receiver = await startOtlpReceiver();
    set = startedOtlpSinks({ endpoint: `${receiver.url}/` }, new Registry());
    await set.configured[0]!.export({ spans: sampleResourceSpans(10, 1), metrics: [] });
    expect(receiver.accepted.map((r) => r.path)).toEqual(['/v1/traces']);
    expect(receiver.accepted[0]!.headers).toMatchObject({
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
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
});
