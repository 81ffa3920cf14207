import { ColumnBatch } from './batch';
import { planSlices } from './segment-plan';

const part = (rowCount: number, bytes = rowCount * 10): ColumnBatch => ({
  rowCount,
  columns: [],
  bytes,
  maxTime: undefined,
});

const shape = (slices: ReturnType<typeof planSlices>) =>
  slices.map((s) => [s.segment, s.from, s.count, s.seq, s.bytes]);

describe('planSlices', () => {
  it('fills the active segment, then opens new ones of at most the row limit', () => {
    const active = { index: 2, rows: 900, bytes: 9000, full: false };
    const slices = planSlices(active, [part(250), part(2100)], 41, { rows: 1000, bytes: 1e9 });
    expect(shape(slices)).toEqual([
      [2, 0, 100, 41, 1000],
      [3, 100, 150, 141, 1500],
      [3, 0, 850, 291, 8500],
      [4, 850, 1000, 1141, 10000],
      [5, 1850, 250, 2141, 2500],
    ]);
  });

  it('opens a new segment when the active one has its bytes, or is too old', () => {
    const limits = { rows: 1000, bytes: 500 };
    expect(
      shape(planSlices({ index: 0, rows: 10, bytes: 500, full: false }, [part(5)], 1, limits)),
    ).toEqual([[1, 0, 5, 1, 50]]);
    expect(
      shape(planSlices({ index: 0, rows: 10, bytes: 0, full: true }, [part(5)], 1, limits)),
    ).toEqual([[1, 0, 5, 1, 50]]);
    // Bytes are checked between slices: a slice may take the segment past its share.
    expect(
      shape(
        planSlices({ index: 0, rows: 0, bytes: 0, full: false }, [part(80), part(3)], 1, limits),
      ),
    ).toEqual([
      [0, 0, 80, 1, 800],
      [1, 0, 3, 81, 30],
    ]);
  });
});
