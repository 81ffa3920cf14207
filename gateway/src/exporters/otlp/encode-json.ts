import {
  AttributeValue,
  Attributes,
  HistogramPoint,
  Metric,
  NumberPoint,
  Resource,
  ResourceMetrics,
  ResourceSpans,
  Scope,
  Span,
  SummaryPoint,
  Temporality,
} from '../model/telemetry';
import { idToHex } from '../model/ids';

/*
 * OTLP/JSON, as the OTLP specification defines it: the protobuf messages in proto3's JSON
 * mapping with lowerCamelCase field names, trace and span ids as hex strings, enums as
 * integers, and 64-bit integers as decimal strings.
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const TEMPORALITY: Record<Temporality, number> = { delta: 1, cumulative: 2 };

/** Encodes an ExportTraceServiceRequest as OTLP/JSON. */
export function encodeTraceRequestJson(resourceSpans: readonly ResourceSpans[]): Buffer {
  const body = {
    resourceSpans: resourceSpans.map((rs) => ({
      resource: resource(rs.resource),
      scopeSpans: [{ scope: scope(rs.scope), spans: rs.spans.map(span) }],
    })),
  };
  return Buffer.from(JSON.stringify(body));
}

/** Encodes an ExportMetricsServiceRequest as OTLP/JSON. */
export function encodeMetricsRequestJson(resourceMetrics: readonly ResourceMetrics[]): Buffer {
  const body = {
    resourceMetrics: resourceMetrics.map((rm) => ({
      resource: resource(rm.resource),
      scopeMetrics: [{ scope: scope(rm.scope), metrics: rm.metrics.map(metric) }],
    })),
  };
  return Buffer.from(JSON.stringify(body));
}

function resource(r: Resource): Json {
  return { attributes: attributes(r.attributes) };
}

function scope(s: Scope): Json {
  return { name: s.name, version: s.version };
}

function attributes(attrs: Attributes): Json[] {
  return Object.keys(attrs).map((key) => ({ key, value: anyValue(attrs[key]!) }));
}

function anyValue(v: AttributeValue): Json {
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'bigint':
      return { intValue: v.toString() };
    case 'number':
      return Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63
        ? { intValue: BigInt(v).toString() }
        : { doubleValue: double(v) };
  }
}

/** proto3 JSON writes the non-finite doubles as strings. */
function double(v: number): Json {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

function span(s: Span): Json {
  const out: { [key: string]: Json } = {
    traceId: idToHex(s.traceId),
    spanId: idToHex(s.spanId),
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: s.startTimeNs.toString(),
    endTimeUnixNano: s.endTimeNs.toString(),
    attributes: attributes(s.attributes),
    status: s.status
      ? { code: s.status.code, ...(s.status.message ? { message: s.status.message } : {}) }
      : {},
    flags: 0x101 | (s.parentSpanId && s.parentIsRemote ? 0x200 : 0),
  };
  if (s.parentSpanId) out.parentSpanId = idToHex(s.parentSpanId);
  return out;
}

function metric(m: Metric): Json {
  const out: { [key: string]: Json } = { name: m.name };
  if (m.description) out.description = m.description;
  if (m.unit) out.unit = m.unit;
  const d = m.data;
  switch (d.kind) {
    case 'gauge':
      out.gauge = { dataPoints: d.points.map(numberPoint) };
      break;
    case 'sum':
      out.sum = {
        dataPoints: d.points.map(numberPoint),
        aggregationTemporality: TEMPORALITY[d.temporality],
        isMonotonic: d.monotonic,
      };
      break;
    case 'histogram':
      out.histogram = {
        dataPoints: d.points.map(histogramPoint),
        aggregationTemporality: TEMPORALITY[d.temporality],
      };
      break;
    case 'summary':
      out.summary = { dataPoints: d.points.map(summaryPoint) };
      break;
  }
  return out;
}

function pointBase(p: {
  attributes: Attributes;
  startTimeNs?: bigint;
  timeNs: bigint;
  noRecordedValue?: boolean;
}): { [key: string]: Json } {
  const out: { [key: string]: Json } = {
    attributes: attributes(p.attributes),
    timeUnixNano: p.timeNs.toString(),
  };
  if (p.startTimeNs !== undefined) out.startTimeUnixNano = p.startTimeNs.toString();
  if (p.noRecordedValue) out.flags = 1;
  return out;
}

function numberPoint(p: NumberPoint): Json {
  const out = pointBase(p);
  if (typeof p.value === 'bigint') out.asInt = p.value.toString();
  else out.asDouble = double(p.value);
  return out;
}

function histogramPoint(p: HistogramPoint): Json {
  const out = pointBase(p);
  out.count = String(p.count);
  out.sum = double(p.sum);
  out.bucketCounts = p.bucketCounts.map(String);
  out.explicitBounds = p.bounds.map(double);
  if (p.min !== undefined) out.min = double(p.min);
  if (p.max !== undefined) out.max = double(p.max);
  return out;
}

function summaryPoint(p: SummaryPoint): Json {
  const out = pointBase(p);
  out.count = String(p.count);
  out.sum = double(p.sum);
  out.quantileValues = p.quantiles.map((q) => ({ quantile: q.quantile, value: double(q.value) }));
  return out;
}
