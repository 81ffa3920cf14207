import { join } from 'node:path';
import { metricsCorpus, traceCorpus } from '../../../../test/support/encoding-corpus';
import { expectGoldenBytes, writeEach } from '../../../../test/support/golden-bytes';
import { decodeMetricsRequest, decodeTraceRequest } from '../../../../test/support/otlp-schema';
import { sampleResourceSpans } from '../../../../test/support/telemetry';
import { idFromHex, idToHex } from '../model/ids';
import { ResourceMetrics, SpanKind } from '../model/telemetry';
import { encodeMetricsRequestJson, encodeTraceRequestJson } from './encode-json';
import { encodeMetricsRequest, writeMetricsRequest } from './encode-metrics';
import { encodeTraceRequest, writeTraceRequest } from './encode-traces';
import { OtlpWriter } from './proto-common';

const scope = { name: 'pxgate', version: '1.2.3' };
const T0 = 1_732_700_000_000_000_000n;

const metrics: ResourceMetrics[] = [
  {
    resource: { attributes: { 'service.name': 'shop/cart', 'k8s.pod.name': 'cart-1' } },
    scope,
    metrics: [
      {
        name: 'process.memory.usage',
        description: 'RSS',
        unit: 'By',
        data: {
          kind: 'gauge',
          points: [{ attributes: { 'process.pid': 7 }, timeNs: T0, value: 1024n }],
        },
      },
      {
        name: 'http.server.request.count',
        description: '',
        unit: '{request}',
        data: {
          kind: 'sum',
          monotonic: true,
          temporality: 'cumulative',
          points: [
            {
              attributes: { 'http.response.status_code': 200, ok: true, ratio: 0.5 },
              startTimeNs: T0 - 10n,
              timeNs: T0,
              value: 12.5,
            },
          ],
        },
      },
      {
        name: 'http.server.request.duration',
        description: 'Duration of HTTP server requests.',
        unit: 's',
        data: {
          kind: 'histogram',
          temporality: 'cumulative',
          points: [
            {
              attributes: { 'http.request.method': 'GET' },
              startTimeNs: T0 - 10n,
              timeNs: T0,
              count: 6,
              sum: 1.75,
              bounds: [0.1, 1],
              bucketCounts: [3, 2, 1],
              min: 0.01,
              max: 1.2,
            },
            {
              attributes: { 'http.request.method': 'POST' },
              timeNs: T0,
              count: 0,
              sum: 0,
              bounds: [0.1, 1],
              bucketCounts: [0, 0, 0],
              noRecordedValue: true,
            },
          ],
        },
      },
      {
        name: 'latency',
        description: '',
        unit: 'ns',
        data: {
          kind: 'summary',
          points: [
            {
              attributes: {},
              timeNs: T0,
              count: 4,
              sum: 100,
              quantiles: [
                { quantile: 0.5, value: 20 },
                { quantile: 0.99, value: 40 },
              ],
            },
          ],
        },
      },
    ],
  },
];

describe('OTLP protobuf encoding', () => {
  it('encodes spans that the official schema decodes field for field', () => {
    const groups = sampleResourceSpans(50, 3);
    const decoded = decodeTraceRequest(encodeTraceRequest(groups));
    expect(decoded.resourceSpans).toHaveLength(3);
    const rs = decoded.resourceSpans[1];
    expect(rs.resource.attributes[0]).toEqual({
      key: 'service.name',
      value: { stringValue: 'shop/svc-1' },
    });
    const want = groups[1]!.spans[0]!;
    const got = rs.scopeSpans[0].spans[0];
    expect(rs.scopeSpans[0].scope).toMatchObject({ name: 'pxgate' });
    expect(got).toMatchObject({
      traceId: idToHex(want.traceId),
      spanId: idToHex(want.spanId),
      parentSpanId: want.parentSpanId ? idToHex(want.parentSpanId) : '',
      name: want.name,
      kind: want.kind,
      startTimeUnixNano: want.startTimeNs.toString(),
      endTimeUnixNano: want.endTimeNs.toString(),
    });
    const attrs = Object.fromEntries(
      got.attributes.map((kv: any) => [kv.key, kv.value.stringValue ?? Number(kv.value.intValue)]),
    );
    expect(attrs).toEqual(want.attributes);
    expect(rs.scopeSpans[0].spans).toHaveLength(groups[1]!.spans.length);
  });

  it('writes an explicit span status and the error code', () => {
    const decoded = decodeTraceRequest(
      encodeTraceRequest([
        {
          resource: { attributes: { 'service.name': 'a' } },
          scope,
          spans: [
            {
              traceId: idFromHex('0af7651916cd43dd8448eb211c80319c'),
              spanId: idFromHex('b7ad6b7169203331'),
              name: 'GET /',
              kind: SpanKind.CLIENT,
              startTimeNs: T0,
              endTimeNs: T0 + 5n,
              attributes: { big: 2n ** 62n, neg: -3, float: 1.5, flag: false, empty: '' },
              status: { code: 2, message: 'HTTP 503' },
            },
          ],
        },
      ]),
    );
    const span = decoded.resourceSpans[0].scopeSpans[0].spans[0];
    expect(span.status).toEqual({ code: 2, message: 'HTTP 503' });
    expect(span.parentSpanId).toBe('');
    expect(span.attributes.map((kv: any) => kv.value)).toEqual([
      expect.objectContaining({ intValue: String(2n ** 62n) }),
      expect.objectContaining({ intValue: '-3' }),
      expect.objectContaining({ doubleValue: 1.5 }),
      expect.objectContaining({ boolValue: false }),
      expect.objectContaining({ stringValue: '' }),
    ]);
  });

  it('encodes every metric kind that the official schema decodes field for field', () => {
    const decoded = decodeMetricsRequest(encodeMetricsRequest(metrics));
    const [gauge, sum, histogram, summary] = decoded.resourceMetrics[0].scopeMetrics[0].metrics;
    expect(gauge).toMatchObject({ name: 'process.memory.usage', description: 'RSS', unit: 'By' });
    expect(gauge.gauge.dataPoints[0]).toMatchObject({ asInt: '1024', timeUnixNano: T0.toString() });
    expect(sum.sum).toMatchObject({ aggregationTemporality: 2, isMonotonic: true });
    expect(sum.sum.dataPoints[0]).toMatchObject({
      asDouble: 12.5,
      startTimeUnixNano: (T0 - 10n).toString(),
    });
    expect(histogram.histogram.aggregationTemporality).toBe(2);
    expect(histogram.histogram.dataPoints[0]).toMatchObject({
      count: '6',
      sum: 1.75,
      bucketCounts: ['3', '2', '1'],
      explicitBounds: [0.1, 1],
      min: 0.01,
      max: 1.2,
      flags: 0,
    });
    expect(histogram.histogram.dataPoints[1].flags).toBe(1);
    expect(summary.summary.dataPoints[0]).toMatchObject({
      count: '4',
      sum: 100,
      quantileValues: [
        { quantile: 0.5, value: 20 },
        { quantile: 0.99, value: 40 },
      ],
    });
  });
});

describe('OTLP protobuf golden encodings', () => {
  // A small first buffer, so that the writer grows too.
  it('writes exactly the trace request bytes pinned in testdata for a varied corpus', () => {
    const bodies = writeEach(new OtlpWriter(64), traceCorpus(), writeTraceRequest);
    expectGoldenBytes(join(__dirname, 'testdata', 'trace-requests.golden.gz'), bodies);
  });

  it('writes exactly the metrics request bytes pinned in testdata for a varied corpus', () => {
    const bodies = writeEach(new OtlpWriter(64), metricsCorpus(), writeMetricsRequest);
    expectGoldenBytes(join(__dirname, 'testdata', 'metrics-requests.golden.gz'), bodies);
  });

  it('writes the trace corpus so that the official schema decodes every span', () => {
    for (const groups of traceCorpus()) {
      const decoded = decodeTraceRequest(encodeTraceRequest(groups));
      expect(decoded.resourceSpans).toHaveLength(groups.length);
      decoded.resourceSpans.forEach((rs: any, i: number) => {
        const spans = groups[i]!.spans;
        expect(rs.scopeSpans[0].spans.map((s: any) => [s.spanId, s.attributes.length])).toEqual(
          spans.map((s) => [idToHex(s.spanId), Object.keys(s.attributes).length]),
        );
      });
    }
  });
});

describe('OTLP/JSON encoding', () => {
  it('writes ids as hex, enums as numbers and 64-bit integers as strings', () => {
    const groups = sampleResourceSpans(5, 1);
    const body = JSON.parse(encodeTraceRequestJson(groups).toString());
    const span = body.resourceSpans[0].scopeSpans[0].spans[0];
    const want = groups[0]!.spans[0]!;
    expect(span).toMatchObject({
      traceId: idToHex(want.traceId),
      spanId: idToHex(want.spanId),
      kind: want.kind,
      startTimeUnixNano: want.startTimeNs.toString(),
    });
    expect(span.attributes).toContainEqual({
      key: 'http.response.status_code',
      value: { intValue: String(want.attributes['http.response.status_code']) },
    });
  });

  it('carries the same metrics as the protobuf encoding', () => {
    const json = JSON.parse(encodeMetricsRequestJson(metrics).toString());
    const proto = decodeMetricsRequest(encodeMetricsRequest(metrics));
    const hist = json.resourceMetrics[0].scopeMetrics[0].metrics[2].histogram;
    expect(hist.dataPoints[0]).toMatchObject({
      count: '6',
      bucketCounts: ['3', '2', '1'],
      explicitBounds: [0.1, 1],
    });
    expect(json.resourceMetrics[0].scopeMetrics[0].metrics.map((m: any) => m.name)).toEqual(
      proto.resourceMetrics[0].scopeMetrics[0].metrics.map((m: any) => m.name),
    );
  });
});
