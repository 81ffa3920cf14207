import { ByteStream } from '../http/byte-stream';
import { ResyncingReader } from '../sql/resyncing-reader';
import { Side } from '../stitcher';
import { MAX_MESSAGE_LENGTH, MAX_STARTUP_LENGTH, validTag } from './pgsql-protocol';

/** One PostgreSQL message as read from a direction's stream. */
export interface PgMessage {
  /** The message's tag; for untagged messages (startup family, SSL answers) see `untagged`. */
  readonly tag: number;
  /**
   * Untagged: a startup-family message (length, then a code; `tag` is 0) or the one-byte answer
   * to an SSLRequest or GSSENCRequest (`tag` is that byte, 'S', 'N' or 'G').
   */
  readonly untagged: boolean;
  /** The payload's captured bytes (after tag and length), at most the reader's limit. */
  readonly payload: Uint8Array;
  /** Whether `payload` is shorter than the message's payload (too long, or a hole in the capture). */
  readonly truncated: boolean;
  /** Times of the message's first and last byte, monotonic ns. */
  readonly startTs: number;
  readonly endTs: number;
}

type State =
  | { readonly kind: 'start' }
  /** A message longer than the limit: its kept prefix, and the bytes still to skip. */
  | {
      readonly kind: 'skip';
      readonly tag: number;
      readonly payload: Uint8Array;
      readonly startTs: number;
      remaining: number;
    };

const EMPTY = new Uint8Array(0);

/**
 * Splits one direction of a PostgreSQL connection into messages as bytes arrive: a tag byte and
 * a length that counts itself, or (from a client) a length and a code with no tag. A message up
 * to `maxMessageBytes` is read whole; a longer one keeps that many bytes of its payload and
 * skips the rest as it arrives, so a huge DataRow is never held. What cannot be a message is
 * counted in `errors` and skipped to the next syscall that starts one.
 */
export class PgMessageReader extends ResyncingReader<PgMessage> {
  private state: State = { kind: 'start' };
  /** The next response is the one-byte answer to an SSLRequest or GSSENCRequest. */
  expectSslAnswer = false;

  constructor(
    side: Side,
    private readonly maxMessageBytes: number,
  ) {
    super(side, startsMessages);
  }

  protected restart(): void {
    this.state = { kind: 'start' };
  }

  protected step(stream: ByteStream, closed: boolean): PgMessage | 'again' | undefined {
    const s = this.state;
    if (s.kind === 'start') return this.start(stream, closed);
    s.remaining -= stream.consume(s.remaining);
    if (s.remaining > 0) return closed ? this.abandon() : undefined;
    this.state = { kind: 'start' };
    return {
      tag: s.tag,
      untagged: false,
      payload: s.payload,
      truncated: true,
      startTs: s.startTs,
      endTs: stream.lastTs,
    };
  }

  private start(stream: ByteStream, closed: boolean): PgMessage | 'again' | undefined {
    if (stream.cursor >= stream.knownEnd()) return undefined;
    if (stream.atHole()) return this.fail();
    const startTs = stream.tsAtCursor();
    if (this.expectSslAnswer && this.side === 'response') {
      const tag = stream.contiguous(1).bytes[0]!;
      this.expectSslAnswer = false;
      stream.consume(1);
      return { tag, untagged: true, payload: EMPTY, truncated: false, startTs, endTs: startTs };
    }
    const head = stream.contiguous(5);
    if (head.bytes.length < 5) {
      if (head.holeAfter) return this.fail();
      return closed ? this.abandon() : undefined;
    }
    const b = head.bytes;
    const untagged = this.side === 'request' && b[0] === 0;
    const tag = untagged ? 0 : b[0]!;
    const length = untagged ? b.readInt32BE(0) : b.readInt32BE(1);
    if (untagged ? length < 8 || length > MAX_STARTUP_LENGTH : !validTag(tag, this.side)) {
      return this.fail();
    }
    if (length < 4 || length > MAX_MESSAGE_LENGTH) return this.fail();
    const headerLength = untagged ? 4 : 5;
    const total = untagged ? length : length + 1;
    const keep = Math.min(total, headerLength + this.maxMessageBytes);
    if (stream.knownEnd() - stream.cursor < keep) {
      return closed ? this.abandon() : undefined;
    }
    const run = stream.contiguous(keep);
    const payload = run.bytes.subarray(headerLength);
    if (keep < total) {
      this.state = {
        kind: 'skip',
        tag,
        payload: new Uint8Array(payload),
        startTs,
        remaining: total,
      };
      return 'again';
    }
    stream.consume(total);
    return {
      tag,
      untagged,
      payload,
      truncated: run.bytes.length < total,
      startTs,
      endTs: stream.lastTs,
    };
  }
}

/**
 * Whether captured bytes begin with messages of that side: every whole message in them has a
 * valid tag and length, and they end at a message boundary or inside a message. A client's
 * untagged startup-family message counts too.
 */
export function startsMessages(data: Uint8Array, side: Side): boolean {
  if (data.length < 5) return false;
  let at = 0;
  let seen = 0;
  // Whole messages are checked one after another; the last may run past the chunk.
  while (at + 5 <= data.length && seen < 64) {
    const untagged = side === 'request' && at === 0 && data[0] === 0;
    const length =
      ((data[at + (untagged ? 0 : 1)]! << 24) |
        (data[at + (untagged ? 1 : 2)]! << 16) |
        (data[at + (untagged ? 2 : 3)]! << 8) |
        data[at + (untagged ? 3 : 4)]!) >>>
      0;
    if (untagged ? length < 8 || length > MAX_STARTUP_LENGTH : !validTag(data[at]!, side)) {
      return false;
    }
    if (length < 4 || length > MAX_MESSAGE_LENGTH) return false;
    at += untagged ? length : length + 1;
    seen++;
  }
  return true;
}
