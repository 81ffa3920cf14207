import { Attributes, Metric, MetricData, ResourceMetrics } from '../../exporters/model/telemetry';
import { ExportParts } from './export-parts';

/** The attribute that pins a metric point to the partition of a cluster it was counted from. */
export const PARTITION_ATTRIBUTE = 'pxgate.partition';

/**
 * A run's parts with the partition on every metric point: in a cluster each partition's series
 * have one writer at a time (the partition's owner), so they stay cumulative when the
 * partition moves, and two partitions never write one series. Spans are left as they are.
 */
export function withPartition(parts: ExportParts, partition: string): ExportParts {
  const label = { [PARTITION_ATTRIBUTE]: partition };
  return {
    ...parts,
    instant: parts.instant.map((rm) => instantWith(rm, label)),
    cumulative: parts.cumulative.map((u) => ({ ...u, attributes: { ...u.attributes, ...label } })),
  };
}

function instantWith(rm: ResourceMetrics, label: Attributes): ResourceMetrics {
  return {
    ...rm,
    metrics: rm.metrics.map((m): Metric => ({ ...m, data: dataWith(m.data, label) })),
  };
}

function dataWith(data: MetricData, label: Attributes): MetricData {
  const mark = <P extends { readonly attributes: Attributes }>(points: readonly P[]): P[] =>
    points.map((p) => ({ ...p, attributes: { ...p.attributes, ...label } }));
  switch (data.kind) {
    case 'gauge':
    case 'sum':
      return { ...data, points: mark(data.points) } as MetricData;
    case 'histogram':
      return { ...data, points: mark(data.points) };
    case 'summary':
      return { ...data, points: mark(data.points) };
  }
}
