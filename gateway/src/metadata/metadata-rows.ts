import { METADATA_TABLES, MetadataTableKey } from './tables';

/** The tables the metadata service writes (agents write `_md_processes`). */
export type WrittenTable = Exclude<MetadataTableKey, 'processes'>;

export const WRITTEN_TABLES: readonly WrittenTable[] = [
  'namespaces',
  'nodes',
  'pods',
  'containers',
  'services',
  'podServices',
];

/** The columns that identify a row of each table: an update replaces the row with these values. */
export const ROW_KEYS: Readonly<Record<WrittenTable, readonly string[]>> = {
  namespaces: ['uid'],
  nodes: ['name', 'start_ns'],
  pods: ['uid'],
  containers: ['id'],
  services: ['uid'],
  podServices: ['pod_uid', 'service_uid', 'start_ns'],
};

export type RowValue = string | bigint | null;
export type MetadataRow = Readonly<Record<string, RowValue>>;

/** The changes to write: per table, rows to insert or replace and keys to delete. */
export type RowChanges = Map<WrittenTable, { upserts: MetadataRow[]; deletes: MetadataRow[] }>;

interface Entry {
  row: MetadataRow;
  /** Derived from an object that still exists: never purged while set. */
  pinned: boolean;
}

/**
 * The metadata rows as they should be in DuckDB, with the set of keys changed since the last
 * write. Every change is recorded here first and written in batches, so the tables change by
 * the rows that changed, never by a rewrite; a failed write puts its keys back to be retried.
 * Rows of objects that are gone (unpinned and stopped) are purged after the retention window, or
 * sooner, oldest first, when a table holds more of them than its bound.
 */
export class MetadataRows {
  private readonly tables = new Map<WrittenTable, Map<string, Entry>>();
  private readonly dirty = new Map<WrittenTable, Map<string, MetadataRow>>();

  constructor() {
    for (const t of WRITTEN_TABLES) {
      this.tables.set(t, new Map());
      this.dirty.set(t, new Map());
    }
  }

  /** The row with the same key as `probe`, if any. */
  get(table: WrittenTable, probe: MetadataRow): MetadataRow | undefined {
    return this.tables.get(table)!.get(rowKey(table, probe))?.row;
  }

  /** Sets a row (found by its key columns). Returns whether its values changed. */
  put(table: WrittenTable, row: MetadataRow, pinned: boolean): boolean {
    const columns = Object.keys(METADATA_TABLES[table].columns);
    const full: Record<string, RowValue> = {};
    for (const c of columns) full[c] = row[c] ?? null;
    const key = rowKey(table, full);
    const rows = this.tables.get(table)!;
    const existing = rows.get(key);
    const changed = !existing || columns.some((c) => existing.row[c] !== full[c]);
    rows.set(key, { row: full, pinned });
    if (changed) this.dirty.get(table)!.set(key, full);
    return changed;
  }

  /** Removes the row with the key of `probe` (a purge read back from the journal). */
  remove(table: WrittenTable, probe: MetadataRow): void {
    const key = rowKey(table, probe);
    if (this.tables.get(table)!.delete(key)) this.dirty.get(table)!.set(key, probe);
  }

  /** Whether the row with the key of `probe` is derived from an object that exists now. */
  isPinned(table: WrittenTable, probe: MetadataRow): boolean {
    return this.tables.get(table)!.get(rowKey(table, probe))?.pinned === true;
  }

  /** Every row held, per table. */
  all(): Map<WrittenTable, MetadataRow[]> {
    const out = new Map<WrittenTable, MetadataRow[]>();
    for (const [t, rows] of this.tables)
      out.set(
        t,
        [...rows.values()].map((e) => e.row),
      );
    return out;
  }

  /** Rows held per table, and how many of them are of objects that are gone. */
  counts(): Record<WrittenTable, { rows: number; unpinned: number }> {
    const out = {} as Record<WrittenTable, { rows: number; unpinned: number }>;
    for (const [t, rows] of this.tables) {
      let unpinned = 0;
      for (const e of rows.values()) if (!e.pinned) unpinned++;
      out[t] = { rows: rows.size, unpinned };
    }
    return out;
  }

  /** Whether changes wait to be written. */
  hasChanges(): boolean {
    for (const d of this.dirty.values()) if (d.size > 0) return true;
    return false;
  }

  /** Takes the changes since the last call; give them back with `restore` if writing fails. */
  takeChanges(): RowChanges {
    const out: RowChanges = new Map();
    for (const [t, dirty] of this.dirty) {
      if (dirty.size === 0) continue;
      const rows = this.tables.get(t)!;
      const upserts: MetadataRow[] = [];
      const deletes: MetadataRow[] = [];
      for (const [key, keyRow] of dirty) {
        const entry = rows.get(key);
        if (entry) upserts.push(entry.row);
        else deletes.push(keyRow);
      }
      out.set(t, { upserts, deletes });
      this.dirty.set(t, new Map());
    }
    return out;
  }

  /** Marks the keys of changes that could not be written as changed again (newer changes win). */
  restore(changes: RowChanges): void {
    for (const [t, { upserts, deletes }] of changes) {
      const dirty = this.dirty.get(t)!;
      for (const row of [...upserts, ...deletes]) {
        const key = rowKey(t, row);
        if (!dirty.has(key)) dirty.set(key, row);
      }
    }
  }

  /**
   * Drops unpinned rows that stopped before `cutoffNs`, then, per table, the oldest stopped
   * unpinned rows beyond `maxUnpinned`. Returns how many rows were dropped per table.
   */
  purge(cutoffNs: bigint, maxUnpinned: number): Map<WrittenTable, number> {
    const dropped = new Map<WrittenTable, number>();
    for (const [t, rows] of this.tables) {
      const gone: [string, bigint][] = [];
      for (const [key, e] of rows) {
        const stop = e.row.stop_ns;
        if (!e.pinned && typeof stop === 'bigint') gone.push([key, stop]);
      }
      let victims = gone.filter(([, stop]) => stop < cutoffNs);
      if (gone.length - victims.length > maxUnpinned) {
        gone.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
        victims = gone.slice(0, gone.length - maxUnpinned);
      }
      for (const [key] of victims) {
        const row = rows.get(key)!.row;
        rows.delete(key);
        this.dirty.get(t)!.set(key, row);
      }
      if (victims.length > 0) dropped.set(t, victims.length);
    }
    return dropped;
  }
}

function rowKey(table: WrittenTable, row: MetadataRow): string {
  return ROW_KEYS[table].map((c) => String(row[c] ?? '')).join('\u0000');
}
