import { ByteStream, Chunk } from './byte-stream';
import { HttpMessage, MessageParser, ParserLimits } from './message-parser';
import { Side, Stitcher } from '../stitcher';

/** A request and the response that answered it. */
export interface HttpExchange {
  readonly req: HttpMessage;
  readonly resp: HttpMessage;
}

export interface StitcherLimits extends ParserLimits {
  /** Captured bytes held per direction while messages are incomplete. */
  readonly maxBufferBytes: number;
  /** Requests held while waiting for their responses. */
  readonly maxPendingRequests: number;
}

export const DEFAULT_STITCHER_LIMITS: StitcherLimits = {
  maxBodyBytes: 1024,
  maxHeadBytes: 16 * 1024,
  maxBufferBytes: 1024 * 1024,
  maxPendingRequests: 256,
};

/**
 * One HTTP/1.x connection: reassembles both directions and pairs each response with its request
 * in order (keep-alive and pipelining). Informational (1xx) responses are skipped; after a 101
 * the connection speaks another protocol and is no longer parsed. Pure: chunks in, exchanges out.
 */
export class HttpStitcher implements Stitcher<HttpExchange> {
  private readonly reqStream: ByteStream;
  private readonly respStream: ByteStream;
  private readonly reqParser: MessageParser;
  private readonly respParser: MessageParser;
  private readonly pending: HttpMessage[] = [];
  private closed = false;
  private upgraded = false;
  /** Requests dropped unanswered and responses without a request. */
  private unmatched = 0;

  constructor(private readonly limits: StitcherLimits = DEFAULT_STITCHER_LIMITS) {
    this.reqStream = new ByteStream(limits.maxBufferBytes);
    this.respStream = new ByteStream(limits.maxBufferBytes);
    this.reqParser = new MessageParser('request', limits);
    this.respParser = new MessageParser('response', limits);
  }

  /** Adds a chunk of requests (written by a client, read by a server) or of responses. */
  push(kind: Side, chunk: Chunk): HttpExchange[] {
    if (this.upgraded || this.closed) return [];
    const stream = kind === 'request' ? this.reqStream : this.respStream;
    stream.push(chunk);
    const out = this.drain();
    stream.keepLastPushed();
    return out;
  }

  /** The connection closed: completes close-delimited responses and drops what is unanswered. */
  close(): HttpExchange[] {
    if (this.closed) return [];
    this.closed = true;
    const out = this.upgraded ? [] : this.drain();
    this.unmatched += this.pending.length;
    this.pending.length = 0;
    return out;
  }

  /** Unparseable stretches plus unmatched messages, for the parse-error counter. */
  errors(): number {
    return this.reqParser.errors + this.respParser.errors + this.unmatched;
  }

  /** Requests waiting for a response (for idle expiry). */
  pendingRequests(): number {
    return this.pending.length;
  }

  private drain(): HttpExchange[] {
    const out: HttpExchange[] = [];
    const ctx = { closed: this.closed };
    for (;;) {
      const req = this.reqParser.next(this.reqStream, ctx);
      if (!req) break;
      this.pending.push(req);
      if (this.pending.length > this.limits.maxPendingRequests) {
        this.pending.shift();
        this.unmatched++;
      }
    }
    for (;;) {
      const resp = this.respParser.next(this.respStream, {
        closed: this.closed,
        requestMethod: this.pending[0]?.head.method,
      });
      if (!resp) break;
      const status = resp.head.status;
      if (status >= 100 && status < 200 && status !== 101) continue;
      const req = this.matchRequest(resp);
      if (!req) {
        this.unmatched++;
        continue;
      }
      out.push({ req, resp });
      if (status === 101) {
        this.upgraded = true;
        break;
      }
    }
    return out;
  }

  /**
   * The oldest pending request answers in order. After the response stream lost bytes, the
   * count of lost responses is unknown: the latest request sent before this response is taken,
   * and the older ones are dropped as unanswered.
   */
  private matchRequest(resp: HttpMessage): HttpMessage | undefined {
    if (!this.respParser.resynced) return this.pending.shift();
    this.respParser.resynced = false;
    let at = -1;
    for (let i = 0; i < this.pending.length; i++) {
      if (this.pending[i]!.startTs <= resp.startTs) at = i;
    }
    if (at < 0) return undefined;
    this.unmatched += at;
    const [req] = this.pending.splice(0, at + 1).slice(-1);
    return req;
  }
}
