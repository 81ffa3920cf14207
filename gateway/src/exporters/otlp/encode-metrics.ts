import {
  HistogramPoint,
  Metric,
  NumberPoint,
  ResourceMetrics,
  SummaryPoint,
  Temporality,
} from '../model/telemetry';
import { OtlpWriter, writeResource, writeScope } from './proto-common';

/*
 * OTLP's wire format for metrics: what px.otel metrics (syntax in pxl/export/otel.ts, meaning in
 * jobs/otel/) become once a sink sends them.
 */

// Field numbers of opentelemetry/proto/metrics/v1/metrics.proto and its collector service.
const REQUEST_RESOURCE_METRICS = 1;
const RESOURCE_METRICS_RESOURCE = 1;
const RESOURCE_METRICS_SCOPE_METRICS = 2;
const SCOPE_METRICS_SCOPE = 1;
const SCOPE_METRICS_METRICS = 2;
const METRIC_NAME = 1;
const METRIC_DESCRIPTION = 2;
const METRIC_UNIT = 3;
const METRIC_GAUGE = 5;
const METRIC_SUM = 7;
const METRIC_HISTOGRAM = 9;
const METRIC_SUMMARY = 11;
const DATA_POINTS = 1;
const AGGREGATION_TEMPORALITY = 2;
const IS_MONOTONIC = 3;
const POINT_START = 2;
const POINT_TIME = 3;
const NUMBER_AS_DOUBLE = 4;
const NUMBER_AS_INT = 6;
const NUMBER_ATTRIBUTES = 7;
const NUMBER_FLAGS = 8;
const POINT_COUNT = 4;
const POINT_SUM = 5;
const HISTOGRAM_BUCKET_COUNTS = 6;
const HISTOGRAM_BOUNDS = 7;
const HISTOGRAM_ATTRIBUTES = 9;
const HISTOGRAM_FLAGS = 10;
const HISTOGRAM_MIN = 11;
const HISTOGRAM_MAX = 12;
const SUMMARY_QUANTILES = 6;
const SUMMARY_ATTRIBUTES = 7;
const SUMMARY_FLAGS = 8;
const QUANTILE = 1;
const QUANTILE_VALUE = 2;

const FLAG_NO_RECORDED_VALUE = 1;
const TEMPORALITY: Record<Temporality, number> = { delta: 1, cumulative: 2 };

/** Writes an ExportMetricsServiceRequest (opentelemetry/proto/collector/metrics/v1) into `w`, after resetting it. */
export function writeMetricsRequest(
  w: OtlpWriter,
  resourceMetrics: readonly ResourceMetrics[],
): void {
  w.reset();
  for (let r = resourceMetrics.length - 1; r >= 0; r--) {
    const rm = resourceMetrics[r]!;
    const mark = w.length;
    const scopeMark = w.length;
    for (let i = rm.metrics.length - 1; i >= 0; i--) writeMetric(w, rm.metrics[i]!);
    writeScope(w, SCOPE_METRICS_SCOPE, rm.scope);
    w.ldelim(RESOURCE_METRICS_SCOPE_METRICS, scopeMark);
    writeResource(w, RESOURCE_METRICS_RESOURCE, rm.resource);
    w.ldelim(REQUEST_RESOURCE_METRICS, mark);
  }
}

/** Encodes an ExportMetricsServiceRequest (opentelemetry/proto/collector/metrics/v1) into bytes of its own. */
export function encodeMetricsRequest(
  resourceMetrics: readonly ResourceMetrics[],
  w: OtlpWriter = new OtlpWriter(),
): Buffer {
  writeMetricsRequest(w, resourceMetrics);
  return w.finish();
}

function writeMetric(w: OtlpWriter, metric: Metric): void {
  const mark = w.length;
  const dataMark = w.length;
  const data = metric.data;
  switch (data.kind) {
    case 'gauge':
      writePoints(w, data.points, writeNumberPoint);
      w.ldelim(METRIC_GAUGE, dataMark);
      break;
    case 'sum':
      if (data.monotonic) {
        w.uint32(1);
        w.tag(IS_MONOTONIC, 0);
      }
      w.uint32(TEMPORALITY[data.temporality]);
      w.tag(AGGREGATION_TEMPORALITY, 0);
      writePoints(w, data.points, writeNumberPoint);
      w.ldelim(METRIC_SUM, dataMark);
      break;
    case 'histogram':
      w.uint32(TEMPORALITY[data.temporality]);
      w.tag(AGGREGATION_TEMPORALITY, 0);
      writePoints(w, data.points, writeHistogramPoint);
      w.ldelim(METRIC_HISTOGRAM, dataMark);
      break;
    case 'summary':
      writePoints(w, data.points, writeSummaryPoint);
      w.ldelim(METRIC_SUMMARY, dataMark);
      break;
  }
  if (metric.unit) w.cachedString(METRIC_UNIT, metric.unit);
  if (metric.description) w.cachedString(METRIC_DESCRIPTION, metric.description);
  w.cachedString(METRIC_NAME, metric.name);
  w.ldelim(SCOPE_METRICS_METRICS, mark);
}

function writePoints<P>(w: OtlpWriter, points: readonly P[], write: (w: OtlpWriter, p: P) => void) {
  for (let i = points.length - 1; i >= 0; i--) {
    const mark = w.length;
    write(w, points[i]!);
    w.ldelim(DATA_POINTS, mark);
  }
}

function writeFlags(w: OtlpWriter, field: number, p: { noRecordedValue?: boolean }): void {
  if (!p.noRecordedValue) return;
  w.uint32(FLAG_NO_RECORDED_VALUE);
  w.tag(field, 0);
}

function writeTimes(w: OtlpWriter, p: { startTimeNs?: bigint; timeNs: bigint }): void {
  w.fixed64(p.timeNs);
  w.tag(POINT_TIME, 1);
  if (p.startTimeNs !== undefined) {
    w.fixed64(p.startTimeNs);
    w.tag(POINT_START, 1);
  }
}

function writeNumberPoint(w: OtlpWriter, p: NumberPoint): void {
  writeFlags(w, NUMBER_FLAGS, p);
  w.attributes(NUMBER_ATTRIBUTES, p.attributes);
  if (typeof p.value === 'bigint') {
    w.fixed64(p.value); // sfixed64: the same eight bytes, two's complement
    w.tag(NUMBER_AS_INT, 1);
  } else {
    w.double(p.value);
    w.tag(NUMBER_AS_DOUBLE, 1);
  }
  writeTimes(w, p);
}

function writeHistogramPoint(w: OtlpWriter, p: HistogramPoint): void {
  if (p.max !== undefined) {
    w.double(p.max);
    w.tag(HISTOGRAM_MAX, 1);
  }
  if (p.min !== undefined) {
    w.double(p.min);
    w.tag(HISTOGRAM_MIN, 1);
  }
  writeFlags(w, HISTOGRAM_FLAGS, p);
  w.attributes(HISTOGRAM_ATTRIBUTES, p.attributes);
  if (p.bounds.length > 0) {
    const mark = w.length;
    for (let i = p.bounds.length - 1; i >= 0; i--) w.double(p.bounds[i]!);
    w.ldelim(HISTOGRAM_BOUNDS, mark);
  }
  if (p.bucketCounts.length > 0) {
    const mark = w.length;
    for (let i = p.bucketCounts.length - 1; i >= 0; i--) w.fixed64Number(p.bucketCounts[i]!);
    w.ldelim(HISTOGRAM_BUCKET_COUNTS, mark);
  }
  writeCountSumTimes(w, p);
}

function writeSummaryPoint(w: OtlpWriter, p: SummaryPoint): void {
  writeFlags(w, SUMMARY_FLAGS, p);
  w.attributes(SUMMARY_ATTRIBUTES, p.attributes);
  for (let i = p.quantiles.length - 1; i >= 0; i--) {
    const q = p.quantiles[i]!;
    const mark = w.length;
    w.double(q.value);
    w.tag(QUANTILE_VALUE, 1);
    w.double(q.quantile);
    w.tag(QUANTILE, 1);
    w.ldelim(SUMMARY_QUANTILES, mark);
  }
  writeCountSumTimes(w, p);
}

/** The fields histogram and summary points share: count (4), sum (5) and the times (2, 3). */
function writeCountSumTimes(
  w: OtlpWriter,
  p: { count: number; sum: number; startTimeNs?: bigint; timeNs: bigint },
): void {
  w.double(p.sum);
  w.tag(POINT_SUM, 1);
  w.fixed64Number(p.count);
  w.tag(POINT_COUNT, 1);
  writeTimes(w, p);
}
