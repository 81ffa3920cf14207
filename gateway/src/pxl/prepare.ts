import { TableSchema } from '../../../shared/contract/types';
import { SchemaSource, check } from './check/check';
import { TNode } from './check/typed';
import { CompiledQuery, SeqRangeOption, compileTable } from './compile/compile';
import { DistributedTable, splitTable } from './compile/split';
import { Loc, PxlError } from './errors';
import { PxlLimits, applyPragmas } from './execute/limits';
import { ExportAggregation, aggregateExport } from './export/pre-aggregate';
import { ExportSpec } from './export/spec';
import { ParseCache } from './parse/parse-cache';
import { evaluate } from './plan/evaluate';

/** Options of one run. */
export interface RunOptions {
  /** Arguments of `func`, by parameter name. */
  readonly args?: Readonly<Record<string, unknown>>;
  /** Run this function of the script and show its result under the function's name. */
  readonly func?: string;
  /** The run's now, in nanoseconds since the epoch (default: the clock). */
  readonly now?: bigint;
  /** Read only rows with `after < _seq <= upTo` (and within `runs`, if given) from every table. */
  readonly seqRange?: SeqRangeOption;
  /** The window `px.plugin.start_time` / `px.plugin.end_time` give, in ns since the epoch. */
  readonly pluginWindow?: { readonly startNs: bigint; readonly endNs: bigint };
  /** Overrides of the engine's limits for this run. */
  readonly limits?: Partial<PxlLimits>;
  /** Also split every table into shards' parts, for a query across gateways (split.ts). */
  readonly distributed?: boolean;
  /** Let DuckDB aggregate exports whose data are all histograms (export/pre-aggregate.ts). */
  readonly aggregateExports?: boolean;
}

/** The SQL a script compiles to, without running it. */
export interface CompiledScript {
  readonly tables: readonly ({ readonly name: string } & CompiledQuery)[];
  readonly exports: readonly ({
    readonly spec: ExportSpec;
    readonly aggregation?: ExportAggregation;
  } & CompiledQuery)[];
}

/** A script's tables (displays, then exports) split for a query across gateways. */
export interface DistributedScript {
  readonly tables: readonly DistributedTable[];
}

/** A compiled script and the limits its run keeps (the engine's, with the script's #px:set). */
export interface PreparedScript {
  readonly compiled: CompiledScript;
  readonly limits: PxlLimits;
  /** With RunOptions.distributed. */
  readonly distributed?: DistributedScript;
}

/** A schema source over a list of table schemas (what a compile worker is sent). */
export function schemaList(tables: readonly TableSchema[]): SchemaSource {
  const byName = new Map(tables.map((t) => [t.name, t]));
  return { find: (name) => byName.get(name), names: () => [...byName.keys()] };
}

/**
 * Parses, plans, checks and compiles a script: everything before DuckDB. It is synchronous and
 * CPU-bound (a large script takes long), so the engine runs it in a worker under the deadline.
 */
export function prepareScript(
  parsed: ParseCache,
  schemas: SchemaSource,
  script: string,
  limits: PxlLimits,
  opts: RunOptions,
): PreparedScript {
  const module = parsed.get(script);
  const runLimits = applyPragmas({ ...limits, ...opts.limits }, module.pragmas);
  const now = opts.now ?? BigInt(Date.now()) * 1_000_000n;
  const plan = evaluate(module, {
    now,
    ...(opts.func !== undefined ? { func: opts.func } : {}),
    ...(opts.args ? { args: opts.args } : {}),
    ...(opts.pluginWindow ? { pluginWindow: opts.pluginWindow } : {}),
  });
  const typed = check(plan, schemas);
  const compileOpts = {
    now,
    maxRows: runLimits.maxOutputRows,
    ...(opts.seqRange ? { seqRange: opts.seqRange } : {}),
  };
  const located = <T>(loc: Loc, step: () => T): T => {
    try {
      return step();
    } catch (err) {
      if (err instanceof PxlError && err.line === undefined) {
        throw new PxlError(err.message, loc, err.kind);
      }
      throw err;
    }
  };
  const compile = (node: TNode, loc: Loc) => located(loc, () => compileTable(node, compileOpts));
  const outputs = [...typed.displays, ...typed.exports];
  return {
    limits: runLimits,
    compiled: {
      tables: typed.displays.map((d) => ({ name: d.name, ...compile(d.node, d.loc) })),
      exports: typed.exports.map((e) => {
        const query = compile(e.node, e.loc);
        const aggregated = opts.aggregateExports ? aggregateExport(e.spec, query) : undefined;
        return aggregated
          ? { spec: e.spec, aggregation: aggregated.aggregation, ...aggregated.query }
          : { spec: e.spec, ...query };
      }),
    },
    ...(opts.distributed
      ? {
          distributed: {
            tables: outputs.map((o, t) => located(o.loc, () => splitTable(o.node, t, compileOpts))),
          },
        }
      : {}),
  };
}
