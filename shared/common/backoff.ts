/** Exponential backoff with jitter, as `export.*.retry` and the agent's `retry` configure it. */
export interface BackoffSettings {
  initialIntervalMs: number;
  maxIntervalMs: number;
  multiplier: number;
  /** Each delay is drawn from interval × [1 − f, 1 + f]. */
  randomizationFactor: number;
  /** Give up once this much time has passed since the first attempt. */
  maxElapsedMs: number;
}

/** The delays of one request's retries: each call to `next()` is the wait before the next try. */
export class ExponentialBackoff {
  private interval: number;

  constructor(
    private readonly settings: Omit<BackoffSettings, 'maxElapsedMs'>,
    private readonly random: () => number = Math.random,
  ) {
    this.interval = settings.initialIntervalMs;
  }

  next(): number {
    const { randomizationFactor: f, multiplier, maxIntervalMs } = this.settings;
    const delay = this.interval * (1 - f + 2 * f * this.random());
    this.interval = Math.min(this.interval * multiplier, maxIntervalMs);
    return Math.round(delay);
  }

  /** Starts again from the initial interval (after a success). */
  reset(): void {
    this.interval = this.settings.initialIntervalMs;
  }
}

/**
 * Doubling waits in the upper half of [0, min(maxMs, initialMs × 2^n)]: never longer than
 * `maxMs`, so `maxMs` is the longest wait, as the agent's `retry.max` promises.
 */
export function upperHalfBackoff(
  initialMs: number,
  maxMs: number,
  random?: () => number,
): ExponentialBackoff {
  // interval × [2/3, 4/3] with interval = ¾ of the ceiling is [½, 1] × the ceiling.
  const settings = {
    initialIntervalMs: initialMs * 0.75,
    maxIntervalMs: maxMs * 0.75,
    multiplier: 2,
    randomizationFactor: 1 / 3,
  };
  return new ExponentialBackoff(settings, random);
}
