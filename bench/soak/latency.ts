/** The nearest-rank percentile `q` (0 < q <= 1) of ascending `sorted` values; NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** What a set of latencies says, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Summarizes latencies (in any order). */
export function summarize(values: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const s = Array.from(sorted);
  return {
    count: s.length,
    p50: percentile(s, 0.5),
    p90: percentile(s, 0.9),
    p99: percentile(s, 0.99),
    max: s.length > 0 ? s[s.length - 1]! : Number.NaN,
  };
}

/**
 * Latencies recorded as they come, read back per report interval (`takeInterval`) and for the
 * whole run (`total`).
 */
export class LatencyLog {
  private interval: number[] = [];
  private readonly all: number[] = [];

  add(ms: number): void {
    this.interval.push(ms);
    this.all.push(ms);
  }

  /** The latencies since the previous call, summarized; starts a new interval. */
  takeInterval(): LatencySummary {
    const s = summarize(this.interval);
    this.interval = [];
    return s;
  }

  total(): LatencySummary {
    return summarize(this.all);
  }
}
