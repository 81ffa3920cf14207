import {
  formatByteRate,
  formatBytes,
  formatDuration,
  formatPercent,
  formatRatePerSecond,
} from './units';

describe('units for people', () => {
  it.each([
    [812, '812 ns'],
    [1_250, '1.25 µs'],
    [1_250_000, '1.25 ms'],
    [12_500_000, '12.5 ms'],
    [125_000_000, '125 ms'],
    [3_200_000_000, '3.20 s'],
    [90e9, '1.50 min'],
    [7_200e9, '2.00 h'],
    [0, '0 ns'],
  ])('writes %d ns as %s', (ns, text) => {
    expect(formatDuration(ns)).toBe(text);
  });

  it.each([
    [78, '78 B'],
    [1023, '1023 B'],
    [12_700, '12.4 KiB'],
    [5 * 1024 * 1024, '5.00 MiB'],
    [3 * 1024 ** 3, '3.00 GiB'],
  ])('writes %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('writes ratios as percentages and rates per nanosecond per second', () => {
    expect(formatPercent(0.05)).toBe('5.00%');
    expect(formatPercent(1)).toBe('100.00%');
    expect(formatRatePerSecond(5e-11)).toBe('0.05 /s');
    expect(formatRatePerSecond(3.2e-7)).toBe('320 /s');
    expect(formatRatePerSecond(1.5e-6)).toBe('1.50 k/s');
    expect(formatByteRate(12_700 / 1e9)).toBe('12.4 KiB/s');
  });
});
