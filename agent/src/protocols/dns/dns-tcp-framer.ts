import { ByteStream } from '../http/byte-stream';
import { Side } from '../stitcher';
import { looksLikeDnsMessage } from './dns-infer';
import { HEADER_BYTES } from './dns-message';

/** One DNS message cut from a TCP stream, with the times of its first and last byte. */
export interface FramedDnsMessage {
  /** The captured bytes of the message (without its length prefix): a view, read it at once. */
  readonly bytes: Uint8Array;
  /** True when holes in the capture left only a prefix of the message. */
  readonly cut: boolean;
  readonly startTs: number;
  readonly endTs: number;
}

/**
 * Cuts one direction of DNS over TCP into messages: each is a 2-byte big-endian length and that
 * many bytes (RFC 1035 4.2.2), however the syscalls split or join them. The length frames the
 * message, so holes inside one only cut it short; a hole over a length prefix (or a length that
 * cannot be a message) loses the framing, counted, until a syscall chunk starts with a message.
 */
export class DnsTcpFramer {
  /** Stretches skipped because the framing was lost. */
  errors = 0;
  private resyncing = false;
  /** While resynchronising: the chunk at the cursor may start a message (the cursor was moved for us). */
  private inclusive = false;

  constructor(private readonly side: Side) {}

  /** The next complete message, or undefined until more bytes arrive. */
  next(stream: ByteStream): FramedDnsMessage | undefined {
    for (;;) {
      if (stream.lost) {
        stream.lost = false;
        this.lose(true);
      }
      if (stream.cursor >= stream.knownEnd()) return undefined;
      if (this.resyncing) {
        const found = stream.skipToChunkStart(
          (d) => d.length >= 2 && looksLikeDnsMessage(d.subarray(2), this.side),
          this.inclusive,
        );
        // Without one, everything known was skipped: the next chunk starts at the cursor.
        this.inclusive = !found;
        if (!found) return undefined;
        this.resyncing = false;
      }
      if (stream.atHole()) {
        this.lose(false);
        continue;
      }
      const prefix = stream.contiguous(2);
      if (prefix.bytes.length < 2) {
        if (!prefix.holeAfter) return undefined;
        this.lose(false);
        continue;
      }
      const length = prefix.bytes.readUInt16BE(0);
      if (length < HEADER_BYTES) {
        this.lose(false);
        continue;
      }
      if (stream.knownEnd() - stream.cursor < length + 2) return undefined;
      const startTs = stream.tsAtCursor();
      const run = stream.contiguous(length + 2);
      const bytes = run.bytes.subarray(2);
      stream.consume(length + 2);
      return { bytes, cut: bytes.length < length, startTs, endTs: stream.lastTs };
    }
  }

  private lose(inclusive: boolean): void {
    this.errors++;
    this.resyncing = true;
    this.inclusive = inclusive;
  }
}
