/** One request waiting to be sent to the gateway. */
export interface OutgoingBatch {
  /** What it carries: a table name, or `metadata`. */
  readonly label: string;
  readonly path: string;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly rows: number;
}

/** Why a batch was dropped. */
export type DropReason = 'buffer_full' | 'rejected';

/**
 * The agent's outgoing buffer, bounded in bytes. When a new batch does not fit, the oldest
 * batches are dropped (the newest data is worth more to a real-time view) and reported.
 */
export class SendQueue {
  private readonly items: OutgoingBatch[] = [];
  private held = 0;
  private waiter: (() => void) | undefined;

  constructor(
    private readonly maxBytes: number,
    private readonly onDrop: (batch: OutgoingBatch, reason: DropReason) => void,
  ) {}

  push(batch: OutgoingBatch): void {
    if (batch.body.length > this.maxBytes) {
      this.onDrop(batch, 'buffer_full');
      return;
    }
    while (this.held + batch.body.length > this.maxBytes && this.items.length > 0) {
      const oldest = this.items.shift()!;
      this.held -= oldest.body.length;
      this.onDrop(oldest, 'buffer_full');
    }
    this.items.push(batch);
    this.held += batch.body.length;
    this.waiter?.();
    this.waiter = undefined;
  }

  /** The oldest batch, left in place until `remove` (so that a retry sends it again). */
  peek(): OutgoingBatch | undefined {
    return this.items[0];
  }

  /** Removes a batch once it is sent or refused (no-op if the buffer already dropped it). */
  remove(batch: OutgoingBatch): void {
    const at = this.items.indexOf(batch);
    if (at < 0) return;
    this.items.splice(at, 1);
    this.held -= batch.body.length;
  }

  /** Resolves at the next push (or at once when a batch waits). */
  whenNonEmpty(): Promise<void> {
    if (this.items.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const prev = this.waiter;
      this.waiter = () => {
        prev?.();
        resolve();
      };
    });
  }

  /** Wakes whoever waits on `whenNonEmpty` without a batch (for shutdown). */
  wake(): void {
    this.waiter?.();
    this.waiter = undefined;
  }

  bytes(): number {
    return this.held;
  }

  length(): number {
    return this.items.length;
  }
}
