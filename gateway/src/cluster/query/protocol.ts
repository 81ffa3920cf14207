import { createHash } from 'node:crypto';
import { UserError, UserErrorKind } from '../../common/errors';
import { PxlError } from '../../pxl/errors';
import { MAX_SCRIPT_CHARS } from '../../pxl/parse/parse';
import { DistributedScript } from '../../pxl/prepare';

/**
 * The request and reply of a shard's part of a query, on `pxgate.<cluster>.query.<member>`.
 * The request names the script and the options it was compiled with, never SQL: a shard
 * compiles the script itself (so it runs only what its own compiler makes of PxL) and checks
 * that its parts are the coordinator's by their digest.
 */
export interface ShardRequest {
  readonly script: string;
  readonly args?: Readonly<Record<string, string | number | boolean>>;
  readonly func?: string;
  /** The run's now, in ns since the epoch (decimal). */
  readonly now: string;
  /** px.plugin's window (RunOptions.pluginWindow), in ns since the epoch (decimal). */
  readonly window?: { readonly startNs: string; readonly endNs: string };
  /** Milliseconds the shard has to answer. */
  readonly timeoutMs: number;
  /** The digest of every part's statement (partsDigest). */
  readonly digest: string;
}

/** The subject a member's shard server answers on. */
export function querySubject(cluster: string, member: string): string {
  return `pxgate.${cluster}.query.${member}`;
}

/** A digest of the parts' statements and parameters, the same on every gateway of one version. */
export function partsDigest(d: DistributedScript): string {
  const hash = createHash('sha256');
  for (const t of d.tables) {
    for (const p of t.parts) {
      hash.update(p.query.sql);
      hash.update(JSON.stringify(p.query.params, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
    }
  }
  return hash.digest('hex');
}

/** Longest wait a request may ask for, in ms (the longest query deadline that makes sense). */
const MAX_TIMEOUT_MS = 10 * 60_000;

/** A shard request that is not one: answered as an error, never run. */
export class ShardRequestError extends Error {}

/** Checks a request's JSON, field by field, before anything is compiled. */
export function parseRequest(data: Uint8Array): ShardRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    throw new ShardRequestError('the request is not JSON');
  }
  const r = raw as Record<string, unknown>;
  const bad = (what: string) => new ShardRequestError(`the request's ${what}`);
  if (typeof r !== 'object' || r === null) throw bad('body is not an object');
  if (typeof r.script !== 'string' || r.script.length > MAX_SCRIPT_CHARS) throw bad('script');
  if (!isNs(r.now)) throw bad('now');
  if (typeof r.digest !== 'string' || !/^[0-9a-f]{64}$/.test(r.digest)) throw bad('digest');
  const timeout = r.timeoutMs;
  if (
    typeof timeout !== 'number' ||
    !Number.isInteger(timeout) ||
    timeout < 1 ||
    timeout > MAX_TIMEOUT_MS
  ) {
    throw bad('timeoutMs');
  }
  const w = r.window as Record<string, unknown> | undefined;
  if (
    w !== undefined &&
    !(typeof w === 'object' && w !== null && isNs(w.startNs) && isNs(w.endNs))
  ) {
    throw bad('window');
  }
  if (r.func !== undefined && (typeof r.func !== 'string' || r.func.length > 256))
    throw bad('func');
  if (r.args !== undefined) {
    if (typeof r.args !== 'object' || r.args === null || Array.isArray(r.args)) throw bad('args');
    for (const v of Object.values(r.args)) {
      if (!['string', 'number', 'boolean'].includes(typeof v)) throw bad('args');
    }
  }
  return {
    script: r.script,
    now: r.now,
    digest: r.digest,
    timeoutMs: timeout,
    ...(w !== undefined
      ? { window: { startNs: w.startNs as string, endNs: w.endNs as string } }
      : {}),
    ...(r.func !== undefined ? { func: r.func as string } : {}),
    ...(r.args !== undefined ? { args: r.args as Record<string, string> } : {}),
  };
}

/** Nanoseconds since the epoch, as a decimal string that fits INT64. */
function isNs(v: unknown): v is string {
  return typeof v === 'string' && /^\d{1,19}$/.test(v) && BigInt(v) < 2n ** 63n;
}

/** The error half of a reply: a script's fault keeps its kind and place. */
export interface ReplyError {
  readonly message: string;
  readonly kind?: UserErrorKind;
  readonly line?: number;
  readonly column?: number;
}

/** What a shard answered: the partitions it holds and one Arrow stream per part, or an error. */
export type ShardReply =
  | {
      readonly ok: true;
      readonly partitions: readonly string[];
      readonly answers: readonly Uint8Array[];
    }
  | { readonly ok: false; readonly error: ReplyError };

/**
 * A reply's bytes: a 4-byte little-endian length, that many bytes of JSON (`ok`, `partitions`
 * and the length of each part's answer, or `error`), then the answers back to back.
 */
export function encodeReply(reply: ShardReply): Uint8Array {
  const meta = reply.ok
    ? { ok: true, partitions: reply.partitions, sizes: reply.answers.map((a) => a.length) }
    : { ok: false, error: reply.error };
  const json = Buffer.from(JSON.stringify(meta), 'utf8');
  const parts = reply.ok ? reply.answers : [];
  const out = Buffer.alloc(4 + json.length + parts.reduce((n, a) => n + a.length, 0));
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  let at = 4 + json.length;
  for (const a of parts) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** A reply that breaks its framing: the shard is named where it is caught. */
export class ShardReplyError extends Error {}

/** Reads a reply's framing, checking every length against the bytes there are. */
export function decodeReply(data: Uint8Array, parts: number): ShardReply {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 4) throw new ShardReplyError(`the reply has ${buf.length} bytes, not a header`);
  const metaLength = buf.readUInt32LE(0);
  if (metaLength > buf.length - 4) {
    throw new ShardReplyError(`the reply's header claims ${metaLength} bytes of ${buf.length - 4}`);
  }
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(buf.subarray(4, 4 + metaLength).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new ShardReplyError("the reply's header is not JSON");
  }
  if (typeof meta !== 'object' || meta === null)
    throw new ShardReplyError('the reply has no header');
  if (meta.ok === false) return { ok: false, error: replyError(meta.error) };
  const { partitions, sizes } = meta;
  if (
    meta.ok !== true ||
    !Array.isArray(partitions) ||
    !partitions.every((p) => typeof p === 'string') ||
    !Array.isArray(sizes) ||
    sizes.length !== parts ||
    !sizes.every((s) => Number.isSafeInteger(s) && (s as number) >= 0)
  ) {
    throw new ShardReplyError(`the reply's header is not an answer of ${parts} parts`);
  }
  const answers: Uint8Array[] = [];
  let at = 4 + metaLength;
  for (const size of sizes as number[]) {
    if (size > buf.length - at) {
      throw new ShardReplyError(
        `part ${answers.length} claims ${size} bytes of ${buf.length - at} left`,
      );
    }
    answers.push(new Uint8Array(buf.buffer, buf.byteOffset + at, size));
    at += size;
  }
  if (at !== buf.length)
    throw new ShardReplyError(`the reply has ${buf.length - at} bytes after its parts`);
  return { ok: true, partitions: partitions as string[], answers };
}

function replyError(raw: unknown): ReplyError {
  const e = (raw ?? {}) as Record<string, unknown>;
  const message = typeof e.message === 'string' ? e.message.slice(0, 2000) : 'no message';
  const kinds: readonly UserErrorKind[] = ['invalid', 'limit-exceeded', 'busy', 'too-large'];
  const kind = kinds.find((k) => k === e.kind);
  const place =
    Number.isSafeInteger(e.line) && Number.isSafeInteger(e.column)
      ? { line: e.line as number, column: e.column as number }
      : {};
  return { message, ...(kind ? { kind } : {}), ...place };
}

/** The reply error for a failure on the shard: a script's fault keeps its kind and place. */
export function toReplyError(err: unknown): ReplyError {
  if (err instanceof UserError) {
    return {
      message: err.message,
      kind: err.kind,
      ...(err.line !== undefined ? { line: err.line, column: err.column ?? 1 } : {}),
    };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

/** The error a reply's error stands for on the coordinator (the script's, or the shard's). */
export function fromReplyError(e: ReplyError): Error {
  if (e.kind === undefined) return new Error(e.message);
  const loc = e.line !== undefined ? { line: e.line, column: e.column ?? 1 } : undefined;
  return new PxlError(e.message, loc, e.kind);
}
