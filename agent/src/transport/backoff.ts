/** Capped exponential backoff with jitter: attempt n waits a random time in [d/2, d], d = min(max, initial * 2^n). */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return ceiling / 2 + (this.random() * ceiling) / 2;
  }

  reset(): void {
    this.attempt = 0;
  }
}
