/**
 * A FIFO bounded by the bytes it holds. Producers offer items and are refused when the items do
 * not fit; consumers take items as they come and get undefined once the queue is closed and empty.
 */
export class ByteQueue<T> {
  private readonly items: { item: T; bytes: number }[] = [];
  private readonly waiting: ((item: T | undefined) => void)[] = [];
  private held = 0;
  private closed = false;

  constructor(readonly capacityBytes: number) {}

  /** Bytes held right now. */
  get bytes(): number {
    return this.held;
  }

  get length(): number {
    return this.items.length;
  }

  /**
   * Adds all of `entries`, or none when together they would pass the capacity (or the queue is
   * closed). An empty queue accepts any one offer, so an oversized batch is not refused forever;
   * batches themselves are bounded by the export run that makes them.
   */
  offerAll(entries: readonly { item: T; bytes: number }[]): boolean {
    if (this.closed) return false;
    const total = entries.reduce((n, e) => n + e.bytes, 0);
    if (this.held > 0 && this.held + total > this.capacityBytes) return false;
    for (const entry of entries) {
      const consumer = this.waiting.shift();
      if (consumer) {
        consumer(entry.item);
        continue;
      }
      this.items.push(entry);
      this.held += entry.bytes;
    }
    return true;
  }

  /** The next item; undefined once the queue is closed and drained. */
  take(): Promise<T | undefined> {
    const next = this.items.shift();
    if (next) {
      this.held -= next.bytes;
      return Promise.resolve(next.item);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Refuses new items; consumers finish what is queued, then get undefined. */
  close(): void {
    this.closed = true;
    for (const consumer of this.waiting.splice(0)) consumer(undefined);
  }
}
