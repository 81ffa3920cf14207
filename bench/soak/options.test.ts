import { parseSoakOptions, rssBoundMb } from './options';

describe('parseSoakOptions', () => {
  it('gives the brief defaults: 10 minutes, 20,000 rows/s, 5 queries/s', () => {
    expect(parseSoakOptions([])).toEqual({
      minutes: 10,
      rowsPerSecond: 20_000,
      queriesPerSecond: 5,
      batchRows: 4096,
      storeLimitMb: 512,
      reportSeconds: 30,
    });
  });

  it('takes each option by its flag', () => {
    expect(
      parseSoakOptions(['--minutes', '0.5', '--rows-per-second=1000', '--queries-per-second', '2']),
    ).toMatchObject({ minutes: 0.5, rowsPerSecond: 1000, queriesPerSecond: 2 });
  });

  it('names the option at fault', () => {
    expect(() => parseSoakOptions(['--minutes', 'ten'])).toThrow('--minutes must be a positive');
    expect(() => parseSoakOptions(['--batch-rows', '1.5'])).toThrow('--batch-rows');
    expect(() => parseSoakOptions(['--batch-rows', '100000'])).toThrow('at most 65536');
    expect(() => parseSoakOptions(['--rows-per-second', '-1'])).toThrow('--rows-per-second');
    expect(() => parseSoakOptions(['--nope', '1'])).toThrow();
  });
});

describe('rssBoundMb', () => {
  it("adds DuckDB's default limit, Node, two compiles and the results in flight", () => {
    // 2 × 512 + 256 for DuckDB, 150, 512, 4 × 64, 256.
    expect(rssBoundMb({ storeLimitMb: 512 })).toBe(1280 + 150 + 512 + 256 + 256);
    expect(rssBoundMb({ storeLimitMb: 1280 })).toBe(2816 + 150 + 512 + 256 + 256);
  });

  it('follows an explicit DuckDB limit and result bounds', () => {
    expect(
      rssBoundMb({
        storeLimitMb: 512,
        duckdbMemoryLimitMb: 600,
        pxlMaxResultMb: 10,
        exportMaxResultMb: 20,
      }),
    ).toBe(600 + 150 + 512 + 40 + 20);
  });
});
