import { Logger } from '../../../shared/common/logger';
import { DataDir } from '../store/data-dir';
import { RecordLog } from '../store/wal/record-log';
import { MetadataRow, RowChanges, RowValue, WRITTEN_TABLES, WrittenTable } from './metadata-rows';
import { METADATA_TABLES } from './tables';

/** The journal is compacted once it passes this, and four times its size after the last time. */
const COMPACT_MIN_BYTES = 16 * 1024 * 1024;

/**
 * The metadata tables' changes, journaled in the data directory (`metadata/cluster.log`) as
 * they are written, so that a restart gets back the objects that were deleted before it (their
 * rows still name the telemetry of their lifetime). Live objects come back from the informers'
 * first list anyway. Each record is one write's changes; past its bound the journal is rewritten
 * as one record of every row held.
 */
export class MetadataJournal {
  private compactAt: number;

  private constructor(private readonly records: RecordLog) {
    this.compactAt = Math.max(COMPACT_MIN_BYTES, 4 * records.bytes);
  }

  /** Opens the journal of a data directory and returns it with the changes it holds, oldest first. */
  static async open(
    dataDir: DataDir,
    log: Logger,
  ): Promise<{ journal: MetadataJournal; changes: RowChanges[] }> {
    const { records, values } = await RecordLog.openJson(dataDir, 'cluster', decodeChanges, log);
    return { journal: new MetadataJournal(records), changes: values };
  }

  /** Appends one write's changes; rewrites the journal from `all()` once it has grown enough. */
  async append(changes: RowChanges, all: () => Map<WrittenTable, MetadataRow[]>): Promise<void> {
    await this.records.append(encodeChanges(changes));
    if (this.records.bytes <= this.compactAt) return;
    const snapshot: RowChanges = new Map();
    for (const [table, rows] of all()) snapshot.set(table, { upserts: rows, deletes: [] });
    await this.records.rewrite([encodeChanges(snapshot)]);
    this.compactAt = Math.max(COMPACT_MIN_BYTES, 4 * this.records.bytes);
  }

  close(): Promise<void> {
    return this.records.close();
  }
}

type Encoded = Record<
  string,
  { u: Record<string, string | null>[]; d: Record<string, string | null>[] }
>;

function encodeChanges(changes: RowChanges): Buffer {
  const out: Encoded = {};
  const text = (row: MetadataRow) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)]));
  for (const [table, { upserts, deletes }] of changes) {
    out[table] = { u: upserts.map(text), d: deletes.map(text) };
  }
  return Buffer.from(JSON.stringify(out));
}

/** Reads a record back: known tables and columns only, BIGINT columns as bigints. */
function decodeChanges(data: unknown): RowChanges {
  if (typeof data !== 'object' || data === null) throw new Error('not an object');
  const changes: RowChanges = new Map();
  for (const table of WRITTEN_TABLES) {
    const entry = (data as Record<string, unknown>)[table] as
      { u?: unknown; d?: unknown } | undefined;
    if (!entry) continue;
    const rows = (list: unknown) =>
      Array.isArray(list) ? list.map((r) => decodeRow(table, r)) : [];
    changes.set(table, { upserts: rows(entry.u), deletes: rows(entry.d) });
  }
  return changes;
}

function decodeRow(table: WrittenTable, raw: unknown): MetadataRow {
  if (typeof raw !== 'object' || raw === null) throw new Error(`a ${table} row is not an object`);
  const row: Record<string, RowValue> = {};
  for (const [column, type] of Object.entries(METADATA_TABLES[table].columns)) {
    const v = (raw as Record<string, unknown>)[column];
    if (v === null || v === undefined) row[column] = null;
    else if (typeof v !== 'string') throw new Error(`${table}.${column} is not text`);
    else if (type === 'BIGINT') {
      if (!/^-?\d{1,19}$/.test(v)) throw new Error(`${table}.${column} is not an integer`);
      row[column] = BigInt(v);
    } else row[column] = v;
  }
  return row;
}
