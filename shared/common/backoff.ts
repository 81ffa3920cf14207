/** Exponential backoff with jitter, as `export.*.retry` configures it. */
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
    private readonly settings: BackoffSettings,
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
}
