/**
 * Semantic types to Grafana units. Pixie measures throughputs per nanosecond, which Grafana has
 * no unit for: those values are scaled to per second.
 */

export interface UnitMapping {
  unit: string;
  /** Multiply values by this to match the unit. */
  scale?: number;
}

const NS_PER_S = 1e9;

const UNITS: Record<string, UnitMapping> = {
  ST_DURATION_NS: { unit: 'ns' },
  ST_BYTES: { unit: 'bytes' },
  ST_PERCENT: { unit: 'percentunit' },
  ST_THROUGHPUT_PER_NS: { unit: 'reqps', scale: NS_PER_S },
  ST_THROUGHPUT_BYTES_PER_NS: { unit: 'Bps', scale: NS_PER_S },
};

/** The Grafana unit of a semantic type, if it has one. */
export function unitOf(semanticType: string): UnitMapping | undefined {
  return UNITS[semanticType];
}

/** Semantic types whose values are JSON objects of quantiles (`{"p50": ..., "p99": ...}`). */
export const QUANTILE_TYPES: Record<string, string | undefined> = {
  ST_QUANTILES: undefined,
  ST_DURATION_NS_QUANTILES: 'ns',
};

/** The quantiles a quantiles column is split into, in order. */
export const SHOWN_QUANTILES = ['p50', 'p90', 'p99'] as const;
