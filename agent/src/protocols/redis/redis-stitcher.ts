import { ByteStream, Chunk } from '../http/byte-stream';
import { PendingRequests } from '../pending-requests';
import { Side, Stitcher } from '../stitcher';
import { RespLimits, RespMessage, RespParser } from './resp-parser';

/**
 * A command and the reply that answered it; or a message published to a channel this client
 * subscribed to, which answers no command (Pixie's records of req_cmd `PUSH PUB`).
 */
export type RedisExchange =
  | { readonly kind: 'reply'; readonly req: RespMessage; readonly resp: RespMessage }
  | { readonly kind: 'push'; readonly resp: RespMessage };

export interface RedisStitcherLimits extends RespLimits {
  /** Captured bytes held per direction while a message is incomplete. */
  readonly maxBufferBytes: number;
  /** Commands held while waiting for their replies. */
  readonly maxPendingRequests: number;
}

export const DEFAULT_REDIS_LIMITS: RedisStitcherLimits = {
  maxValueBytes: 1024,
  maxMessageChars: 16 * 1024,
  maxDepth: 32,
  maxLineBytes: 16 * 1024,
  maxBufferBytes: 1024 * 1024,
  maxPendingRequests: 256,
};

const T = (c: string) => c.charCodeAt(0);
const PUSH = T('>');
const ARRAY = T('*');
const SIMPLE = T('+');
/** Pushes that deliver a published message. */
const PUBLISHED = new Set(['message', 'pmessage', 'smessage']);
/** Commands that are answered once per channel, and the kind of those answers. */
const SUBSCRIPTIONS = new Set([
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
]);

/**
 * One Redis connection: parses both directions and pairs each reply with the oldest command
 * still unanswered (Redis answers in order, pipelined or not). Out-of-band messages are not
 * paired: published messages become records of their own; the further confirmations of a
 * SUBSCRIBE to several channels, other RESP3 pushes (client-side caching invalidations) and
 * a MONITOR feed are skipped. Pure: chunks in, exchanges out.
 */
export class RedisStitcher implements Stitcher<RedisExchange> {
  private readonly streams: Record<Side, ByteStream>;
  private readonly parsers: Record<Side, RespParser>;
  private readonly pending: PendingRequests<RespMessage>;
  private closed = false;
  /** In RESP2 subscribed mode: replies that look like published messages are. */
  private subscribed = false;
  /** Confirmations still due for the last (un)subscribe (-1: until no subscription is left). */
  private confirmations: { kind: string; left: number } | undefined;
  private monitoring = false;

  constructor(limits: RedisStitcherLimits = DEFAULT_REDIS_LIMITS) {
    this.pending = new PendingRequests(limits.maxPendingRequests);
    this.streams = {
      request: new ByteStream(limits.maxBufferBytes),
      response: new ByteStream(limits.maxBufferBytes),
    };
    this.parsers = {
      request: new RespParser('request', limits),
      response: new RespParser('response', limits),
    };
  }

  /** Adds a chunk of commands (written by a client, read by a server) or of replies. */
  push(side: Side, chunk: Chunk): RedisExchange[] {
    if (this.closed) return [];
    const stream = this.streams[side];
    stream.push(chunk);
    const out = this.drain();
    stream.keepLastPushed();
    return out;
  }

  /** The connection closed: what is unanswered is dropped. */
  close(): RedisExchange[] {
    if (this.closed) return [];
    this.closed = true;
    this.pending.dropAll();
    return [];
  }

  /** Unparseable stretches plus unmatched messages, for the parse-error counter. */
  errors(): number {
    return this.parsers.request.errors + this.parsers.response.errors + this.pending.unmatched;
  }

  /** Commands waiting for a reply (for idle expiry). */
  pendingRequests(): number {
    return this.pending.length;
  }

  /** Captured bytes held for incomplete messages (for the agent's memory budget). */
  heldBytes(): number {
    return this.streams.request.heldBytes() + this.streams.response.heldBytes();
  }

  private drain(): RedisExchange[] {
    const out: RedisExchange[] = [];
    for (;;) {
      const req = this.parsers.request.next(this.streams.request);
      if (!req) break;
      this.pending.add(req);
    }
    for (;;) {
      const resp = this.parsers.response.next(this.streams.response);
      if (!resp) break;
      this.reply(resp, out);
    }
    return out;
  }

  private reply(resp: RespMessage, out: RedisExchange[]): void {
    const kind = pushKind(resp);
    const outOfBand = resp.type === PUSH || this.subscribed || this.pending.length === 0;
    if (kind !== undefined && PUBLISHED.has(kind) && outOfBand) {
      out.push({ kind: 'push', resp });
      return;
    }
    const due = this.confirmations;
    if (kind !== undefined && due && due.kind === kind && due.left !== 0) {
      due.left--;
      this.countSubscriptions(resp);
      return;
    }
    if (resp.type === PUSH && !(kind !== undefined && SUBSCRIPTIONS.has(kind))) return;
    if (this.monitoring && resp.type === SIMPLE) return;
    const req = this.matchRequest(resp);
    if (!req) return;
    out.push({ kind: 'reply', req, resp });
    this.answered(req, resp);
  }

  /** What a command changes in how the replies after it are read. */
  private answered(req: RespMessage, resp: RespMessage): void {
    const word = req.values?.[0]?.toLowerCase() ?? '';
    if (SUBSCRIPTIONS.has(word)) {
      const channels = req.values!.length - 1;
      this.confirmations = { kind: word, left: channels > 0 ? channels - 1 : -1 };
      this.countSubscriptions(resp);
    } else if (word === 'monitor') {
      this.monitoring = resp.text === 'OK';
    } else if (word === 'reset') {
      this.subscribed = false;
      this.monitoring = false;
      this.confirmations = undefined;
    }
  }

  /** A (un)subscribe confirmation says how many subscriptions the client has left. */
  private countSubscriptions(resp: RespMessage): void {
    const count = Number(resp.values?.[2]);
    if (!Number.isFinite(count)) return;
    this.subscribed = count > 0;
    if (count === 0 && this.confirmations?.left === -1) this.confirmations = undefined;
  }

  /**
   * The oldest pending command answers. After the reply stream lost bytes, how many replies
   * were lost is unknown: the latest command sent before this reply is taken.
   */
  private matchRequest(resp: RespMessage): RespMessage | undefined {
    const parser = this.parsers.response;
    if (!parser.resynced) return this.pending.takeOldest();
    parser.resynced = false;
    return this.pending.takeLatestBefore(resp.startTs);
  }
}

/** The kind of an array or push that may be out of band (`message`, `subscribe`, ...). */
function pushKind(m: RespMessage): string | undefined {
  if ((m.type !== ARRAY && m.type !== PUSH) || !m.values || m.values.length < 3) return undefined;
  return m.values[0]!.toLowerCase();
}
