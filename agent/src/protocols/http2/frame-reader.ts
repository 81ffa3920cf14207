import { ByteStream } from '../http/byte-stream';
import {
  CLIENT_PREFACE,
  DEFAULT_MAX_FRAME_SIZE,
  FRAME_HEADER_BYTES,
  Flag,
  FrameHeader,
  FrameType,
  frameRun,
  readFrameHeader,
  saneFrameHeader,
} from './frame';

/** Why a frame was skipped without being handed on. */
export type SkipReason = 'oversize' | 'hole';

/** Where a frame reader hands what it reads. */
export interface FrameSink {
  /**
   * A whole frame of a type the stitcher reads (not DATA): `payload` is a view valid during the
   * call only. `startTs` is the time of its first byte, `endTs` of its last.
   */
  frame(h: FrameHeader, payload: Uint8Array, startTs: number, endTs: number): void;
  /**
   * Data bytes of a DATA frame (padding left out), in order: `size` stream positions, of which
   * `parts` (views, valid during the call only) are the captured ones. `gap` when some were not.
   */
  data(h: FrameHeader, parts: readonly Uint8Array[], size: number, gap: boolean, ts: number): void;
  /** The end of a DATA frame (its END_STREAM flag is in `h`). */
  dataEnd(h: FrameHeader, startTs: number, endTs: number): void;
  /** A frame that had to be skipped: too large to hold, or its payload fell in a hole. */
  skipped(h: FrameHeader, reason: SkipReason): void;
  /** Frame boundaries were lost (or the connection was joined midway): searching again. */
  lostSync(): void;
}

/** Frame types whose payload the stitcher reads; the others are skipped by their length. */
const READ_TYPES = new Set<number>([
  FrameType.HEADERS,
  FrameType.CONTINUATION,
  FrameType.PUSH_PROMISE,
  FrameType.SETTINGS,
  FrameType.RST_STREAM,
  FrameType.GOAWAY,
]);

type State =
  | { readonly kind: 'preface' }
  | { readonly kind: 'header' }
  | { readonly kind: 'payload'; readonly h: FrameHeader; readonly startTs: number }
  | { readonly kind: 'data-pad'; readonly h: FrameHeader; readonly startTs: number }
  | {
      readonly kind: 'data';
      readonly h: FrameHeader;
      readonly startTs: number;
      remaining: number;
      pad: number;
    }
  | { readonly kind: 'skip'; remaining: number }
  /** Searching for a frame start at or after `from` (a stream position). */
  | { readonly kind: 'resync'; readonly from: number };

const EMPTY = new Uint8Array(0);

/**
 * Reads one direction of an HTTP/2 connection into frames, as bytes arrive (RFC 9113 section
 * 4). The client's side starts with the connection preface. Payloads the stitcher reads (header
 * blocks, SETTINGS, RST_STREAM, GOAWAY) are held whole up to `maxPayloadBytes`, larger ones are
 * skipped by their length; DATA is handed on as it arrives, never held. Holes in the capture are
 * skipped by count inside payloads; a frame header that falls in a hole, or one that breaks the
 * rules a header can break, loses the frame boundaries, and the reader searches the following
 * syscall chunks for a plausible run of frames. A client side that does not start with the
 * preface was joined midway, and is searched the same way.
 */
export class FrameReader {
  private state: State;
  /** The largest frame the receiving peer accepts (its SETTINGS_MAX_FRAME_SIZE). */
  maxFrameSize = DEFAULT_MAX_FRAME_SIZE;

  constructor(
    client: boolean,
    private readonly maxPayloadBytes: number,
  ) {
    this.state = client ? { kind: 'preface' } : { kind: 'header' };
  }

  /** Reads what the stream holds, handing frames to `sink`, until it needs more bytes. */
  read(stream: ByteStream, sink: FrameSink): void {
    for (;;) {
      if (stream.lost) {
        stream.lost = false;
        if (this.state.kind !== 'resync') this.lose(sink, stream.cursor);
      }
      if (!this.step(stream, sink)) return;
    }
  }

  /** One step; false when it must wait for more bytes. */
  private step(stream: ByteStream, sink: FrameSink): boolean {
    const s = this.state;
    switch (s.kind) {
      case 'preface':
        return this.preface(stream, sink);
      case 'header':
        return this.header(stream, sink);
      case 'payload':
        return this.payload(stream, sink, s.h, s.startTs);
      case 'data-pad':
        return this.dataPad(stream, s.h, s.startTs);
      case 'data':
        return this.data(stream, sink, s);
      case 'skip':
        s.remaining -= stream.consume(s.remaining);
        if (s.remaining > 0) return false;
        this.state = { kind: 'header' };
        return true;
      case 'resync':
        return this.resync(stream, s.from);
    }
  }

  private preface(stream: ByteStream, sink: FrameSink): boolean {
    if (stream.cursor >= stream.knownEnd()) return false;
    const { bytes, holeAfter } = stream.contiguous(CLIENT_PREFACE.length);
    const n = bytes.length;
    if (n > 0 && CLIENT_PREFACE.subarray(0, n).equals(bytes)) {
      if (n < CLIENT_PREFACE.length && !holeAfter) return false;
      if (n === CLIENT_PREFACE.length) {
        stream.consume(n);
        this.state = { kind: 'header' };
        return true;
      }
    }
    this.lose(sink, stream.cursor);
    return true;
  }

  private header(stream: ByteStream, sink: FrameSink): boolean {
    if (stream.cursor >= stream.knownEnd()) return false;
    const { bytes, holeAfter } = stream.contiguous(FRAME_HEADER_BYTES);
    if (bytes.length < FRAME_HEADER_BYTES) {
      if (!holeAfter && !stream.atHole()) return false;
      this.lose(sink, stream.cursor);
      return true;
    }
    const h = readFrameHeader(bytes, 0);
    if (!saneFrameHeader(h)) {
      this.lose(sink, stream.cursor + 1);
      return true;
    }
    const startTs = stream.tsAtCursor();
    stream.consume(FRAME_HEADER_BYTES);
    if (h.type === FrameType.DATA) {
      this.state =
        h.flags & Flag.PADDED
          ? { kind: 'data-pad', h, startTs }
          : { kind: 'data', h, startTs, remaining: h.length, pad: 0 };
    } else if (!READ_TYPES.has(h.type)) {
      this.state = { kind: 'skip', remaining: h.length };
    } else if (h.length > this.maxPayloadBytes) {
      sink.skipped(h, 'oversize');
      this.state = { kind: 'skip', remaining: h.length };
    } else {
      this.state = { kind: 'payload', h, startTs };
    }
    return true;
  }

  private payload(stream: ByteStream, sink: FrameSink, h: FrameHeader, startTs: number): boolean {
    if (h.length === 0) {
      this.state = { kind: 'header' };
      sink.frame(h, EMPTY, startTs, stream.lastTs);
      return true;
    }
    // Not before the whole payload is known: reading it as it trickles in would be quadratic.
    if (stream.knownEnd() - stream.cursor < h.length) return false;
    const { bytes, holeAfter } = stream.contiguous(h.length);
    if (bytes.length < h.length) {
      if (!holeAfter) return false;
      sink.skipped(h, 'hole');
      this.state = { kind: 'skip', remaining: h.length };
      return true;
    }
    stream.consume(h.length);
    this.state = { kind: 'header' };
    sink.frame(h, bytes, startTs, stream.lastTs);
    return true;
  }

  /** The pad length of a padded DATA frame; in a hole, the data is taken to have no padding. */
  private dataPad(stream: ByteStream, h: FrameHeader, startTs: number): boolean {
    if (h.length === 0) {
      // A padded frame without its pad length byte: malformed, but its length is still known.
      this.state = { kind: 'data', h, startTs, remaining: 0, pad: 0 };
      return true;
    }
    if (stream.cursor >= stream.knownEnd()) return false;
    const { bytes } = stream.contiguous(1);
    const pad = bytes.length === 1 ? bytes[0]! : 0;
    stream.consume(1);
    const body = Math.max(0, h.length - 1 - pad);
    this.state = { kind: 'data', h, startTs, remaining: body, pad: h.length - 1 - body };
    return true;
  }

  private data(stream: ByteStream, sink: FrameSink, s: Extract<State, { kind: 'data' }>): boolean {
    if (s.remaining > 0) {
      const parts: Uint8Array[] = [];
      const consumed = stream.consume(s.remaining, parts, s.remaining);
      if (consumed === 0) return false;
      s.remaining -= consumed;
      let captured = 0;
      for (const p of parts) captured += p.length;
      sink.data(s.h, parts, consumed, captured < consumed, stream.lastTs);
      if (s.remaining > 0) return true;
    }
    if (s.pad > 0) {
      s.pad -= stream.consume(s.pad);
      if (s.pad > 0) return false;
    }
    this.state = { kind: 'header' };
    sink.dataEnd(s.h, s.startTs, stream.lastTs);
    return true;
  }

  /** Frame boundaries are lost: search from stream position `from`. */
  private lose(sink: FrameSink, from: number): void {
    this.state = { kind: 'resync', from };
    sink.lostSync();
  }

  /**
   * Looks through the chunks from the cursor for where a run of frames starts (see `frameRun`):
   * at a chunk's start, one plausible header will do; elsewhere in it, two, or one whose frame
   * ends exactly where the chunk ends. What is searched without a find is consumed.
   */
  private resync(stream: ByteStream, from: number): boolean {
    for (;;) {
      const c = stream.head();
      if (!c) return false;
      if (c.pos > stream.cursor) {
        stream.consume(c.pos - stream.cursor);
        continue;
      }
      const first = Math.max(from, stream.cursor) - c.pos;
      for (let o = first; o + FRAME_HEADER_BYTES <= c.data.length; o++) {
        const run = frameRun(c.data, o, c.size, this.maxFrameSize);
        if (run.ends === 'bad') continue;
        if ((run.ends === 'exact' && c.data.length === c.size) || run.frames >= 2 || o === 0) {
          stream.consume(c.pos + o - stream.cursor);
          this.state = { kind: 'header' };
          return true;
        }
      }
      const toEnd = c.pos + c.size - stream.cursor;
      if (stream.consume(toEnd) < toEnd) return false;
      if (!stream.head()) {
        // Everything known was searched; the next chunk to arrive is searched from its start.
        this.state = { kind: 'resync', from: stream.cursor };
        return false;
      }
    }
  }
}
