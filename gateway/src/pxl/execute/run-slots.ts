import { UserError } from '../../common/errors';

/**
 * Bounds the runs in flight: `concurrent` run at once (each holds a DuckDB connection), up to
 * `queued` more wait their turn in order, and past that a run is refused at once.
 */
export class RunSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrent: number,
    private readonly queued: number,
  ) {}

  /** Runs `fn` when a slot is free. */
  async use<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrent) {
      if (this.waiting.length >= this.queued) {
        throw new UserError(
          `the gateway is running ${this.running} scripts with ${this.waiting.length} waiting; try again shortly`,
          503,
        );
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
