import { decodeWriteRequest } from '../../../../test/support/remote-write-schema';
import { PromFamily } from '../prometheus/translate';
import { STALE_NAN_BITS, encodeWriteRequest } from './encode';
import { chunkSeries, toSeries } from './series';
import { SeriesTracker } from './series-tracker';

const family: PromFamily = {
  name: 'http_requests_total',
  type: 'counter',
  help: '',
  unit: '',
  samples: [
    {
      name: 'http_requests_total',
      labels: { zone: 'a', Zeta: 'z', job: 'x', empty: '' },
      value: 2,
      timestampMs: 2000,
    },
    {
      name: 'http_requests_total',
      labels: { zone: 'a', Zeta: 'z', job: 'x' },
      value: 1,
      timestampMs: 1000,
    },
    {
      name: 'http_requests_total',
      labels: { zone: 'a', Zeta: 'z', job: 'x' },
      value: 3,
      timestampMs: 2000,
    },
    {
      name: 'http_requests_total',
      labels: { zone: 'b', cluster: 'mine' },
      value: 5,
      timestampMs: 1000,
    },
  ],
};

describe('remote-write series', () => {
  it('sorts labels bytewise, sets __name__, drops empty values and orders samples by time', () => {
    const series = toSeries([family], { cluster: 'prod' });
    expect(series).toHaveLength(2);
    expect(series[0]!.labels).toEqual([
      ['Zeta', 'z'],
      ['__name__', 'http_requests_total'],
      ['cluster', 'prod'],
      ['job', 'x'],
      ['zone', 'a'],
    ]);
    // One sample per timestamp, the last one given, in time order.
    expect(series[0]!.samples).toEqual([
      { value: 1, timestampMs: 1000 },
      { value: 3, timestampMs: 2000 },
    ]);
    // A series' own label wins over an external label of the same name.
    expect(series[1]!.labels).toContainEqual(['cluster', 'mine']);
  });

  it('cuts requests at the sample bound, keeping each series in order across requests', () => {
    const series = [
      {
        labels: [['__name__', 'a']] as [string, string][],
        samples: [1, 2, 3].map((t) => ({ value: t, timestampMs: t })),
      },
      {
        labels: [['__name__', 'b']] as [string, string][],
        samples: [1, 2].map((t) => ({ value: t, timestampMs: t })),
      },
    ];
    const chunks = chunkSeries(series, 2);
    expect(
      chunks.map((c) => c.map((s) => [s.labels[0]![1], s.samples.map((x) => x.timestampMs)])),
    ).toEqual([
      [['a', [1, 2]]],
      [
        ['a', [3]],
        ['b', [1]],
      ],
      [['b', [2]]],
    ]);
  });

  it('encodes a WriteRequest the spec schema decodes, with stale markers as their exact NaN', () => {
    const series = toSeries([family], {});
    const stale = {
      labels: [['__name__', 'gone']] as [string, string][],
      samples: [{ value: NaN, timestampMs: 5, stale: true }],
    };
    const bytes = encodeWriteRequest([...series, stale]);
    const decoded = decodeWriteRequest(bytes);
    expect(decoded.timeseries[0]!.labels.map((l) => l.name)).toEqual([
      'Zeta',
      '__name__',
      'job',
      'zone',
    ]);
    expect(decoded.timeseries[0]!.samples).toEqual([
      { value: 1, timestamp: 1000 },
      { value: 3, timestamp: 2000 },
    ]);
    expect(Number.isNaN(decoded.timeseries[2]!.samples[0]!.value)).toBe(true);
    const tail = Buffer.from(bytes).subarray(bytes.length - 12);
    expect(tail.includes(Buffer.from(new BigUint64Array([STALE_NAN_BITS]).buffer))).toBe(true);
  });
});

describe('SeriesTracker', () => {
  const s = (name: string, ...times: number[]) => ({
    labels: [['__name__', name]] as [string, string][],
    samples: times.map((t) => ({ value: 1, timestampMs: t })),
  });

  it('marks a series stale once it has not been written for the stale interval', () => {
    const tracker = new SeriesTracker(1000, 100);
    expect(tracker.prepare([s('a', 10), s('b', 10)], 0).stale).toEqual([]);
    expect(tracker.prepare([s('a', 600)], 600).stale).toEqual([]);
    expect(tracker.prepare([s('a', 1200)], 1200).stale).toEqual([
      { labels: [['__name__', 'b']], samples: [{ value: NaN, timestampMs: 1200, stale: true }] },
    ]);
    expect(tracker.size).toBe(1);
  });

  it('stamps a marker after the last sample, and bounds what it remembers', () => {
    const tracker = new SeriesTracker(60_000, 2);
    tracker.prepare([s('a', 5000)], 0);
    // A third series passes the bound: the least recently written one is marked stale early.
    expect(tracker.prepare([s('b', 1), s('c', 1)], 1).stale).toEqual([
      { labels: [['__name__', 'a']], samples: [{ value: NaN, timestampMs: 5001, stale: true }] },
    ]);
    expect(tracker.size).toBe(2);
  });

  it('leaves out samples at or before what was already queued, until a failure rolls it back', () => {
    const tracker = new SeriesTracker(60_000, 100);
    const first = tracker.prepare([s('a', 10, 20)], 0);
    expect(first.series[0]!.samples.map((x) => x.timestampMs)).toEqual([10, 20]);
    // A late row: 15 would arrive after 20.
    const late = tracker.prepare([s('a', 15, 30)], 1);
    expect(late).toMatchObject({ outOfOrder: 1 });
    expect(late.series[0]!.samples.map((x) => x.timestampMs)).toEqual([30]);
    // The request with 30 failed: its job reads the rows again, and they must pass.
    tracker.settle(first.series, true);
    tracker.settle(late.series, false);
    expect(
      tracker.prepare([s('a', 25, 30)], 2).series[0]!.samples.map((x) => x.timestampMs),
    ).toEqual([25, 30]);
  });

  it('leaves out samples receivers would refuse: older than the age bound, or ahead of the clock', () => {
    const tracker = new SeriesTracker(60_000, 100, 1000, 100);
    const out = tracker.prepare([s('a', 8_999, 9_000, 10_100, 10_101)], 10_000);
    expect(out).toMatchObject({ outOfBounds: 2, outOfOrder: 0 });
    expect(out.series[0]!.samples.map((x) => x.timestampMs)).toEqual([9_000, 10_100]);
  });
});
