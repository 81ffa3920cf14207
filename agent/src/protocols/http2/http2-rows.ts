import { STATUS_CODES } from 'node:http';
import { Row, Utf8Text } from '../../transport/row';
import { grpcBodyText, isGrpc } from '../grpc/grpc-body';
import { TracedEndpoint, commonColumns } from '../common-columns';
import { HeaderMask } from '../http/header-mask';
import { Clock } from '../http/http-rows';
import { BodyText, FieldsJson, contentTypeCode } from '../http/row-text';
import { HeaderField } from './hpack/hpack-decoder';
import { Http2Exchange, Http2Message, fieldValue } from './http2-stream';

/**
 * An http_events row for an HTTP/2 exchange, with the columns and meanings of `httpEventRow`'s
 * (time_ when the response ended, latency from the request's first frame to the response's
 * last, the values of the headers `mask` names replaced by a marker). As Pixie's: major_version
 * 2 and minor_version 0; req_method, req_path and resp_status from the `:method`, `:path` and
 * `:status` pseudo-headers, which the header JSON keeps too; trailers merged into resp_headers,
 * so `px.pluck(df.resp_headers, 'grpc-status')` reads a gRPC call's status. HTTP/2 has no reason
 * phrase: resp_message is the status's standard one (Pixie writes "OK" for every status). gRPC
 * bodies are shown decoded (see `grpcBodyText`).
 */
export function http2EventRow(
  x: Http2Exchange,
  ep: TracedEndpoint,
  clock: Clock,
  mask: HeaderMask = HeaderMask.DEFAULT,
): Row {
  const { req, resp } = x;
  const grpc = isGrpc(req.headers, resp.headers);
  const status = Number.parseInt(fieldValue(resp.headers, ':status') ?? '', 10) || 0;
  const row = commonColumns(ep, clock.fromMonotonic(resp.endTs));
  row.major_version = 2;
  row.minor_version = 0;
  row.content_type = contentTypeCode(
    fieldValue(resp.headers, 'content-type'),
    fieldValue(req.headers, 'content-type'),
  );
  row.req_headers = fieldsJson(mask, req.headers, req.trailers);
  row.req_method = fieldValue(req.headers, ':method') ?? '';
  row.req_path = fieldValue(req.headers, ':path') ?? '';
  row.req_body = bodyOf(req, grpc);
  row.req_body_size = req.bodySize;
  row.resp_headers = fieldsJson(mask, resp.headers, resp.trailers);
  row.resp_status = status;
  row.resp_message = STATUS_CODES[status] ?? '';
  row.resp_body = bodyOf(resp, grpc);
  row.resp_body_size = resp.bodySize;
  row.latency = Math.round(resp.endTs - req.startTs);
  return row;
}

function bodyOf(msg: Http2Message, grpc: boolean): Utf8Text | string {
  // The text of a protobuf field takes at most a few times its bytes, nesting's indents aside.
  return grpc ? grpcBodyText(msg, 8 * msg.body.length + 256) : new BodyText(msg.body);
}

/**
 * Header fields as a JSON object, as Pixie writes HTTP/2 headers: pseudo-headers included, names
 * in sorted order. A name that repeats keeps its values joined with ", " (cookies with "; ", as
 * RFC 9113 section 8.2.3 joins them), so that the object has each name once; masked names keep
 * the marker for a value.
 */
function fieldsJson(mask: HeaderMask, ...lists: (readonly HeaderField[])[]): FieldsJson {
  const merged = new Map<string, string>();
  for (const fields of lists) {
    for (const { name, value } of fields) {
      const before = merged.get(name);
      const joiner = name === 'cookie' ? '; ' : ', ';
      merged.set(name, before === undefined ? value : before + joiner + value);
    }
  }
  let text = '';
  const offsets: number[] = [];
  for (const name of [...merged.keys()].sort()) {
    const value = merged.get(name)!;
    offsets.push(text.length, text.length + name.length);
    text += name;
    offsets.push(text.length, text.length + value.length);
    text += value;
  }
  return new FieldsJson(text, offsets, mask);
}
