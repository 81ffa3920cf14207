import { ResourceSpans, Span } from '../model/telemetry';
import { OtlpWriter, writeResource, writeScope } from './proto-common';

/*
 * OTLP's wire format for spans: what px.otel.trace.Span rows (syntax in pxl/export/otel.ts,
 * meaning in jobs/otel/spans.ts) become once a sink sends them.
 */

// Field numbers of opentelemetry/proto/trace/v1/trace.proto and its collector service.
const REQUEST_RESOURCE_SPANS = 1;
const RESOURCE_SPANS_RESOURCE = 1;
const RESOURCE_SPANS_SCOPE_SPANS = 2;
const SCOPE_SPANS_SCOPE = 1;
const SCOPE_SPANS_SPANS = 2;
const SPAN_TRACE_ID = 1;
const SPAN_SPAN_ID = 2;
const SPAN_PARENT_SPAN_ID = 4;
const SPAN_NAME = 5;
const SPAN_KIND = 6;
const SPAN_START = 7;
const SPAN_END = 8;
const SPAN_ATTRIBUTES = 9;
const SPAN_STATUS = 15;
const SPAN_FLAGS = 16;
const STATUS_MESSAGE = 2;
const STATUS_CODE = 3;

// SpanFlags: the low byte carries W3C trace flags (we export sampled spans); bit 8 says whether
// the parent's remoteness is known, bit 9 that the parent is remote.
const SAMPLED = 0x01;
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

/** Writes an ExportTraceServiceRequest (opentelemetry/proto/collector/trace/v1) into `w`, after resetting it. */
export function writeTraceRequest(w: OtlpWriter, resourceSpans: readonly ResourceSpans[]): void {
  w.reset();
  let touched = 0;
  for (let r = resourceSpans.length - 1; r >= 0; r--) {
    const rs = resourceSpans[r]!;
    const mark = w.length;
    const scopeMark = w.length;
    const spans = rs.spans;
    for (let i = spans.length - 1; i >= 0; i--) {
      if (i >= 2) touched ^= spans[i - 2]!.kind;
      if (i >= 1) touched ^= touchParts(spans[i - 1]!);
      writeSpan(w, spans[i]!);
    }
    writeScope(w, SCOPE_SPANS_SCOPE, rs.scope);
    w.ldelim(RESOURCE_SPANS_SCOPE_SPANS, scopeMark);
    writeResource(w, RESOURCE_SPANS_RESOURCE, rs.resource);
    w.ldelim(REQUEST_RESOURCE_SPANS, mark);
  }
  w.touched = touched;
}

/**
 * Reads a word of each object a span points to, a span before the encoder needs them. A span's
 * parts (ids, name, times, attributes) lie scattered over the heap, and the encoder, reaching
 * them one after the other, waited for one cache miss after another (reading one byte of each
 * id cost a fifth of the encoding). Read together, their misses overlap (as the span object's
 * own, read two spans ahead). The result only keeps the reads from being optimised away.
 */
function touchParts(span: Span): number {
  let t = span.traceId[0]! ^ span.spanId[0]! ^ span.name.length;
  if (span.parentSpanId !== undefined) t ^= span.parentSpanId[0]!;
  if (span.startTimeNs === span.endTimeNs) t ^= 1;
  const attributes = span.attributes;
  for (const key in attributes) {
    const value = attributes[key];
    if (typeof value === 'string') t ^= value.length;
  }
  return t;
}

/** Encodes an ExportTraceServiceRequest (opentelemetry/proto/collector/trace/v1) into bytes of its own. */
export function encodeTraceRequest(
  resourceSpans: readonly ResourceSpans[],
  w: OtlpWriter = new OtlpWriter(),
): Buffer {
  writeTraceRequest(w, resourceSpans);
  return w.finish();
}

function writeSpan(w: OtlpWriter, span: Span): void {
  const mark = w.length;
  const hasParent = span.parentSpanId !== undefined;
  w.fixed32(SAMPLED | HAS_IS_REMOTE | (hasParent && span.parentIsRemote ? IS_REMOTE : 0));
  w.tag(SPAN_FLAGS, 5);
  const statusMark = w.length;
  if (span.status) {
    if (span.status.code !== 0) {
      w.uint32(span.status.code);
      w.tag(STATUS_CODE, 0);
    }
    if (span.status.message) w.string(STATUS_MESSAGE, span.status.message);
  }
  w.ldelim(SPAN_STATUS, statusMark);
  w.attributes(SPAN_ATTRIBUTES, span.attributes);
  w.fixed64Field(SPAN_END, span.endTimeNs);
  w.fixed64Field(SPAN_START, span.startTimeNs);
  if (span.kind !== 0) {
    w.uint32(span.kind);
    w.tag(SPAN_KIND, 0);
  }
  w.string(SPAN_NAME, span.name);
  if (hasParent) w.idField(SPAN_PARENT_SPAN_ID, span.parentSpanId!);
  w.idField(SPAN_SPAN_ID, span.spanId);
  w.idField(SPAN_TRACE_ID, span.traceId);
  w.ldelim(SCOPE_SPANS_SPANS, mark);
}
