import { chunkGroups } from '../model/split';
import { PromFamily } from '../prometheus/translate';

/** A remote-write TimeSeries: labels sorted by name (with `__name__`), samples in time order. */
export interface PromSeries {
  readonly labels: readonly (readonly [string, string])[];
  readonly samples: readonly RemoteSample[];
}

/** A sample on the wire; `stale` ones are sent as Prometheus' stale-marker NaN. */
export interface RemoteSample {
  readonly value: number;
  readonly timestampMs: number;
  readonly stale?: boolean;
}

/**
 * Groups samples into series as remote-write 1.0 requires: every series carries `__name__`
 * and the external labels (a sample's own label of the same name wins, as in Prometheus), its
 * labels are sorted with no duplicate and no empty value, and its samples are in timestamp
 * order with at most one sample per timestamp (the last one given).
 */
export function toSeries(
  families: readonly PromFamily[],
  externalLabels: Readonly<Record<string, string>>,
): PromSeries[] {
  const byKey = new Map<
    string,
    { labels: [string, string][]; samples: Map<number, RemoteSample> }
  >();
  for (const family of families) {
    for (const s of family.samples) {
      const merged: Record<string, string> = { ...externalLabels, ...s.labels, __name__: s.name };
      const labels = Object.entries(merged)
        .filter(([, v]) => v !== '')
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const key = seriesKey(labels);
      let series = byKey.get(key);
      if (!series) {
        series = { labels, samples: new Map() };
        byKey.set(key, series);
      }
      series.samples.set(s.timestampMs, {
        value: s.value,
        timestampMs: s.timestampMs,
        ...(s.stale ? { stale: true } : {}),
      });
    }
  }
  return [...byKey.values()].map(({ labels, samples }) => ({
    labels,
    samples: [...samples.values()].sort((a, b) => a.timestampMs - b.timestampMs),
  }));
}

/** The identity of a series: its sorted labels. */
export function seriesKey(labels: PromSeries['labels']): string {
  return labels.map(([k, v]) => `${k}\xff${v}`).join('\xfe');
}

/**
 * Splits series into requests of at most `maxSamples` samples. A series with more samples than
 * that is cut into consecutive pieces, which the sender must deliver in order.
 */
export function chunkSeries(series: readonly PromSeries[], maxSamples: number): PromSeries[][] {
  return chunkGroups(
    series,
    maxSamples,
    (s) => s.samples.length,
    (s, from, to) => ({ labels: s.labels, samples: s.samples.slice(from, to) }),
  );
}
