import { Uint128 } from '../../../../shared/contract/uint128';
import { Row } from '../../transport/row';
import { TracedEndpoint, commonColumns } from '../common-columns';
import { HeaderMask } from './header-mask';
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
}

/** Turns the stitcher's monotonic times into wall-clock ns. */
export interface Clock {
  fromMonotonic(monoNs: number): bigint;
}

/**
 * An http_events row with Pixie's columns. time_ is when the response ended (wall clock);
 * latency runs from the request's first byte to the response's last. Bodies are the captured
 * (truncated) bytes as text; their sizes are the full sizes. The values of the headers `mask`
 * names (credentials, by default) are replaced by a marker: they never leave the node.
 * `encrypted` comes from the endpoint (false when it does not say).
 */
export function httpEventRow(
  x: HttpExchange,
  ep: TracedEndpoint,
  clock: Clock,
  mask: HeaderMask = HeaderMask.DEFAULT,
): Row {
  const row = commonColumns(ep, clock.fromMonotonic(x.resp.endTs));
  row.major_version = 1;
  row.minor_version = x.req.head.minorVersion;
  row.content_type = contentTypeCode(
    headerValue(x.resp.head, 'content-type'),
    headerValue(x.req.head, 'content-type'),
  );
  row.req_headers = new FieldsJson(x.req.head.text, x.req.head.fields, mask);
  row.req_method = x.req.head.method;
  row.req_path = x.req.head.target;
  row.req_body = new BodyText(x.req.body);
  row.req_body_size = x.req.bodySize;
  row.resp_headers = new FieldsJson(x.resp.head.text, x.resp.head.fields, mask);
  row.resp_status = x.resp.head.status;
  row.resp_message = x.resp.head.reason;
  row.resp_body = new BodyText(x.resp.body);
  row.resp_body_size = x.resp.bodySize;
  row.latency = Math.round(x.resp.endTs - x.req.startTs);
  return row;
}
