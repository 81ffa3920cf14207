import { HistogramPoint, NumberPoint } from '../../exporters/model/telemetry';
import { CumulativeState, SnapshotError } from './cumulative-state';
import { CumulativeUpdate } from './export-parts';

const resource = { attributes: { 'service.name': 'cart' } };
const metric = { name: 'requests', description: '', unit: '{request}' };
const S = 1_000_000n;

function sum(value: number, attrs = {}, extra: Partial<CumulativeUpdate> = {}): CumulativeUpdate {
  return {
    kind: 'sum',
    resource,
    metric,
    attributes: attrs,
    monotonic: true,
    mode: 'add',
    value,
    integer: true,
    ...extra,
  } as CumulativeUpdate;
}

function points(state: ReturnType<CumulativeState['prepare']>): NumberPoint[] {
  return state.metrics.flatMap((r) => r.metrics.flatMap((m) => m.data.points as NumberPoint[]));
}

describe('CumulativeState', () => {
  it('turns increases into running totals, stamped with the run time and the series start', () => {
    const state = new CumulativeState(100, 60_000);
    const first = state.prepare([sum(3)], 10n * S, 10, 5n * S);
    first.commit();
    expect(points(first)).toEqual([
      { attributes: {}, startTimeNs: 5n * S, timeNs: 10n * S, value: 3n },
    ]);
    const second = state.prepare([sum(2)], 20n * S, 20, 10n * S);
    expect(points(second)).toEqual([
      { attributes: {}, startTimeNs: 5n * S, timeNs: 20n * S, value: 5n },
    ]);
  });

  it('keeps its totals when a run is not committed, so rows read again count once', () => {
    const state = new CumulativeState(100, 60_000);
    state.prepare([sum(3)], 10n * S, 10, 0n).commit();
    state.prepare([sum(4)], 20n * S, 20, 0n); // the sink failed: no commit
    const retried = state.prepare([sum(4)], 30n * S, 30, 0n);
    expect(points(retried)[0]!.value).toBe(7n);
  });

  it('sends every live series each run, and forgets one idle past the timeout', () => {
    const state = new CumulativeState(100, 1000);
    state.prepare([sum(1, { a: 'x' }), sum(1, { a: 'y' })], 1n * S, 0, 0n).commit();
    const quiet = state.prepare([sum(1, { a: 'x' })], 2n * S, 500, 0n);
    expect(points(quiet).map((p) => [p.attributes.a, p.value])).toEqual([
      ['x', 2n],
      ['y', 1n],
    ]);
    quiet.commit();
    const later = state.prepare([sum(1, { a: 'x' })], 3n * S, 1200, 0n);
    later.commit();
    expect(points(later).map((p) => p.attributes.a)).toEqual(['x']);
    expect(state.size).toBe(1);
  });

  it('adds up the increases of running totals read by source, counting a restart from zero', () => {
    const state = new CumulativeState(100, 60_000);
    const reading = (a: number, b: number) =>
      sum(0, {}, {
        mode: 'sources',
        sources: new Map([
          ['a', a],
          ['b', b],
        ]),
      } as Partial<CumulativeUpdate>);
    state.prepare([reading(10, 5)], 1n * S, 1, 0n).commit();
    state.prepare([reading(15, 8)], 2n * S, 2, 0n).commit();
    // Source a restarted (its counter went down to 4): its 4 are new.
    const p = state.prepare([reading(4, 9)], 3n * S, 3, 0n);
    expect(points(p)[0]!.value).toBe(10n + 5n + 5n + 3n + 4n + 1n);
  });

  it('refuses new series past its bound and says how many', () => {
    const state = new CumulativeState(2, 60_000);
    const p = state.prepare([sum(1, { a: '1' }), sum(1, { a: '2' }), sum(1, { a: '3' })], S, 1, 0n);
    expect(p.dropped).toBe(1);
    expect(points(p)).toHaveLength(2);
  });

  it('stamps a run that comes at the same time as the last one a millisecond later', () => {
    const state = new CumulativeState(100, 60_000);
    state.prepare([sum(1)], 10n * S, 10, 0n).commit();
    expect(points(state.prepare([sum(1)], 10n * S, 10, 0n))[0]!.timeNs).toBe(11n * S);
  });

  it('accumulates histogram buckets, and starts again when the bounds change', () => {
    const state = new CumulativeState(100, 60_000);
    const h = (bounds: number[], counts: number[]): CumulativeUpdate => ({
      kind: 'histogram',
      resource,
      metric,
      attributes: {},
      bounds,
      count: counts.reduce((a, b) => a + b, 0),
      sum: 1,
      bucketCounts: counts,
      min: 0.1,
      max: 2,
    });
    state.prepare([h([1], [2, 1])], S, 1, 0n).commit();
    const same = state.prepare([h([1], [1, 1])], 2n * S, 2, 0n);
    same.commit();
    const point = same.metrics[0]!.metrics[0]!.data.points[0] as HistogramPoint;
    expect(point).toMatchObject({ count: 5, sum: 2, bucketCounts: [3, 2], bounds: [1] });
    const changed = state.prepare([h([1, 5], [1, 0, 0])], 3n * S, 3, 2n * S);
    expect(changed.metrics[0]!.metrics[0]!.data.points[0]).toMatchObject({
      count: 1,
      bucketCounts: [1, 0, 0],
      startTimeNs: 2n * S,
    });
  });

  it('reads its totals back from a snapshot and keeps counting from them', () => {
    const state = new CumulativeState(100, 60_000);
    const h: CumulativeUpdate = {
      kind: 'histogram',
      resource: { attributes: { 'service.name': 'cart', 'k8s.pod.uid': 12n ** 20n } },
      metric,
      attributes: { status: 200 },
      bounds: [1],
      count: 3,
      sum: 1.5,
      bucketCounts: [2, 1],
      min: 0.1,
      max: 2,
    };
    const reading = sum(0, { a: true }, {
      mode: 'sources',
      sources: new Map([['conn-1', 10]]),
    } as Partial<CumulativeUpdate>);
    state.prepare([sum(4), h, reading], 10n * S, 10, 5n * S).commit();
    const json = JSON.parse(JSON.stringify(state.toSnapshot()));
    const back = CumulativeState.fromSnapshot(json, 100, 60_000);
    expect(back.size).toBe(3);
    // The same next run on the original and on the copy read back gives the same points.
    const next = () => [
      sum(1),
      h,
      sum(0, { a: true }, {
        mode: 'sources',
        sources: new Map([['conn-1', 15]]),
      } as Partial<CumulativeUpdate>),
    ];
    const original = state.prepare(next(), 20n * S, 20, 10n * S).metrics;
    expect(back.prepare(next(), 20n * S, 20, 10n * S).metrics).toEqual(original);
    const values = original.flatMap((r) =>
      r.metrics.flatMap((m) => [...m.data.points] as unknown[]),
    );
    expect(values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ value: 5n, startTimeNs: 5n * S }),
        expect.objectContaining({ count: 6, bucketCounts: [4, 2] }),
        expect.objectContaining({ value: 15n }),
      ]),
    );
  });

  it('refuses a snapshot that is not one, naming the field', () => {
    expect(() => CumulativeState.fromSnapshot({ lastEmittedNs: 'x', series: [] }, 10, 1)).toThrow(
      SnapshotError,
    );
    expect(() => CumulativeState.fromSnapshot({ lastEmittedNs: '1', series: [{}] }, 10, 1)).toThrow(
      /series\.0\.resource/,
    );
  });
});
