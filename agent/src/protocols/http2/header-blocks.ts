import { Flag, FrameHeader, FrameType } from './frame';
import { SkipReason } from './frame-reader';
import { HeaderField, HpackDecoder, HpackLimits } from './hpack/hpack-decoder';
import { Http2ErrorCounts } from './http2-errors';

/** A header block: HEADERS or PUSH_PROMISE, with its CONTINUATIONs. */
export interface HeaderBlock {
  readonly streamId: number;
  /** A PUSH_PROMISE's block (a request for `promisedId`), not one of `streamId`'s own. */
  readonly push: boolean;
  /** The stream a PUSH_PROMISE promises (0 when unknown). */
  readonly promisedId: number;
  readonly endStream: boolean;
  /** Time of its first frame. */
  readonly startTs: number;
}

/** Where header blocks go once they are complete. */
export interface BlockSink {
  /** A block decoded: its fields, and how many it dropped (unknown entries, over the limit). */
  decoded(block: HeaderBlock, fields: HeaderField[], lost: number, endTs: number): void;
  /** A block that could not be decoded (the stream it belongs to cannot be reported). */
  lost(block: HeaderBlock): void;
}

interface PendingBlock extends HeaderBlock {
  parts: Uint8Array[];
  bytes: number;
  /** Part of it was lost (too large, or in a hole): it will not be decoded. */
  broken: boolean;
}

/**
 * One direction's header blocks: the fragments of HEADERS, PUSH_PROMISE and CONTINUATION frames
 * (padding, priority and promised stream id taken off) joined up to `maxBlockBytes`, and decoded
 * with the direction's HPACK decoder. A block that cannot be decoded (too large, partly in a
 * hole, malformed, interrupted by another frame) is counted and makes the decoder's table
 * unknown, since the block may have changed the peer's table.
 */
export class HeaderBlocks {
  private readonly decoder: HpackDecoder;
  private block: PendingBlock | undefined;
  /** Frame boundaries were found again and no block has been decoded since. */
  private afterResync = false;

  constructor(
    private readonly limits: HpackLimits,
    private readonly counts: Http2ErrorCounts,
    private readonly sink: BlockSink,
  ) {
    this.decoder = new HpackDecoder(limits);
  }

  /** A frame of this direction; `payload` is a view valid during the call only. */
  frame(h: FrameHeader, payload: Uint8Array, startTs: number, endTs: number): void {
    if (h.type === FrameType.CONTINUATION) {
      this.continueBlock(h, payload, endTs);
      return;
    }
    if (this.block) {
      // A header block must be followed by its CONTINUATIONs and nothing else.
      this.counts.malformedFrames++;
      this.lose(this.block);
    }
    if (h.type === FrameType.HEADERS || h.type === FrameType.PUSH_PROMISE) {
      this.startBlock(h, payload, startTs, endTs);
    }
  }

  /** A frame the reader skipped: a header-carrying one takes its block with it. */
  skipped(h: FrameHeader, reason: SkipReason): void {
    if (reason === 'oversize') this.counts.oversizeFrames++;
    const pending = this.block;
    if (h.type === FrameType.CONTINUATION && pending?.streamId === h.streamId) {
      pending.broken = true;
      pending.parts = [];
    } else if (h.type === FrameType.HEADERS || h.type === FrameType.PUSH_PROMISE) {
      if (pending) this.lose(pending);
      this.block = {
        streamId: h.streamId,
        push: h.type === FrameType.PUSH_PROMISE,
        promisedId: 0,
        endStream: h.type === FrameType.HEADERS && (h.flags & Flag.END_STREAM) !== 0,
        startTs: 0,
        parts: [],
        bytes: 0,
        broken: true,
      };
    } else if (h.type !== FrameType.CONTINUATION) {
      return;
    }
    if (!(h.flags & Flag.END_HEADERS)) return;
    if (this.block) this.lose(this.block);
    else this.decoder.lose();
  }

  /** Frame boundaries were lost: the block under way, and the table, with them. */
  lostSync(): void {
    if (this.block) this.lose(this.block);
    this.decoder.lose();
    this.afterResync = true;
  }

  /** The receiving peer announced SETTINGS_HEADER_TABLE_SIZE. */
  settingsTableSize(size: number): void {
    this.decoder.settingsTableSize(size);
  }

  /** Bytes of the block under way. */
  pendingBytes(): number {
    return this.block?.bytes ?? 0;
  }

  /** A HEADERS or PUSH_PROMISE frame: the fragment between padding, priority and promised id. */
  private startBlock(h: FrameHeader, payload: Uint8Array, startTs: number, endTs: number): void {
    let from = 0;
    let to = payload.length;
    if (h.flags & Flag.PADDED) {
      from = 1;
      to -= payload[0] ?? 0;
    }
    if (h.type === FrameType.HEADERS && h.flags & Flag.PRIORITY) from += 5;
    const push = h.type === FrameType.PUSH_PROMISE;
    let promisedId = 0;
    if (push && from + 4 <= to) {
      promisedId = readStreamId(payload, from);
      from += 4;
    }
    const block: PendingBlock = {
      streamId: h.streamId,
      push,
      promisedId,
      endStream: h.type === FrameType.HEADERS && (h.flags & Flag.END_STREAM) !== 0,
      startTs,
      parts: [],
      bytes: 0,
      broken: from > to || (push && promisedId === 0),
    };
    if (block.broken) this.counts.malformedFrames++;
    if (h.flags & Flag.END_HEADERS) {
      if (block.broken) this.lose(block);
      else this.decode(block, payload.subarray(from, to), endTs);
      return;
    }
    if (!block.broken) {
      block.parts.push(copy(payload.subarray(from, to)));
      block.bytes = to - from;
    }
    this.block = block;
  }

  private continueBlock(h: FrameHeader, payload: Uint8Array, endTs: number): void {
    const block = this.block;
    if (!block || block.streamId !== h.streamId) {
      // Out of place, unless it continues a block that began before frames were found again.
      if (!this.afterResync) this.counts.malformedFrames++;
      if (block) this.lose(block);
      this.decoder.lose();
      return;
    }
    if (!block.broken) {
      if (block.bytes + payload.length > this.limits.maxBlockBytes) {
        this.counts.oversizeFrames++;
        block.broken = true;
        block.parts = [];
      } else {
        block.parts.push(copy(payload));
        block.bytes += payload.length;
      }
    }
    if (!(h.flags & Flag.END_HEADERS)) return;
    if (block.broken) this.lose(block);
    else this.decode(block, Buffer.concat(block.parts), endTs);
  }

  private decode(block: PendingBlock, bytes: Uint8Array, endTs: number): void {
    this.block = undefined;
    const r = this.decoder.decode(bytes);
    if (r.kind === 'error') {
      this.lose(block);
      return;
    }
    this.afterResync = false;
    this.counts.unknownIndexFields += r.unknown;
    this.counts.droppedFields += r.dropped;
    this.sink.decoded(block, r.fields, r.unknown + r.dropped, endTs);
  }

  private lose(block: PendingBlock): void {
    if (this.block === block) this.block = undefined;
    this.counts.lostHeaderBlocks++;
    this.decoder.lose();
    this.sink.lost(block);
  }
}

/**
 * Bytes of our own: payloads are views of the capture's chunks (for a Buffer, even `slice` is a
 * view), which must not be held past the call that handed them over.
 */
function copy(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

/** A 31-bit stream id (the reserved top bit cleared). */
export function readStreamId(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) & 0x7fffffff;
}
