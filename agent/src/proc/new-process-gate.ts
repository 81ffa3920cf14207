import { Uint128 } from '../../../shared/contract/uint128';
import { Row } from '../transport/row';
import { Upid } from './upid';

/** What the gate needs from the agent. */
export interface NewProcessGateOptions {
  /** Whether the process is described already (its metadata queued). */
  knows(pid: number, startTicks: bigint): boolean;
  /**
   * Describes these processes and queues their metadata; resolves once that is done. A process
   * it cannot describe (gone, or its pid taken by another) is left out.
   */
  introduce(upids: readonly Upid[]): Promise<void>;
  /** Hands a row on to its table's batcher. */
  pass(table: string, row: Row): void;
  /** Told when `introduce` fails (the rows then pass without their metadata). */
  failed(err: unknown): void;
  /** At most this many rows wait; past it, rows of new processes pass at once. */
  readonly maxHeldRows: number;
}

interface Waiting {
  readonly upid: Upid;
  readonly rows: [table: string, row: Row][];
}

/** Processes tried and not describable, remembered so their rows do not read /proc again. */
const MAX_UNDESCRIBABLE = 10_000;

/**
 * Lets a row through only once its process is described, so that the gateway has a process's
 * metadata before any row that names it and resolves its service the same way from the first
 * row on. A row of a process the agent has not described waits while the process is described:
 * the new processes of one turn of the event loop are introduced together, in one metadata
 * request queued ahead of their rows. Rows without a `upid` pass at once.
 */
export class NewProcessGate {
  private readonly waiting = new Map<string, Waiting>();
  private readonly undescribable = new Set<string>();
  private next: Waiting[] = [];
  private held = 0;
  private introductions = new Set<Promise<void>>();

  constructor(private readonly opts: NewProcessGateOptions) {}

  /** Passes the row on, or holds it until its process is described. */
  add(table: string, row: Row): void {
    const upid = row.upid as Uint128 | undefined;
    if (upid === undefined || typeof upid !== 'object' || !('high' in upid)) {
      this.opts.pass(table, row);
      return;
    }
    const pid = Number(upid.high & 0xffffffffn);
    if (this.opts.knows(pid, upid.low)) {
      this.opts.pass(table, row);
      return;
    }
    const key = `${pid}:${upid.low}`;
    const waiting = this.waiting.get(key);
    if (waiting) {
      this.hold(waiting, table, row);
      return;
    }
    if (this.undescribable.has(key) || this.held >= this.opts.maxHeldRows) {
      this.opts.pass(table, row);
      return;
    }
    const asid = Number(upid.high >> 32n);
    const fresh: Waiting = { upid: { asid, pid, startTicks: upid.low }, rows: [] };
    this.waiting.set(key, fresh);
    this.hold(fresh, table, row);
    if (this.next.length === 0) setImmediate(() => this.introduceNext());
    this.next.push(fresh);
  }

  /** Resolves once every row held so far has been passed on (for shutdown). */
  async settled(): Promise<void> {
    while (this.next.length > 0 || this.introductions.size > 0) {
      if (this.next.length > 0) this.introduceNext();
      await Promise.all(this.introductions);
    }
  }

  /** Rows waiting for their process's description. */
  heldRows(): number {
    return this.held;
  }

  private hold(waiting: Waiting, table: string, row: Row): void {
    if (this.held >= this.opts.maxHeldRows) {
      this.opts.pass(table, row);
      return;
    }
    waiting.rows.push([table, row]);
    this.held++;
  }

  private introduceNext(): void {
    const batch = this.next;
    if (batch.length === 0) return;
    this.next = [];
    const introduction = this.opts
      .introduce(batch.map((w) => w.upid))
      // A failed description loses no rows: they pass without it.
      .catch((err: unknown) => this.opts.failed(err))
      .then(() => this.release(batch));
    this.introductions.add(introduction);
    void introduction.finally(() => this.introductions.delete(introduction));
  }

  private release(batch: readonly Waiting[]): void {
    for (const w of batch) {
      const key = `${w.upid.pid}:${w.upid.startTicks}`;
      this.waiting.delete(key);
      if (!this.opts.knows(w.upid.pid, w.upid.startTicks)) {
        if (this.undescribable.size >= MAX_UNDESCRIBABLE) this.undescribable.clear();
        this.undescribable.add(key);
      }
      this.held -= w.rows.length;
      for (const [table, row] of w.rows) this.opts.pass(table, row);
    }
  }
}
