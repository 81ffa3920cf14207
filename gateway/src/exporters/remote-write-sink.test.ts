import { Registry } from 'prom-client';
import { silentLogger } from '../../../shared/common/logger';
import { validateConfig } from '../../../cli/config/load';
import { ResourceMetrics } from './model/telemetry';
import { closeSinkTest } from '../../../test/support/sinks';
import { SinkSet } from './sink-set';
import { metricValue } from '../../../test/support/metrics';
import {
  RemoteWriteReceiver,
  startRemoteWriteReceiver,
} from '../../../test/support/remote-write-receiver';

function sinks(remoteWrite: Record<string, unknown>, registry: Registry): SinkSet {
  const config = validateConfig({
    export: {
      remoteWrite: { retry: { initialInterval: '20ms', maxInterval: '50ms' }, ...remoteWrite },
      prometheus: { enabled: false },
    },
  });
  const set = SinkSet.create(config.export, registry, silentLogger());
  set.start();
  return set;
}

/** `services` resources, each with a request histogram per status and a byte counter. */
function metrics(services: number, timeMs: number, count: number): ResourceMetrics[] {
  const timeNs = BigInt(timeMs) * 1_000_000n;
  return Array.from({ length: services }, (_, i) => ({
    resource: {
      attributes: {
        'service.name': `svc-${i}`,
        'service.namespace': 'shop',
        'k8s.pod.name': `svc-${i}-0`,
      },
    },
    scope: { name: 'pxgate', version: '1' },
    metrics: [
      {
        name: 'http.server.request.duration',
        description: 'Duration of HTTP server requests.',
        unit: 's',
        data: {
          kind: 'histogram' as const,
          temporality: 'cumulative' as const,
          points: [200, 500].map((status) => ({
            attributes: {
              'http.request.method': 'GET',
              'http.response.status_code': status,
              'url.scheme': '',
            },
            startTimeNs: 1_000_000n,
            timeNs,
            count,
            sum: count * 0.02,
            bounds: [0.01, 0.1, 1],
            bucketCounts: [0, count, 0, 0],
          })),
        },
      },
      {
        name: 'k8s.pod.network.io',
        description: '',
        unit: 'By',
        data: {
          kind: 'sum' as const,
          monotonic: true,
          temporality: 'cumulative' as const,
          points: [
            {
              attributes: { 'network.io.direction': 'receive' },
              timeNs,
              value: BigInt(count * 100),
            },
          ],
        },
      },
    ],
  }));
}

/** Sample times near the clock: receivers refuse samples more than an hour old. */
const NOW = Date.now();

const samplesOf = (r: RemoteWriteReceiver) =>
  r.accepted.flat().reduce((n, s) => n + s.samples.length, 0);

describe('remote-write sink against a receiver checking every rule of the 1.0 spec', () => {
  let receiver: RemoteWriteReceiver | undefined;
  let set: SinkSet | undefined;
  afterEach(() => closeSinkTest(set, receiver));

  it('keeps every rule on every request across many requests and two exports', async () => {
    receiver = await startRemoteWriteReceiver();
    const registry = new Registry();
    set = sinks({ url: receiver.url, externalLabels: { cluster: 'test' } }, registry);
    const sink = set.configured[0]!;
    // 300 resources × (2 histograms × 6 samples + 1 counter + target_info) = 4,200 samples.
    const first = await sink.export({ spans: [], metrics: metrics(300, NOW - 10_000, 5) });
    const second = await sink.export({ spans: [], metrics: metrics(300, NOW, 9) });
    expect(receiver.violations).toEqual([]);
    expect(first.sent).toBe(4200);
    expect(second.sent).toBe(4200);
    expect(receiver.accepted.length).toBeGreaterThanOrEqual(6);
    expect(samplesOf(receiver)).toBe(8400);
    const counter = receiver.accepted
      .flat()
      .find((s) => s.labels.some((l) => l.value === 'k8s_pod_network_io_bytes_total'))!;
    expect(Object.fromEntries(counter.labels.map((l) => [l.name, l.value]))).toEqual({
      __name__: 'k8s_pod_network_io_bytes_total',
      cluster: 'test',
      job: expect.stringMatching(/^shop\/svc-\d+$/),
      network_io_direction: 'receive',
      otel_scope_name: 'pxgate',
      otel_scope_version: '1',
    });
  });

  it('retries 500 and 429 with backoff, and never retries 400', async () => {
    const answers = [500, 429, 204, 400];
    receiver = await startRemoteWriteReceiver({ answer: (i) => ({ status: answers[i] ?? 204 }) });
    const registry = new Registry();
    set = sinks({ url: receiver.url }, registry);
    const sink = set.configured[0]!;
    expect(await sink.export({ spans: [], metrics: metrics(1, NOW - 10_000, 1) })).toEqual({
      sent: 14,
      dropped: 0,
    });
    expect(receiver.requests).toBe(3);
    expect(await sink.export({ spans: [], metrics: metrics(1, NOW, 2) })).toEqual({
      sent: 0,
      dropped: 14,
    });
    expect(receiver.requests).toBe(4);
    expect(receiver.violations).toEqual([]);
    expect(
      await metricValue(registry, 'pxgate_exporter_retries_total', { sink: 'remote-write' }),
    ).toBe(2);
    expect(
      await metricValue(registry, 'pxgate_exporter_dropped_items_total', {
        sink: 'remote-write',
        reason: 'permanent',
      }),
    ).toBe(14);
  });

  it('sends a stale marker for a series that stops being written', async () => {
    receiver = await startRemoteWriteReceiver();
    set = sinks({ url: receiver.url, staleAfter: '1ms', scopeLabels: false }, new Registry());
    const sink = set.configured[0]!;
    await sink.export({ spans: [], metrics: metrics(2, NOW - 10_000, 1) });
    await sink.export({ spans: [], metrics: metrics(1, Date.now(), 1) });
    expect(receiver.violations).toEqual([]);
    const stale = receiver.accepted[1]!.filter((s) => s.samples.some((x) => Number.isNaN(x.value)));
    const jobs = new Set(stale.map((s) => s.labels.find((l) => l.name === 'job')!.value));
    expect([...jobs]).toEqual(['shop/svc-1']);
    expect(stale).toHaveLength(14);
  });
});
