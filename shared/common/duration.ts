const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
};

const DURATION_RE = /^(-?)((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))+)$/;
const PART_RE = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/g;

/**
 * Parses a duration such as `30s`, `-5m`, `1h30m` or `250ms` into nanoseconds.
 * Returns undefined when the text is not a duration.
 */
export function parseDurationNs(text: string): bigint | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m) return undefined;
  let total = 0n;
  for (const part of m[2]!.matchAll(PART_RE)) {
    const unit = UNIT_NS[part[2]!]!;
    const [whole, frac = ''] = part[1]!.split('.');
    total += BigInt(whole!) * unit;
    if (frac) total += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
  }
  return m[1] === '-' ? -total : total;
}

/** Parses a duration into milliseconds, or throws naming the text. */
export function parseDurationMs(text: string): number {
  const ns = parseDurationNs(text);
  if (ns === undefined) {
    throw new Error(`"${text}" is not a duration (examples: 500ms, 30s, 5m, 1h30m)`);
  }
  return Number(ns / 1_000_000n);
}

/** Formats nanoseconds the way Go and Pixie print durations: `1.5s`, `250ms`, `2m3s`. */
export function formatDurationNs(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns);
  const sign = ns < 0 ? '-' : '';
  let v = Math.abs(ns);
  if (v < 1_000) return `${sign}${v}ns`;
  if (v < 1_000_000) return `${sign}${trim(v / 1_000)}µs`;
  if (v < 1_000_000_000) return `${sign}${trim(v / 1_000_000)}ms`;
  let out = '';
  const h = Math.floor(v / 3_600_000_000_000);
  if (h > 0) {
    out += `${h}h`;
    v -= h * 3_600_000_000_000;
  }
  const m = Math.floor(v / 60_000_000_000);
  if (h > 0 || m > 0) {
    out += `${m}m`;
    v -= m * 60_000_000_000;
  }
  return `${sign}${out}${trim(v / 1_000_000_000)}s`;
}

function trim(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}
