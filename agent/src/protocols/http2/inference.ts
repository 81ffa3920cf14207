import { Side } from '../stitcher';
import { CLIENT_PREFACE, DEFAULT_MAX_FRAME_SIZE, frameRun } from './frame';

/** Bytes of the preface that identify it ("PRI * HTTP/2.0"), when a syscall moved fewer. */
const PREFACE_SIGNATURE = 14;

/**
 * Whether a syscall's bytes look like HTTP/2, for the connection tracker to pick a parser:
 * a client's first write is the connection preface; on a connection joined midway (either side)
 * the bytes must read as whole frames, each header plausible (see `plausibleFrameHeader`),
 * ending exactly where the syscall ended, or as at least two such frames. `bytes` are the
 * captured bytes of a syscall that moved `size` bytes (more when the capture was truncated).
 */
export function looksLikeHttp2(bytes: Uint8Array, side: Side, size = bytes.length): boolean {
  if (side === 'request' && startsWithPreface(bytes)) return true;
  const run = frameRun(bytes, 0, size, DEFAULT_MAX_FRAME_SIZE);
  return (run.ends === 'exact' && run.frames >= 1) || (run.ends === 'inside' && run.frames >= 2);
}

function startsWithPreface(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, CLIENT_PREFACE.length);
  if (n < PREFACE_SIGNATURE) return false;
  for (let i = 0; i < n; i++) if (bytes[i] !== CLIENT_PREFACE[i]) return false;
  return true;
}
