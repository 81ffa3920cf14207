import fc from 'fast-check';

export interface FuzzOptions<T> {
  /** A fixed seed for the short run in `npm test` (the long run always draws a fresh one). */
  seed?: number;
  /** Inputs that once failed, replayed first as regressions. */
  examples?: T[];
}

/**
 * fast-check parameters for a property test: `ciRuns` cases in `npm test`, or
 * `PXGATE_FUZZ_RUNS` cases in a long run (`npm run fuzz`, 100,000 by default). A failure prints
 * its seed and path; `PXGATE_FUZZ_SEED` replays that seed, and the failing input goes into
 * `examples` (or a test of its own) so that it stays a regression test.
 */
export function fuzzParams<T>(ciRuns: number, options: FuzzOptions<T> = {}): fc.Parameters<T> {
  const longRuns = Number(process.env.PXGATE_FUZZ_RUNS);
  const replay = Number(process.env.PXGATE_FUZZ_SEED);
  const long = Number.isSafeInteger(longRuns) && longRuns > 0;
  const seed = Number.isSafeInteger(replay) ? replay : long ? undefined : options.seed;
  return {
    numRuns: long ? longRuns : ciRuns,
    ...(seed === undefined ? {} : { seed }),
    examples: options.examples ?? [],
  };
}
