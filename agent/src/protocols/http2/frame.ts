/** HTTP/2 frame types (RFC 9113 section 6). */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** Frame flags (their meaning depends on the type). */
export const Flag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

export const FRAME_HEADER_BYTES = 9;
/** The client connection preface (RFC 9113 section 3.4). */
export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** SETTINGS_MAX_FRAME_SIZE's initial value: the largest frame a peer sends until told more. */
export const DEFAULT_MAX_FRAME_SIZE = 16384;
/** The largest SETTINGS_MAX_FRAME_SIZE a peer may advertise (2^24 - 1). */
export const LARGEST_MAX_FRAME_SIZE = 0xffffff;
/** SETTINGS parameters this parser reads. */
export const SETTINGS_HEADER_TABLE_SIZE = 0x1;
export const SETTINGS_MAX_FRAME_SIZE = 0x5;

/** The fixed 9-byte header of a frame. */
export interface FrameHeader {
  readonly length: number;
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
}

/** Reads the frame header at `at`; the caller has checked that 9 bytes are there. */
export function readFrameHeader(b: Uint8Array, at: number): FrameHeader {
  return {
    length: (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!,
    type: b[at + 3]!,
    flags: b[at + 4]!,
    streamId: ((b[at + 5]! & 0x7f) << 24) | (b[at + 6]! << 16) | (b[at + 7]! << 8) | b[at + 8]!,
  };
}

/** The flags each known type defines; any other flag bit is unused (and, in a sane peer, 0). */
const DEFINED_FLAGS: Record<number, number> = {
  [FrameType.DATA]: Flag.END_STREAM | Flag.PADDED,
  [FrameType.HEADERS]: Flag.END_STREAM | Flag.END_HEADERS | Flag.PADDED | Flag.PRIORITY,
  [FrameType.PRIORITY]: 0,
  [FrameType.RST_STREAM]: 0,
  [FrameType.SETTINGS]: Flag.ACK,
  [FrameType.PUSH_PROMISE]: Flag.END_HEADERS | Flag.PADDED,
  [FrameType.PING]: Flag.ACK,
  [FrameType.GOAWAY]: 0,
  [FrameType.WINDOW_UPDATE]: 0,
  [FrameType.CONTINUATION]: Flag.END_HEADERS,
};

/**
 * Whether a frame header keeps the rules of RFC 9113 section 6 that a header alone can break:
 * on stream 0 exactly when its type is a connection's, of a size its type allows. A peer that
 * breaks them gets a connection error, so a header that does is not where a frame starts: the
 * parser has lost the frame boundaries. Extension types (unknown here) pass: they are skipped.
 */
export function saneFrameHeader(h: FrameHeader): boolean {
  switch (h.type) {
    case FrameType.SETTINGS:
      return h.streamId === 0 && h.length % 6 === 0 && !(h.flags & Flag.ACK && h.length > 0);
    case FrameType.PING:
      return h.streamId === 0 && h.length === 8;
    case FrameType.GOAWAY:
      return h.streamId === 0 && h.length >= 8;
    case FrameType.WINDOW_UPDATE:
      return h.length === 4;
    case FrameType.RST_STREAM:
      return h.streamId !== 0 && h.length === 4;
    case FrameType.PRIORITY:
      return h.streamId !== 0 && h.length === 5;
    case FrameType.DATA:
    case FrameType.HEADERS:
    case FrameType.PUSH_PROMISE:
    case FrameType.CONTINUATION:
      return h.streamId !== 0;
    default:
      return true;
  }
}

/**
 * Whether a frame header is one a real peer would send: sane, of a known type with only its own
 * flags, no larger than `maxFrameSize`. Used to find frame boundaries again in a stream joined
 * midway, where a wrong guess would make garbage, so it is strict: extension frame types and
 * unused flag bits (which a parser must otherwise ignore) are not accepted.
 */
export function plausibleFrameHeader(h: FrameHeader, maxFrameSize: number): boolean {
  const defined = DEFINED_FLAGS[h.type];
  if (defined === undefined || (h.flags & ~defined) !== 0 || h.length > maxFrameSize) return false;
  return saneFrameHeader(h);
}

/** How a run of frames read from some position ends (see `frameRun`). */
export interface FrameRun {
  /** Plausible frame headers read. */
  readonly frames: number;
  /**
   * `exact`: the last frame ends exactly at `end`; `inside`: the bytes stop inside a frame;
   * `bad`: a header was not plausible.
   */
  readonly ends: 'exact' | 'inside' | 'bad';
}

const BAD_RUN: FrameRun = { frames: 0, ends: 'bad' };

/**
 * Reads frame headers from `at`, each after the last frame's payload, while they are plausible
 * and captured (`b` holds the captured bytes of a syscall that moved `end` bytes, so payloads
 * past `b` are skipped by their length). Evidence for a frame boundary: real writers write
 * whole frames, so a run that ends exactly where a syscall ended is strong, and so is a run of
 * two plausible headers.
 */
export function frameRun(b: Uint8Array, at: number, end: number, maxFrameSize: number): FrameRun {
  let p = at;
  let frames = 0;
  while (p + FRAME_HEADER_BYTES <= b.length) {
    const h = readFrameHeader(b, p);
    if (!plausibleFrameHeader(h, maxFrameSize))
      return frames === 0 ? BAD_RUN : { frames, ends: 'bad' };
    frames++;
    p += FRAME_HEADER_BYTES + h.length;
    if (p === end) return { frames, ends: 'exact' };
    if (p > end) break;
  }
  return { frames, ends: 'inside' };
}
