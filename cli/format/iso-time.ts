/** Nanoseconds since the epoch as ISO 8601 with all nine fraction digits. */
export function isoNs(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const frac = (((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n)
    .toString()
    .padStart(9, '0');
  return new Date(Number(ms)).toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}
