import { PxlEngine } from '../../pxl/engine';
import { PxlError } from '../../pxl/errors';
import { RunOptions } from '../../pxl/prepare';
import { encodeAnswer } from './shard-answer';
import { ShardRequest, encodeReply, parseRequest, partsDigest, toReplyError } from './protocol';

/** What a shard server needs of its gateway beyond the engine. */
export interface ShardServerOptions {
  /** The gateway's member id, named in errors. */
  readonly self: string;
  /** The partitions this gateway holds now. */
  readonly partitions: () => readonly string[];
  /** The largest reply the transport carries, in bytes (NATS's max_payload). */
  readonly maxReplyBytes: () => number;
}

/**
 * Answers shards' parts of queries across gateways on this gateway's store: compiles the
 * request's script (in a compile worker, as every query), checks that its parts are the
 * coordinator's, runs each under the request's deadline and the engine's limits, and answers
 * them as Arrow IPC streams (shard-answer.ts). Every failure is an answer, never a throw.
 */
export class ShardServer {
  constructor(
    private readonly engine: PxlEngine,
    private readonly opts: ShardServerOptions,
  ) {}

  /** The reply to one request's bytes. */
  async answer(data: Uint8Array): Promise<Uint8Array> {
    try {
      const reply = encodeReply(await this.run(parseRequest(data)));
      const max = this.opts.maxReplyBytes();
      if (reply.length <= max) return reply;
      throw new PxlError(
        `gateway ${this.opts.self}'s part of the results takes ${reply.length} bytes, more than ` +
          `the ${max} one NATS message carries (max_payload); narrow the query with filters, ` +
          'aggregates or head()',
        undefined,
        'limit-exceeded',
      );
    } catch (err) {
      return encodeReply({ ok: false, error: toReplyError(err) });
    }
  }

  private async run(req: ShardRequest) {
    const opts: RunOptions = {
      now: BigInt(req.now),
      distributed: true,
      limits: { timeoutMs: Math.min(this.engine.timeoutOf({}), req.timeoutMs) },
      ...(req.args ? { args: req.args } : {}),
      ...(req.func !== undefined ? { func: req.func } : {}),
      ...(req.window
        ? { pluginWindow: { startNs: BigInt(req.window.startNs), endNs: BigInt(req.window.endNs) } }
        : {}),
    };
    const signal = AbortSignal.timeout(opts.limits!.timeoutMs!);
    const partitions = this.opts.partitions();
    const prepared = await this.engine.prepare(req.script, opts, signal);
    const distributed = prepared.distributed!;
    if (partsDigest(distributed) !== req.digest) {
      throw new Error(
        `gateway ${this.opts.self} compiles the script to other statements than the coordinator ` +
          '(another pxgate version, or other table schemas?)',
      );
    }
    const names = [
      ...prepared.compiled.tables.map((t) => t.name),
      ...prepared.compiled.exports.map((_e, i) => `export_${i}`),
    ];
    const answers = await this.engine.session(prepared.limits, signal, async (session) => {
      const out: Uint8Array[] = [];
      // Parts are intermediates: no output row limit here (split.ts writes it into a part's
      // statement where it applies); the memory cap, the reply size and the deadline bound them.
      const budget = { ...session.budget(), maxRows: Number.POSITIVE_INFINITY };
      for (const [t, table] of distributed.tables.entries()) {
        for (const part of table.parts) {
          const name = `${names[t]}, gateway ${this.opts.self}'s part`;
          const result = await session.query(name, part.query, budget);
          out.push(encodeAnswer(result, part.query.columns));
        }
      }
      return out;
    });
    return { ok: true as const, partitions, answers };
  }
}
