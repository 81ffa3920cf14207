import { Row, Uint128 } from '../../transport/row';
import { headerValue } from './head';
import { HttpExchange } from './http-stitcher';
import { BodyText, FieldsJson, contentTypeCode } from './row-text';

/** The connection an exchange travelled on, as http_events reports it. */
export interface Endpoint {
  readonly upid: Uint128;
  readonly role: number;
  readonly localAddr: string;
  readonly localPort: number;
  readonly remoteAddr: string;
  readonly remotePort: number;
  /** The bytes were TLS plaintext (read through uprobes); false when left out. */
  readonly encrypted?: boolean;
}

/** Turns the stitcher's monotonic times into wall-clock ns. */
export interface Clock {
  fromMonotonic(monoNs: number): bigint;
}

/**
 * The columns every socket-tracer table starts with after time_, Pixie's: the process, the two
 * ends, the role and whether the bytes were TLS plaintext.
 */
export function endpointColumns(ep: Endpoint): Row {
  return {
    upid: ep.upid,
    remote_addr: ep.remoteAddr,
    remote_port: ep.remotePort,
    local_addr: ep.localAddr,
    local_port: ep.localPort,
    trace_role: ep.role,
    encrypted: ep.encrypted ?? false,
  };
}

/**
 * An http_events row with Pixie's columns. time_ is when the response ended (wall clock);
 * latency runs from the request's first byte to the response's last. Bodies are the captured
 * (truncated) bytes as text; their sizes are the full sizes.
 */
export function httpEventRow(x: HttpExchange, ep: Endpoint, clock: Clock): Row {
  return {
    time_: clock.fromMonotonic(x.resp.endTs),
    ...endpointColumns(ep),
    major_version: 1,
    minor_version: x.req.head.minorVersion,
    content_type: contentTypeCode(
      headerValue(x.resp.head, 'content-type'),
      headerValue(x.req.head, 'content-type'),
    ),
    req_headers: new FieldsJson(x.req.head.text, x.req.head.fields),
    req_method: x.req.head.method,
    req_path: x.req.head.target,
    req_body: new BodyText(x.req.body),
    req_body_size: x.req.bodySize,
    resp_headers: new FieldsJson(x.resp.head.text, x.resp.head.fields),
    resp_status: x.resp.head.status,
    resp_message: x.resp.head.reason,
    resp_body: new BodyText(x.resp.body),
    resp_body_size: x.resp.bodySize,
    latency: Math.round(x.resp.endTs - x.req.startTs),
  };
}
