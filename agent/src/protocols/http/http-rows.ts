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

/** Turns the stitcher's monotonic times into wall-clock ns. */
export interface Clock {
  fromMonotonic(monoNs: number): bigint;
}

/** Pixie's HTTP content types (http_events.content_type). */
const CONTENT_UNKNOWN = 0;
const CONTENT_JSON = 1;
const CONTENT_GRPC = 2;

/**
 * An http_events row with Pixie's columns. time_ is when the response ended (wall clock);
 * latency runs from the request's first byte to the response's last. Bodies are the captured
 * (truncated) bytes as text; their sizes are the full sizes.
 */
export function httpEventRow(x: HttpExchange, ep: Endpoint, clock: Clock): Row {
  return {
    time_: clock.fromMonotonic(x.resp.endTs),
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
    latency: Math.round(x.resp.endTs - x.req.startTs),
  };
}

/**
 * Headers as a JSON object, written directly (this runs twice per exchange). A repeated header
 * keeps its values joined with ", ", as HTTP allows.
 */
function headersJson(head: HttpHead): string {
  const hs = head.headers;
  let repeated = false;
  for (let i = 1; i < hs.length && !repeated; i++) {
    for (let j = 0; j < i; j++) {
      if (hs[j]![0] === hs[i]![0]) {
        repeated = true;
        break;
      }
    }
  }
  if (repeated) {
    const merged = new Map<string, string>();
    for (const [n, v] of hs) merged.set(n, merged.has(n) ? `${merged.get(n)}, ${v}` : v);
    return JSON.stringify(Object.fromEntries(merged));
  }
  let out = '{';
  for (let i = 0; i < hs.length; i++) {
    if (i > 0) out += ',';
    out += `${jsonString(hs[i]![0])}:${jsonString(hs[i]![1])}`;
  }
  return `${out}}`;
}

/** A JSON string literal; header text rarely needs escaping, so that case alone pays for it. */
function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) return JSON.stringify(s);
  }
  return `"${s}"`;
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
