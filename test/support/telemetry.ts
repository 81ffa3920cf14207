import {
  PXGATE_SCOPE,
  ResourceMetrics,
  ResourceSpans,
  Span,
  SpanKind,
} from '../../gateway/src/exporters/model/telemetry';
import { idFromHex } from '../../gateway/src/exporters/model/ids';
import { rng } from './rows';

const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const ROUTES = ['/api/v1/users/{id}', '/api/v1/orders', '/healthz', '/api/v1/cart/items', '/login'];
const STATUSES = [200, 200, 200, 201, 204, 400, 404, 500, 503];

function hex(rand: () => number, chars: number): string {
  let s = '';
  while (s.length < chars)
    s += Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return s.slice(0, chars);
}

/**
 * `n` HTTP spans shaped like the http-spans preset's, spread over `services` resources, with
 * deterministic content for a given seed. About half have a parent.
 */
export function sampleResourceSpans(n: number, services = 20, seed = 7): ResourceSpans[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const groups: Span[][] = Array.from({ length: services }, () => []);
  const start = 1_732_700_000_000_000_000n;
  for (let i = 0; i < n; i++) {
    const server = rand() < 0.5;
    const route = pick(ROUTES);
    const method = pick(METHODS);
    const begin = start + BigInt(i) * 1_000_000n;
    const parent = rand() < 0.5 ? hex(rand, 16) : undefined;
    groups[Math.floor(rand() * services)]!.push({
      traceId: idFromHex(hex(rand, 32)),
      spanId: idFromHex(hex(rand, 16)),
      ...(parent ? { parentSpanId: idFromHex(parent), parentIsRemote: server } : {}),
      name: `${method} ${route}`,
      kind: server ? SpanKind.SERVER : SpanKind.CLIENT,
      startTimeNs: begin,
      endTimeNs: begin + BigInt(100_000 + Math.floor(rand() * 50_000_000)),
      attributes: {
        'http.request.method': method,
        'url.path': route.replace('{id}', String(Math.floor(rand() * 1000))),
        'http.response.status_code': pick(STATUSES),
        'http.route': route,
        [server ? 'client.address' : 'server.address']:
          `10.0.${Math.floor(rand() * 4)}.${1 + Math.floor(rand() * 200)}`,
        'network.protocol.version': '1.1',
      },
    });
  }
  return groups.map((spans, i) => ({
    resource: {
      attributes: {
        'service.name': `shop/svc-${i}`,
        'k8s.namespace.name': 'shop',
        'k8s.pod.name': `svc-${i}-7d9f8c6b5-x${i}`,
        'host.name': `node-${i % 3}`,
      },
    },
    scope: PXGATE_SCOPE,
    spans,
  }));
}

/**
 * One cumulative histogram, `http.server.request.duration`, with a point per count in `counts`
 * (methods GET, POST, PUT, ... in turn): all of a point's count in its second bucket.
 */
export function sampleHistogram(counts: readonly number[]): ResourceMetrics[] {
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
  return [
    {
      resource: { attributes: { 'service.name': 'cart' } },
      scope: { name: 'pxgate', version: '1' },
      metrics: [
        {
          name: 'http.server.request.duration',
          description: '',
          unit: 's',
          data: {
            kind: 'histogram',
            temporality: 'cumulative',
            points: counts.map((count, i) => ({
              attributes: { 'http.request.method': methods[i % methods.length]! },
              timeNs: 1_732_700_000_000_000_000n,
              count,
              sum: count * 0.01,
              bounds: [0.005, 0.01, 0.1],
              bucketCounts: [0, count, 0, 0],
            })),
          },
        },
      ],
    },
  ];
}
