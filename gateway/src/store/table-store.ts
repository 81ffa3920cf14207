import { DuckDBAppender, DuckDBConnection, DuckDBInstance, DuckDBType } from '@duckdb/node-api';
import { BIGINT, BOOLEAN, DOUBLE, UHUGEINT, VARCHAR } from '@duckdb/node-api';
import { Logger } from '../../../shared/common/logger';
import { ColumnBatch, overBudget } from './batch';
import { computeBudgets } from './budget';
import { ChunkWriter } from './chunk-writer';
import { FsyncPolicy } from '../../../cli/config/schema';
import { DataDir } from './data-dir';
import { SchemaRegistry, TableDeclaration } from './registry';
import { RecentBatches } from './recent-batches';
import { SqlTypeName, quoteIdent, sqlTypeName } from './sql';
import { DataType, SEQ_COLUMN, TableSchema, timeColumnIndex } from '../../../shared/contract/types';
import { Segment, Slice, addRows, logWrites, planSlices } from './segment-plan';
import { RecoveredSegment, recoverSegments } from './wal/recover';
import { WriteAheadLog } from './wal/write-ahead-log';

export interface StoreOptions {
  limitMb: number;
  httpEventsShare: number;
  segmentRows: number;
  duckdbMemoryLimitMb?: number | undefined;
  maxCustomTables: number;
  tables: Readonly<
    Record<string, { limitMb?: number | undefined; retention?: number | undefined }>
  >;
  /** Keep a write-ahead log here, and read it back at start (unset: memory only). */
  dataDir?: string | undefined;
  /** When the log's writes are flushed to the disk (default `interval`). */
  fsync?: FsyncPolicy | undefined;
  /** The `interval` policy's period, in ms (default 1000). */
  fsyncInterval?: number | undefined;
}

/** Why rows left the store. */
export type EvictionReason = 'budget' | 'retention';

/** Callbacks the store makes as data moves; the self metrics listen here. */
export interface StoreHooks {
  rowsAppended?(table: string, rows: number, bytes: number): void;
  rowsEvicted?(table: string, rows: number, reason: EvictionReason): void;
  /** Of the rows evicted, those past what every reader registered with `readsAfter` has taken. */
  unreadRowsEvicted?(table: string, rows: number): void;
}

export interface TableStats {
  schema: TableSchema;
  rows: number;
  bytes: number;
  budgetBytes: number;
  segments: number;
  /** Ingest sequence numbers held: first and last (0 and 0 when empty). */
  firstSeq: number;
  lastSeq: number;
  evictedRows: number;
}

export interface AppendResult {
  rows: number;
  firstSeq: number;
  lastSeq: number;
}

interface StoredTable {
  readonly schema: TableSchema;
  readonly types: readonly DuckDBType[];
  readonly hasTime: boolean;
  readonly retentionMs: number | undefined;
  readonly writer: ChunkWriter;
  budgetBytes: number;
  segments: Segment[];
  nextSegmentId: number;
  evictedRows: number;
}

const SEGMENTS_PER_BUDGET = 8;
/** DuckDB's appender flushes on its own on reaching 100 vectors (204,800 rows); stay below. */
const APPENDER_AUTO_FLUSH_ROWS = 204_800;
const MAINTENANCE_INTERVAL_MS = 1000;
/** A checkpoint threshold no in-memory store reaches: DuckDB never checkpoints on its own. */
export const NO_CHECKPOINT = '1000TB';
/** Sequence ranges per DELETE statement when a partition's rows leave. */
const DELETE_RANGES_PER_STATEMENT = 500;

/**
 * The gateway's in-memory table store on DuckDB. Each table is a chain of segment tables behind
 * a view of the table's name; rows are numbered by one ingest sequence, appended in columnar
 * chunks, and evicted a whole segment at a time (oldest first) when a table passes its byte budget
 * or its retention. All writes go through one connection, one at a time. With a data directory,
 * every batch is first written to the segment's file of a write-ahead log, which is read back at
 * start with the same sequence numbers; evicting a segment deletes its file.
 */
export class TableStore {
  readonly registry: SchemaRegistry;
  private readonly tables = new Map<string, StoredTable>();
  private readonly batches = new RecentBatches();
  private nextSeq = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readFloor: (() => number | undefined) | undefined;
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly opts: StoreOptions,
    private readonly log: Logger,
    private readonly hooks: StoreHooks,
    /** The data directory and its log, when the store is durable. */
    readonly dataDir: DataDir | undefined,
    private readonly wal: WriteAheadLog | undefined,
  ) {
    this.registry = new SchemaRegistry(opts.maxCustomTables);
  }

  /**
   * Opens an in-memory DuckDB and creates the built-in tables. With a data directory, locks it
   * and reads its log back (custom tables first) before resolving.
   */
  static async create(
    opts: StoreOptions,
    log: Logger,
    hooks: StoreHooks = {},
  ): Promise<TableStore> {
    const dataDir = opts.dataDir
      ? await DataDir.open(opts.dataDir, opts.fsync ?? 'interval', opts.fsyncInterval ?? 1000, log)
      : undefined;
    const wal = dataDir
      ? new WriteAheadLog(dataDir.sub('wal'), dataDir.fsync, dataDir.fsyncIntervalMs, log)
      : undefined;
    const memoryLimitMb = opts.duckdbMemoryLimitMb ?? defaultDuckdbMemoryLimitMb(opts.limitMb);
    let store: TableStore | undefined;
    try {
      const instance = await DuckDBInstance.create(':memory:', {
        memory_limit: `${memoryLimitMb}MiB`,
        // Without a directory, a query that needs more than the limit fails (the caller gets a
        // 422) instead of spilling gigabytes into the working directory's .tmp.
        temp_directory: '',
        // jemalloc hands freed memory back to the system in the background; without it the
        // process kept the peak of its largest query (2.7 GB after one merge).
        allocator_background_threads: 'true',
        // No automatic checkpoints: in memory, one compresses every row appended since the last,
        // on the writer's thread inside an appender's close. Measured on http_events, it held
        // the event loop 230 to 770 ms every ~130,000 rows and was 40% of the store's CPU per
        // row. The rows' footprint is then about the store's estimate, which the budget and
        // the memory limit already assume.
        checkpoint_threshold: NO_CHECKPOINT,
      });
      const writer = await instance.connect();
      store = new TableStore(instance, writer, opts, log, hooks, dataDir, wal);
      for (const schema of store.registry.all()) await store.createTable(schema);
      store.applyBudgets();
      if (dataDir) await store.recover(dataDir);
    } catch (err) {
      await store?.shutdown();
      await wal?.close();
      await dataDir?.close();
      throw err;
    }
    store.timer = setInterval(() => void store.enforceRetention(), MAINTENANCE_INTERVAL_MS);
    store.timer.unref();
    return store;
  }

  /** Declares a custom table. Returns whether it was created (false: it already existed, identical). */
  declare(decl: TableDeclaration): Promise<{ schema: TableSchema; created: boolean }> {
    return this.serial(async () => {
      const { schema, isNew } = this.registry.validateDeclaration(decl);
      if (!isNew) return { schema, created: false };
      // Saved first: a table's log cannot be read back without its declaration.
      await this.dataDir?.writeTables([...this.customSchemas(), schema]);
      await this.createTable(schema);
      this.registry.add(schema);
      this.applyBudgets();
      await this.enforceBudgets();
      this.log.info(
        { table: schema.name, columns: schema.columns.length },
        'declared custom table',
      );
      return { schema, created: true };
    });
  }

  /**
   * Appends validated batches to a table, all or nothing. A batch with an id the store took
   * lately is not stored again: the answer is the first one's.
   */
  async append(
    table: string,
    parts: readonly ColumnBatch[],
    batchId?: string,
  ): Promise<AppendResult> {
    const stored = this.tables.get(table);
    if (!stored) throw this.registry.unknownTable(table);
    const rows = parts.reduce((n, p) => n + p.rowCount, 0);
    const bytes = parts.reduce((n, p) => n + p.bytes, 0);
    if (bytes > stored.budgetBytes) throw overBudget(table, bytes, stored.budgetBytes);
    if (rows === 0) return { rows: 0, firstSeq: this.nextSeq, lastSeq: this.nextSeq - 1 };
    return this.serial(async () => {
      const earlier = batchId !== undefined ? this.batches.find(batchId, table) : undefined;
      if (earlier) return earlier;
      const result = await this.appendLocked(stored, parts, rows, batchId);
      if (batchId !== undefined) {
        this.batches.add(batchId, table, rows, result.firstSeq, result.lastSeq);
      }
      this.hooks.rowsAppended?.(table, rows, bytes);
      await this.enforceBudget(stored);
      return result;
    });
  }

  /**
   * Deletes the rows with these ingest sequence numbers from a table (a cluster partition that
   * moved to another gateway); returns how many went. Only a store without a data directory
   * deletes rows (in a cluster the stream, not a log, is the durable copy).
   */
  deleteRows(table: string, ranges: readonly (readonly [number, number])[]): Promise<number> {
    if (this.wal) return Promise.reject(new Error('a durable store does not delete rows'));
    return this.serial(async () => {
      const t = this.tables.get(table);
      if (!t) return 0;
      let deleted = 0;
      const segments = t.segments.map((s) => ({ ...s }));
      for (const s of segments) {
        const hits = ranges.filter(([a, b]) => s.rows > 0 && b >= s.firstSeq && a <= s.lastSeq);
        for (let i = 0; i < hits.length; i += DELETE_RANGES_PER_STATEMENT) {
          const where = hits
            .slice(i, i + DELETE_RANGES_PER_STATEMENT)
            .map(([a, b]) => `${quoteIdent(SEQ_COLUMN)} BETWEEN ${a} AND ${b}`)
            .join(' OR ');
          const reader = await this.writer.runAndReadAll(
            `DELETE FROM ${quoteIdent(s.sqlName)} WHERE ${where}`,
          );
          const n = Math.min(Number(reader.getRows()[0]?.[0] ?? 0), s.rows);
          // Bytes are an estimate per row; the rows that stay keep their share.
          s.bytes = s.rows > 0 ? Math.round((s.bytes * (s.rows - n)) / s.rows) : 0;
          s.rows -= n;
          deleted += n;
        }
      }
      t.segments = segments;
      return deleted;
    });
  }

  /** Sizes, budgets and sequence ranges of every table. */
  stats(): TableStats[] {
    return [...this.tables.values()].map((t) => {
      const nonEmpty = t.segments.filter((s) => s.rows > 0);
      return {
        schema: t.schema,
        rows: sum(t.segments, (s) => s.rows),
        bytes: sum(t.segments, (s) => s.bytes),
        budgetBytes: t.budgetBytes,
        segments: t.segments.length,
        firstSeq: nonEmpty[0]?.firstSeq ?? 0,
        lastSeq: nonEmpty[nonEmpty.length - 1]?.lastSeq ?? 0,
        evictedRows: t.evictedRows,
      };
    });
  }

  /** The last ingest sequence number handed out (0 before the first row). */
  lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** A new connection for readers. Views named after the tables expose every row and `_seq`. */
  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /** Stops maintenance, flushes and closes the log, and closes DuckDB. Safe to call twice. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.queue.catch(() => undefined);
    this.writer.closeSync();
    this.instance.closeSync();
    await this.wal?.close();
    await this.dataDir?.close();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the table store is shut down'));
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async createTable(schema: TableSchema): Promise<void> {
    const types = [...schema.columns.map((c) => logicalType(c.type)), BIGINT];
    const stored: StoredTable = {
      schema,
      types,
      hasTime: timeColumnIndex(schema) >= 0,
      retentionMs: this.opts.tables[schema.name]?.retention,
      writer: new ChunkWriter(types),
      budgetBytes: 0,
      segments: [],
      nextSegmentId: 0,
      evictedRows: 0,
    };
    stored.segments.push(await this.createSegment(stored));
    await this.refreshView(stored);
    this.tables.set(schema.name, stored);
  }

  private async createSegment(t: StoredTable, id = t.nextSegmentId): Promise<Segment> {
    t.nextSegmentId = Math.max(t.nextSegmentId, id + 1);
    const sqlName = `_seg_${t.schema.name}_${id}`;
    const names = [...t.schema.columns.map((c) => c.name), SEQ_COLUMN];
    const cols = names.map((name, i) => `${quoteIdent(name)} ${t.types[i]!.toString()}`);
    await this.writer.run(`CREATE TABLE ${quoteIdent(sqlName)} (${cols.join(', ')})`);
    return {
      id,
      sqlName,
      createdAt: Date.now(),
      firstSeq: 0,
      lastSeq: 0,
      rows: 0,
      bytes: 0,
      maxTime: undefined,
    };
  }

  private async refreshView(t: StoredTable, segments = t.segments): Promise<void> {
    const body = segments.map((s) => `SELECT * FROM ${quoteIdent(s.sqlName)}`).join(' UNION ALL ');
    await this.writer.run(`CREATE OR REPLACE VIEW ${quoteIdent(t.schema.name)} AS ${body}`);
  }

  private applyBudgets(): void {
    const overridesMb: Record<string, number | undefined> = {};
    for (const [name, cfg] of Object.entries(this.opts.tables)) overridesMb[name] = cfg.limitMb;
    const budgets = computeBudgets([...this.tables.keys()], {
      totalMb: this.opts.limitMb,
      httpEventsShare: this.opts.httpEventsShare,
      overridesMb,
    });
    for (const [name, t] of this.tables) t.budgetBytes = budgets.get(name) ?? 0;
  }

  /**
   * Appends under the store's lock: plans which segment each slice of rows goes to, writes the
   * slices to the log (when durable), then to DuckDB. A batch that fits the active segment goes
   * through one appender, which DuckDB flushes as one transaction when it closes (below its
   * automatic flush threshold), so it needs no explicit transaction; a batch that opens segments
   * or is very large runs inside BEGIN/COMMIT. Either way it is all or nothing, and a batch DuckDB
   * fails is cut from the log again.
   */
  private async appendLocked(
    t: StoredTable,
    parts: readonly ColumnBatch[],
    rows: number,
    batchId: string | undefined,
  ): Promise<AppendResult> {
    const firstSeq = this.nextSeq;
    const slices = this.plan(t, parts);
    const undoLog = this.wal
      ? await this.wal.append(this.logWrites(t, slices, batchId))
      : undefined;
    const segments = t.segments.map((s) => ({ ...s }));
    const oneAppender =
      slices.every((s) => s.segment < segments.length) && rows < APPENDER_AUTO_FLUSH_ROWS;
    let appender: DuckDBAppender | undefined;
    let created = false;
    if (!oneAppender) await this.writer.run('BEGIN TRANSACTION');
    try {
      for (const slice of slices) {
        if (slice.segment === segments.length) {
          appender?.closeSync();
          appender = undefined;
          segments.push(await this.createSegment(t));
          created = true;
        }
        const active = segments[slice.segment]!;
        appender ??= await this.writer.createAppender(active.sqlName);
        t.writer.append(appender, slice.part, slice.from, slice.count, slice.seq);
        addRows(active, slice.seq, slice.count, slice.bytes, slice.part.maxTime);
      }
      appender?.closeSync();
      appender = undefined;
      if (created) await this.refreshView(t, segments);
      if (!oneAppender) await this.writer.run('COMMIT');
    } catch (err) {
      try {
        // Rows not yet flushed are discarded, so a failed single-appender batch leaves nothing.
        appender?.clear();
        appender?.closeSync();
      } catch {
        // The appender's own failure is already the error being reported.
      }
      if (!oneAppender) await this.writer.run('ROLLBACK').catch(() => undefined);
      await undoLog?.();
      throw err;
    }
    t.segments = segments;
    this.nextSeq = firstSeq + rows;
    return { rows, firstSeq, lastSeq: this.nextSeq - 1 };
  }

  /** Which segment each slice of the batch goes to (new segments take the next indexes). */
  private plan(t: StoredTable, parts: readonly ColumnBatch[]): Slice[] {
    const last = t.segments[t.segments.length - 1]!;
    return planSlices(
      {
        index: t.segments.length - 1,
        rows: last.rows,
        bytes: last.bytes,
        full: this.tooOld(t, last),
      },
      parts,
      this.nextSeq,
      { rows: this.opts.segmentRows, bytes: Math.max(t.budgetBytes / SEGMENTS_PER_BUDGET, 1) },
    );
  }

  /** The log records of a planned batch, by segment file (new segments take the next ids). */
  private logWrites(t: StoredTable, slices: readonly Slice[], batchId: string | undefined) {
    const idOf = (index: number) =>
      index < t.segments.length
        ? t.segments[index]!.id
        : t.nextSegmentId + index - t.segments.length;
    return logWrites(t.schema, slices, idOf, batchId);
  }

  /**
   * Reads the log back at start: custom tables as declared, then each table's segments with their
   * rows and sequence numbers, evicting by budget as it goes (retention follows at the first
   * maintenance tick). The next sequence number continues after the highest one ever handed out.
   */
  private async recover(dataDir: DataDir): Promise<void> {
    const started = Date.now();
    for (const decl of await dataDir.readTables()) {
      try {
        const { schema, isNew } = this.registry.validateDeclaration(decl as TableDeclaration);
        if (!isNew) continue;
        await this.createTable(schema);
        this.registry.add(schema);
      } catch (err) {
        this.log.error(
          { dataDir: dataDir.path, err: (err as Error).message },
          'a custom table saved in the data directory cannot be declared again; its log is kept but not read',
        );
      }
    }
    this.applyBudgets();
    // Raised as segments come back, so that an eviction during recovery records a true floor.
    this.nextSeq = await dataDir.readNextSeq();
    const restored: Record<string, number> = {};
    for (const t of this.tables.values()) {
      for await (const segment of recoverSegments(this.wal!, t.schema, this.log)) {
        await this.restoreSegment(t, segment);
        const last = t.segments[t.segments.length - 1]!;
        this.nextSeq = Math.max(this.nextSeq, last.lastSeq + 1);
        restored[t.schema.name] = (restored[t.schema.name] ?? 0) + last.rows;
        await this.enforceBudget(t);
      }
    }
    this.log.info(
      { dataDir: dataDir.path, rows: restored, nextSeq: this.nextSeq, ms: Date.now() - started },
      'read the write-ahead log back',
    );
  }

  /** Loads one recovered segment; the first replaces the table's empty starting segment. */
  private async restoreSegment(t: StoredTable, recovered: RecoveredSegment): Promise<void> {
    if (t.segments.length === 1 && t.segments[0]!.rows === 0) {
      await this.writer.run(`DROP TABLE ${quoteIdent(t.segments[0]!.sqlName)}`);
      t.segments = [];
    }
    const segment = await this.createSegment(t, recovered.id);
    const appender = await this.writer.createAppender(segment.sqlName);
    try {
      for (const { firstSeq, batch, batchId } of recovered.records) {
        t.writer.append(appender, batch, 0, batch.rowCount, firstSeq);
        addRows(segment, firstSeq, batch.rowCount, batch.bytes, batch.maxTime);
        if (batchId === undefined) continue;
        this.batches.add(batchId, t.schema.name, batch.rowCount, firstSeq, segment.lastSeq);
      }
    } finally {
      appender.closeSync();
    }
    t.segments.push(segment);
    await this.refreshView(t);
  }

  private customSchemas(): TableSchema[] {
    return this.registry.all().filter((s) => !s.builtin);
  }

  private tooOld(t: StoredTable, s: Segment): boolean {
    return (
      t.retentionMs !== undefined &&
      s.rows > 0 &&
      Date.now() - s.createdAt >= t.retentionMs / SEGMENTS_PER_BUDGET
    );
  }

  private async enforceBudgets(): Promise<void> {
    for (const t of this.tables.values()) await this.enforceBudget(t);
  }

  private async enforceBudget(t: StoredTable): Promise<void> {
    let bytes = sum(t.segments, (s) => s.bytes);
    let drop = 0;
    while (bytes > t.budgetBytes && drop < t.segments.length) bytes -= t.segments[drop++]!.bytes;
    if (drop > 0) await this.dropOldest(t, drop, 'budget');
  }

  private enforceRetention(): Promise<void> {
    return this.serial(async () => {
      for (const t of this.tables.values()) {
        if (t.retentionMs === undefined || !t.hasTime) continue;
        const cutoff = BigInt(Date.now() - t.retentionMs) * 1_000_000n;
        let drop = 0;
        while (drop < t.segments.length) {
          const s = t.segments[drop]!;
          if (s.rows === 0 || s.maxTime === undefined || s.maxTime >= cutoff) break;
          drop++;
        }
        if (drop > 0) await this.dropOldest(t, drop, 'retention');
      }
    }).catch((err) => this.log.error({ err }, 'retention check failed'));
  }

  /** Drops the oldest segments; when that would drop them all, a fresh empty segment takes over. */
  private async dropOldest(t: StoredTable, count: number, reason: EvictionReason): Promise<void> {
    const dropped = t.segments.slice(0, count);
    const unread = await this.unreadRows(dropped);
    const kept = t.segments.slice(count);
    if (kept.length === 0) kept.push(await this.createSegment(t));
    await this.refreshView(t, kept);
    for (const s of dropped) await this.writer.run(`DROP TABLE ${quoteIdent(s.sqlName)}`);
    t.segments = kept;
    if (this.dataDir && this.wal) await this.forget(this.dataDir, this.wal, t, dropped);
    const rows = sum(dropped, (s) => s.rows);
    t.evictedRows += rows;
    if (unread > 0) this.hooks.unreadRowsEvicted?.(t.schema.name, unread);
    if (rows > 0) {
      this.hooks.rowsEvicted?.(t.schema.name, rows, reason);
      this.log.debug({ table: t.schema.name, rows, segments: count, reason }, 'evicted rows');
    }
  }

  /**
   * Registers the store's readers (the export jobs): `after()` is the highest ingest sequence
   * number every one of them has read up to, or undefined when there is no reader. Rows evicted
   * beyond it are counted (`unreadRowsEvicted`), so a reader that falls behind the window loses
   * rows that show on /metrics rather than silently.
   */
  readsAfter(after: () => number | undefined): void {
    this.readFloor = after;
  }

  /** Rows of segments about to be dropped that the registered readers have not read yet. */
  private async unreadRows(segments: readonly Segment[]): Promise<number> {
    const floor = this.readFloor?.();
    if (floor === undefined) return 0;
    let unread = 0;
    for (const s of segments) {
      if (s.rows === 0 || s.lastSeq <= floor) continue;
      if (s.firstSeq > floor) {
        unread += s.rows;
        continue;
      }
      const reader = await this.writer.runAndReadAll(
        `SELECT count(*) FROM ${quoteIdent(s.sqlName)} WHERE ${quoteIdent(SEQ_COLUMN)} > ${floor}`,
      );
      unread += Number(reader.getRows()[0]![0]);
    }
    return unread;
  }

  /**
   * Deletes the log files of evicted segments, after recording the next sequence number (the
   * files were the only record of the numbers they held). A failure is logged, not thrown: the
   * rows are gone from memory either way, and a file left behind is evicted again at start.
   */
  private async forget(
    dataDir: DataDir,
    wal: WriteAheadLog,
    t: StoredTable,
    dropped: readonly Segment[],
  ): Promise<void> {
    try {
      await dataDir.writeNextSeq(this.nextSeq);
      await wal.remove(
        t.schema.name,
        dropped.map((s) => s.id),
      );
    } catch (err) {
      this.log.error(
        { table: t.schema.name, err: (err as Error).message },
        'could not delete the log files of evicted segments',
      );
    }
  }
}

/**
 * DuckDB's memory limit when the config sets none: twice the store's budget (DuckDB holds the
 * rows in 1.4 to 1.9 times the store's estimate of them, measured) plus 256 MiB of query work.
 */
export function defaultDuckdbMemoryLimitMb(storeLimitMb: number): number {
  return Math.ceil(2 * storeLimitMb) + 256;
}

/** The DuckDB type of each stored type name. */
const DUCKDB_TYPES: Readonly<Record<SqlTypeName, DuckDBType>> = {
  BOOLEAN,
  BIGINT,
  UHUGEINT,
  DOUBLE,
  VARCHAR,
};

/** The DuckDB type a column of `type` is stored as. */
export function logicalType(type: DataType): DuckDBType {
  return DUCKDB_TYPES[sqlTypeName(type)];
}

function sum<T>(items: readonly T[], f: (item: T) => number): number {
  let n = 0;
  for (const item of items) n += f(item);
  return n;
}
