import { BusyError } from '../../common/errors';

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

  /**
   * Runs `fn` when a slot is free. A `signal` that aborts while the run still waits takes it out
   * of the queue with a BusyError: the gateway was too busy for it within its time.
   */
  async use<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.running >= this.concurrent) {
      if (this.waiting.length >= this.queued) {
        throw new BusyError(
          `the gateway is running ${this.running} scripts with ${this.waiting.length} waiting; try again shortly`,
        );
      }
      await this.wait(signal);
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

  /** Waits for a slot that a finishing run hands over (the count of running ones stays). */
  private wait(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const turn = () => {
        signal?.removeEventListener('abort', giveUp);
        resolve();
      };
      const giveUp = () => {
        const at = this.waiting.indexOf(turn);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(
          new BusyError(
            "the gateway was busy with other scripts for all of this run's time (pxl.queryTimeout); try again shortly",
          ),
        );
      };
      if (signal?.aborted) {
        giveUp();
        return;
      }
      this.waiting.push(turn);
      signal?.addEventListener('abort', giveUp, { once: true });
    });
  }
}
