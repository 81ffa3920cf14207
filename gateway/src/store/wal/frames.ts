import { crc32 } from 'node:zlib';

/** 'PXW1', little-endian: the first four bytes of every frame. */
const MAGIC = 0x31575850;
/** Magic, payload length, CRC-32 of the payload. */
export const FRAME_HEADER_BYTES = 12;

/** A log file that cannot be read as frames; the message says where and why. */
export class LogFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogFileError';
  }
}

/**
 * Frames a payload given in parts: a header (magic, length, checksum) followed by the parts,
 * which are not copied (write them in order, with writev).
 */
export function frame(payload: readonly Uint8Array[]): Uint8Array[] {
  let length = 0;
  let crc = 0;
  for (const p of payload) {
    length += p.length;
    crc = crc32(p, crc);
  }
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(length, 4);
  header.writeUInt32LE(crc, 8);
  return [header, ...payload];
}

/** The frames of a file, up to the first one that is not whole and intact. */
export interface FrameScan {
  readonly payloads: Buffer[];
  /** Bytes of whole, intact frames from the start of the file. */
  readonly validBytes: number;
  /** Why reading stopped before the end of the file (a torn or damaged frame). */
  readonly problem?: string;
  /** The frame reading stopped at is the file's last: what a write cut by a crash leaves. */
  readonly tornTail?: boolean;
}

/**
 * Reads the frames of a log file. A crash in the middle of a write leaves a last frame that is
 * short or fails its checksum: reading stops there, and `validBytes` says where to cut. Payloads
 * are views into `buf`.
 */
export function readFrames(buf: Buffer): FrameScan {
  const payloads: Buffer[] = [];
  let at = 0;
  const stop = (problem: string, tornTail = true): FrameScan => ({
    payloads,
    validBytes: at,
    problem,
    tornTail,
  });
  while (at < buf.length) {
    if (buf.length - at < FRAME_HEADER_BYTES) {
      return stop(`a frame header cut short at byte ${at} (${buf.length - at} of 12 bytes)`);
    }
    if (buf.readUInt32LE(at) !== MAGIC) return stop(`no frame marker at byte ${at}`, false);
    const length = buf.readUInt32LE(at + 4);
    const start = at + FRAME_HEADER_BYTES;
    if (buf.length - start < length) {
      return stop(`a frame at byte ${at} cut short (${buf.length - start} of ${length} bytes)`);
    }
    const payload = buf.subarray(start, start + length);
    if (crc32(payload) !== buf.readUInt32LE(at + 8)) {
      return stop(`a frame at byte ${at} fails its checksum`, start + length === buf.length);
    }
    payloads.push(payload);
    at = start + length;
  }
  return { payloads, validBytes: at };
}
