import { PromSeries, seriesKey } from './series';

interface Tracked {
  labels: PromSeries['labels'];
  lastTimestampMs: number;
  lastWrittenAt: number;
}

/**
 * Remembers the series written, so that one that stops being written gets the stale marker
 * remote-write 1.0 requires ("when a time series will no longer be appended to"), as Prometheus
 * marks series that disappear from a scrape. Bounded: past `maxSeries`, the series written least
 * recently is marked stale early.
 */
export class StaleSeriesTracker {
  /** In order of last write: a Map iterates in insertion order, and writes re-insert. */
  private readonly series = new Map<string, Tracked>();

  constructor(
    private readonly staleAfterMs: number,
    private readonly maxSeries: number,
  ) {}

  get size(): number {
    return this.series.size;
  }

  /** Records the series about to be written and returns stale markers for those that stopped. */
  observe(written: readonly PromSeries[], now: number): PromSeries[] {
    for (const s of written) {
      const key = seriesKey(s);
      const last = s.samples[s.samples.length - 1];
      const lastTimestampMs = last ? last.timestampMs : now;
      this.series.delete(key);
      this.series.set(key, { labels: s.labels, lastTimestampMs, lastWrittenAt: now });
    }
    const markers: PromSeries[] = [];
    for (const [key, t] of this.series) {
      const expired = now - t.lastWrittenAt >= this.staleAfterMs;
      if (!expired && this.series.size <= this.maxSeries) break;
      this.series.delete(key);
      const timestampMs = Math.max(now, t.lastTimestampMs + 1);
      markers.push({ labels: t.labels, samples: [{ value: NaN, timestampMs, stale: true }] });
    }
    return markers;
  }
}
