/**
 * Response messages waiting to be answered to their request (which may not have arrived yet), in
 * order, bounded in count and in payload bytes: past either bound the oldest are dropped and
 * counted.
 */
export class HeldMessages<M extends { readonly payload: Uint8Array }> {
  private items: M[] = [];
  private bytes = 0;
  /** Messages dropped to stay in bounds. */
  dropped = 0;

  constructor(
    private readonly maxCount: number,
    private readonly maxBytes: number,
  ) {}

  size(): number {
    return this.items.length;
  }

  first(): M | undefined {
    return this.items[0];
  }

  push(m: M): void {
    this.items.push(m);
    this.bytes += m.payload.length;
    while (this.items.length > this.maxCount || this.bytes > this.maxBytes) {
      this.shift();
      this.dropped++;
    }
  }

  shift(): void {
    const m = this.items.shift();
    if (m) this.bytes -= m.payload.length;
  }

  /** Drops every message; returns how many there were. */
  clear(): number {
    const n = this.items.length;
    this.items = [];
    this.bytes = 0;
    return n;
  }

  /**
   * Payloads are views of the capture's chunks, which may share a pool: the messages that stay
   * get memory of their own, so they do not keep the pool alive while they wait.
   */
  keep(): void {
    this.items = this.items.map((m) =>
      m.payload.buffer.byteLength === m.payload.length
        ? m
        : { ...m, payload: new Uint8Array(m.payload) },
    );
  }
}
