/** Helpers shared by the benchmarks: timing rounds and reporting medians. */

/** Runs `fn` once per round and returns each round's wall time in milliseconds. */
export function timeRounds(rounds: number, fn: () => void): number[] {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** `1.23M/s` style rates. */
export function rate(items: number, ms: number): string {
  const perSecond = (items / ms) * 1000;
  return perSecond >= 1e6
    ? `${(perSecond / 1e6).toFixed(2)}M/s`
    : `${(perSecond / 1e3).toFixed(0)}k/s`;
}
