import { ByteStream } from '../http/byte-stream';
import { ResyncingReader } from '../sql/resyncing-reader';
import { Side } from '../stitcher';
import { MAX_PACKET_PAYLOAD, validCommand } from './mysql-protocol';

/** One MySQL packet (or a packet and its continuations, for payloads of 16 MiB and more). */
export interface MyPacket {
  /** Sequence id of its first physical packet, and of its last. */
  readonly seq: number;
  readonly lastSeq: number;
  /** The payload's full length. */
  readonly length: number;
  /** Its captured first bytes, at most the reader's limit. */
  readonly payload: Uint8Array;
  readonly truncated: boolean;
  readonly startTs: number;
  readonly endTs: number;
}

type State =
  | { readonly kind: 'start' }
  /** Skipping the rest of a long packet, then its continuation packets. */
  | {
      readonly kind: 'skip';
      readonly first: Omit<MyPacket, 'endTs' | 'lastSeq' | 'length'>;
      remaining: number;
      continued: boolean;
      length: number;
      lastSeq: number;
    };

/**
 * Splits one direction of a MySQL connection into packets as bytes arrive: a 3-byte
 * little-endian length, a sequence id, the payload. A packet up to `maxMessageBytes` is read
 * whole; a longer one keeps that many bytes and skips the rest (and its continuation packets) as
 * they arrive. What cannot be a packet is counted in `errors` and skipped to the next syscall
 * that starts one.
 */
export class MyPacketReader extends ResyncingReader<MyPacket> {
  private state: State = { kind: 'start' };

  constructor(
    side: Side,
    private readonly maxMessageBytes: number,
  ) {
    super(side, startsPacket);
  }

  protected restart(): void {
    this.state = { kind: 'start' };
  }

  protected step(stream: ByteStream, closed: boolean): MyPacket | 'again' | undefined {
    const s = this.state;
    return s.kind === 'start' ? this.start(stream, closed) : this.skip(stream, s, closed);
  }

  private start(stream: ByteStream, closed: boolean): MyPacket | 'again' | undefined {
    if (stream.cursor >= stream.knownEnd()) return undefined;
    if (stream.atHole()) return this.fail();
    const head = stream.contiguous(4);
    if (head.bytes.length < 4) {
      if (head.holeAfter) return this.fail();
      return closed ? this.abandon() : undefined;
    }
    const length = head.bytes[0]! | (head.bytes[1]! << 8) | (head.bytes[2]! << 16);
    const seq = head.bytes[3]!;
    const total = 4 + length;
    const keep = Math.min(total, 4 + this.maxMessageBytes);
    if (stream.knownEnd() - stream.cursor < keep) {
      return closed ? this.abandon() : undefined;
    }
    const startTs = stream.tsAtCursor();
    const run = stream.contiguous(keep);
    const payload = run.bytes.subarray(4);
    if (keep < total || length === MAX_PACKET_PAYLOAD) {
      const first = { seq, payload: new Uint8Array(payload), truncated: true, startTs };
      stream.consume(keep);
      this.state = {
        kind: 'skip',
        first,
        remaining: total - keep,
        continued: length === MAX_PACKET_PAYLOAD,
        length,
        lastSeq: seq,
      };
      return 'again';
    }
    stream.consume(total);
    return {
      seq,
      lastSeq: seq,
      length,
      payload,
      truncated: run.bytes.length < total,
      startTs,
      endTs: stream.lastTs,
    };
  }

  /** Skips what is left of a long packet, then reads and skips its continuation packets. */
  private skip(
    stream: ByteStream,
    s: State & { kind: 'skip' },
    closed: boolean,
  ): MyPacket | 'again' | undefined {
    for (;;) {
      if (s.remaining > 0) {
        s.remaining -= stream.consume(s.remaining);
        if (s.remaining > 0) {
          return closed ? this.abandon() : undefined;
        }
      }
      if (!s.continued) break;
      // The next packet continues this one: its header says how much more there is.
      if (stream.cursor >= stream.knownEnd()) {
        return closed ? this.abandon() : undefined;
      }
      const head = stream.contiguous(4);
      if (head.bytes.length < 4) {
        if (head.holeAfter || stream.atHole()) return this.fail();
        return closed ? this.abandon() : undefined;
      }
      const more = head.bytes[0]! | (head.bytes[1]! << 8) | (head.bytes[2]! << 16);
      stream.consume(4);
      s.length += more;
      s.lastSeq = head.bytes[3]!;
      s.remaining = more;
      s.continued = more === MAX_PACKET_PAYLOAD;
    }
    this.state = { kind: 'start' };
    return { ...s.first, lastSeq: s.lastSeq, length: s.length, endTs: stream.lastTs };
  }
}

/**
 * Whether captured bytes start a packet where a parser can pick up again: from a client, a
 * command (sequence id 0, a command byte that fits the length); from a server, the first packet
 * of a response (sequence id 1, a generic response or a column count).
 */
export function startsPacket(data: Uint8Array, side: Side): boolean {
  if (data.length < 5) return false;
  const length = data[0]! | (data[1]! << 8) | (data[2]! << 16);
  const seq = data[3]!;
  if (side === 'request') return seq === 0 && validCommand(data[4]!, length);
  return seq === 1 && length > 0;
}
