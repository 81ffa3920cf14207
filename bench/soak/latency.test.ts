import { LatencyLog, percentile, summarize } from './latency';

describe('percentile', () => {
  it('gives the nearest-rank value', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 0.5)).toBe(50);
    expect(percentile(xs, 0.9)).toBe(90);
    expect(percentile(xs, 0.99)).toBe(99);
    expect(percentile(xs, 1)).toBe(100);
    expect(percentile([7], 0.01)).toBe(7);
    expect(percentile([1, 2, 3], 0.5)).toBe(2);
  });

  it('is NaN without values', () => {
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe('summarize', () => {
  it('sorts numerically, not as text', () => {
    expect(summarize([100, 9, 20, 3])).toEqual({ count: 4, p50: 9, p90: 100, p99: 100, max: 100 });
  });
});

describe('LatencyLog', () => {
  it('reports each interval on its own and the whole run together', () => {
    const log = new LatencyLog();
    for (const ms of [5, 1, 3]) log.add(ms);
    expect(log.takeInterval()).toMatchObject({ count: 3, p50: 3, max: 5 });
    expect(log.takeInterval().count).toBe(0);
    log.add(50);
    expect(log.takeInterval()).toMatchObject({ count: 1, p99: 50 });
    expect(log.total()).toEqual({ count: 4, p50: 3, p90: 50, p99: 50, max: 50 });
  });
});
