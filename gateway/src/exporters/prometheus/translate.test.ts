import { ResourceMetrics } from '../model/telemetry';
import { attributeLabels, toPrometheus } from './translate';

const scope = { name: 'pxgate', version: '1.0.0' };
const T = 1_732_700_000_000_000_000n;
const MS = Number(T / 1_000_000n);

const resource = {
  attributes: {
    'service.name': 'cart',
    'service.namespace': 'shop',
    'service.instance.id': 'cart-7d9f',
    'k8s.pod.name': 'cart-7d9f',
    'host.name': 'node-1',
  },
};

function histogramBatch(noRecordedValue = false): ResourceMetrics[] {
  return [
    {
      resource,
      scope,
      metrics: [
        {
          name: 'http.server.request.duration',
          description: 'Duration of HTTP server requests.',
          unit: 's',
          data: {
            kind: 'histogram',
            temporality: 'cumulative',
            points: [
              {
                attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200 },
                startTimeNs: T - 1n,
                timeNs: T,
                count: 6,
                sum: 1.5,
                bounds: [0.1, 1],
                bucketCounts: [3, 2, 1],
                noRecordedValue,
              },
            ],
          },
        },
      ],
    },
  ];
}

describe('toPrometheus', () => {
  it('turns a cumulative histogram into _bucket{le}, _sum and _count with job and instance', () => {
    const { families } = toPrometheus(histogramBatch(), { scopeLabels: true });
    const hist = families.find((f) => f.name === 'http_server_request_duration_seconds')!;
    expect(hist.type).toBe('histogram');
    const base = {
      job: 'shop/cart',
      instance: 'cart-7d9f',
      otel_scope_name: 'pxgate',
      otel_scope_version: '1.0.0',
      http_request_method: 'GET',
      http_response_status_code: '200',
    };
    expect(hist.samples).toEqual([
      { name: `${hist.name}_bucket`, labels: { ...base, le: '0.1' }, value: 3, timestampMs: MS },
      { name: `${hist.name}_bucket`, labels: { ...base, le: '1' }, value: 5, timestampMs: MS },
      { name: `${hist.name}_bucket`, labels: { ...base, le: '+Inf' }, value: 6, timestampMs: MS },
      { name: `${hist.name}_sum`, labels: base, value: 1.5, timestampMs: MS },
      { name: `${hist.name}_count`, labels: base, value: 6, timestampMs: MS },
    ]);
  });

  it('puts the other resource attributes on one target_info per resource', () => {
    const { families } = toPrometheus(histogramBatch(), { scopeLabels: false });
    const info = families.find((f) => f.name === 'target_info')!;
    expect(info.samples).toEqual([
      {
        name: 'target_info',
        labels: {
          job: 'shop/cart',
          instance: 'cart-7d9f',
          k8s_pod_name: 'cart-7d9f',
          host_name: 'node-1',
        },
        value: 1,
        timestampMs: MS,
      },
    ]);
    const hist = families.find((f) => f.name.startsWith('http_'))!;
    expect(hist.samples[0]!.labels).not.toHaveProperty('otel_scope_name');
  });

  it('marks every sample of a point without recorded value stale', () => {
    const { families } = toPrometheus(histogramBatch(true), { scopeLabels: true });
    const hist = families.find((f) => f.name.startsWith('http_'))!;
    expect(hist.samples).toHaveLength(5);
    for (const s of hist.samples) expect(s).toMatchObject({ value: NaN, stale: true });
  });

  it('makes monotonic sums counters with _total, and drops delta sums', () => {
    const batch: ResourceMetrics[] = [
      {
        resource: { attributes: { 'service.name': 'x' } },
        scope,
        metrics: [
          {
            name: 'k8s.pod.network.io',
            description: '',
            unit: 'By',
            data: {
              kind: 'sum',
              monotonic: true,
              temporality: 'cumulative',
              points: [
                { attributes: { 'network.io.direction': 'receive' }, timeNs: T, value: 10n },
              ],
            },
          },
          {
            name: 'queue.depth',
            description: '',
            unit: '{item}',
            data: {
              kind: 'sum',
              monotonic: false,
              temporality: 'cumulative',
              points: [{ attributes: {}, timeNs: T, value: 3 }],
            },
          },
          {
            name: 'delta.thing',
            description: '',
            unit: '',
            data: {
              kind: 'sum',
              monotonic: true,
              temporality: 'delta',
              points: [{ attributes: {}, timeNs: T, value: 3 }],
            },
          },
        ],
      },
    ];
    const t = toPrometheus(batch, { scopeLabels: false });
    expect(t.families.map((f) => [f.name, f.type])).toEqual([
      ['k8s_pod_network_io_bytes_total', 'counter'],
      ['queue_depth', 'gauge'],
    ]);
    expect(t.families[0]!.samples[0]!.value).toBe(10);
    expect(t.dropped).toBe(1);
    expect(t.problems[0]).toMatch(/delta sum delta.thing/);
  });

  it('joins the values of attributes that sanitize to one label with ; in key order ("a.b" sorts before "a_b")', () => {
    expect(attributeLabels({ 'a.b': '1', a_b: '2', c: '', d: true })).toEqual({
      a_b: '1;2',
      d: 'true',
    });
  });
});
