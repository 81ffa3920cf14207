import { DuckDBConnection } from '@duckdb/node-api';
import { logicalType } from '../../store/table-store';
import { quoteIdent } from '../../store/sql';
import { BIGINT } from '@duckdb/node-api';
import { ColumnBatch } from '../../store/batch';
import { ChunkWriter } from '../../store/chunk-writer';
import { PxlEngine, QuerySession } from '../../pxl/engine';
import { DistributedTable, ShardPart, rawTable } from '../../pxl/compile/split';
import { ExportResult, ResultTable, RunResult } from '../../pxl/execute/result';
import { PreparedScript, RunOptions } from '../../pxl/prepare';
import { SketchFormatError, parseSketches } from '../../pxl/functions/sketch';
import { ShardAnswerError, answerSchema, decodeAnswer } from './shard-answer';
import { ShardRequest, decodeReply, fromReplyError, partsDigest } from './protocol';

/** A gateway a query's parts are sent to. */
export interface ShardTarget {
  readonly id: string;
  /** The partitions it owns, as the cluster's membership says. */
  readonly partitions: readonly string[];
  /** Sends a request and resolves with the reply, or rejects when none comes in time. */
  ask(request: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
}

/** The gateways of the cluster, as a query sees them when it starts. */
export interface ShardTargets {
  targets(): readonly ShardTarget[];
  /** Every partition of the cluster. */
  partitions(): readonly string[];
}

/** The share of a query's deadline the shards have; the rest is the gather's. */
const SHARD_SHARE = 0.8;

/** Failures of a shard that are the script's, so the whole query's: the rest are warnings. */
const SCRIPT_FAULTS = new Set(['invalid', 'limit-exceeded']);

/** What came back from one gateway: its partitions' answers, or why they are missing. */
type Gathered =
  | {
      readonly target: ShardTarget;
      readonly partitions: readonly string[];
      readonly parts: ColumnBatch[][];
    }
  | { readonly target: ShardTarget; readonly missing: string };

/**
 * Runs a query across the gateways of a cluster: compiles it once here (split into shards'
 * parts, split.ts), asks every gateway for its parts under the query's deadline, loads the
 * answers into temporary tables of a DuckDB session and finishes the query there. A gateway
 * that does not answer in time, or answers with an error of its own, is named in a warning
 * with the partitions missing from the results; an error that is the script's fails the query.
 */
export class Coordinator {
  constructor(
    private readonly engine: PxlEngine,
    private readonly shards: ShardTargets,
  ) {}

  /** Runs a script over every gateway's rows; RunResult.warnings names what is missing. */
  async run(script: string, opts: RunOptions = {}): Promise<RunResult> {
    const timeoutMs = this.engine.timeoutOf(opts);
    const deadline = Date.now() + timeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    const now = opts.now ?? BigInt(Date.now()) * 1_000_000n;
    const prepared = await this.engine.prepare(script, { ...opts, now, distributed: true }, signal);
    const distributed = prepared.distributed!;
    const parts = distributed.tables.flatMap((t) => t.parts);
    const request: ShardRequest = {
      script,
      now: now.toString(),
      timeoutMs: Math.max(1, Math.floor((deadline - Date.now()) * SHARD_SHARE)),
      digest: partsDigest(distributed),
      ...(opts.args ? { args: opts.args as ShardRequest['args'] } : {}),
      ...(opts.func !== undefined ? { func: opts.func } : {}),
      ...(opts.pluginWindow
        ? {
            window: {
              startNs: opts.pluginWindow.startNs.toString(),
              endNs: opts.pluginWindow.endNs.toString(),
            },
          }
        : {}),
    };
    const bytes = Buffer.from(JSON.stringify(request), 'utf8');
    const targets = this.shards.targets();
    const gathered = await Promise.all(
      targets.map((target) => this.ask(target, bytes, request.timeoutMs, parts, prepared)),
    );
    const warnings = coverage(gathered, this.shards.partitions());
    const answered = gathered.filter(
      (g): g is Extract<Gathered, { parts: unknown }> => 'parts' in g,
    );
    const names = prepared.compiled.tables.map((t) => t.name);
    const outputs = [...names, ...prepared.compiled.exports.map((_e, i) => `export_${i}`)];
    const results = await this.engine.session(prepared.limits, signal, (session) =>
      finish(session, distributed.tables, outputs, answered),
    );
    const tables = names.map((name, i) => ({ ...results[i]!, name }));
    const exports: ExportResult[] = prepared.compiled.exports.map((e, i) => ({
      table: { ...results[names.length + i]!, name: `export_${i}` },
      spec: e.spec,
    }));
    return { tables, exports, ...(warnings.length > 0 ? { warnings } : {}) };
  }

  /** One gateway's answers, decoded and checked; any fault of its own becomes a missing entry. */
  private async ask(
    target: ShardTarget,
    request: Uint8Array,
    timeoutMs: number,
    parts: readonly ShardPart[],
    prepared: PreparedScript,
  ): Promise<Gathered> {
    let reply;
    try {
      reply = decodeReply(await target.ask(request, timeoutMs), parts.length);
    } catch (err) {
      return { target, missing: describe(err, timeoutMs) };
    }
    if (!reply.ok) {
      if (reply.error.kind && SCRIPT_FAULTS.has(reply.error.kind))
        throw fromReplyError(reply.error);
      return { target, missing: `it answered with an error: ${reply.error.message}` };
    }
    try {
      const budget = prepared.limits.maxResultBytes;
      const decoded = parts.map((p, k) => {
        const batches = decodeAnswer(reply.answers[k]!, p.query.columns, budget);
        for (const column of p.sketches) checkSketches(batches, column);
        return batches;
      });
      return { target, partitions: reply.partitions, parts: decoded };
    } catch (err) {
      if (err instanceof ShardAnswerError || err instanceof SketchFormatError) {
        return { target, missing: `its answer was refused: ${err.message}` };
      }
      throw err;
    }
  }
}

function describe(err: unknown, timeoutMs: number): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/timeout/i.test(message))
    return `it did not answer within ${(timeoutMs / 1000).toFixed(1)} s`;
  if (/no responders/i.test(message)) return 'it is not serving queries (no responders)';
  return `asking it failed: ${message}`;
}

/** The warnings of a gather: gateways that did not answer, partitions nobody answered for. */
function coverage(gathered: readonly Gathered[], all: readonly string[]): string[] {
  const warnings: string[] = [];
  const answeredBy = new Map<string, string>();
  for (const g of gathered) {
    if ('missing' in g) {
      const held = g.target.partitions.length > 0 ? g.target.partitions.join(', ') : 'none';
      warnings.push(
        `gateway ${g.target.id} is missing from the results (partitions ${held}): ${g.missing}`,
      );
      continue;
    }
    for (const p of g.partitions) {
      const other = answeredBy.get(p);
      if (other !== undefined) {
        warnings.push(
          `partition ${p} was answered by both ${other} and ${g.target.id}; its rows may count twice`,
        );
      }
      answeredBy.set(p, g.target.id);
    }
  }
  const unanswered = all.filter((p) => !answeredBy.has(p));
  if (unanswered.length > 0) {
    warnings.push(`partitions missing from the results: ${unanswered.join(', ')}`);
  }
  return warnings;
}

/** Checks that every sketch in a column of a partial answer is one (parseSketches). */
function checkSketches(batches: readonly ColumnBatch[], valueIndex: number): void {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const b of batches) {
    const column = b.columns[2 * valueIndex];
    if (column?.type !== 'STRING') continue;
    const v = column.values;
    for (let i = 0; i < b.rowCount; i++) {
      const text =
        v.kind === 'strings'
          ? v.values[i]!
          : decoder.decode(v.data.subarray(v.offsets[i]!, v.offsets[i + 1]!));
      parseSketches(text);
    }
  }
}

/**
 * Loads the gathered answers and runs every table's gather steps and final statement, each
 * final table under its output's name (in the errors of its limits).
 */
async function finish(
  session: QuerySession,
  tables: readonly DistributedTable[],
  names: readonly string[],
  answered: readonly Extract<Gathered, { parts: unknown }>[],
): Promise<ResultTable[]> {
  const results: ResultTable[] = [];
  const budget = session.budget();
  let k = 0;
  for (const [t, table] of tables.entries()) {
    for (const [p, part] of table.parts.entries()) {
      await load(
        session.conn,
        rawTable(t, p),
        part,
        answered.map((a) => a.parts[k]!),
      );
      await session.conn.run(table.gathers[p]!);
      k++;
    }
    results.push(await session.query(names[t]!, table.final, budget));
  }
  return results;
}

/** Creates a part's raw table and appends every gateway's answer, numbered gateway by gateway. */
async function load(
  conn: DuckDBConnection,
  name: string,
  part: ShardPart,
  answers: readonly (readonly ColumnBatch[])[],
): Promise<void> {
  const schema = answerSchema(part.query.columns);
  const columns = schema.columns.map(
    (c) => `${quoteIdent(c.name)} ${logicalType(c.type).toString()}`,
  );
  await conn.run(`CREATE TEMP TABLE ${quoteIdent(name)} (${columns.join(', ')}, "_seq" BIGINT)`);
  const writer = new ChunkWriter([...schema.columns.map((c) => logicalType(c.type)), BIGINT]);
  const appender = await conn.createAppender(name, 'main', 'temp');
  let seq = 0;
  try {
    for (const batches of answers) {
      for (const b of batches) {
        writer.append(appender, b, 0, b.rowCount, seq);
        seq += b.rowCount;
      }
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
