/**
 * Varied, deterministic inputs for the encoders' golden tests: the edges of every field type
 * (varint and string-length boundaries, non-ASCII and lone surrogates, NaN and infinities,
 * negative and 64-bit integers) and enough distinct names and values to pass the bounds of the
 * encoders' caches, so that cached and uncached paths both write what is pinned.
 */
import { PromSeries, RemoteSample } from '../../gateway/src/exporters/remotewrite/series';
import {
  AttributeValue,
  Attributes,
  HistogramPoint,
  Metric,
  NumberPoint,
  ResourceMetrics,
  ResourceSpans,
  Span,
  SpanKind,
  StatusCode,
} from '../../gateway/src/exporters/model/telemetry';
import { rng } from './rows';

const TEXTS = [
  '',
  'a',
  'GET',
  '/api/v1/users/{id}',
  'ünïcødé',
  '日本語のテキスト',
  'emoji 😀 and more',
  'lone \ud800 surrogate',
  'trailing surrogate \udc00',
  '\u007f\u0080\u07ff\u0800\uffff',
  'x'.repeat(15),
  'y'.repeat(16),
  'z'.repeat(63),
  'w'.repeat(64),
  'v'.repeat(65),
  'u'.repeat(127),
  't'.repeat(128),
  's'.repeat(300),
  'é'.repeat(70),
  'tab\tnewline\nquote"',
];

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  127,
  128,
  0.5,
  -2.25,
  1e308,
  5e-324,
  NaN,
  Infinity,
  -Infinity,
  2 ** 31,
  2 ** 32,
  2 ** 53 - 1,
  -(2 ** 53),
  2 ** 63,
  1e20,
];

class Draw {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  text(): string {
    return this.chance(0.7) ? this.pick(TEXTS) : `text-${this.int(5000)}`;
  }
  private ids = 0;
  /** Mostly counted ids (they keep the golden files small), some random. */
  id(n: number): Uint8Array {
    const b = new Uint8Array(n);
    if (this.chance(0.1)) {
      for (let i = 0; i < n; i++) b[i] = this.int(256);
    } else {
      const count = ++this.ids;
      for (let i = 0; i < 4; i++) b[n - 1 - i] = (count >>> (8 * i)) & 0xff;
    }
    return b;
  }
}

const TIMESTAMPS_MS = [
  0,
  1,
  127,
  128,
  16383,
  16384,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 32 + 1,
  2 ** 35 + 12345,
  1_764_000_000_000,
  2 ** 49 - 1,
  2 ** 53 - 1,
  12.75,
  2 ** 40 + 0.5,
  -1,
  -(2 ** 40),
];

/**
 * Remote-write requests: series of 0 to 12 labels and 0 to 4 samples (stale ones too), with
 * label names and values from small pools, unique ones, and, in one request, a name with more
 * values and more names than the label cache keeps.
 */
export function remoteWriteCorpus(): PromSeries[][] {
  const d = new Draw(18);
  const names = ['__name__', 'job', 'instance', 'le', 'http_route', 'ünï', 'a'.repeat(70), ''];
  const sample = (): RemoteSample =>
    d.chance(0.1)
      ? { value: NaN, timestampMs: d.pick(TIMESTAMPS_MS), stale: true }
      : {
          value: d.chance(0.8) ? d.pick(NUMBERS) : d.int(1e6) / 4,
          timestampMs: d.chance(0.5) ? d.pick(TIMESTAMPS_MS) : 1_764_000_000_000 + d.int(1e6),
        };
  const series = (labelCount: number, extra: [string, string][] = []): PromSeries => {
    const labels: [string, string][] = [];
    for (let i = 0; i < labelCount; i++) {
      const name = d.chance(0.8) ? d.pick(names) : `name_${d.int(50)}`;
      labels.push([name, d.chance(0.6) ? d.text() : `value-${d.int(100)}`]);
    }
    labels.push(...extra);
    return { labels, samples: Array.from({ length: d.int(5) }, sample) };
  };
  const requests: PromSeries[][] = [];
  for (let r = 0; r < 4; r++) {
    requests.push(Array.from({ length: 150 }, () => series(d.int(13))));
  }
  // Past the cache's bounds: 1,100 values of one name, then 1,100 names.
  requests.push(
    Array.from({ length: 1100 }, (_, i) => series(1, [['pod', `pod-${i}`]])),
    Array.from({ length: 1100 }, (_, i) => series(0, [[`label_${i}`, 'x']])),
    [],
    Array.from({ length: 150 }, () => series(d.int(13))),
  );
  return requests;
}

function attributeValue(d: Draw): AttributeValue {
  switch (d.int(6)) {
    case 0:
    case 1:
      return d.text();
    case 2:
      return d.chance(0.5);
    case 3:
      return d.pick(NUMBERS);
    case 4:
      return d.pick([0n, 1n, -1n, 2n ** 62n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n]);
    default:
      return d.pick([200, 404, 500, -3, 0, 65535]);
  }
}

function attributes(d: Draw, max: number, keyPool: readonly string[]): Attributes {
  const out: Record<string, AttributeValue> = {};
  const n = d.int(max + 1);
  for (let i = 0; i < n; i++) {
    const key = d.chance(0.85) ? d.pick(keyPool) : `key.${d.int(3000)}`;
    out[key] = d.chance(0.3) ? `value-${d.int(200)}` : attributeValue(d);
  }
  return out;
}

const ATTRIBUTE_KEYS = [
  'http.request.method',
  'url.path',
  'http.response.status_code',
  'server.address',
  'ünïcødé.key',
  '',
  'k'.repeat(80),
];

const TIMES_NS = [0n, 1n, 2n ** 32n, 1_732_700_000_000_000_000n, 2n ** 63n, 2n ** 64n - 1n];

function span(d: Draw): Span {
  const hasParent = d.chance(0.6);
  const start = d.chance(0.3)
    ? d.pick(TIMES_NS)
    : 1_732_700_000_000_000_000n + BigInt(d.int(1000)) * 1_000_000n;
  const status = d.pick([
    undefined,
    { code: StatusCode.UNSET },
    { code: StatusCode.OK, message: '' },
    { code: StatusCode.ERROR, message: 'HTTP 503' },
    { code: StatusCode.ERROR, message: d.text() },
    { code: StatusCode.UNSET, message: 'ignored?' },
  ]);
  return {
    traceId: d.id(16),
    spanId: d.id(8),
    ...(hasParent
      ? { parentSpanId: d.id(8), ...(d.chance(0.8) ? { parentIsRemote: d.chance(0.5) } : {}) }
      : {}),
    name: d.text(),
    kind: d.int(6) as SpanKind,
    startTimeNs: start,
    endTimeNs: d.chance(0.1) ? d.pick(TIMES_NS) : start + BigInt(d.int(100)) * 1000n,
    attributes: attributes(d, 12, ATTRIBUTE_KEYS),
    ...(status ? { status } : {}),
  };
}

/**
 * Trace requests: resources with and without attributes, scopes with empty fields, spans with
 * and without parents and statuses, every kind and attribute type; later requests use more
 * distinct keys, values and names than the encoders' caches keep.
 */
export function traceCorpus(): ResourceSpans[][] {
  const d = new Draw(19);
  const group = (spans: number): ResourceSpans => ({
    resource: { attributes: attributes(d, 6, ['service.name', 'host.name', 'k8s.pod.name']) },
    scope: d.pick([
      { name: 'pxgate', version: '0.1.0' },
      { name: '', version: '' },
      { name: 'ünï', version: '' },
    ]),
    spans: Array.from({ length: spans }, () => span(d)),
  });
  const requests: ResourceSpans[][] = [];
  for (let r = 0; r < 6; r++) {
    requests.push(Array.from({ length: 1 + d.int(4) }, () => group(d.int(80))));
  }
  requests.push([], [group(0)]);
  // Past the caches' bounds: 4,400 keys of one value each, and one key with 1,100 values.
  const wide = group(0);
  requests.push([
    {
      ...wide,
      spans: Array.from({ length: 1100 }, (_, i) => ({
        traceId: d.id(16),
        spanId: d.id(8),
        name: `span ${i}`,
        kind: SpanKind.SERVER,
        startTimeNs: 1_732_700_000_000_000_000n,
        endTimeNs: 1_732_700_000_000_000_000n,
        attributes: {
          [`key.${i}.a`]: i,
          'many.values': `v${i}`,
          [`key.${i}.b`]: true,
          'http.request.method': 'GET',
          [`key.${i}.c`]: 'c',
          [`key.${i}.d`]: 0.5,
        },
      })),
    },
  ]);
  return requests;
}

function numberPoint(d: Draw): NumberPoint {
  return {
    attributes: attributes(d, 5, ATTRIBUTE_KEYS),
    ...(d.chance(0.7) ? { startTimeNs: d.pick(TIMES_NS) } : {}),
    timeNs: d.pick(TIMES_NS),
    value: d.chance(0.5) ? d.pick(NUMBERS) : d.pick([0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n)]),
    ...(d.chance(0.1) ? { noRecordedValue: true } : {}),
  };
}

function histogramPoint(d: Draw): HistogramPoint {
  const bounds = Array.from({ length: d.int(12) }, (_, i) => (i + 1) * d.pick([0.001, 1, 1e6]));
  return {
    attributes: attributes(d, 5, ATTRIBUTE_KEYS),
    ...(d.chance(0.7) ? { startTimeNs: d.pick(TIMES_NS) } : {}),
    timeNs: d.pick(TIMES_NS),
    count: d.pick([0, 1, 2 ** 32 + 5, 2 ** 53 - 1]),
    sum: d.pick(NUMBERS),
    bounds,
    bucketCounts: Array.from({ length: bounds.length + 1 }, () => d.pick([0, 3, 2 ** 40])),
    ...(d.chance(0.5) ? { min: d.pick(NUMBERS), max: d.pick(NUMBERS) } : {}),
    ...(d.chance(0.1) ? { noRecordedValue: true } : {}),
  };
}

function metric(d: Draw): Metric {
  const points = 1 + d.int(6);
  const common = { name: d.text(), description: d.text(), unit: d.pick(['', 's', 'By', '{r}']) };
  const temporality = d.pick(['delta', 'cumulative'] as const);
  switch (d.int(4)) {
    case 0:
      return {
        ...common,
        data: { kind: 'gauge', points: Array.from({ length: points }, () => numberPoint(d)) },
      };
    case 1:
      return {
        ...common,
        data: {
          kind: 'sum',
          monotonic: d.chance(0.5),
          temporality,
          points: Array.from({ length: points }, () => numberPoint(d)),
        },
      };
    case 2:
      return {
        ...common,
        data: {
          kind: 'histogram',
          temporality,
          points: Array.from({ length: points }, () => histogramPoint(d)),
        },
      };
    default:
      return {
        ...common,
        data: {
          kind: 'summary',
          points: Array.from({ length: points }, () => ({
            attributes: attributes(d, 3, ATTRIBUTE_KEYS),
            timeNs: d.pick(TIMES_NS),
            count: d.int(1000),
            sum: d.pick(NUMBERS),
            quantiles: Array.from({ length: d.int(4) }, (_, i) => ({
              quantile: i / 4,
              value: d.pick(NUMBERS),
            })),
          })),
        },
      };
  }
}

/** Metrics requests: every kind, with the edges of their number fields and attributes. */
export function metricsCorpus(): ResourceMetrics[][] {
  const d = new Draw(20);
  const requests: ResourceMetrics[][] = [];
  for (let r = 0; r < 5; r++) {
    requests.push(
      Array.from({ length: 1 + d.int(3) }, () => ({
        resource: { attributes: attributes(d, 4, ['service.name', 'host.name']) },
        scope: { name: 'pxgate', version: d.pick(['', '0.1.0']) },
        metrics: Array.from({ length: d.int(25) }, () => metric(d)),
      })),
    );
  }
  return requests;
}
