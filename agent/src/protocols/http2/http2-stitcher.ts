import { ByteStream, Chunk } from '../http/byte-stream';
import { DEFAULT_STITCHER_LIMITS, StitcherLimits } from '../http/http-stitcher';
import { Side, Stitcher } from '../stitcher';
import {
  DEFAULT_MAX_FRAME_SIZE,
  FRAME_HEADER_BYTES,
  Flag,
  FrameHeader,
  FrameType,
  LARGEST_MAX_FRAME_SIZE,
  SETTINGS_HEADER_TABLE_SIZE,
  SETTINGS_MAX_FRAME_SIZE,
} from './frame';
import { FrameReader, FrameSink } from './frame-reader';
import { HeaderBlock, HeaderBlocks, readStreamId } from './header-blocks';
import { HeaderField } from './hpack/hpack-decoder';
import { Http2ErrorCounts, noHttp2Errors, totalErrors } from './http2-errors';
import { HalfStream, Http2Exchange, Http2Stream } from './http2-stream';

export interface Http2Limits extends StitcherLimits {
  /** Longest header block (a HEADERS frame with its CONTINUATIONs) decoded. */
  readonly maxHeaderBlockBytes: number;
  /** Most bytes (as HPACK counts them) each direction's dynamic table keeps. */
  readonly maxDynamicTableBytes: number;
}

/** HTTP/1's limits (bodies, header bytes kept, buffers, pending requests) and HTTP/2's own. */
export const DEFAULT_HTTP2_LIMITS: Http2Limits = {
  ...DEFAULT_STITCHER_LIMITS,
  maxHeaderBlockBytes: 64 * 1024,
  maxDynamicTableBytes: 64 * 1024,
};

/** One direction's parsing state. */
interface Direction {
  readonly stream: ByteStream;
  readonly reader: FrameReader;
  readonly blocks: HeaderBlocks;
  readonly sink: FrameSink;
}

/** Orphan stream ids remembered (to count each once); forgotten all at once past this. */
const MAX_ORPHANS_REMEMBERED = 1024;

/**
 * One HTTP/2 connection (h2c, or TLS plaintext): reads both directions into frames, decodes
 * header blocks with a dynamic table per direction, and stitches each stream's request and
 * response into an exchange, interleaved streams and all. Pure: chunks in, exchanges out.
 *
 * A stream is reported when its response has ended and its request has too (Pixie's rule); a
 * stream reset (RST_STREAM) or cut by the connection's close is reported with what it has if both
 * header blocks had arrived, and otherwise dropped and counted; so are the streams a GOAWAY
 * says were never processed. A connection joined midway is decoded as far as the static table
 * and literal fields allow: fields naming dynamic entries from before the join are dropped and
 * counted, never guessed, and streams whose request headers were missed are counted as orphans.
 */
export class Http2Stitcher implements Stitcher<Http2Exchange> {
  private readonly dirs: Record<Side, Direction>;
  private readonly streams = new Map<number, Http2Stream>();
  /** The highest stream id opened so far, client-initiated (odd) and server-initiated (even). */
  private readonly maxOpened = { odd: 0, even: 0 };
  private readonly orphans = new Set<number>();
  private readonly counts = noHttp2Errors();
  private out: Http2Exchange[] = [];
  private closed = false;
  private readonly limits: Http2Limits;

  /** HTTP/1's limits will do (the connection tracker has those); HTTP/2's own default. */
  constructor(limits: StitcherLimits & Partial<Http2Limits> = DEFAULT_HTTP2_LIMITS) {
    this.limits = { ...DEFAULT_HTTP2_LIMITS, ...limits };
    this.dirs = { request: this.direction('request'), response: this.direction('response') };
  }

  /** Adds a chunk of the client's bytes (`request`) or of the server's (`response`). */
  push(side: Side, chunk: Chunk): Http2Exchange[] {
    if (this.closed) return [];
    const dir = this.dirs[side];
    dir.stream.push(chunk);
    this.out = [];
    dir.reader.read(dir.stream, dir.sink);
    dir.stream.keepLastPushed();
    return this.out;
  }

  /** The connection ended: reports the streams whose header blocks both arrived. */
  close(): Http2Exchange[] {
    if (this.closed) return [];
    this.closed = true;
    const out: Http2Exchange[] = [];
    for (const s of [...this.streams.values()].sort((a, b) => a.id - b.id)) {
      if (s.reportable()) out.push(s.exchange());
      else if (!s.req.lostHeaders && !s.resp.lostHeaders) this.counts.abandonedStreams++;
    }
    this.streams.clear();
    return out;
  }

  /** Everything given up on so far, for the agent's parse-error counter. */
  errors(): number {
    return totalErrors(this.counts);
  }

  /** The same by kind (see `Http2ErrorCounts`). */
  errorCounts(): Readonly<Http2ErrorCounts> {
    return this.counts;
  }

  /** Streams open (for idle expiry). */
  pendingRequests(): number {
    return this.streams.size;
  }

  /** Captured bytes held: unparsed bytes of both directions and unfinished header blocks. */
  bufferedBytes(): number {
    const { request, response } = this.dirs;
    return (
      request.stream.heldBytes() +
      response.stream.heldBytes() +
      request.blocks.pendingBytes() +
      response.blocks.pendingBytes()
    );
  }

  private direction(side: Side): Direction {
    const { maxBufferBytes, maxHeaderBlockBytes } = this.limits;
    const maxPayload = Math.min(maxHeaderBlockBytes, maxBufferBytes - FRAME_HEADER_BYTES);
    const hpack = {
      maxBlockBytes: maxHeaderBlockBytes,
      maxTableBytes: this.limits.maxDynamicTableBytes,
      maxFieldBytes: this.limits.maxHeadBytes,
    };
    const blocks = new HeaderBlocks(hpack, this.counts, {
      decoded: (block, fields, lost, endTs) => this.decoded(side, block, fields, lost, endTs),
      lost: (block) => this.lostBlock(side, block),
    });
    return {
      stream: new ByteStream(maxBufferBytes),
      reader: new FrameReader(side === 'request', maxPayload),
      blocks,
      sink: {
        frame: (h, payload, startTs, endTs) => this.onFrame(side, h, payload, startTs, endTs),
        data: (h, parts, size, gap, ts) => this.onData(side, h, parts, size, gap, ts),
        dataEnd: (h, startTs, endTs) => this.onDataEnd(side, h, startTs, endTs),
        skipped: (h, reason) => blocks.skipped(h, reason),
        lostSync: () => {
          this.counts.lostSync++;
          blocks.lostSync();
        },
      },
    };
  }

  private onFrame(
    side: Side,
    h: FrameHeader,
    payload: Uint8Array,
    startTs: number,
    endTs: number,
  ): void {
    this.dirs[side].blocks.frame(h, payload, startTs, endTs);
    switch (h.type) {
      case FrameType.SETTINGS:
        if (!(h.flags & Flag.ACK)) this.applySettings(side, payload);
        return;
      case FrameType.RST_STREAM:
        this.reset(h.streamId, endTs);
        return;
      case FrameType.GOAWAY:
        this.goaway(side, payload);
        return;
    }
  }

  private decoded(
    side: Side,
    block: HeaderBlock,
    fields: HeaderField[],
    lost: number,
    endTs: number,
  ): void {
    if (block.push) this.promise(block.promisedId, fields, lost, block.startTs, endTs);
    else this.headers(side, block, fields, lost, endTs);
  }

  /** A header block that could not be decoded: the stream it opened cannot be reported. */
  private lostBlock(side: Side, block: HeaderBlock): void {
    if (block.push) return;
    const s = this.streamFor(side, block.streamId);
    if (!s) return;
    const half = side === 'request' ? s.req : s.resp;
    if (half.headers === undefined) half.lostHeaders = true;
    if (block.endStream) this.end(s, half);
  }

  private headers(
    side: Side,
    block: HeaderBlock,
    fields: HeaderField[],
    lost: number,
    endTs: number,
  ): void {
    const s = this.streamFor(side, block.streamId);
    if (!s) return;
    const half = side === 'request' ? s.req : s.resp;
    half.touch(block.startTs, endTs);
    half.lostFields += lost;
    if (!half.lostHeaders) {
      // Informational (1xx) responses come before the final one, and are not it.
      const first = half.headers === undefined;
      if (first && side === 'response' && !block.endStream && isInformational(fields)) return;
      const dropped = half.addFields(fields, this.limits.maxHeadBytes);
      half.lostFields += dropped;
      this.counts.droppedFields += dropped;
    }
    if (block.endStream) this.end(s, half);
  }

  /** A server push: the promised stream's request is the PUSH_PROMISE's header block. */
  private promise(
    promisedId: number,
    fields: HeaderField[],
    lost: number,
    startTs: number,
    endTs: number,
  ): void {
    const s = this.open(promisedId);
    if (!s) return;
    s.req.headers = fields;
    s.req.lostFields = lost;
    s.req.ended = true;
    s.req.touch(startTs, endTs);
  }

  /**
   * The stream a header block belongs to: an open one, or one the request side opens. A
   * response-side block for a stream never opened is an orphan's.
   */
  private streamFor(side: Side, id: number): Http2Stream | undefined {
    return side === 'request' ? (this.streams.get(id) ?? this.open(id)) : this.existing(id);
  }

  /** Opens stream `id` (a request or a promise): only an id above those opened before is new. */
  private open(id: number): Http2Stream | undefined {
    const parity = id % 2 === 1 ? 'odd' : 'even';
    if (id <= this.maxOpened[parity]) return undefined;
    this.maxOpened[parity] = id;
    const s = new Http2Stream(id);
    this.streams.set(id, s);
    if (this.streams.size > this.limits.maxPendingRequests) {
      const [oldest] = this.streams.values();
      this.streams.delete(oldest!.id);
      this.counts.abandonedStreams++;
    }
    return s;
  }

  /**
   * Open stream `id`, or undefined. A stream above those opened was opened before the parser
   * joined (or its request was lost with the frame boundaries): an orphan, counted once.
   */
  private existing(id: number): Http2Stream | undefined {
    const s = this.streams.get(id);
    if (s || id <= this.maxOpened[id % 2 === 1 ? 'odd' : 'even'] || this.orphans.has(id)) return s;
    if (this.orphans.size >= MAX_ORPHANS_REMEMBERED) this.orphans.clear();
    this.orphans.add(id);
    this.counts.orphanStreams++;
    return undefined;
  }

  private onData(
    side: Side,
    h: FrameHeader,
    parts: readonly Uint8Array[],
    size: number,
    gap: boolean,
    ts: number,
  ): void {
    const s = this.existing(h.streamId);
    if (!s) return;
    const half = side === 'request' ? s.req : s.resp;
    half.touch(ts, ts);
    half.addData(parts, size, gap, this.limits.maxBodyBytes);
  }

  private onDataEnd(side: Side, h: FrameHeader, startTs: number, endTs: number): void {
    const s = this.streams.get(h.streamId);
    if (!s) return;
    const half = side === 'request' ? s.req : s.resp;
    half.touch(startTs, endTs);
    if (h.flags & Flag.END_STREAM) this.end(s, half);
  }

  /** A side of the stream ended; the stream is done when the response has, and the request. */
  private end(s: Http2Stream, half: HalfStream): void {
    half.ended = true;
    if (s.resp.ended && s.req.ended) this.finish(s);
  }

  private finish(s: Http2Stream): void {
    this.streams.delete(s.id);
    if (s.reportable()) this.out.push(s.exchange());
  }

  private reset(id: number, ts: number): void {
    const s = this.streams.get(id);
    if (!s) return;
    s.resp.touch(ts, ts);
    if (!s.reportable() && !s.req.lostHeaders && !s.resp.lostHeaders) this.counts.resetStreams++;
    this.finish(s);
  }

  /** GOAWAY: the streams its receiver opened above the last id it names were not processed. */
  private goaway(side: Side, payload: Uint8Array): void {
    const last = readStreamId(payload, 0);
    const receiverOpensOdd = side === 'response';
    for (const s of [...this.streams.values()]) {
      if (s.id <= last || (s.id % 2 === 1) !== receiverOpensOdd || s.reportable()) continue;
      this.streams.delete(s.id);
      this.counts.abandonedStreams++;
    }
  }

  /**
   * SETTINGS from one side bound what the other side sends: the size of the HPACK table its
   * encoder may use, and its largest frame (which frame boundary searches go by).
   */
  private applySettings(side: Side, payload: Uint8Array): void {
    const other = this.dirs[side === 'request' ? 'response' : 'request'];
    for (let i = 0; i + 6 <= payload.length; i += 6) {
      const id = (payload[i]! << 8) | payload[i + 1]!;
      const value = readUint32(payload, i + 2);
      if (id === SETTINGS_HEADER_TABLE_SIZE) other.blocks.settingsTableSize(value);
      if (id === SETTINGS_MAX_FRAME_SIZE && value >= DEFAULT_MAX_FRAME_SIZE) {
        other.reader.maxFrameSize = Math.min(value, LARGEST_MAX_FRAME_SIZE);
      }
    }
  }
}

function isInformational(fields: readonly HeaderField[]): boolean {
  for (const f of fields)
    if (f.name === ':status') return f.value.length === 3 && f.value[0] === '1';
  return false;
}

function readUint32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
