/** A run of ingest sequence numbers, first to last inclusive. */
export type SeqRange = readonly [first: number, last: number];

/**
 * Which rows of the local store each partition put there, as runs of ingest sequence numbers per
 * table, so that a partition that moves to another gateway can be taken out of this one. Runs
 * that touch are merged; runs the store has evicted are forgotten.
 */
export class PartitionRows {
  private readonly ranges = new Map<string, Map<string, [number, number][]>>();

  /** Records rows a partition appended to a table. */
  add(partition: string, table: string, first: number, last: number): void {
    if (last < first) return;
    let tables = this.ranges.get(partition);
    if (!tables) this.ranges.set(partition, (tables = new Map()));
    let runs = tables.get(table);
    if (!runs) tables.set(table, (runs = []));
    const tail = runs[runs.length - 1];
    if (tail && tail[1] + 1 === first) tail[1] = last;
    else runs.push([first, last]);
  }

  /** Forgets runs wholly below the store's first held sequence number of a table. */
  evicted(table: string, firstHeld: number): void {
    for (const tables of this.ranges.values()) {
      const runs = tables.get(table);
      if (!runs) continue;
      let drop = 0;
      while (drop < runs.length && runs[drop]![1] < firstHeld) drop++;
      if (drop > 0) runs.splice(0, drop);
    }
  }

  /** Removes and returns a partition's runs, per table. */
  take(partition: string): Map<string, SeqRange[]> {
    const tables = this.ranges.get(partition) ?? new Map<string, SeqRange[]>();
    this.ranges.delete(partition);
    return tables;
  }

  /** How many runs are held (the memory this costs). */
  size(): number {
    let n = 0;
    for (const tables of this.ranges.values()) for (const runs of tables.values()) n += runs.length;
    return n;
  }
}
