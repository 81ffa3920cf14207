import {
  Attributes,
  HistogramPoint,
  Metric,
  NumberPoint,
  PXGATE_SCOPE,
  Resource,
  ResourceMetrics,
} from '../../exporters/model/telemetry';
import { issueLines } from '../../../../cli/config/load';
import {
  CumulativeSnapshot,
  cumulativeSnapshotSchema,
  seriesFromJson,
  seriesToJson,
} from './cumulative-snapshot';
import { CumulativeUpdate, MetricIdentity } from './export-parts';
import { attributesKey } from './attributes';
import { HistogramCounts } from './totals';

/** One Sum or Histogram series' running total. */
export interface CumulativeSeries extends HistogramCounts {
  readonly resourceKey: string;
  readonly resource: Resource;
  readonly metric: MetricIdentity;
  readonly kind: 'sum' | 'histogram';
  readonly monotonic: boolean;
  readonly integer: boolean;
  readonly attributes: Attributes;
  startTimeNs: bigint;
  lastUpdateMs: number;
  value: number;
  /** For `sources` sums: the last reading of each counter, and when it was last read. */
  sources: Map<string, { value: number; lastUpdateMs: number }>;
  /** Counters refused by the last update because the series follows too many already. */
  refusedSources: number;
}

/** What one run would send, and how to keep it once a sink has accepted it. */
export interface PreparedCumulative {
  readonly metrics: ResourceMetrics[];
  /** Updates refused because the job holds its maximum number of series. */
  readonly dropped: number;
  commit(): void;
}

const MS = 1_000_000n;
/** Counters one `sources` series follows at most (connections of a pod, say). */
const MAX_SOURCES_PER_SERIES = 10_000;

/**
 * The running totals of a job's Sum and Histogram series at one sink, turning each run's
 * increases into cumulative points (what Prometheus needs and OTLP backends prefer). Every run
 * re-sends every live series, stamped with the run's time, as a scrape would; a series without
 * new data for `idleTimeoutMs` is forgotten. Totals change only on `commit()`, after the sink
 * accepted the batch: a failed run leaves them as they were, and its rows, read again by the
 * next run, are counted once.
 */
export class CumulativeState {
  private readonly series = new Map<string, CumulativeSeries>();
  private lastEmittedNs = 0n;

  constructor(
    private readonly maxSeries: number,
    private readonly idleTimeoutMs: number,
  ) {}

  get size(): number {
    return this.series.size;
  }

  /** The totals as plain JSON, for a cursor file. */
  toSnapshot(): CumulativeSnapshot {
    return {
      lastEmittedNs: String(this.lastEmittedNs),
      series: [...this.series.values()].map(seriesToJson),
    };
  }

  /**
   * Totals read back from a snapshot, each series under the key its update would have. Throws
   * a SnapshotError naming what is wrong; series past `maxSeries` are left out.
   */
  static fromSnapshot(
    snapshot: unknown,
    maxSeries: number,
    idleTimeoutMs: number,
  ): CumulativeState {
    const parsed = cumulativeSnapshotSchema.safeParse(snapshot);
    if (!parsed.success) throw new SnapshotError(issueLines(parsed.error).trim());
    const state = new CumulativeState(maxSeries, idleTimeoutMs);
    state.lastEmittedNs = BigInt(parsed.data.lastEmittedNs);
    for (const json of parsed.data.series.slice(0, maxSeries)) {
      const s = seriesFromJson(json);
      if (!s) throw new SnapshotError(`series ${json.metric.name}: buckets do not match bounds`);
      state.series.set(seriesKey(s.resourceKey, s.metric.name, s.kind, s.attributes), s);
    }
    return state;
  }

  /**
   * Applies `updates` to a copy of the totals and returns the points to send, at `nowNs`.
   * A new series starts at `startNs` (the start of the window whose rows made it).
   */
  prepare(
    updates: readonly CumulativeUpdate[],
    nowNs: bigint,
    nowMs: number,
    startNs: bigint,
  ): PreparedCumulative {
    const pending = new Map<string, CumulativeSeries>();
    let dropped = 0;
    for (const u of updates) {
      const resourceKey = attributesKey(u.resource.attributes);
      const key = seriesKey(resourceKey, u.metric.name, u.kind, u.attributes);
      const current = pending.get(key) ?? this.series.get(key);
      if (!current && this.series.size + pending.size >= this.maxSeries) {
        dropped++;
        continue;
      }
      const series = apply(current && copy(current), u, resourceKey, startNs, nowMs);
      dropped += series.refusedSources;
      series.refusedSources = 0;
      pending.set(key, series);
    }
    const timeNs = nowNs > this.lastEmittedNs ? nowNs : this.lastEmittedNs + MS;
    const cutoff = nowMs - this.idleTimeoutMs;
    const live: CumulativeSeries[] = [...pending.values()];
    const expired: string[] = [];
    for (const [key, s] of this.series) {
      if (pending.has(key)) continue;
      if (s.lastUpdateMs < cutoff) expired.push(key);
      else live.push(s);
    }
    return {
      metrics: toResourceMetrics(live, timeNs),
      dropped,
      commit: () => {
        for (const [key, s] of pending) this.series.set(key, s);
        for (const key of expired) this.series.delete(key);
        for (const s of pending.values()) {
          for (const [key, c] of s.sources) {
            if (c.lastUpdateMs >= cutoff) continue;
            // A counter gone quiet leaves; an up-down total no longer holds its last reading.
            if (!s.monotonic) s.value -= c.value;
            s.sources.delete(key);
          }
        }
        this.lastEmittedNs = timeNs;
      },
    };
  }
}

/** A snapshot that cannot be read back as totals. */
export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

function seriesKey(resourceKey: string, metric: string, kind: string, attrs: Attributes): string {
  return `${resourceKey}\u0002${metric}\u0002${kind}\u0002${attributesKey(attrs)}`;
}

/** A copy whose changes leave the original untouched (until commit). */
function copy(s: CumulativeSeries): CumulativeSeries {
  return { ...s, bucketCounts: [...s.bucketCounts], sources: new Map(s.sources) };
}

function apply(
  s: CumulativeSeries | undefined,
  u: CumulativeUpdate,
  resourceKey: string,
  startNs: bigint,
  nowMs: number,
): CumulativeSeries {
  const fresh = (): CumulativeSeries => ({
    resourceKey,
    resource: u.resource,
    metric: u.metric,
    kind: u.kind,
    monotonic: u.kind === 'sum' ? u.monotonic : true,
    integer: u.kind === 'sum' ? u.integer : false,
    attributes: u.attributes,
    startTimeNs: startNs,
    lastUpdateMs: nowMs,
    value: 0,
    sources: new Map(),
    refusedSources: 0,
    bounds: u.kind === 'histogram' ? u.bounds : [],
    count: 0,
    sum: 0,
    bucketCounts: u.kind === 'histogram' ? new Array<number>(u.bounds.length + 1).fill(0) : [],
    min: Infinity,
    max: -Infinity,
  });
  if (u.kind === 'sum') {
    const series = s ?? fresh();
    series.lastUpdateMs = nowMs;
    if (u.mode === 'add') {
      series.value += u.value;
    } else if (u.mode === 'set') {
      // A running total that went down was restarted: a new series begins (OTel's reset).
      if (series.monotonic && u.value < series.value) series.startTimeNs = startNs;
      series.value = u.value;
    } else {
      for (const [key, value] of u.sources ?? []) {
        const last = series.sources.get(key)?.value;
        if (last === undefined && series.sources.size >= MAX_SOURCES_PER_SERIES) {
          series.refusedSources++;
          continue;
        }
        // A counter seen for the first time counts whole; one that went down was restarted.
        const increase =
          last === undefined ? value : value < last && series.monotonic ? value : value - last;
        series.value += increase;
        series.sources.set(key, { value, lastUpdateMs: nowMs });
      }
    }
    return series;
  }
  // Bounds that changed (an edited script) cannot be added to the old buckets: start again.
  const series = s && sameBounds(s.bounds, u.bounds) ? s : fresh();
  series.lastUpdateMs = nowMs;
  series.count += u.count;
  series.sum += u.sum;
  u.bucketCounts.forEach((n, i) => (series.bucketCounts[i]! += n));
  series.min = Math.min(series.min, u.min);
  series.max = Math.max(series.max, u.max);
  return series;
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function toResourceMetrics(live: readonly CumulativeSeries[], timeNs: bigint): ResourceMetrics[] {
  const resources = new Map<string, { resource: Resource; metrics: Map<string, Metric> }>();
  for (const s of live) {
    let r = resources.get(s.resourceKey);
    if (!r) {
      r = { resource: s.resource, metrics: new Map() };
      resources.set(s.resourceKey, r);
    }
    const metricKey = `${s.metric.name}\u0002${s.kind}`;
    let metric = r.metrics.get(metricKey);
    if (!metric) {
      metric = {
        ...s.metric,
        data:
          s.kind === 'sum'
            ? { kind: 'sum', monotonic: s.monotonic, temporality: 'cumulative', points: [] }
            : { kind: 'histogram', temporality: 'cumulative', points: [] },
      };
      r.metrics.set(metricKey, metric);
    }
    const base = { attributes: s.attributes, startTimeNs: s.startTimeNs, timeNs };
    if (s.kind === 'sum') {
      const point: NumberPoint = {
        ...base,
        value: s.integer ? BigInt(Math.round(s.value)) : s.value,
      };
      (metric.data.points as NumberPoint[]).push(point);
    } else {
      const point: HistogramPoint = {
        ...base,
        count: s.count,
        sum: s.sum,
        bounds: s.bounds,
        bucketCounts: [...s.bucketCounts],
        ...(s.count > 0 ? { min: s.min, max: s.max } : {}),
      };
      (metric.data.points as HistogramPoint[]).push(point);
    }
  }
  return [...resources.values()].map((r) => ({
    resource: r.resource,
    scope: PXGATE_SCOPE,
    metrics: [...r.metrics.values()],
  }));
}
