import { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { UserError } from '../common/errors';
import { Logger } from '../../../shared/common/logger';
import { parseUint128, uint128ToBigInt } from '../../../shared/contract/uint128';
import { quoteIdent } from '../store/sql';
import { TableStore } from '../store/table-store';
import { RecordLog } from '../store/wal/record-log';
import { METADATA_TABLES, createMetadataTables } from './tables';

/** At most this many processes per request. */
export const MAX_PROCESSES_PER_REQUEST = 10_000;
/** The journal is compacted once it passes this, and four times its size after the last time. */
const COMPACT_MIN_BYTES = 32 * 1024 * 1024;

const unsigned = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/, 'expected digits')])
  .transform((v) => BigInt(v))
  .refine((v) => v < 2n ** 63n, 'out of range');

const ProcessRow = z.strictObject({
  upid: z.string().max(64),
  pid: z.number().int().min(0).max(0xffffffff),
  start_ticks: unsigned,
  cmdline: z.string().max(4096),
  hostname: z.string().max(255),
  container_id: z.string().max(128),
  pod_uid: z.string().max(64),
  start_ns: unsigned,
  stop_ns: unsigned.optional(),
});

const Body = z.strictObject({
  processes: z.array(ProcessRow).max(MAX_PROCESSES_PER_REQUEST),
});

type ProcessRow = z.output<typeof ProcessRow>;

/** What the HTTP route hands a process report to: this service, or the cluster's publisher. */
export interface ProcessReportHandler {
  upsert(body: unknown, node?: string): Promise<{ processes: number }>;
}

const TABLE = METADATA_TABLES.processes.name;
const STAGE = `_stage${TABLE}`;
// The order appendProcess writes in.
const COLUMNS = Object.keys(METADATA_TABLES.processes.columns);

/**
 * Agents' reports of the processes they see, kept in `_md_processes` for PxL's metadata
 * functions: one row per UPID, replaced whole when reported again (a stop report adds stop_ns).
 * The table is bounded: past `maxRows`, the processes that stopped longest ago are forgotten.
 * With a data directory every report is journaled (`metadata/processes.log`) before it is
 * applied and acknowledged, and read back at start: the processes that stopped before a restart
 * keep their command line and pod (agents send the live ones again anyway).
 */
export class ProcessMetadataService implements ProcessReportHandler {
  private conn: DuckDBConnection | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private journal: RecordLog | undefined;
  private compactAt: number;

  constructor(
    private readonly store: TableStore,
    private readonly maxRows = 200_000,
    private readonly compactMinBytes = COMPACT_MIN_BYTES,
  ) {
    this.compactAt = compactMinBytes;
  }

  /** With the store's data directory: reads the journal back and keeps writing it. Once, first. */
  async restore(log: Logger): Promise<void> {
    const dataDir = this.store.dataDir;
    if (!dataDir) return;
    const { records, values } = await RecordLog.openJson(
      dataDir,
      'processes',
      validateProcessReport,
      log,
    );
    let processes = 0;
    for (const rows of values) {
      try {
        await this.write(rows);
        processes += rows.length;
      } catch (err) {
        log.error({ err: (err as Error).message }, 'could not apply a process metadata record');
      }
    }
    this.journal = records;
    this.compactAt = Math.max(this.compactMinBytes, 4 * records.bytes);
    log.info({ processes }, 'read process metadata back');
  }

  /** Validates a request body and upserts its processes; all or nothing. */
  upsert(body: unknown): Promise<{ processes: number }> {
    const rows = validateProcessReport(body);
    const run = this.queue.then(async () => {
      await this.journal?.append(Buffer.from(JSON.stringify({ processes: rows }, bigintText)));
      const result = await this.write(rows);
      if (this.journal && this.journal.bytes > this.compactAt) await this.compact(this.journal);
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Closes the service's connection and journal. Safe twice. */
  async shutdown(): Promise<void> {
    await this.queue;
    this.conn?.closeSync();
    this.conn = undefined;
    await this.journal?.close();
    this.journal = undefined;
  }

  /** Rewrites the journal as the table holds it now: one row per process, the bound applied. */
  private async compact(journal: RecordLog): Promise<void> {
    const conn = await this.connection();
    const reader = await conn.runAndReadAll(
      `SELECT asid, pid, start_ticks, cmdline, hostname, container_id, pod_uid, start_ns, stop_ns FROM ${quoteIdent(TABLE)}`,
    );
    const rows = reader.getRowObjectsJS().map((r) => ({
      upid: `${r.asid}:${r.pid}:${r.start_ticks}`,
      pid: Number(r.pid),
      start_ticks: String(r.start_ticks),
      cmdline: r.cmdline,
      hostname: r.hostname,
      container_id: r.container_id,
      pod_uid: r.pod_uid,
      start_ns: String(r.start_ns),
      ...(r.stop_ns === null ? {} : { stop_ns: String(r.stop_ns) }),
    }));
    const payloads: Buffer[] = [];
    for (let i = 0; i < rows.length; i += 1000) {
      payloads.push(Buffer.from(JSON.stringify({ processes: rows.slice(i, i + 1000) })));
    }
    await journal.rewrite(payloads);
    this.compactAt = Math.max(this.compactMinBytes, 4 * journal.bytes);
  }

  /**
   * One transaction per request: the rows go to a temporary staging table, then one keyed
   * DELETE and one INSERT apply them (a DELETE per row would scan the table per row).
   */
  private async write(rows: readonly ProcessRow[]): Promise<{ processes: number }> {
    if (rows.length === 0) return { processes: 0 };
    const conn = await this.connection();
    const table = quoteIdent(TABLE);
    const stage = quoteIdent(STAGE);
    const names = COLUMNS.map(quoteIdent).join(', ');
    await conn.run('BEGIN TRANSACTION');
    try {
      await conn.run(`DELETE FROM ${stage}`);
      const appender = await conn.createAppender(STAGE, 'main', 'temp');
      try {
        for (const r of rows) appendProcess(appender, r);
      } finally {
        appender.closeSync();
      }
      await conn.run(`DELETE FROM ${table} USING ${stage} s WHERE ${table}.upid = s.upid`);
      await conn.run(`INSERT INTO ${table} (${names}) SELECT ${names} FROM ${stage}`);
      await conn.run(
        `DELETE FROM ${table} WHERE upid IN (SELECT upid FROM ${table} WHERE stop_ns IS NOT NULL ORDER BY stop_ns LIMIT greatest(0, (SELECT count(*) FROM ${table}) - ${this.maxRows}))`,
      );
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
    return { processes: rows.length };
  }

  /** The service's own connection, with its staging table (temporary tables are per connection). */
  private async connection(): Promise<DuckDBConnection> {
    if (this.conn) return this.conn;
    const conn = await this.store.connect();
    await createMetadataTables(conn);
    await conn.run(
      `CREATE TEMP TABLE ${quoteIdent(STAGE)} AS SELECT * FROM ${quoteIdent(TABLE)} LIMIT 0`,
    );
    this.conn = conn;
    return conn;
  }
}

/** JSON.stringify's replacer for rows with bigint fields (start_ticks, start_ns, stop_ns). */
function bigintText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? String(value) : value;
}

function appendProcess(appender: DuckDBAppender, r: ProcessRow): void {
  const upid = parseUint128(r.upid)!;
  appender.appendUHugeInt(uint128ToBigInt(upid));
  appender.appendBigInt(upid.high >> 32n);
  appender.appendBigInt(BigInt(r.pid));
  appender.appendBigInt(r.start_ticks);
  appender.appendVarchar(r.cmdline);
  appender.appendVarchar(r.hostname);
  appender.appendVarchar(r.container_id);
  appender.appendVarchar(r.pod_uid);
  appender.appendBigInt(r.start_ns);
  if (r.stop_ns === undefined) appender.appendNull();
  else appender.appendBigInt(r.stop_ns);
  appender.endRow();
}

/** The processes of a report, validated; a report that does not validate is a UserError. */
export function validateProcessReport(body: unknown): ProcessRow[] {
  const result = Body.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.length ? issue.path.join('.') : 'body';
    throw new UserError(
      `${path}: ${issue.message} (expected {"processes": [{upid, pid, start_ticks, cmdline, hostname, container_id, pod_uid, start_ns, stop_ns?}], at most ${MAX_PROCESSES_PER_REQUEST}})`,
    );
  }
  result.data.processes.forEach((r, i) => {
    const parts = r.upid.split(':');
    const halves = parts.length === 3 ? parseUint128(r.upid) : undefined;
    if (!halves || parts[1] !== String(r.pid) || BigInt(parts[2]!) !== r.start_ticks) {
      throw new UserError(
        `processes.${i}.upid: expected "asid:pid:start_ticks" matching pid ${r.pid} and start_ticks ${r.start_ticks}, got ${JSON.stringify(r.upid)}`,
      );
    }
  });
  return result.data.processes;
}
