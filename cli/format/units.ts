/**
 * Numbers in the units people read, as Pixie's CLI and UI show them: three significant digits
 * and a unit (`1.25 ms`, `12.4 KiB`, `5.00%`, `320 /s`).
 */

/** Three significant digits, without a trailing `.0` beyond what they need. */
function sig3(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : 2;
  return v.toFixed(digits);
}

const DURATION_UNITS: readonly [number, string][] = [
  [3_600e9, 'h'],
  [60e9, 'min'],
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
];

/** Nanoseconds as `1.25 ms`, `3.20 s`, `812 ns`. */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns);
  const a = Math.abs(ns);
  for (const [size, unit] of DURATION_UNITS) {
    if (a >= size) return `${sig3(ns / size)} ${unit}`;
  }
  return `${Math.round(ns)} ns`;
}

const BYTE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes as `78 B`, `12.4 KiB`, `3.00 GiB` (powers of 1024). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  let v = bytes;
  if (Math.abs(v) < 1024) return `${Math.round(v)} B`;
  for (const unit of BYTE_UNITS) {
    v /= 1024;
    if (Math.abs(v) < 1024 || unit === 'PiB') return `${sig3(v)} ${unit}`;
  }
  return `${bytes} B`;
}

/** A ratio (0.05) as a percentage (`5.00%`). */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return String(ratio);
  return `${(ratio * 100).toFixed(2)}%`;
}

/** A rate per nanosecond as a rate per second: `320 /s`, `1.50 k/s`. */
export function formatRatePerSecond(perNs: number): string {
  const perS = perNs * 1e9;
  if (!Number.isFinite(perS)) return String(perS);
  const a = Math.abs(perS);
  if (a >= 1e9) return `${sig3(perS / 1e9)} G/s`;
  if (a >= 1e6) return `${sig3(perS / 1e6)} M/s`;
  if (a >= 1e3) return `${sig3(perS / 1e3)} k/s`;
  return `${sig3(perS)} /s`;
}

/** Bytes per nanosecond as bytes per second: `12.4 KiB/s`. */
export function formatByteRate(perNs: number): string {
  return `${formatBytes(perNs * 1e9)}/s`;
}
