import { DuckDBConnection } from '@duckdb/node-api';
import { SchemaSource, check } from './check/check';
import { CompiledQuery, compileTable } from './compile/compile';
import { metadataViewsDdl } from './compile/metadata-views';
import { normalizeUdfs } from './functions/normalize-sql';
import { TNode } from './check/typed';
import { Loc, PxlError } from './errors';
import { DEFAULT_LIMITS, PxlLimits, applyPragmas } from './execute/limits';
import { ExportResult, ResultTable, RunResult } from './execute/result';
import { ResultBudget, runQuery } from './execute/run-query';
import { RunSlots } from './execute/run-slots';
import { StatementCache } from './execute/statement-cache';
import { ExportSpec } from './export/spec';
import { ParseCache } from './parse/parse-cache';
import { evaluate } from './plan/evaluate';

/** What the engine needs of the table store: schemas and reader connections. */
export interface PxlStore {
  readonly registry: SchemaSource;
  connect(): Promise<DuckDBConnection>;
}

/** Runs at once, each on its own reader connection, kept open between runs. */
const MAX_IDLE_CONNECTIONS = 4;
/** Runs that wait for one of the connections before new ones are refused (503). */
const MAX_QUEUED_RUNS = 64;

/** Options of one run. */
export interface RunOptions {
  /** Arguments of `func`, by parameter name. */
  readonly args?: Readonly<Record<string, unknown>>;
  /** Run this function of the script and show its result under the function's name. */
  readonly func?: string;
  /** The run's now, in nanoseconds since the epoch (default: the clock). */
  readonly now?: bigint;
  /** Read only rows with `after < _seq <= upTo` from every table. */
  readonly seqRange?: { readonly after: number; readonly upTo: number };
  /** The window `px.plugin.start_time` / `px.plugin.end_time` give, in ns since the epoch. */
  readonly pluginWindow?: { readonly startNs: bigint; readonly endNs: bigint };
  /** Overrides of the engine's limits for this run. */
  readonly limits?: Partial<PxlLimits>;
}

/** The SQL a script compiles to, without running it. */
export interface CompiledScript {
  readonly tables: readonly ({ readonly name: string } & CompiledQuery)[];
  readonly exports: readonly ({ readonly spec: ExportSpec } & CompiledQuery)[];
}

/**
 * Runs PxL scripts on the table store: parse, plan, check, compile to DuckDB SQL, execute.
 * One instance serves the whole gateway; runs are independent and may overlap.
 */
export class PxlEngine {
  /** Connections kept between runs; a run takes one or opens a new one. */
  private readonly idle: DuckDBConnection[] = [];
  private readonly statements = new StatementCache();
  private readonly slots = new RunSlots(MAX_IDLE_CONNECTIONS, MAX_QUEUED_RUNS);
  private readonly parsed = new ParseCache();

  private constructor(
    private readonly store: PxlStore,
    private readonly limits: PxlLimits,
  ) {}

  /** Creates the engine, the metadata lookup views and the functions it compiles against. */
  static async create(store: PxlStore, limits: Partial<PxlLimits> = {}): Promise<PxlEngine> {
    const conn = await store.connect();
    try {
      for (const ddl of metadataViewsDdl()) await conn.run(ddl);
      for (const fn of normalizeUdfs()) conn.registerScalarFunction(fn);
    } finally {
      conn.closeSync();
    }
    return new PxlEngine(store, { ...DEFAULT_LIMITS, ...limits });
  }

  /** Closes the connections kept between runs. Safe to call twice. */
  shutdown(): void {
    for (const conn of this.idle.splice(0)) {
      this.statements.release(conn);
      conn.closeSync();
    }
  }

  /** Compiles a script to its statements without running them. */
  compile(script: string, opts: RunOptions = {}): CompiledScript {
    return this.prepare(script, opts).compiled;
  }

  /** Runs a script and returns its displayed tables (in px.display order) and its exports. */
  async run(script: string, opts: RunOptions = {}): Promise<RunResult> {
    const prepared = this.prepare(script, opts);
    return this.slots.use(() => this.execute(prepared.compiled, prepared.limits));
  }

  private async execute(compiled: CompiledScript, limits: PxlLimits): Promise<RunResult> {
    const budget: ResultBudget = {
      maxRows: limits.maxOutputRows,
      bytesLeft: limits.maxResultBytes,
      maxBytes: limits.maxResultBytes,
    };
    const conn = this.idle.pop() ?? (await this.store.connect());
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      conn.interrupt();
    }, limits.timeoutMs);
    try {
      const tables: ResultTable[] = [];
      for (const t of compiled.tables) {
        tables.push(await runQuery(conn, this.statements, t.name, t, budget));
      }
      const exports: ExportResult[] = [];
      for (const [i, e] of compiled.exports.entries()) {
        const table = await runQuery(conn, this.statements, `export_${i}`, e, budget);
        exports.push({ table, spec: e.spec });
      }
      return { tables, exports };
    } catch (err) {
      throw queryError(err, timedOut, limits);
    } finally {
      clearTimeout(timer);
      // An interrupted connection is not reused: the interrupt may land after the query ended.
      if (!timedOut && this.idle.length < MAX_IDLE_CONNECTIONS) {
        this.idle.push(conn);
      } else {
        this.statements.release(conn);
        conn.closeSync();
      }
    }
  }

  private prepare(
    script: string,
    opts: RunOptions,
  ): { compiled: CompiledScript; limits: PxlLimits } {
    const module = this.parsed.get(script);
    const limits = applyPragmas({ ...this.limits, ...opts.limits }, module.pragmas);
    const now = opts.now ?? BigInt(Date.now()) * 1_000_000n;
    const plan = evaluate(module, {
      now,
      ...(opts.func !== undefined ? { func: opts.func } : {}),
      ...(opts.args ? { args: opts.args } : {}),
      ...(opts.pluginWindow ? { pluginWindow: opts.pluginWindow } : {}),
    });
    const typed = check(plan, this.store.registry);
    const compileOpts = {
      now,
      maxRows: limits.maxOutputRows,
      ...(opts.seqRange ? { seqRange: opts.seqRange } : {}),
    };
    const compile = (node: TNode, loc: Loc) => {
      try {
        return compileTable(node, compileOpts);
      } catch (err) {
        if (err instanceof PxlError && err.line === undefined) throw new PxlError(err.message, loc);
        throw err;
      }
    };
    return {
      limits,
      compiled: {
        tables: typed.displays.map((d) => ({ name: d.name, ...compile(d.node, d.loc) })),
        exports: typed.exports.map((e) => ({ spec: e.spec, ...compile(e.node, e.loc) })),
      },
    };
  }
}

/** Turns DuckDB's failures into answers that say what happened and what to do. */
function queryError(err: unknown, timedOut: boolean, limits: PxlLimits): unknown {
  if (err instanceof PxlError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (timedOut || /interrupt/i.test(message)) {
    return new PxlError(
      `the script ran longer than ${limits.timeoutMs / 1000} s (pxl.queryTimeout) and was stopped; ` +
        'narrow its time window or tables, or raise pxl.queryTimeout in the gateway config',
      undefined,
      422,
    );
  }
  if (/out of memory/i.test(message)) {
    return new PxlError(
      `the query needs more memory than DuckDB may use (store.duckdbMemoryLimitMb): ${message}`,
      undefined,
      422,
    );
  }
  if (/Out of Range|overflow|Conversion Error/i.test(message)) {
    return new PxlError(`the query failed on the data: ${message}`, undefined, 422);
  }
  return err;
}
