import { DuckDBConnection } from '@duckdb/node-api';
import { createMetadataTables } from '../metadata/tables';
import { TableSchema } from '../../../shared/contract/types';
import { SchemaSource } from './check/check';
import { metadataViewsDdl } from './compile/metadata-views';
import { PxlError } from './errors';
import { DEFAULT_LIMITS, PxlLimits } from './execute/limits';
import { normalizeUdfs } from './functions/normalize-sql-udfs';
import { sketchQuantilesUdf } from './functions/sketch-udf';
import { ResultTable, RunResult } from './execute/result';
import { ResultBudget, runQuery, tooManyRows, withStatement } from './execute/run-query';
import { ColumnarRunResult } from './execute/columnar';
import { readColumns } from './execute/read-columns';
import { ExportAggregation } from './export/pre-aggregate';
import { RunSlots } from './execute/run-slots';
import { StatementCache } from './execute/statement-cache';
import { ParseCache } from './parse/parse-cache';
import { CompiledScript, PreparedScript, RunOptions, prepareScript } from './prepare';
import { CompiledQuery } from './compile/compile';
import { ExportSpec } from './export/spec';
import { CompilePool } from './worker/compile-pool';

export type { CompiledScript, PreparedScript, RunOptions } from './prepare';

/** What the engine needs of the table store: schemas and reader connections. */
export interface PxlStore {
  readonly registry: SchemaSource & { all(): readonly TableSchema[] };
  connect(): Promise<DuckDBConnection>;
}

/** Runs at once, each on its own reader connection, kept open between runs. */
const MAX_IDLE_CONNECTIONS = 4;
/** Runs that wait for one of the connections before new ones are refused (BusyError). */
const MAX_QUEUED_RUNS = 64;
/** Scripts compiled at once (each in a worker thread of its own), and waiting to be. */
const COMPILE_WORKERS = 2;
const MAX_QUEUED_COMPILES = 64;

/**
 * Runs PxL scripts on the table store: parse, plan, check, compile to DuckDB SQL (in a worker
 * thread), execute. One instance serves the whole gateway; runs are independent and may overlap.
 * Each run has one deadline (`timeoutMs`) over all of it: waiting, compiling and DuckDB's work.
 */
export class PxlEngine {
  /** Connections kept between runs; a run takes one or opens a new one. */
  private readonly idle: DuckDBConnection[] = [];
  private readonly statements = new StatementCache();
  private readonly slots = new RunSlots(MAX_IDLE_CONNECTIONS, MAX_QUEUED_RUNS);
  private readonly compiler = new CompilePool(COMPILE_WORKERS, MAX_QUEUED_COMPILES);
  private readonly parsed = new ParseCache();

  private constructor(
    private readonly store: PxlStore,
    private readonly limits: PxlLimits,
  ) {}

  /** Creates the engine, and the metadata tables, lookup views and functions it compiles against. */
  static async create(store: PxlStore, limits: Partial<PxlLimits> = {}): Promise<PxlEngine> {
    const conn = await store.connect();
    try {
      await createMetadataTables(conn);
      for (const ddl of metadataViewsDdl()) await conn.run(ddl);
      for (const fn of normalizeUdfs()) conn.registerScalarFunction(fn);
      conn.registerScalarFunction(sketchQuantilesUdf());
    } finally {
      conn.closeSync();
    }
    return new PxlEngine(store, { ...DEFAULT_LIMITS, ...limits });
  }

  /** Closes the connections kept between runs and stops the compile workers. Safe to call twice. */
  shutdown(): void {
    this.compiler.shutdown();
    for (const conn of this.idle.splice(0)) {
      this.statements.release(conn);
      conn.closeSync();
    }
  }

  /**
   * Compiles a script to its statements on this thread, without running it: for scripts the
   * operator wrote (export jobs, checked at start) and for tests. Requests go through run().
   */
  compile(script: string, opts: RunOptions = {}): CompiledScript {
    return prepareScript(this.parsed, this.store.registry, script, this.limits, opts).compiled;
  }

  /** Runs a script and returns its displayed tables (in px.display order) and its exports. */
  run(script: string, opts: RunOptions = {}): Promise<RunResult> {
    return this.runReading(script, opts, async (conn, name, query, budget) => {
      const table = await runQuery(conn, this.statements, name, query, budget);
      if (query.aggregation) checkAggregatedRows(table, query.aggregation, budget);
      return table;
    });
  }

  /**
   * run(), with each table kept as DuckDB's columns (for Arrow answers): no row of cells is
   * built, and the same limits apply.
   */
  runColumns(script: string, opts: RunOptions = {}): Promise<ColumnarRunResult> {
    return this.runReading(script, opts, (conn, name, query, budget) =>
      withStatement(conn, this.statements, query, (statement) =>
        readColumns(statement, name, query, budget),
      ),
    );
  }

  private async runReading<T>(
    script: string,
    opts: RunOptions,
    read: TableRead<T>,
  ): Promise<Run<T>> {
    const signal = AbortSignal.timeout(this.timeoutOf(opts));
    const prepared = await this.prepare(script, opts, signal);
    return this.slots.use(() => this.execute(prepared, signal, read), signal);
  }

  /** A run's deadline, in milliseconds: the engine's, or the run's own. */
  timeoutOf(opts: RunOptions): number {
    return opts.limits?.timeoutMs ?? this.limits.timeoutMs;
  }

  /** Parses, plans, checks and compiles a script in a compile worker, before `signal` aborts. */
  prepare(script: string, opts: RunOptions, signal: AbortSignal): Promise<PreparedScript> {
    const timeoutMs = this.timeoutOf(opts);
    return this.compiler
      .compile({ script, opts, limits: this.limits, tables: this.store.registry.all() }, signal)
      .catch((err: unknown) => {
        throw err === signal.reason ? compileTimeout(timeoutMs) : err;
      });
  }

  /**
   * Runs `work` on a reader connection opened for it and closed after it (so temporary tables
   * made in it go with it), in one of the run slots, interrupted when `signal` aborts; DuckDB's
   * failures become the errors run() gives. For the parts of a query across gateways.
   */
  session<T>(
    limits: PxlLimits,
    signal: AbortSignal,
    work: (session: QuerySession) => Promise<T>,
  ): Promise<T> {
    return this.slots.use(async () => {
      if (signal.aborted) throw runTimeout(limits);
      const conn = await this.store.connect();
      const interrupt = () => conn.interrupt();
      signal.addEventListener('abort', interrupt, { once: true });
      const statements = new StatementCache();
      try {
        return await work({
          conn,
          budget: () => newBudget(limits),
          query: (name, query, budget) => runQuery(conn, statements, name, query, budget),
        });
      } catch (err) {
        throw queryError(err, signal.aborted, limits);
      } finally {
        signal.removeEventListener('abort', interrupt);
        statements.release(conn);
        conn.closeSync();
      }
    }, signal);
  }

  private async execute<T>(
    { compiled, limits }: PreparedScript,
    signal: AbortSignal,
    read: TableRead<T>,
  ): Promise<Run<T>> {
    const budget = newBudget(limits);
    if (signal.aborted) throw runTimeout(limits);
    const conn = this.idle.pop() ?? (await this.store.connect());
    // DuckDB stops whatever the connection does (preparing, running, reading) when interrupted.
    const interrupt = () => conn.interrupt();
    signal.addEventListener('abort', interrupt, { once: true });
    let reusable = false;
    try {
      const tables: T[] = [];
      for (const t of compiled.tables) tables.push(await read(conn, t.name, t, budget));
      const exports: Run<T>['exports'][number][] = [];
      for (const [i, e] of compiled.exports.entries()) {
        exports.push({
          table: await read(conn, `export_${i}`, e, budget),
          spec: e.spec,
          ...(e.aggregation ? { aggregation: e.aggregation } : {}),
        });
      }
      // DuckDB ends an interrupted stream quietly, as if the result were complete: a run whose
      // deadline passed while it read may hold part of a table, and must not be answered.
      if (signal.aborted) throw runTimeout(limits);
      reusable = true;
      return { tables, exports };
    } catch (err) {
      throw queryError(err, signal.aborted, limits);
    } finally {
      signal.removeEventListener('abort', interrupt);
      // A connection is not reused after an interrupt (it may land after the query ended) nor
      // after a failure, which may leave a result open in it.
      if (reusable && !signal.aborted && this.idle.length < MAX_IDLE_CONNECTIONS) {
        this.idle.push(conn);
      } else {
        this.statements.release(conn);
        conn.closeSync();
      }
    }
  }
}

/** Reads one statement's result as a table of rows or of columns. */
type TableRead<T> = (
  conn: DuckDBConnection,
  name: string,
  query: CompiledQuery & { readonly aggregation?: ExportAggregation },
  budget: ResultBudget,
) => Promise<T>;

/** A run's result with its tables as rows (RunResult) or columns (ColumnarRunResult). */
interface Run<T> {
  readonly tables: readonly T[];
  readonly exports: readonly {
    readonly table: T;
    readonly spec: ExportSpec;
    readonly aggregation?: ExportAggregation;
  }[];
}

/** A reader connection of one session, and how to run compiled statements on it. */
export interface QuerySession {
  readonly conn: DuckDBConnection;
  /** A new budget of result rows and bytes, the run's limits. */
  budget(): ResultBudget;
  /** Runs one statement and reads its rows within the budget. */
  query(name: string, query: CompiledQuery, budget: ResultBudget): Promise<ResultTable>;
}

/**
 * An aggregated export holds the rows of the script's table as counts: they are held to
 * max_output_rows_per_table as the rows themselves would be (the statement reads at most one
 * row more than that, so going over still shows).
 */
function checkAggregatedRows(table: ResultTable, a: ExportAggregation, budget: ResultBudget) {
  const at = table.columns.findIndex((c) => c.name === a.rows);
  let rows = 0n;
  for (const row of table.rows) rows += row[at] as bigint;
  if (rows > BigInt(budget.maxRows)) throw tooManyRows(table.name, budget);
}

function newBudget(limits: PxlLimits): ResultBudget {
  return {
    maxRows: limits.maxOutputRows,
    bytesLeft: limits.maxResultBytes,
    maxBytes: limits.maxResultBytes,
  };
}

function compileTimeout(timeoutMs: number): PxlError {
  return new PxlError(
    `the script took longer than ${timeoutMs / 1000} s (pxl.queryTimeout) to compile and was stopped; ` +
      'make it smaller or simpler',
    undefined,
    'limit-exceeded',
  );
}

function runTimeout(limits: PxlLimits): PxlError {
  return new PxlError(
    `the script ran longer than ${limits.timeoutMs / 1000} s (pxl.queryTimeout) and was stopped; ` +
      'narrow its time window or tables, or raise pxl.queryTimeout in the gateway config',
    undefined,
    'limit-exceeded',
  );
}

/** Turns DuckDB's failures into answers that say what happened and what to do. */
function queryError(err: unknown, timedOut: boolean, limits: PxlLimits): unknown {
  if (err instanceof PxlError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (timedOut || /interrupt/i.test(message)) return runTimeout(limits);
  if (/out of memory/i.test(message)) {
    // DuckDB goes on to suggest a temporary directory, which is not the caller's to set.
    return new PxlError(
      `the query needs more memory than DuckDB may use (store.duckdbMemoryLimitMb): ${message.split('\n')[0]}`,
      undefined,
      'limit-exceeded',
    );
  }
  if (/Out of Range|overflow|Conversion Error/i.test(message)) {
    return new PxlError(`the query failed on the data: ${message}`, undefined, 'limit-exceeded');
  }
  return err;
}
