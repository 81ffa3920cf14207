import { Pacer } from './pacer';

/** How a PacedRunner starts work. */
export interface PacedRunnerOptions {
  /** Units (rows, queries) a second. */
  perSecond: number;
  /** Units one task does: a task starts once this many are due. */
  unit: number;
  /** Tasks running at once, at most. */
  maxInFlight: number;
  /** Units the runner may fall behind the clock before it skips (and counts) them. */
  maxBacklog: number;
}

/** How often the runner looks at the clock; the pace comes from the clock, not from this. */
const TICK_MS = 10;

/**
 * Starts asynchronous tasks at a steady rate (a Pacer's), at most `maxInFlight` at once: the
 * loop the soak's ingest and query drivers share.
 */
export class PacedRunner {
  private pacer: Pacer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly opts: PacedRunnerOptions,
    private readonly task: (nowMs: number) => Promise<void>,
  ) {}

  /** Units started so far. */
  get started(): number {
    return this.pacer?.started ?? 0;
  }

  /** Units that fell too far behind the clock and were never started. */
  get skipped(): number {
    return this.pacer?.skipped ?? 0;
  }

  start(): void {
    this.pacer = new Pacer(this.opts.perSecond, Date.now(), this.opts.maxBacklog);
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Starts no more tasks and waits for those running. Idempotent, safe before start. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.pacer?.due(Date.now());
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private tick(): void {
    const pacer = this.pacer!;
    const now = Date.now();
    // Asked on every tick, also with every slot taken, so that units skipped are counted as
    // they fall behind rather than when a slot frees.
    let due = pacer.due(now);
    while (!this.stopped && this.running.size < this.opts.maxInFlight && due >= this.opts.unit) {
      pacer.take(this.opts.unit);
      const p: Promise<void> = this.task(now).finally(() => this.running.delete(p));
      this.running.add(p);
      due = pacer.due(now);
    }
  }
}
