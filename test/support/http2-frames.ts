import { CLIENT_PREFACE, Flag, FrameType } from '../../agent/src/protocols/http2/frame';
import { HUFFMAN_CODES, HUFFMAN_CODE_LENGTHS } from '../../agent/src/protocols/http2/hpack/huffman';

/**
 * Builders of HTTP/2 frames and HPACK header blocks for hand-made test conversations: the
 * cases real peers rarely send on request (padding of every kind, CONTINUATION at any split,
 * size updates, a given table state).
 */

/** A frame: 9-byte header and payload. */
export function frame(type: number, flags: number, streamId: number, payload: Uint8Array): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(streamId, 5);
  return Buffer.concat([h, payload]);
}

/** The client preface and an empty SETTINGS frame, as a client starts. */
export function clientStart(): Buffer {
  return Buffer.concat([CLIENT_PREFACE, settings([])]);
}

/** A SETTINGS frame with these (id, value) parameters. */
export function settings(params: readonly [number, number][]): Buffer {
  const p = Buffer.alloc(6 * params.length);
  params.forEach(([id, v], i) => {
    p.writeUInt16BE(id, 6 * i);
    p.writeUInt32BE(v, 6 * i + 2);
  });
  return frame(FrameType.SETTINGS, 0, 0, p);
}

/** An integer with an N-bit prefix (RFC 7541 section 5.1), the prefix's other bits `first`. */
export function hpackInteger(value: number, prefixBits: number, first = 0): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([first | value]);
  const out = [first | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Buffer.from(out);
}

/** Huffman-codes latin1 text (RFC 7541 Appendix B), padded with ones. */
export function huffmanEncode(text: string): Buffer {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const sym = text.charCodeAt(i) & 0xff;
    const len = HUFFMAN_CODE_LENGTHS[sym]!;
    const code = HUFFMAN_CODES[sym]!;
    for (let b = len - 1; b >= 0; b--) {
      acc = (acc << 1) | ((code >>> b) & 1);
      if (++bits === 8) {
        out.push(acc);
        acc = 0;
        bits = 0;
      }
    }
  }
  if (bits > 0) out.push((acc << (8 - bits)) | ((1 << (8 - bits)) - 1));
  return Buffer.from(out);
}

/** A string literal (section 5.2). */
export function hpackString(text: string, huffman = false): Buffer {
  const bytes = huffman ? huffmanEncode(text) : Buffer.from(text, 'latin1');
  return Buffer.concat([hpackInteger(bytes.length, 7, huffman ? 0x80 : 0), bytes]);
}

/** An indexed field (section 6.1). */
export function indexed(index: number): Buffer {
  return hpackInteger(index, 7, 0x80);
}

export type LiteralKind = 'indexing' | 'without' | 'never';

/**
 * A literal field (section 6.2) with a literal name, or the name of entry `name` when it is a
 * number.
 */
export function literal(
  name: string | number,
  value: string,
  kind: LiteralKind = 'without',
  huffman = false,
): Buffer {
  const [bits, first] = kind === 'indexing' ? [6, 0x40] : [4, kind === 'never' ? 0x10 : 0];
  const head = hpackInteger(typeof name === 'number' ? name : 0, bits, first);
  const nameBytes = typeof name === 'number' ? Buffer.alloc(0) : hpackString(name, huffman);
  return Buffer.concat([head, nameBytes, hpackString(value, huffman)]);
}

/** A dynamic table size update (section 6.3). */
export function sizeUpdate(size: number): Buffer {
  return hpackInteger(size, 5, 0x20);
}

export interface HeadersOptions {
  readonly endStream?: boolean;
  /** Pad length (adds the PADDED flag). */
  readonly pad?: number;
  /** Add a priority block (the PRIORITY flag). */
  readonly priority?: boolean;
  /** Split the block into a HEADERS and CONTINUATIONs after these byte counts. */
  readonly splits?: readonly number[];
}

/** The bytes cut at the given offsets (those outside them, and repeats, left out), in order. */
export function splitAt(b: Buffer, offsets: readonly number[]): Buffer[] {
  const points = [...new Set(offsets)].filter((c) => c > 0 && c < b.length).sort((x, y) => x - y);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const p of [...points, b.length]) {
    pieces.push(b.subarray(from, p));
    from = p;
  }
  return pieces;
}

/** A header block as a HEADERS frame (with CONTINUATIONs when split). */
export function headers(streamId: number, block: Buffer, o: HeadersOptions = {}): Buffer {
  const pieces = splitAt(block, o.splits ?? []);
  const frames: Buffer[] = [];
  pieces.forEach((piece, i) => {
    const last = i === pieces.length - 1;
    const endHeaders = last ? Flag.END_HEADERS : 0;
    if (i > 0) {
      frames.push(frame(FrameType.CONTINUATION, endHeaders, streamId, piece));
      return;
    }
    let flags = endHeaders | (o.endStream ? Flag.END_STREAM : 0);
    const parts: Buffer[] = [];
    if (o.pad !== undefined) {
      flags |= Flag.PADDED;
      parts.push(Buffer.from([o.pad]));
    }
    if (o.priority) {
      flags |= Flag.PRIORITY;
      parts.push(Buffer.from([0, 0, 0, 0, 15]));
    }
    parts.push(piece);
    if (o.pad !== undefined) parts.push(Buffer.alloc(o.pad));
    frames.push(frame(FrameType.HEADERS, flags, streamId, Buffer.concat(parts)));
  });
  return Buffer.concat(frames);
}

/** A DATA frame, padded when `pad` is given. */
export function data(
  streamId: number,
  body: string | Buffer,
  endStream = false,
  pad?: number,
): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const flags = (endStream ? Flag.END_STREAM : 0) | (pad !== undefined ? Flag.PADDED : 0);
  const payload =
    pad === undefined ? bytes : Buffer.concat([Buffer.from([pad]), bytes, Buffer.alloc(pad)]);
  return frame(FrameType.DATA, flags, streamId, payload);
}

/** RST_STREAM with an error code. */
export function rstStream(streamId: number, code = 8): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(code, 0);
  return frame(FrameType.RST_STREAM, 0, streamId, p);
}

/** GOAWAY naming the last stream processed. */
export function goaway(lastStreamId: number, code = 0): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(lastStreamId, 0);
  p.writeUInt32BE(code, 4);
  return frame(FrameType.GOAWAY, 0, 0, p);
}

/** A PUSH_PROMISE on `streamId` promising `promisedId` with this request block. */
export function pushPromise(streamId: number, promisedId: number, block: Buffer): Buffer {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(promisedId, 0);
  return frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, streamId, Buffer.concat([id, block]));
}

/** A gRPC length-prefixed message. */
export function grpcMessage(bytes: Uint8Array, compressed = false): Buffer {
  const p = Buffer.alloc(5);
  p[0] = compressed ? 1 : 0;
  p.writeUInt32BE(bytes.length, 1);
  return Buffer.concat([p, bytes]);
}
