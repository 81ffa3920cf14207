import { status } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { gunzipSync } from 'node:zlib';
import { validateConfig } from '../../../cli/config/load';
import { SinkSet } from './sink-set';
import { ResourceMetrics } from './model/telemetry';
import { grpcMessagesSent } from '../../../test/support/grpc-wire';
import { capturingLogger } from '../../../test/support/logs';
import { waitFor } from '../../../test/support/wait';
import { metricValue } from '../../../test/support/metrics';
import {
  GrpcAnswer,
  OtlpGrpcCall,
  OtlpGrpcReceiver,
  histogramPointsOfCalls,
  spansOfCalls,
  startOtlpGrpcReceiver,
} from '../../../test/support/otlp-grpc-receiver';
import { decodeTraceRequest } from '../../../test/support/otlp-schema';
import { debugInfoDetail } from '../../../test/support/rpc-status-schema';
import { startTcpRecorder } from '../../../test/support/tcp-recorder';
import { sampleHistogram, sampleResourceSpans } from '../../../test/support/telemetry';
import { closeSinkTest, startedOtlpSinks } from '../../../test/support/sinks';
import { TestPki, opensslUnavailable } from '../../../test/support/tls';
import { describeIfAvailable } from '../../../test/support/system';

function grpcSinks(otlp: Record<string, unknown>, registry = new Registry()): SinkSet {
  return startedOtlpSinks({ protocol: 'grpc', ...otlp }, registry);
}

const histogram = (count: number): ResourceMetrics[] =>
  sampleHistogram([count, count + 1, count + 2]);

/** Answers `failures` calls with `failure`, then OK. */
const failingFirst =
  (failures: number, failure: GrpcAnswer) =>
  (_call: OtlpGrpcCall, index: number): GrpcAnswer =>
    index < failures ? failure : {};

// What the OTLP sink does alike over HTTP and gRPC (batches, headers, retries, permanent
// refusals, partial success, giving up) is tested over both in otlp-sink.test.ts.
describe('OTLP/gRPC sink against a grpc-js receiver decoding with the official schema', () => {
  let receiver: OtlpGrpcReceiver | undefined;
  let set: SinkSet | undefined;
  afterEach(async () => {
    await closeSinkTest(set, receiver);
    set = receiver = undefined;
  });

  it('delivers histograms to MetricsService/Export with their counts exact', async () => {
    receiver = await startOtlpGrpcReceiver();
    set = grpcSinks({ endpoint: receiver.url });
    const report = await set.configured[0]!.export({ spans: [], metrics: histogram(41) });
    expect(report).toEqual({ sent: 3, dropped: 0 });
    const points = histogramPointsOfCalls(receiver.accepted, 'http.server.request.duration');
    expect(points.map((p) => [p.count, p.bucketCounts])).toEqual([
      ['41', ['0', '41', '0', '0']],
      ['42', ['0', '42', '0', '0']],
      ['43', ['0', '43', '0', '0']],
    ]);
  });

  it('waits as the RetryInfo in the trailer says, past other details, and loses nothing', async () => {
    receiver = await startOtlpGrpcReceiver(
      failingFirst(2, {
        code: status.UNAVAILABLE,
        details: 'shedding load',
        retryDelayMs: 700,
        extraDetails: [debugInfoDetail('overloaded')],
      }),
    );
    set = grpcSinks({ endpoint: receiver.url });
    const started = Date.now();
    const report = await set.configured[0]!.export({
      spans: sampleResourceSpans(50, 2),
      metrics: [],
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(report).toEqual({ sent: 50, dropped: 0 });
    expect(receiver.all).toHaveLength(3);
    expect(spansOfCalls(receiver.accepted)).toHaveLength(50);
  });

  it('retries RESOURCE_EXHAUSTED that carries RetryInfo, and drops it without', async () => {
    receiver = await startOtlpGrpcReceiver(
      failingFirst(1, { code: status.RESOURCE_EXHAUSTED, details: 'quota', retryDelayMs: 300 }),
    );
    set = grpcSinks({ endpoint: receiver.url });
    const started = Date.now();
    expect(
      await set.configured[0]!.export({ spans: sampleResourceSpans(20, 1), metrics: [] }),
    ).toEqual({ sent: 20, dropped: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await set.shutdown();
    await receiver.close();

    receiver = await startOtlpGrpcReceiver(() => ({
      code: status.RESOURCE_EXHAUSTED,
      details: 'message too large',
    }));
    const registry = new Registry();
    set = grpcSinks({ endpoint: receiver.url }, registry);
    expect(
      await set.configured[0]!.export({ spans: sampleResourceSpans(20, 1), metrics: [] }),
    ).toEqual({ sent: 0, dropped: 20 });
    expect(receiver.all).toHaveLength(1);
    expect(set.status()[0]!.lastError?.message).toBe('gRPC RESOURCE_EXHAUSTED: message too large');
  });

  it('sends a deadline, and retries a call the receiver leaves unanswered past it', async () => {
    receiver = await startOtlpGrpcReceiver(failingFirst(1, { silent: true }));
    set = grpcSinks({ endpoint: receiver.url, timeout: '300ms' });
    const report = await set.configured[0]!.export({
      spans: sampleResourceSpans(10, 1),
      metrics: [],
    });
    expect(report).toEqual({ sent: 10, dropped: 0 });
    expect(receiver.all).toHaveLength(2);
    for (const call of receiver.all) {
      expect(call.deadlineInMs).toBeGreaterThan(0);
      expect(call.deadlineInMs).toBeLessThanOrEqual(300);
    }
    expect(set.status()[0]!.lastError?.message).toMatch(/timed out after 300 ms|DEADLINE_EXCEEDED/);
  });

  it('fails the batch for its job to resend when no receiver listens', async () => {
    receiver = await startOtlpGrpcReceiver();
    const url = receiver.url;
    await receiver.close();
    receiver = undefined;
    const registry = new Registry();
    set = grpcSinks(
      {
        endpoint: url,
        retry: { initialInterval: '10ms', maxInterval: '20ms', maxElapsed: '300ms' },
      },
      registry,
    );
    await expect(
      set.configured[0]!.export({ spans: sampleResourceSpans(5, 1), metrics: [] }),
    ).rejects.toMatchObject({
      errorClass: 'retryable',
      message: expect.stringMatching(/gave up after \d+ attempt\(s\).*gRPC UNAVAILABLE/),
    });
    expect(
      await metricValue(registry, 'pxgate_exporter_failed_items_total', { sink: 'otlp' }),
    ).toBe(5);
  });

  it('delivers everything once a receiver that was down comes back on its port', async () => {
    const first = await startOtlpGrpcReceiver();
    const { url, port } = first;
    await first.close();
    const registry = new Registry();
    set = grpcSinks({ endpoint: url }, registry);
    const delivery = set.configured[0]!.export({
      spans: sampleResourceSpans(300, 3),
      metrics: histogram(9),
    });
    await waitFor(
      () => metricValue(registry, 'pxgate_exporter_retries_total', { sink: 'otlp' }),
      (retries) => retries >= 2,
      { what: 'two retries against the missing receiver' },
    );
    receiver = await startOtlpGrpcReceiver(undefined, undefined, port);
    expect(await delivery).toEqual({ sent: 303, dropped: 0 });
    expect(new Set(spansOfCalls(receiver.accepted).map((s) => s.spanId)).size).toBe(300);
    expect(
      histogramPointsOfCalls(receiver.accepted, 'http.server.request.duration').map((p) => p.count),
    ).toEqual(['9', '10', '11']);
  });

  it('gzips each message on the wire, and sends it plain when compression is none', async () => {
    receiver = await startOtlpGrpcReceiver();
    for (const compression of ['gzip', 'none'] as const) {
      const proxy = await startTcpRecorder({ host: '127.0.0.1', port: receiver.port });
      set = grpcSinks({ endpoint: `http://127.0.0.1:${proxy.port}`, compression });
      await set.configured[0]!.export({ spans: sampleResourceSpans(500, 2), metrics: [] });
      await set.shutdown();
      await proxy.settled();
      await proxy.close();
      const [connection, ...others] = proxy.connections();
      expect(others).toHaveLength(0);
      const [message, ...more] = grpcMessagesSent(connection!);
      expect(more).toHaveLength(0);
      expect(message!.compressed).toBe(compression === 'gzip');
      const request = compression === 'gzip' ? gunzipSync(message!.bytes) : message!.bytes;
      if (compression === 'gzip') expect(message!.bytes.length).toBeLessThan(request.length / 2);
      const spans = decodeTraceRequest(request)
        .resourceSpans.flatMap((rs: any) => rs.scopeSpans)
        .flatMap((ss: any) => ss.spans);
      expect(spans).toHaveLength(500);
    }
    expect(spansOfCalls(receiver.accepted)).toHaveLength(1000);
  });

  it('says in its start log line that it guessed gRPC from port 4317', () => {
    const { log, lines } = capturingLogger();
    const config = validateConfig({
      export: { otlp: { endpoint: 'http://127.0.0.1:4317' }, prometheus: { enabled: false } },
    });
    const guessed = SinkSet.create(config.export, new Registry(), log);
    void guessed.shutdown();
    expect(lines()).toContainEqual(
      expect.objectContaining({
        sink: 'otlp',
        protocol: 'grpc',
        msg: expect.stringContaining('guessed from port 4317'),
      }),
    );
  });

  it('gives a script-named endpoint on port 4317 gRPC, even when the configured sink speaks HTTP', async () => {
    const { log, lines } = capturingLogger();
    const config = validateConfig({
      export: { otlp: { endpoint: 'http://127.0.0.1:4318', protocol: 'http/json' } },
    });
    const sinks = SinkSet.create(config.export, new Registry(), log);
    const other = sinks.endpoint({
      url: '127.0.0.1:9999',
      headers: {},
      insecure: true,
      timeoutMs: 1000,
    });
    const pixie = sinks.endpoint({
      url: '127.0.0.1:4317',
      headers: {},
      insecure: true,
      timeoutMs: 1000,
    });
    await sinks.shutdown();
    expect([other.name, pixie.name]).toEqual(['otlp:127.0.0.1:9999', 'otlp:127.0.0.1:4317']);
    const started = lines().filter((l) => typeof l.sink === 'string');
    expect(started.map((l) => [l.sink, l.protocol])).toEqual([
      ['otlp', 'http/json'],
      ['otlp:127.0.0.1:9999', 'http/json'],
      ['otlp:127.0.0.1:4317', 'grpc'],
    ]);
  });
});

describeIfAvailable('OTLP/gRPC sink over TLS', opensslUnavailable(), () => {
  let pki: TestPki;
  let receiver: OtlpGrpcReceiver | undefined;
  let set: SinkSet | undefined;
  beforeAll(() => {
    pki = new TestPki();
  });
  afterAll(() => pki.cleanup());
  afterEach(async () => {
    await closeSinkTest(set, receiver);
    set = receiver = undefined;
  });
  const giveUpSoon = { initialInterval: '10ms', maxInterval: '20ms', maxElapsed: '300ms' };

  it('trusts the receiver signed by the configured CA', async () => {
    receiver = await startOtlpGrpcReceiver(undefined, {
      cert: pki.server.cert,
      key: pki.server.key,
    });
    expect(receiver.url).toMatch(/^https:/);
    set = grpcSinks({ endpoint: receiver.url, tls: { caFile: pki.caFile } });
    expect(
      await set.configured[0]!.export({ spans: sampleResourceSpans(25, 1), metrics: [] }),
    ).toEqual({ sent: 25, dropped: 0 });
  });

  it('refuses a receiver its CA did not sign, unless told to skip verification', async () => {
    const stranger = new TestPki();
    try {
      receiver = await startOtlpGrpcReceiver(undefined, {
        cert: stranger.server.cert,
        key: stranger.server.key,
      });
      set = grpcSinks({ endpoint: receiver.url, tls: { caFile: pki.caFile }, retry: giveUpSoon });
      await expect(
        set.configured[0]!.export({ spans: sampleResourceSpans(5, 1), metrics: [] }),
      ).rejects.toMatchObject({ errorClass: 'retryable' });
      expect(receiver.all).toHaveLength(0);
      await set.shutdown();
      set = grpcSinks({ endpoint: receiver.url, tls: { insecureSkipVerify: true } });
      expect(
        await set.configured[0]!.export({ spans: sampleResourceSpans(5, 1), metrics: [] }),
      ).toEqual({ sent: 5, dropped: 0 });
    } finally {
      stranger.cleanup();
    }
  });

  it('presents its client certificate to a receiver that requires one', async () => {
    receiver = await startOtlpGrpcReceiver(undefined, {
      cert: pki.server.cert,
      key: pki.server.key,
      clientCa: pki.caCert,
    });
    set = grpcSinks({ endpoint: receiver.url, tls: { caFile: pki.caFile }, retry: giveUpSoon });
    await expect(
      set.configured[0]!.export({ spans: sampleResourceSpans(5, 1), metrics: [] }),
    ).rejects.toMatchObject({ errorClass: 'retryable' });
    await set.shutdown();
    set = grpcSinks({
      endpoint: receiver.url,
      tls: { caFile: pki.caFile, certFile: pki.client.certFile, keyFile: pki.client.keyFile },
    });
    expect(
      await set.configured[0]!.export({ spans: sampleResourceSpans(5, 1), metrics: [] }),
    ).toEqual({ sent: 5, dropped: 0 });
    expect(receiver.accepted).toHaveLength(1);
  });
});
