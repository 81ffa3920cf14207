import { Attributes, Resource } from '../../exporters/model/telemetry';
import { attributesKey } from './attributes';
import { CumulativeUpdate, MetricIdentity } from './export-parts';
import { Group } from './row-handler';

/**
 * One run's totals of the cumulative metrics, per series, before they become CumulativeUpdates
 * (export-parts.ts) that each sink adds to its running state (cumulative-state.ts).
 */

/** A px.otel.metric.Sum series' total in this run. */
export interface SumTotal {
  resource: Resource;
  metric: MetricIdentity;
  attributes: Attributes;
  monotonic: boolean;
  mode: 'add' | 'set' | 'sources';
  integer: boolean;
  value: number;
  timeNs: bigint;
  sources?: Map<string, { value: number; timeNs: bigint }>;
}

/** What a histogram counts, in one run (HistogramTotal) or since its start (CumulativeSeries). */
export interface HistogramCounts {
  bounds: readonly number[];
  count: number;
  sum: number;
  bucketCounts: number[];
  min: number;
  max: number;
}

/** A px.otel.metric.Histogram series' total in this run. */
export interface HistogramTotal extends HistogramCounts {
  resource: Resource;
  metric: MetricIdentity;
  attributes: Attributes;
}

/** The update a Sum series' run total makes. */
export function sumUpdate(t: SumTotal): CumulativeUpdate {
  const { sources, ...rest } = t;
  return {
    kind: 'sum',
    ...rest,
    ...(sources ? { sources: new Map([...sources].map(([k, s]) => [k, s.value])) } : {}),
  };
}

/** The update a Histogram series' run total makes. */
export function histogramUpdate(t: HistogramTotal): CumulativeUpdate {
  return { kind: 'histogram', ...t };
}

/** Per-series totals of one run, keyed by resource, metric and attributes. */
export class Aggregates<T> {
  private readonly byKey = new Map<string, T>();

  get(group: Group, metric: string, attrs: Attributes, create: () => T): T {
    const key = `${group.key}\u0002${metric}\u0002${attributesKey(attrs)}`;
    let total = this.byKey.get(key);
    if (total === undefined) {
      total = create();
      this.byKey.set(key, total);
    }
    return total;
  }

  updates(make: (t: T) => CumulativeUpdate): CumulativeUpdate[] {
    return [...this.byKey.values()].map(make);
  }
}
