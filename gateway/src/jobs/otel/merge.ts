import { Metric, ResourceMetrics } from '../../exporters/model/telemetry';
import { attributesKey } from './attributes';

/**
 * Joins resource metrics of the same resource (and scope) into one, so that a resource's gauges
 * and its cumulative totals travel together (and Prometheus sees one target_info for it).
 */
export function mergeByResource(groups: readonly ResourceMetrics[]): ResourceMetrics[] {
  const byKey = new Map<string, { group: ResourceMetrics; metrics: Metric[] }>();
  for (const g of groups) {
    const key = `${attributesKey(g.resource.attributes)}\u0005${g.scope.name}\u0005${g.scope.version}`;
    const seen = byKey.get(key);
    if (seen) seen.metrics.push(...g.metrics);
    else byKey.set(key, { group: g, metrics: [...g.metrics] });
  }
  return [...byKey.values()].map(({ group, metrics }) => ({ ...group, metrics }));
}
