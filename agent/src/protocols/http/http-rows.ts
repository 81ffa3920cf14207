import { Row, Uint128 } from '../../transport/row';
import { HttpHead, headerValue } from './head';
import { HttpExchange } from './http-stitcher';

/** The connection an exchange travelled on, as http_events reports it. */
export interface Endpoint {
  readonly upid: Uint128;
  readonly role: number;
  readonly localAddr: string;
  readonly localPort: number;
  readonly remoteAddr: string;
  readonly remotePort: number;
}

/** Pixie's HTTP content types (http_events.content_type). */
const CONTENT_UNKNOWN = 0;
const CONTENT_JSON = 1;
const CONTENT_GRPC = 2;

/**
 * An http_events row with Pixie's columns. Times are wall-clock ns: time_ is when the response
 * ended, latency runs from the request's first byte to the response's last. Bodies are the
 * captured (truncated) bytes as text; their sizes are the full sizes.
 */
export function httpEventRow(x: HttpExchange, ep: Endpoint): Row {
  return {
    time_: x.resp.endTs,
    upid: ep.upid,
    remote_addr: ep.remoteAddr,
    remote_port: ep.remotePort,
    local_addr: ep.localAddr,
    local_port: ep.localPort,
    trace_role: ep.role,
    major_version: 1,
    minor_version: x.req.head.minorVersion,
    content_type: contentType(x.resp.head, x.req.head),
    req_headers: headersJson(x.req.head),
    req_method: x.req.head.method,
    req_path: x.req.head.target,
    req_body: text(x.req.body),
    req_body_size: x.req.bodySize,
    resp_headers: headersJson(x.resp.head),
    resp_status: x.resp.head.status,
    resp_message: x.resp.head.reason,
    resp_body: text(x.resp.body),
    resp_body_size: x.resp.bodySize,
    latency: x.resp.endTs - x.req.startTs,
  };
}

/** Headers as a JSON object; a repeated header keeps its values joined with ", ". */
function headersJson(head: HttpHead): string {
  const out = new Map<string, string>();
  for (const [name, value] of head.headers) {
    const prev = out.get(name);
    out.set(name, prev === undefined ? value : `${prev}, ${value}`);
  }
  return JSON.stringify(Object.fromEntries(out));
}

function contentType(...heads: HttpHead[]): number {
  for (const head of heads) {
    const type = headerValue(head, 'content-type')?.toLowerCase();
    if (!type) continue;
    if (type.startsWith('application/grpc')) return CONTENT_GRPC;
    if (type.includes('json')) return CONTENT_JSON;
    return CONTENT_UNKNOWN;
  }
  return CONTENT_UNKNOWN;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

function text(bytes: Uint8Array): string {
  return bytes.length === 0 ? '' : decoder.decode(bytes);
}
