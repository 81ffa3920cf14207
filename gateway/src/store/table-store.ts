import { DuckDBAppender, DuckDBConnection, DuckDBInstance, DuckDBType } from '@duckdb/node-api';
import { BIGINT, BOOLEAN, DOUBLE, UHUGEINT, VARCHAR } from '@duckdb/node-api';
import { Logger } from '../common/logger';
import { metadataDdl } from '../metadata/tables';
import { ColumnBatch, overBudget } from './batch';
import { computeBudgets } from './budget';
import { ChunkWriter } from './chunk-writer';
import { SchemaRegistry, TableDeclaration } from './registry';
import { quoteIdent } from './sql';
import { DataType, SEQ_COLUMN, TableSchema, timeColumnIndex } from './types';

export interface StoreOptions {
  limitMb: number;
  httpEventsShare: number;
  segmentRows: number;
  duckdbMemoryLimitMb?: number | undefined;
  maxCustomTables: number;
  tables: Readonly<
    Record<string, { limitMb?: number | undefined; retention?: number | undefined }>
  >;
}

/** Why rows left the store. */
export type EvictionReason = 'budget' | 'retention';

/** Callbacks the store makes as data moves; the self metrics listen here. */
export interface StoreHooks {
  rowsAppended?(table: string, rows: number, bytes: number): void;
  rowsEvicted?(table: string, rows: number, reason: EvictionReason): void;
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

interface Segment {
  readonly id: number;
  readonly sqlName: string;
  readonly createdAt: number;
  firstSeq: number;
  lastSeq: number;
  rows: number;
  bytes: number;
  maxTime: bigint | undefined;
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

/**
 * The gateway's in-memory table store on DuckDB. Each table is a chain of segment tables behind
 * a view of the table's name; rows are numbered by one ingest sequence, appended in columnar
 * chunks, and evicted a whole segment at a time (oldest first) when a table passes its byte budget
 * or its retention. All writes go through one connection, one at a time.
 */
export class TableStore {
  readonly registry: SchemaRegistry;
  private readonly tables = new Map<string, StoredTable>();
  private nextSeq = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly opts: StoreOptions,
    private readonly log: Logger,
    private readonly hooks: StoreHooks,
  ) {
    this.registry = new SchemaRegistry(opts.maxCustomTables);
  }

  /** Opens an in-memory DuckDB and creates the built-in tables. */
  static async create(
    opts: StoreOptions,
    log: Logger,
    hooks: StoreHooks = {},
  ): Promise<TableStore> {
    const config: Record<string, string> = {};
    if (opts.duckdbMemoryLimitMb) config.memory_limit = `${opts.duckdbMemoryLimitMb}MB`;
    const instance = await DuckDBInstance.create(':memory:', config);
    const writer = await instance.connect();
    const store = new TableStore(instance, writer, opts, log, hooks);
    for (const ddl of metadataDdl()) await writer.run(ddl);
    for (const schema of store.registry.all()) await store.createTable(schema);
    store.applyBudgets();
    store.timer = setInterval(() => void store.enforceRetention(), MAINTENANCE_INTERVAL_MS);
    store.timer.unref();
    return store;
  }

  /** Declares a custom table. Returns whether it was created (false: it already existed, identical). */
  declare(decl: TableDeclaration): Promise<{ schema: TableSchema; created: boolean }> {
    return this.serial(async () => {
      const { schema, isNew } = this.registry.validateDeclaration(decl);
      if (!isNew) return { schema, created: false };
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

  /** Appends validated batches to a table, all or nothing. */
  async append(table: string, parts: readonly ColumnBatch[]): Promise<AppendResult> {
    const stored = this.tables.get(table);
    if (!stored) throw this.registry.unknownTable(table);
    const rows = parts.reduce((n, p) => n + p.rowCount, 0);
    const bytes = parts.reduce((n, p) => n + p.bytes, 0);
    if (bytes > stored.budgetBytes) throw overBudget(table, bytes, stored.budgetBytes);
    if (rows === 0) return { rows: 0, firstSeq: this.nextSeq, lastSeq: this.nextSeq - 1 };
    return this.serial(async () => {
      const result = await this.appendLocked(stored, parts, rows);
      this.hooks.rowsAppended?.(table, rows, bytes);
      await this.enforceBudget(stored);
      return result;
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

  /** Stops maintenance and closes DuckDB. Safe to call twice. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.queue.catch(() => undefined);
    this.writer.closeSync();
    this.instance.closeSync();
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

  private async createSegment(t: StoredTable): Promise<Segment> {
    const id = t.nextSegmentId++;
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
   * Appends under the store's lock. A batch that fits the active segment goes through one
   * appender, which DuckDB flushes as one transaction when it closes (below its automatic flush
   * threshold), so it needs no explicit transaction; a batch that opens segments or is very
   * large runs inside BEGIN/COMMIT. Either way it is all or nothing.
   */
  private async appendLocked(
    t: StoredTable,
    parts: readonly ColumnBatch[],
    rows: number,
  ): Promise<AppendResult> {
    const firstSeq = this.nextSeq;
    const segments = t.segments.map((s) => ({ ...s }));
    const created: Segment[] = [];
    const segmentBytes = Math.max(t.budgetBytes / SEGMENTS_PER_BUDGET, 1);
    const isFull = (s: Segment) =>
      s.rows >= this.opts.segmentRows || s.bytes >= segmentBytes || this.tooOld(t, s);
    const active0 = segments[segments.length - 1]!;
    const oneAppender =
      !isFull(active0) &&
      active0.rows + rows <= this.opts.segmentRows &&
      rows < APPENDER_AUTO_FLUSH_ROWS;
    let seq = firstSeq;
    let appender: DuckDBAppender | undefined;
    if (!oneAppender) await this.writer.run('BEGIN TRANSACTION');
    try {
      for (const part of parts) {
        let from = 0;
        while (from < part.rowCount) {
          let active = segments[segments.length - 1]!;
          if (isFull(active)) {
            appender?.closeSync();
            appender = undefined;
            active = await this.createSegment(t);
            segments.push(active);
            created.push(active);
          }
          appender ??= await this.writer.createAppender(active.sqlName);
          const count = Math.min(part.rowCount - from, this.opts.segmentRows - active.rows);
          t.writer.append(appender, part, from, count, seq);
          if (active.rows === 0) active.firstSeq = seq;
          active.rows += count;
          active.lastSeq = seq + count - 1;
          active.bytes += Math.round((part.bytes * count) / part.rowCount);
          if (
            part.maxTime !== undefined &&
            (active.maxTime === undefined || part.maxTime > active.maxTime)
          ) {
            active.maxTime = part.maxTime;
          }
          seq += count;
          from += count;
          if (from < part.rowCount) {
            appender.closeSync();
            appender = undefined;
          }
        }
      }
      appender?.closeSync();
      appender = undefined;
      if (created.length > 0) await this.refreshView(t, segments);
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
      throw err;
    }
    t.segments = segments;
    this.nextSeq = seq;
    return { rows, firstSeq, lastSeq: seq - 1 };
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
    const kept = t.segments.slice(count);
    if (kept.length === 0) kept.push(await this.createSegment(t));
    await this.refreshView(t, kept);
    for (const s of dropped) await this.writer.run(`DROP TABLE ${quoteIdent(s.sqlName)}`);
    t.segments = kept;
    const rows = sum(dropped, (s) => s.rows);
    t.evictedRows += rows;
    if (rows > 0) {
      this.hooks.rowsEvicted?.(t.schema.name, rows, reason);
      this.log.debug({ table: t.schema.name, rows, segments: count, reason }, 'evicted rows');
    }
  }
}

/** The DuckDB type a column of this data type is stored as. */
export function logicalType(type: DataType): DuckDBType {
  switch (type) {
    case 'BOOLEAN':
      return BOOLEAN;
    case 'INT64':
    case 'TIME64NS':
      return BIGINT;
    case 'UINT128':
      return UHUGEINT;
    case 'FLOAT64':
      return DOUBLE;
    case 'STRING':
      return VARCHAR;
  }
}

function sum<T>(items: readonly T[], f: (item: T) => number): number {
  let n = 0;
  for (const item of items) n += f(item);
  return n;
}
