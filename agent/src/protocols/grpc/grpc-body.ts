import { constants, gunzipSync, inflateSync } from 'node:zlib';
import { CONTENT_GRPC, contentTypeCode } from '../http/row-text';
import { HeaderField } from '../http2/hpack/hpack-decoder';
import { Http2Message, fieldValue } from '../http2/http2-stream';
import { protobufText } from './protobuf-text';

/** gRPC's message prefix: a compressed flag byte and a 4-byte big-endian length. */
const PREFIX_BYTES = 5;
/** What Pixie appends to a body it cut. */
export const TRUNCATED = '... [TRUNCATED]';
const FAILED = '<Failed to parse protobuf>';

/** Whether an exchange is a gRPC call: its content-type is application/grpc*. */
export function isGrpc(req: readonly HeaderField[], resp: readonly HeaderField[]): boolean {
  const type = contentTypeCode(fieldValue(resp, 'content-type'), fieldValue(req, 'content-type'));
  return type === CONTENT_GRPC;
}

/**
 * A gRPC call's status: the response's trailers carry `grpc-status`; a Trailers-Only response
 * (an error before any message) carries it in its only header block.
 */
export function grpcStatus(resp: Http2Message): string | undefined {
  return fieldValue(resp.trailers, 'grpc-status') ?? fieldValue(resp.headers, 'grpc-status');
}

/**
 * A gRPC message body as text, as Pixie shows it: each length-prefixed message decoded from
 * protobuf's wire format into its text format (field numbers, since the schema is unknown; see
 * `protobufText`), the messages' texts one after another. Compressed messages are inflated
 * (gzip or deflate, by the message's `grpc-encoding`, to a bounded size). Only the captured
 * bytes (at most `maxBodyBytes`) are decoded: a message they cut shows its complete fields, and
 * a body that was cut, or missed bytes in the capture, ends with "... [TRUNCATED]". The text is
 * at most `maxChars` long. Chosen over hex because it reads (`1: "Hello user-0"`) and is what
 * Pixie users see; the bytes' size is in `*_body_size`.
 */
export function grpcBodyText(msg: Http2Message, maxChars: number): string {
  const body = msg.body.subarray(0, msg.bodyContiguous);
  let text = '';
  let parsed = false;
  let cut = msg.bodyContiguous < msg.body.length || msg.body.length < msg.bodySize;
  let at = 0;
  while (at + PREFIX_BYTES <= body.length && text.length < maxChars) {
    const compressed = body[at] === 1;
    const length =
      ((body[at + 1]! << 24) | (body[at + 2]! << 16) | (body[at + 3]! << 8) | body[at + 4]!) >>> 0;
    const from = at + PREFIX_BYTES;
    at = Math.min(body.length, from + length);
    const bytes = body.subarray(from, at);
    const plain = compressed
      ? inflate(bytes, fieldValue(msg.headers, 'grpc-encoding'), maxChars)
      : bytes;
    if (typeof plain === 'string') {
      text += plain;
      continue;
    }
    const r = protobufText(plain, maxChars - text.length);
    text += r.text;
    parsed ||= r.complete || r.text.length > 0;
    cut ||= r.cut;
  }
  if (at < body.length) cut = true;
  text = text.trimEnd();
  if (!parsed && text === '' && body.length > 0) text = FAILED;
  return cut ? text + TRUNCATED : text;
}

/**
 * A compressed message's bytes, inflated to at most a bounded size; or, when that cannot be
 * done, the text that says so (Pixie's wording).
 */
function inflate(
  bytes: Uint8Array,
  encoding: string | undefined,
  maxChars: number,
): Uint8Array | string {
  const options = { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 4 * maxChars + 1024 };
  try {
    if (encoding === 'gzip') return gunzipSync(bytes, options);
    if (encoding === 'deflate') return inflateSync(bytes, options);
  } catch {
    return '<Failed to gunzip data>';
  }
  return '<Non-gzip decompression not supported>';
}
