import { PXGATE_VERSION } from '../../common/package-info';

/**
 * The one telemetry model every sink receives: OpenTelemetry's data model (resources, scopes,
 * spans, metrics and their points), in plain immutable-by-convention objects. Export scripts
 * produce it; OTLP, remote-write and the /metrics registry each translate it their own way.
 *
 * Times are integer nanoseconds since the epoch as bigint (they pass 2^53). Trace and span ids
 * are bytes (16 and 8), as OTLP carries them (model/ids.ts converts from and to hex).
 */

/**
 * An attribute value. As in the OpenTelemetry JS SDK, a number that is an integer travels as an
 * OTLP int and any other number as a double; a bigint is always an int.
 */
export type AttributeValue = string | boolean | number | bigint;
export type Attributes = Readonly<Record<string, AttributeValue>>;

export interface Resource {
  readonly attributes: Attributes;
}

export interface Scope {
  readonly name: string;
  readonly version: string;
}

/** OTLP's Span.SpanKind numbers. */
export const SpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

/** OTLP's Status.StatusCode numbers. */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

export interface Span {
  readonly traceId: Uint8Array;
  readonly spanId: Uint8Array;
  /** Absent for a root span. */
  readonly parentSpanId?: Uint8Array;
  /** The parent lives in another process (it came in a request header). */
  readonly parentIsRemote?: boolean;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startTimeNs: bigint;
  readonly endTimeNs: bigint;
  readonly attributes: Attributes;
  readonly status?: { readonly code: StatusCode; readonly message?: string };
}

export interface ResourceSpans {
  readonly resource: Resource;
  readonly scope: Scope;
  readonly spans: readonly Span[];
}

export type Temporality = 'delta' | 'cumulative';

interface PointBase {
  readonly attributes: Attributes;
  /** Start of the interval the point covers (cumulative: when the series started). */
  readonly startTimeNs?: bigint;
  readonly timeNs: bigint;
  /** OTLP's FLAG_NO_RECORDED_VALUE: the series ended; Prometheus sinks send a stale marker. */
  readonly noRecordedValue?: boolean;
}

/** A gauge or sum point: a bigint value travels as an OTLP int, a number as a double. */
export interface NumberPoint extends PointBase {
  readonly value: number | bigint;
}

/** An explicit-bucket histogram point: `bucketCounts` has one more entry than `bounds`. */
export interface HistogramPoint extends PointBase {
  readonly count: number;
  readonly sum: number;
  readonly bounds: readonly number[];
  readonly bucketCounts: readonly number[];
  readonly min?: number;
  readonly max?: number;
}

export interface SummaryPoint extends PointBase {
  readonly count: number;
  readonly sum: number;
  readonly quantiles: readonly { readonly quantile: number; readonly value: number }[];
}

export type MetricData =
  | { readonly kind: 'gauge'; readonly points: readonly NumberPoint[] }
  | {
      readonly kind: 'sum';
      readonly monotonic: boolean;
      readonly temporality: Temporality;
      readonly points: readonly NumberPoint[];
    }
  | {
      readonly kind: 'histogram';
      readonly temporality: Temporality;
      readonly points: readonly HistogramPoint[];
    }
  | { readonly kind: 'summary'; readonly points: readonly SummaryPoint[] };

export interface Metric {
  readonly name: string;
  readonly description: string;
  /** UCUM, as OpenTelemetry writes units: `s`, `By`, `{request}`, `1`. */
  readonly unit: string;
  readonly data: MetricData;
}

export interface ResourceMetrics {
  readonly resource: Resource;
  readonly scope: Scope;
  readonly metrics: readonly Metric[];
}

/** What one export hands to the sinks. */
export interface TelemetryBatch {
  readonly spans: readonly ResourceSpans[];
  readonly metrics: readonly ResourceMetrics[];
}

/** The scope pxgate's own exports carry. */
export const PXGATE_SCOPE: Scope = { name: 'pxgate', version: PXGATE_VERSION };

/** Number of spans in resource spans. */
export function spanCount(groups: readonly ResourceSpans[]): number {
  let n = 0;
  for (const rs of groups) n += rs.spans.length;
  return n;
}

/** Number of data points in resource metrics. */
export function pointCount(groups: readonly ResourceMetrics[]): number {
  let n = 0;
  for (const rm of groups) for (const m of rm.metrics) n += m.data.points.length;
  return n;
}
