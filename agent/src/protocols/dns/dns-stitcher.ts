import { ByteStream, Chunk, Peer } from '../http/byte-stream';
import { PendingRequests } from '../pending-requests';
import { Side, Stitcher } from '../stitcher';
import { DnsMessage, DnsMessageLimits, DnsParse, isResponse, parseDnsMessage } from './dns-message';
import { DnsTcpFramer } from './dns-tcp-framer';

/** A message with the times of its first and last byte (monotonic ns). */
export interface TimedDnsMessage {
  readonly msg: DnsMessage;
  readonly startTs: number;
  readonly endTs: number;
  /** The other end of its datagram, when the socket is not connected (a server's, say). */
  readonly peer?: Peer | undefined;
}

/** A query and the response that answered it. */
export interface DnsExchange {
  readonly req: TimedDnsMessage;
  readonly resp: TimedDnsMessage;
}

export interface DnsStitcherLimits extends DnsMessageLimits {
  /** Captured bytes held per direction of a TCP connection while a message is incomplete. */
  readonly maxBufferBytes: number;
  /** Queries held while waiting for their responses. */
  readonly maxPendingRequests: number;
  /** A query unanswered for this long (by the times of later chunks) is given up, ns. */
  readonly requestTimeoutNs: number;
}

export const DEFAULT_DNS_LIMITS: DnsStitcherLimits = {
  maxQuestions: 8,
  maxAnswers: 64,
  // A TCP message is at most 65,535 bytes and its 2-byte prefix.
  maxBufferBytes: 256 * 1024,
  maxPendingRequests: 256,
  requestTimeoutNs: 10e9,
};

/** How DNS travels: one message per datagram, or length-prefixed messages on a stream. */
export type DnsTransport = 'udp' | 'tcp';

/**
 * One DNS socket or connection: parses queries and responses (each UDP chunk is one datagram;
 * TCP is reassembled and framed by length) and pairs each response with the earliest pending
 * query of the same id and question, sent before it, to or from the same peer: resolvers keep
 * several queries in flight and answers come in any order, and a server's one socket answers
 * many clients. A query repeated with the same id and question before its answer is a
 * retransmission and keeps the first one's time. Pure: chunks in, exchanges out.
 */
export class DnsStitcher implements Stitcher<DnsExchange> {
  private readonly pending: PendingRequests<TimedDnsMessage>;
  private readonly tcp:
    | { readonly streams: Record<Side, ByteStream>; readonly framers: Record<Side, DnsTcpFramer> }
    | undefined;
  private closed = false;
  /** Messages that did not parse, or went the wrong way. */
  private malformed = 0;

  constructor(
    transport: DnsTransport,
    private readonly limits: DnsStitcherLimits = DEFAULT_DNS_LIMITS,
  ) {
    this.pending = new PendingRequests(limits.maxPendingRequests);
    this.tcp =
      transport === 'tcp'
        ? {
            streams: {
              request: new ByteStream(limits.maxBufferBytes),
              response: new ByteStream(limits.maxBufferBytes),
            },
            framers: {
              request: new DnsTcpFramer('request'),
              response: new DnsTcpFramer('response'),
            },
          }
        : undefined;
  }

  /** Adds a chunk of queries (sent by a client, received by a server) or of responses. */
  push(side: Side, chunk: Chunk): DnsExchange[] {
    if (this.closed || chunk.size <= 0) return [];
    // Queries are pending in the order they were sent, so the expired ones are the oldest.
    this.pending.expireBefore(chunk.ts - this.limits.requestTimeoutNs);
    const out: DnsExchange[] = [];
    if (!this.tcp) {
      const cut = chunk.data.length < chunk.size;
      const parsed = parseDnsMessage(chunk.data, this.limits, cut);
      this.take(side, parsed, chunk.ts, chunk.ts, out, chunk.peer);
      return out;
    }
    const stream = this.tcp.streams[side];
    stream.push(chunk);
    for (;;) {
      const framed = this.tcp.framers[side].next(stream);
      if (!framed) break;
      const parsed = parseDnsMessage(framed.bytes, this.limits, framed.cut);
      this.take(side, parsed, framed.startTs, framed.endTs, out);
    }
    stream.keepLastPushed();
    return out;
  }

  /** The connection or socket ended: unanswered queries are dropped. */
  close(): DnsExchange[] {
    if (this.closed) return [];
    this.closed = true;
    this.pending.dropAll();
    return [];
  }

  /** Unparseable messages, lost TCP framing and unmatched messages, for the parse-error counter. */
  errors(): number {
    const framing = this.tcp
      ? this.tcp.framers.request.errors + this.tcp.framers.response.errors
      : 0;
    return this.malformed + this.pending.unmatched + framing;
  }

  /** Queries waiting for a response (for idle expiry). */
  pendingRequests(): number {
    return this.pending.length;
  }

  /** Captured bytes held for incomplete TCP messages (for the agent's memory budget). */
  heldBytes(): number {
    return this.tcp
      ? this.tcp.streams.request.heldBytes() + this.tcp.streams.response.heldBytes()
      : 0;
  }

  private take(
    side: Side,
    parsed: DnsParse,
    startTs: number,
    endTs: number,
    out: DnsExchange[],
    peer?: Peer,
  ): void {
    if (!parsed.ok || isResponse(parsed.msg.header) !== (side === 'response')) {
      this.malformed++;
      return;
    }
    const m: TimedDnsMessage = { msg: parsed.msg, startTs, endTs, peer };
    if (side === 'request') this.addQuery(m);
    else this.answer(m, out);
  }

  private addQuery(m: TimedDnsMessage): void {
    if (!this.pending.some((q) => samePeer(q, m) && sameQuery(q.msg, m.msg))) this.pending.add(m);
  }

  private answer(resp: TimedDnsMessage, out: DnsExchange[]): void {
    const req = this.pending.takeFirst(
      (q) => q.startTs <= resp.startTs && samePeer(q, resp) && sameQuery(q.msg, resp.msg),
    );
    if (req) out.push({ req, resp });
  }
}

/**
 * Whether two datagrams went to or came from the same peer. One that names none (a connected
 * socket's: its peer is the connection's) is taken to be of the same one.
 */
function samePeer(a: TimedDnsMessage, b: TimedDnsMessage): boolean {
  if (!a.peer || !b.peer) return true;
  return a.peer.addr === b.peer.addr && a.peer.port === b.peer.port;
}

/**
 * Whether two messages are about the same query: the same id and, when both carry one, the same
 * first question (names compared without case: resolvers randomise it, RFC 4343).
 */
function sameQuery(a: DnsMessage, b: DnsMessage): boolean {
  if (a.header.txid !== b.header.txid) return false;
  const qa = a.questions[0];
  const qb = b.questions[0];
  if (!qa || !qb) return true;
  return (
    qa.type === qb.type && qa.cls === qb.cls && qa.name.toLowerCase() === qb.name.toLowerCase()
  );
}
