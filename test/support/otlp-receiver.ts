import { once } from 'node:events';
import { IncomingHttpHeaders, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  ExportMetricsServiceResponse,
  ExportTraceServiceResponse,
  decodeMetricsRequest,
  decodeTraceRequest,
  encodeResponse,
} from './otlp-schema';

export interface OtlpRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The request decoded with the official schema (JSON bodies parsed as they are). */
  body: Record<string, any>;
  /** Size on the wire. */
  bytes: number;
}

/** How the receiver answers one request: status, headers, and an optional partial success. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  rejected?: number;
  message?: string;
  /** How long the receiver takes to answer, as a receiver under load does. */
  delayMs?: number;
}

export interface OtlpReceiver {
  url: string;
  /** Requests answered 2xx, decoded. */
  accepted: OtlpRequest[];
  /** Every request, accepted or not. */
  all: OtlpRequest[];
  close(): Promise<void>;
}

/**
 * A real OTLP/HTTP receiver on a free loopback port. It decodes every request with the official
 * protobuf schema (or parses OTLP/JSON) and answers as `answer` says (200 by default).
 */
export async function startOtlpReceiver(
  answer: (req: OtlpRequest, index: number) => Answer = () => ({ status: 200 }),
): Promise<OtlpReceiver> {
  const accepted: OtlpRequest[] = [];
  const all: OtlpRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const json = req.headers['content-type'] === 'application/json';
      const traces = req.url === '/v1/traces';
      const decoded = json
        ? JSON.parse(body.toString('utf8'))
        : traces
          ? decodeTraceRequest(body)
          : decodeMetricsRequest(body);
      const request: OtlpRequest = {
        path: req.url ?? '',
        headers: req.headers,
        body: decoded,
        bytes: raw.length,
      };
      const a = answer(request, all.length);
      all.push(request);
      if (a.status >= 200 && a.status < 300) accepted.push(request);
      let reply: Buffer = Buffer.alloc(0);
      if (a.rejected !== undefined) {
        const partial = {
          [traces ? 'rejectedSpans' : 'rejectedDataPoints']: a.rejected,
          errorMessage: a.message ?? '',
        };
        reply = json
          ? Buffer.from(JSON.stringify({ partialSuccess: partial }))
          : encodeResponse(traces ? ExportTraceServiceResponse : ExportMetricsServiceResponse, {
              partialSuccess: partial,
            });
      } else if (a.status >= 400) {
        reply = Buffer.from(a.message ?? `refused with ${a.status}`);
      }
      const send = () => {
        res.writeHead(a.status, {
          'content-type':
            a.status >= 400 && a.rejected === undefined
              ? 'text/plain'
              : req.headers['content-type'],
          ...a.headers,
        });
        res.end(reply);
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    all,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Spans of decoded trace requests, flattened, each with its resource's attributes. */
export function spansOf(
  requests: readonly OtlpRequest[],
): { resource: Record<string, unknown>; span: any }[] {
  const out: { resource: Record<string, unknown>; span: any }[] = [];
  for (const r of requests) {
    if (r.path !== '/v1/traces') continue;
    for (const rs of r.body.resourceSpans ?? []) {
      const resource = attributesOf(rs.resource?.attributes ?? []);
      for (const ss of rs.scopeSpans ?? [])
        for (const span of ss.spans ?? []) out.push({ resource, span });
    }
  }
  return out;
}

/** Metrics of decoded metric requests, flattened, each with its resource's attributes. */
export function metricsOf(
  requests: readonly OtlpRequest[],
): { resource: Record<string, unknown>; metric: any }[] {
  const out: { resource: Record<string, unknown>; metric: any }[] = [];
  for (const r of requests) {
    if (r.path !== '/v1/metrics') continue;
    for (const rm of r.body.resourceMetrics ?? []) {
      const resource = attributesOf(rm.resource?.attributes ?? []);
      for (const sm of rm.scopeMetrics ?? [])
        for (const metric of sm.metrics ?? []) out.push({ resource, metric });
    }
  }
  return out;
}

/** KeyValue lists as plain objects (ints as numbers). */
export function attributesOf(
  kvs: readonly { key: string; value: Record<string, unknown> }[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of kvs) {
    if ('stringValue' in value && value.stringValue !== undefined) out[key] = value.stringValue;
    else if (value.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue;
    else if (value.boolValue !== undefined) out[key] = value.boolValue;
  }
  return out;
}

/** Sum of the counts of a histogram over all its points in the latest request that has it. */
export function latestHistogramCount(receiver: OtlpReceiver, name: string): number {
  const requests = receiver.accepted.filter((r) => r.path === '/v1/metrics');
  const latest = requests[requests.length - 1];
  if (!latest) return 0;
  return metricsOf([latest])
    .filter((m) => m.metric.name === name)
    .flatMap((m) => m.metric.histogram.dataPoints)
    .reduce((n: number, p: { count: string }) => n + Number(p.count), 0);
}
