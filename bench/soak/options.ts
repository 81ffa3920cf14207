import { parseArgs } from 'node:util';

/** What a soak run does; every field has a command-line option. */
export interface SoakOptions {
  minutes: number;
  rowsPerSecond: number;
  queriesPerSecond: number;
  /** Rows per ingest request: the agent's `agent.batch.maxRows`. */
  batchRows: number;
  /** The gateway's `store.limitMb`. */
  storeLimitMb: number;
  /** Seconds between report lines. */
  reportSeconds: number;
}

const DEFAULTS: SoakOptions = {
  minutes: 10,
  rowsPerSecond: 20_000,
  queriesPerSecond: 5,
  batchRows: 4096,
  storeLimitMb: 512,
  reportSeconds: 30,
};

const FLAGS: Record<keyof SoakOptions, string> = {
  minutes: 'minutes',
  rowsPerSecond: 'rows-per-second',
  queriesPerSecond: 'queries-per-second',
  batchRows: 'batch-rows',
  storeLimitMb: 'store-limit-mb',
  reportSeconds: 'report-seconds',
};

export const USAGE = `usage: npm run soak -- [${Object.entries(FLAGS)
  .map(([k, f]) => `--${f} N (${DEFAULTS[k as keyof SoakOptions]})`)
  .join('] [')}]`;

/** The options of `npm run soak -- ...`; throws a RangeError naming a bad one. */
export function parseSoakOptions(argv: readonly string[]): SoakOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(Object.values(FLAGS).map((f) => [f, { type: 'string' }])),
    strict: true,
    allowPositionals: false,
  });
  const out = { ...DEFAULTS };
  for (const [key, flag] of Object.entries(FLAGS) as [keyof SoakOptions, string][]) {
    const text = values[flag];
    if (typeof text !== 'string') continue;
    const n = Number(text);
    const integer = key === 'batchRows' || key === 'storeLimitMb';
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new RangeError(`--${flag} must be a positive ${integer ? 'integer' : 'number'}`);
    }
    out[key] = n;
  }
  if (out.batchRows > 65_536) throw new RangeError('--batch-rows is at most 65536, as the agent');
  return out;
}

/** The gateway settings the memory bound is derived from (their defaults are the gateway's). */
export interface MemorySettings {
  storeLimitMb: number;
  duckdbMemoryLimitMb?: number;
  pxlMaxResultMb?: number;
  exportMaxResultMb?: number;
}

/** MiB docs/operations.md ("Sizing") gives Node itself. */
const NODE_MB = 150;
/** Two compile threads at once, 256 MiB of heap each. */
const COMPILE_MB = 2 * 256;
/** Query runs at once, each holding up to pxl.maxResultMb of results. */
const RUNS = 4;

/**
 * The most RSS the gateway may reach, by docs/operations.md's sizing: DuckDB's limit (by default
 * 2 × store.limitMb + 256), Node itself, two compiles, four query results and one export
 * run's results in flight.
 */
export function rssBoundMb(s: MemorySettings): number {
  const duckdb = s.duckdbMemoryLimitMb ?? 2 * s.storeLimitMb + 256;
  return (
    duckdb + NODE_MB + COMPILE_MB + RUNS * (s.pxlMaxResultMb ?? 64) + (s.exportMaxResultMb ?? 256)
  );
}
