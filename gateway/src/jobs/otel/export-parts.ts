import { Signal } from '../../exporters/sink';
import { EndpointSpec } from '../../exporters/sink-set';
import {
  Attributes,
  Resource,
  ResourceMetrics,
  ResourceSpans,
} from '../../exporters/model/telemetry';

/** The metric a cumulative update belongs to. */
export interface MetricIdentity {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
}

/**
 * One run's contribution to a cumulative series (px.otel.metric.Sum or Histogram). Each sink
 * adds it to its own running totals when, and only when, the sink accepts the run's batch.
 */
export type CumulativeUpdate =
  | {
      readonly kind: 'sum';
      readonly resource: Resource;
      readonly metric: MetricIdentity;
      readonly attributes: Attributes;
      readonly monotonic: boolean;
      /**
       * `add`: `value` is the run's increase. `set`: `value` is the series' running total as
       * read from its latest row. `sources`: running totals of several counters (connections,
       * processes) by source key, whose increases add up to the series.
       */
      readonly mode: 'add' | 'set' | 'sources';
      readonly value: number;
      readonly sources?: ReadonlyMap<string, number>;
      /** The source column was INT64: send the total as an OTLP int. */
      readonly integer: boolean;
    }
  | {
      readonly kind: 'histogram';
      readonly resource: Resource;
      readonly metric: MetricIdentity;
      readonly attributes: Attributes;
      readonly bounds: readonly number[];
      readonly count: number;
      readonly sum: number;
      readonly bucketCounts: readonly number[];
      readonly min: number;
      readonly max: number;
    };

/** Where an export goes: the configured sinks, or the OTLP endpoint its spec names. */
export type ExportTarget =
  { readonly kind: 'configured' } | { readonly kind: 'endpoint'; readonly endpoint: EndpointSpec };

/** What one px.export call produced in one run. */
export interface ExportParts {
  readonly target: ExportTarget;
  /** What its spec exports (spans, metrics), whether or not this run had rows. */
  readonly signals: ReadonlySet<Signal>;
  readonly spans: readonly ResourceSpans[];
  /** Gauges and summaries, sent as they are. */
  readonly instant: readonly ResourceMetrics[];
  readonly cumulative: readonly CumulativeUpdate[];
  /** Rows of the exported table. */
  readonly rows: number;
}
