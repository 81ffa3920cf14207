/**
 * Requests waiting for their responses, in the order they were sent, at most `max` of them:
 * when one more arrives the oldest is dropped. Every request dropped unanswered, and every
 * response that found no request, is counted in `unmatched` (a parse error of the connection).
 */
export class PendingRequests<M extends { readonly startTs: number }> {
  private readonly items: M[] = [];
  unmatched = 0;

  constructor(private readonly max: number) {}

  get length(): number {
    return this.items.length;
  }

  add(m: M): void {
    this.items.push(m);
    if (this.items.length > this.max) {
      this.items.shift();
      this.unmatched++;
    }
  }

  /** Whether a pending request satisfies `test`. */
  some(test: (m: M) => boolean): boolean {
    return this.items.some(test);
  }

  /** Takes the oldest request (the one an in-order protocol answers next). */
  takeOldest(): M | undefined {
    const m = this.items.shift();
    if (!m) this.unmatched++;
    return m;
  }

  /** Takes the oldest request that satisfies `test` (protocols that answer in any order). */
  takeFirst(test: (m: M) => boolean): M | undefined {
    const at = this.items.findIndex(test);
    if (at < 0) {
      this.unmatched++;
      return undefined;
    }
    return this.items.splice(at, 1)[0];
  }

  /**
   * After responses were lost, how many is unknown: takes the latest request sent before
   * `ts`, dropping the older ones as unanswered.
   */
  takeLatestBefore(ts: number): M | undefined {
    let at = -1;
    for (let i = 0; i < this.items.length; i++) if (this.items[i]!.startTs <= ts) at = i;
    if (at < 0) {
      this.unmatched++;
      return undefined;
    }
    this.unmatched += at;
    return this.items.splice(0, at + 1)[at];
  }

  /** Drops the requests sent before `ts` as unanswered. */
  expireBefore(ts: number): void {
    while (this.items.length > 0 && this.items[0]!.startTs < ts) {
      this.items.shift();
      this.unmatched++;
    }
  }

  /** Drops every request as unanswered (the connection closed). */
  dropAll(): void {
    this.unmatched += this.items.length;
    this.items.length = 0;
  }
}
