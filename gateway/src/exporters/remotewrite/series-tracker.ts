import { PromSeries, seriesKey } from './series';

interface Tracked {
  labels: PromSeries['labels'];
  /** The last timestamp the receiver accepted. */
  deliveredMs: number;
  /** The last timestamp handed to the queue (not yet delivered, or delivered). */
  queuedMs: number;
  lastWrittenAt: number;
}

/** What `prepare` makes of a batch's series. */
export interface TrackedSeries {
  /** The series to send: samples at or before what was already sent are left out. */
  series: PromSeries[];
  /** Samples left out because they would reach the receiver out of order. */
  outOfOrder: number;
  /** Samples left out because their time is outside what receivers take (see `prepare`). */
  outOfBounds: number;
  /** Stale markers for the series that stopped being written. */
  stale: PromSeries[];
}

/**
 * Keeps remote-write's two rules that span requests. Order: a series' samples must arrive in
 * timestamp order, so samples at or before the series' last queued timestamp are left out (a
 * late gauge row, say); a request that fails rolls its series back, so that rows read again
 * pass. Staleness: a series not written for `staleAfterMs` gets the stale marker the spec
 * requires ("when a time series will no longer be appended to"), as Prometheus marks series
 * that leave a scrape. Bounded: past `maxSeries`, the least recently written series is marked
 * stale early.
 */
export class SeriesTracker {
  /** In order of last write: a Map iterates in insertion order, and writes re-insert. */
  private readonly series = new Map<string, Tracked>();

  constructor(
    private readonly staleAfterMs: number,
    private readonly maxSeries: number,
    /** Samples older than this (a late gauge row) are left out. */
    private readonly maxAgeMs: number = 60 * 60_000,
    /** Samples further in the future than this (a skewed clock) are left out. */
    private readonly maxFutureMs: number = 5 * 60_000,
  ) {}

  get size(): number {
    return this.series.size;
  }

  /**
   * Filters a batch's series for order and time, records them as queued, and adds stale markers.
   * Times too old or too far ahead are left out because receivers refuse them, and refuse the
   * whole request with them: Prometheus takes nothing older than about an hour before its
   * newest sample, and one sample from a clock hours ahead would make it refuse all the others.
   */
  prepare(written: readonly PromSeries[], now: number): TrackedSeries {
    const out: PromSeries[] = [];
    let outOfOrder = 0;
    let outOfBounds = 0;
    const oldest = now - this.maxAgeMs;
    const newest = now + this.maxFutureMs;
    for (const s of written) {
      const key = seriesKey(s.labels);
      const known = this.series.get(key);
      const floor = known ? known.queuedMs : -Infinity;
      const inBounds = s.samples.filter((x) => x.timestampMs >= oldest && x.timestampMs <= newest);
      outOfBounds += s.samples.length - inBounds.length;
      const samples = inBounds.filter((x) => x.timestampMs > floor);
      // Jobs running side by side each send their resources' target_info: a copy that comes
      // later but is older repeats what was sent, so it is left out without counting as lost.
      if (!isTargetInfo(s)) outOfOrder += inBounds.length - samples.length;
      this.series.delete(key);
      const last = samples[samples.length - 1]?.timestampMs ?? floor;
      this.series.set(key, {
        labels: s.labels,
        deliveredMs: known?.deliveredMs ?? -Infinity,
        queuedMs: last,
        lastWrittenAt: now,
      });
      if (samples.length > 0) out.push(samples.length === s.samples.length ? s : { ...s, samples });
    }
    const stale: PromSeries[] = [];
    for (const [key, t] of this.series) {
      const expired = now - t.lastWrittenAt >= this.staleAfterMs;
      if (!expired && this.series.size <= this.maxSeries) break;
      this.series.delete(key);
      const timestampMs = Math.max(now, t.queuedMs + 1);
      stale.push({ labels: t.labels, samples: [{ value: NaN, timestampMs, stale: true }] });
    }
    return { series: out, outOfOrder, outOfBounds, stale };
  }

  /** A request reached its end: delivered (or refused for good), or failed and will be read again. */
  settle(series: readonly PromSeries[], delivered: boolean): void {
    for (const s of series) {
      const t = this.series.get(seriesKey(s.labels));
      if (!t) continue;
      const last = s.samples[s.samples.length - 1]!.timestampMs;
      if (delivered) t.deliveredMs = Math.max(t.deliveredMs, last);
      else t.queuedMs = t.deliveredMs;
    }
  }
}

function isTargetInfo(s: PromSeries): boolean {
  return s.labels.some(([name, value]) => name === '__name__' && value === 'target_info');
}
