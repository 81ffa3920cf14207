import { MetricData, Resource, Span } from '../../exporters/model/telemetry';
import { Cell } from '../../pxl/execute/result';
import { MetricIdentity } from './export-parts';
import { CallReader, ExportSpecError } from './spec-reader';

/**
 * What every px.otel item's handler shares (jobs/otel/): the group of rows of one resource it
 * adds to, and the metric identity its call names. The items live in spans.ts,
 * instant-metrics.ts (Gauge, Summary) and cumulative-metrics.ts (Sum, Histogram).
 */

export const NUMBER_TYPES = ['INT64', 'FLOAT64'] as const;
export const TIME_TYPES = ['TIME64NS', 'INT64'] as const;

const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** The rows of one run that share a resource, and what their handlers made of them. */
export interface Group {
  /** attributesKey of the resource. */
  readonly key: string;
  readonly resource: Resource;
  readonly spans: Span[];
  readonly metrics: Map<string, { identity: MetricIdentity; data: MetricData }>;
}

/** Adds one row of the exported table to a group. */
export type RowHandler = (row: readonly Cell[], rowKey: () => string, group: Group) => void;

/** The time of a row's points: its `time_`, or the run's time when the table has none. */
export type RowTime = (row: readonly Cell[]) => bigint;

/** The name, description and unit a metric call gives, the name checked. */
export function identity(reader: CallReader): MetricIdentity {
  const name = reader.string('name');
  if (!METRIC_NAME.test(name)) {
    reader.fail(
      'name',
      `"${name}" is not a metric name: use letters, digits, "_", "." and "-", starting with a letter`,
    );
  }
  return { name, description: reader.string('description', ''), unit: reader.string('unit', '') };
}

/** The group's metric of this name, created as `kind`; one name cannot be two kinds. */
export function metricOf(group: Group, id: MetricIdentity, kind: 'gauge' | 'summary'): MetricData {
  let metric = group.metrics.get(id.name);
  if (!metric) {
    metric = { identity: id, data: { kind, points: [] } };
    group.metrics.set(id.name, metric);
  } else if (metric.data.kind !== kind) {
    throw new ExportSpecError(
      `metric ${id.name} is exported both as a ${metric.data.kind} and a ${kind}`,
    );
  }
  return metric.data;
}
