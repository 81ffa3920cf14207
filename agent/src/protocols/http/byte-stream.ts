/** The other end of a datagram: its address and port. */
export interface Peer {
  readonly addr: string;
  readonly port: number;
}

/**
 * One captured chunk of a connection's byte stream: what one syscall moved, starting at stream
 * position `pos`. Only the first `data.length` of its `size` bytes were captured; the rest is a
 * hole whose length is known. On a datagram socket a chunk is one datagram, with its peer when
 * the socket is not connected.
 */
export interface Chunk {
  readonly pos: number;
  readonly size: number;
  /** Time of the syscall, ns (CLOCK_MONOTONIC, as the kernel stamps events). */
  readonly ts: number;
  readonly data: Uint8Array;
  readonly peer?: Peer | undefined;
}

/** Bytes from the cursor that were all captured, and whether missing bytes come right after. */
export interface ContiguousRun {
  readonly bytes: Buffer;
  /** True when the run stops at a hole or a gap (rather than at the end of what arrived). */
  readonly holeAfter: boolean;
}

const EMPTY = Buffer.alloc(0);

/**
 * One direction of a connection, reassembled from chunks in position order. Positions the
 * capture missed (truncated chunks, lost events) are holes: they can be skipped by count but not
 * read. Consumed chunks are released; captured bytes held are bounded by `maxBytes`, and when a
 * push would pass it the oldest chunks are dropped and `lost` is set for the parser to resync.
 */
export class ByteStream {
  private chunks: Chunk[] = [];
  private held = 0;
  private lastPushed: Chunk | undefined;
  /** First position not yet consumed. */
  cursor = 0;
  /** Set when chunks were dropped to stay in budget; the reader clears it. */
  lost = false;
  /** Time of the last chunk a consume touched. */
  lastTs = 0;

  constructor(private readonly maxBytes: number) {}

  /** Adds a chunk. Old (already consumed) and overlapping bytes are ignored. */
  push(chunk: Chunk): void {
    if (chunk.size <= 0) return;
    let c = chunk;
    if (c.pos < this.cursor) {
      const cut = this.cursor - c.pos;
      if (cut >= c.size) return;
      c = { pos: this.cursor, size: c.size - cut, ts: c.ts, data: c.data.subarray(cut) };
    }
    const last = this.chunks[this.chunks.length - 1];
    if (!last || c.pos >= last.pos + last.size) {
      this.chunks.push(c);
      this.lastPushed = c;
    } else {
      const at = this.chunks.findIndex((x) => x.pos > c.pos);
      const prev = at > 0 ? this.chunks[at - 1] : at === -1 ? last : undefined;
      const next = at >= 0 ? this.chunks[at] : undefined;
      if ((prev && prev.pos + prev.size > c.pos) || (next && c.pos + c.size > next.pos)) return;
      this.chunks.splice(at, 0, c);
      this.lastPushed = c;
    }
    this.held += c.data.length;
    while (this.held > this.maxBytes && this.chunks.length > 0) {
      const dropped = this.chunks.shift()!;
      this.held -= dropped.data.length;
      this.cursor = Math.max(this.cursor, dropped.pos + dropped.size);
      this.lost = true;
    }
  }

  /**
   * Gives the chunk pushed last memory of its own if it is still held (its message is not
   * complete yet). Chunks arrive as slices of a shared pool, cheap for the many that are parsed
   * at once; a slice held for longer would keep the whole pool alive.
   */
  keepLastPushed(): void {
    const c = this.lastPushed;
    this.lastPushed = undefined;
    if (!c || c.data.buffer.byteLength === c.data.length) return;
    const at = this.chunks.lastIndexOf(c);
    if (at >= 0)
      this.chunks[at] = { pos: c.pos, size: c.size, ts: c.ts, data: new Uint8Array(c.data) };
  }

  /** The end of the last chunk: positions before it are known (captured or holes). */
  knownEnd(): number {
    const last = this.chunks[this.chunks.length - 1];
    return last ? Math.max(this.cursor, last.pos + last.size) : this.cursor;
  }

  /** Whether the cursor sits on a position whose byte was not captured. */
  atHole(): boolean {
    const c = this.chunks[0];
    return c !== undefined && (c.pos > this.cursor || this.cursor >= c.pos + c.data.length);
  }

  /** Captured bytes from the cursor up to `max`, stopping at the first hole or gap. */
  contiguous(max: number): ContiguousRun {
    const first = this.chunks[0];
    if (!first) return { bytes: EMPTY, holeAfter: false };
    if (this.atHole()) return { bytes: EMPTY, holeAfter: true };
    const parts: Uint8Array[] = [];
    let length = 0;
    let pos = this.cursor;
    let holeAfter = false;
    for (const c of this.chunks) {
      if (c.pos > pos) {
        holeAfter = true;
        break;
      }
      const from = pos - c.pos;
      const part = c.data.subarray(from, Math.min(c.data.length, from + max - length));
      parts.push(part);
      length += part.length;
      pos = c.pos + from + part.length;
      if (length >= max) break;
      if (c.data.length < c.size) {
        holeAfter = true;
        break;
      }
    }
    const only = parts[0]!;
    const bytes =
      parts.length > 1
        ? Buffer.concat(parts)
        : Buffer.isBuffer(only)
          ? only
          : Buffer.from(only.buffer, only.byteOffset, only.length);
    return { bytes, holeAfter };
  }

  /**
   * Consumes up to `n` known positions (holes included) and appends up to `captureLeft` of the
   * captured bytes among them to `sink`. Returns how many positions were consumed.
   */
  consume(n: number, sink?: Uint8Array[], captureLeft = 0): number {
    const target = Math.min(this.cursor + n, this.knownEnd());
    let left = captureLeft;
    while (this.chunks.length > 0 && this.chunks[0]!.pos < target) {
      const c = this.chunks[0]!;
      const from = Math.max(0, this.cursor - c.pos);
      const to = Math.min(c.size, target - c.pos);
      if (sink && left > 0 && from < c.data.length) {
        const part = c.data.subarray(from, Math.min(c.data.length, to, from + left));
        if (part.length > 0) {
          sink.push(part);
          left -= part.length;
        }
      }
      this.lastTs = c.ts;
      if (to < c.size) break;
      this.chunks.shift();
      this.held -= c.data.length;
    }
    const consumed = target - this.cursor;
    this.cursor = target;
    return consumed;
  }

  /** Time of the chunk holding the cursor's byte (or the next one after a gap). */
  tsAtCursor(): number {
    return this.chunks[0]?.ts ?? this.lastTs;
  }

  /**
   * Moves the cursor to the first chunk that starts after it (or at it, when `inclusive`) and
   * whose captured bytes satisfy `startsMessage`. Without one, consumes everything known.
   * Returns whether one was found.
   */
  skipToChunkStart(startsMessage: (data: Uint8Array) => boolean, inclusive = false): boolean {
    for (const c of this.chunks) {
      const after = inclusive ? c.pos >= this.cursor : c.pos > this.cursor;
      if (after && startsMessage(c.data)) {
        this.consume(c.pos - this.cursor);
        return true;
      }
    }
    this.consume(this.knownEnd() - this.cursor);
    return false;
  }

  /** The chunk holding the cursor's position, or the next one after a gap. */
  head(): Chunk | undefined {
    return this.chunks[0];
  }

  /** Captured bytes held, for the budget. */
  heldBytes(): number {
    return this.held;
  }
}
