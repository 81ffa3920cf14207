import { ConflictError } from '../common/errors';

/** Where a batch's rows went. */
export interface StoredBatch {
  readonly rows: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
}

/**
 * The batch ids the store has taken lately, with where their rows went, so that a batch sent
 * again is answered as the first time and not stored twice. Bounded: past `capacity` ids the
 * oldest is forgotten (a batch is sent again within seconds of its first try, not thousands of
 * batches later).
 */
export class RecentBatches {
  private readonly batches = new Map<string, { table: string; stored: StoredBatch }>();

  constructor(private readonly capacity = 16_384) {}

  /** The earlier answer for a batch id; a conflict when the id was used for another table. */
  find(batchId: string, table: string): StoredBatch | undefined {
    const seen = this.batches.get(batchId);
    if (!seen) return undefined;
    if (seen.table !== table) {
      throw new ConflictError(`batch id ${batchId} was already used for table "${seen.table}"`);
    }
    return seen.stored;
  }

  /** Records rows of a batch; rows of one batch recorded in parts (log records) add up. */
  add(batchId: string, table: string, rows: number, firstSeq: number, lastSeq: number): void {
    const seen = this.batches.get(batchId);
    const stored =
      seen && seen.table === table
        ? { rows: seen.stored.rows + rows, firstSeq: seen.stored.firstSeq, lastSeq }
        : { rows, firstSeq, lastSeq };
    this.batches.set(batchId, { table, stored });
    if (this.batches.size > this.capacity) {
      this.batches.delete(this.batches.keys().next().value!);
    }
  }
}
