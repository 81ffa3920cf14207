/** A trace context read from request headers. */
export interface TraceContext {
  traceId: string;
  /** The span id the caller sent: the span the request belongs to on the calling side. */
  spanId: string;
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * The trace context in HTTP request headers (a JSON object, as http_events' req_headers holds
 * them), from W3C `traceparent` first, then B3 (`b3` single header, or `X-B3-TraceId` and
 * `X-B3-SpanId`). Header names match case-insensitively; 64-bit B3 trace ids are left-padded to
 * 128 bits, as OpenTelemetry's B3 propagator does. Undefined when there is none or it is invalid.
 */
export function traceContextFromHeaders(headersJson: string): TraceContext | undefined {
  if (!headersJson || headersJson[0] !== '{') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(headersJson);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const headers = new Map<string, string>();
  for (const [k, v] of Object.entries(parsed)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (typeof value === 'string') headers.set(k.toLowerCase(), value.trim());
  }
  return (
    fromTraceparent(headers.get('traceparent')) ??
    fromB3Single(headers.get('b3')) ??
    fromB3Multi(headers.get('x-b3-traceid'), headers.get('x-b3-spanid'))
  );
}

/** `version-traceid-parentid-flags`, as W3C Trace Context level 1 defines it. */
function fromTraceparent(value: string | undefined): TraceContext | undefined {
  if (!value) return undefined;
  const parts = value.toLowerCase().split('-');
  if (parts.length < 4 || parts[0] === 'ff' || !/^[0-9a-f]{2}$/.test(parts[0]!)) return undefined;
  if (parts[0] === '00' && parts.length !== 4) return undefined;
  return valid(parts[1]!, parts[2]!);
}

/** `traceid-spanid[-sampled[-parentspanid]]`. */
function fromB3Single(value: string | undefined): TraceContext | undefined {
  if (!value) return undefined;
  const [traceId, spanId] = value.toLowerCase().split('-');
  return traceId && spanId ? valid(pad(traceId), spanId) : undefined;
}

function fromB3Multi(traceId: string | undefined, spanId: string | undefined) {
  return traceId && spanId ? valid(pad(traceId.toLowerCase()), spanId.toLowerCase()) : undefined;
}

function pad(traceId: string): string {
  return traceId.length === 16 ? `${'0'.repeat(16)}${traceId}` : traceId;
}

function valid(traceId: string, spanId: string): TraceContext | undefined {
  if (!HEX32.test(traceId) || !HEX16.test(spanId)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId };
}

/** A hex id as OTLP wants it, or undefined when it is not `bytes` bytes of valid, non-zero hex. */
export function validId(value: unknown, bytes: 8 | 16): string | undefined {
  if (typeof value !== 'string') return undefined;
  const hex = value.toLowerCase();
  const ok =
    bytes === 16 ? HEX32.test(hex) && hex !== ZERO_TRACE : HEX16.test(hex) && hex !== ZERO_SPAN;
  return ok ? hex : undefined;
}
