import { SeqRange } from './partition-rows';

/** One message of a partition applied to the store: its stream sequence and the rows it added. */
interface Applied {
  readonly stream: number;
  readonly table: string;
  readonly first: number;
  readonly last: number;
}

/** What an export reads of a partition: store rows up to a stream sequence. */
export interface PartitionSpan {
  /** The stream sequence of the last message read (the cursor after it). */
  readonly upTo: number;
  /** The store's ingest sequence runs of those messages' rows, in order, touching runs merged. */
  readonly runs: readonly SeqRange[];
  readonly rows: number;
}

/**
 * The messages of each partition applied to this gateway's store, in stream order, with the
 * store rows each added: how a position in the stream, which means the same on every gateway,
 * becomes the rows of this store. Export cursors in a cluster are stream sequences, and an
 * export run reads the store rows of the messages after its cursor. Messages whose rows the
 * store has evicted are forgotten.
 */
export class PartitionLog {
  private readonly applied = new Map<string, Applied[]>();
  private readonly lastStream = new Map<string, number>();

  /** Records a message of a partition applied, with the rows it added (none: last < first). */
  add(partition: string, stream: number, table: string, first: number, last: number): void {
    this.lastStream.set(partition, Math.max(stream, this.lastStream.get(partition) ?? 0));
    if (last < first) return;
    let list = this.applied.get(partition);
    if (!list) this.applied.set(partition, (list = []));
    list.push({ stream, table, first, last });
  }

  /** The stream sequence of the last message of a partition applied here (0: none). */
  last(partition: string): number {
    return this.lastStream.get(partition) ?? 0;
  }

  /**
   * The rows of the messages after stream sequence `after`, as far as `maxRows` rows and
   * `maxRuns` runs allow (at least one message, so that a run always moves on).
   */
  span(partition: string, after: number, maxRows: number, maxRuns: number): PartitionSpan {
    const last = this.last(partition);
    const runs: [number, number][] = [];
    let rows = 0;
    let upTo = last;
    for (const m of this.applied.get(partition) ?? []) {
      if (m.stream <= after) continue;
      const n = m.last - m.first + 1;
      const tail = runs[runs.length - 1];
      const joins = tail !== undefined && tail[1] + 1 === m.first;
      if (runs.length > 0 && (rows + n > maxRows || (!joins && runs.length >= maxRuns))) {
        upTo = m.stream - 1;
        break;
      }
      if (joins) tail[1] = m.last;
      else runs.push([m.first, m.last]);
      rows += n;
    }
    return { upTo: Math.max(after, upTo), runs, rows };
  }

  /** Forgets messages of a table whose rows are wholly below the store's first held row. */
  evicted(table: string, firstHeld: number): void {
    for (const [partition, list] of this.applied) {
      const kept = list.filter((m) => m.table !== table || m.last >= firstHeld);
      if (kept.length !== list.length) this.applied.set(partition, kept);
    }
  }

  /** Forgets a partition (it moved to another gateway). */
  drop(partition: string): void {
    this.applied.delete(partition);
    this.lastStream.delete(partition);
  }
}
