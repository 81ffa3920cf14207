/**
 * Hands out units of work (rows, queries) at a steady rate measured from a start time, so that a
 * loop waking up late catches up instead of drifting: what is due depends on the clock, not on
 * how many times the loop ran. A driver that cannot keep up falls behind by at most `maxBacklog`
 * units; the rest are skipped and counted, so a shortfall is reported instead of hidden.
 */
export class Pacer {
  private taken = 0;
  private skippedUnits = 0;

  constructor(
    private readonly perSecond: number,
    private readonly startMs: number,
    private readonly maxBacklog: number,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`a rate must be positive, not ${perSecond}`);
    if (!(maxBacklog >= 1)) throw new RangeError(`a backlog must be at least 1, not ${maxBacklog}`);
  }

  /** Units scheduled by `nowMs` and not yet taken (at most `maxBacklog`). */
  due(nowMs: number): number {
    const scheduled = Math.floor((Math.max(0, nowMs - this.startMs) * this.perSecond) / 1000);
    const waiting = scheduled - this.taken - this.skippedUnits;
    if (waiting > this.maxBacklog) this.skippedUnits += waiting - this.maxBacklog;
    return Math.max(0, Math.min(waiting, this.maxBacklog));
  }

  /** Marks `n` due units as started. */
  take(n: number): void {
    this.taken += n;
  }

  /** Units started so far. */
  get started(): number {
    return this.taken;
  }

  /** Units that fell more than `maxBacklog` behind the clock and were never started. */
  get skipped(): number {
    return this.skippedUnits;
  }
}
