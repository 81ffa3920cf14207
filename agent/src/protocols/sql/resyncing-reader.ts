import { ByteStream } from '../http/byte-stream';
import { Side } from '../stitcher';

/**
 * The part every message reader of a binary database protocol shares: reading one message at a
 * time from a direction's stream, and, when bytes cannot be a message (or the capture lost some),
 * counting an error and skipping to the next syscall chunk that starts one. A subclass reads
 * messages (`step`) and forgets a half-read one (`restart`).
 */
export abstract class ResyncingReader<M> {
  /** Unparseable stretches skipped so far. */
  errors = 0;
  /** Set when bytes were skipped; the stitcher reads and clears it. */
  resynced = false;
  /** Skipping to a chunk that starts a message (`inclusive`: the one at the cursor counts). */
  private resync: { readonly inclusive: boolean } | undefined;

  constructor(
    protected readonly side: Side,
    private readonly startsMessage: (data: Uint8Array, side: Side) => boolean,
  ) {}

  /** The next complete message, or undefined when more bytes are needed. */
  next(stream: ByteStream, closed: boolean): M | undefined {
    for (;;) {
      if (stream.lost) {
        stream.lost = false;
        if (!this.resync) this.fail(true);
      }
      if (this.resync) {
        if (stream.cursor >= stream.knownEnd()) return undefined;
        const starts = (d: Uint8Array) => this.startsMessage(d, this.side);
        const found = stream.skipToChunkStart(starts, this.resync.inclusive);
        // Everything known was skipped: the next chunk to arrive starts at the cursor.
        this.resync = found ? undefined : { inclusive: true };
        if (!found) return undefined;
        this.restart();
        continue;
      }
      const step = this.step(stream, closed);
      if (step !== 'again') return step;
    }
  }

  /** Reads on: a message, 'again' to loop (state changed), or undefined to wait for bytes. */
  protected abstract step(stream: ByteStream, closed: boolean): M | 'again' | undefined;

  /** Forgets a half-read message: the next step starts a new one at the cursor. */
  protected abstract restart(): void;

  /** A message cut short by the connection's close: dropped, counted. */
  protected abandon(): undefined {
    this.errors++;
    this.resync = { inclusive: false };
    return undefined;
  }

  /** Skips a stretch that cannot be parsed; `inclusive` when the cursor was moved for us. */
  protected fail(inclusive = false): 'again' {
    this.errors++;
    this.resynced = true;
    this.resync = { inclusive };
    return 'again';
  }
}
