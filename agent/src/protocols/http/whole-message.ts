import { HttpHead, framingOf, parseHead } from './head';

/** A message found whole at the start of some bytes. */
export interface WholeMessage {
  readonly head: HttpHead;
  /** Bytes of the message, head and body. */
  readonly length: number;
  /** The captured body (at most `maxBodyBytes`), a copy; the full size is `bodySize`. */
  readonly body: Uint8Array;
  readonly bodySize: number;
}

const CR = 0x0d;
const LF = 0x0a;
const EMPTY = new Uint8Array(0);
/** Longest chunk size MessageParser accepts: 12 hex digits. */
const MAX_SIZE_DIGITS = 12;

/**
 * The message at the start of `bytes` when all of it is there in its plainest form: a head, then
 * no body, a Content-Length body, or a chunked body of `HEX CRLF data CRLF` chunks ending in
 * `0 CRLF CRLF`. This is what one syscall carries for most HTTP/1.x traffic, and parsing it in
 * one pass skips the stream bookkeeping of MessageParser's states. Anything else (a message that
 * is cut short, chunk extensions, trailers, bare LF line ends, a body up to close, an invalid
 * head) gives undefined, and the caller parses those bytes the general way: this function must
 * never accept what MessageParser would read differently.
 */
export function wholeMessage(
  bytes: Buffer,
  kind: 'request' | 'response',
  maxHeadBytes: number,
  maxBodyBytes: number,
  requestMethod: string | undefined,
): WholeMessage | undefined {
  const parsed = parseHead(
    bytes.length > maxHeadBytes ? bytes.subarray(0, maxHeadBytes) : bytes,
    kind,
  );
  if (parsed.kind !== 'ok') return undefined;
  const head = parsed.head;
  const framing = framingOf(head, requestMethod);
  const from = head.length;
  switch (framing.kind) {
    case 'none':
      return { head, length: from, body: EMPTY, bodySize: 0 };
    case 'length': {
      const end = from + framing.length;
      if (end > bytes.length) return undefined;
      const body = copy(bytes, from, Math.min(framing.length, maxBodyBytes));
      return { head, length: end, body, bodySize: framing.length };
    }
    case 'chunked':
      return chunked(bytes, head, maxBodyBytes);
    default:
      return undefined;
  }
}

/** The body's first `max` bytes from `from` (never past the end of `bytes`), copied. */
function copy(bytes: Buffer, from: number, max: number): Uint8Array {
  const to = Math.min(bytes.length, from + max);
  return to > from ? new Uint8Array(bytes.subarray(from, to)) : EMPTY;
}

/** A chunked body read to its terminal chunk, in the plain form only. */
function chunked(bytes: Buffer, head: HttpHead, maxBodyBytes: number): WholeMessage | undefined {
  let at = head.length;
  let bodySize = 0;
  const starts: number[] = [];
  for (;;) {
    let size = 0;
    let digits = 0;
    for (let d = hexDigit(bytes[at]); d >= 0; d = hexDigit(bytes[at + digits])) {
      if (++digits > MAX_SIZE_DIGITS) return undefined;
      size = size * 16 + d;
    }
    at += digits;
    if (digits === 0 || bytes[at] !== CR || bytes[at + 1] !== LF) return undefined;
    at += 2;
    if (size === 0) break;
    const end = at + size;
    if (bytes[end] !== CR || bytes[end + 1] !== LF) return undefined;
    starts.push(at, end);
    bodySize += size;
    at = end + 2;
  }
  // No trailers: the empty line right after the terminal chunk.
  if (bytes[at] !== CR || bytes[at + 1] !== LF) return undefined;
  return { head, length: at + 2, body: gather(bytes, starts, maxBodyBytes), bodySize };
}

/** The chunks' data (pairs of start and end in `starts`), up to `max` bytes, in one copy. */
function gather(bytes: Buffer, starts: readonly number[], max: number): Uint8Array {
  if (starts.length === 2) return copy(bytes, starts[0]!, Math.min(max, starts[1]! - starts[0]!));
  let total = 0;
  for (let i = 0; i < starts.length; i += 2) total += starts[i + 1]! - starts[i]!;
  const body = new Uint8Array(Math.min(max, total));
  let k = 0;
  for (let i = 0; i < starts.length && k < body.length; i += 2) {
    const n = Math.min(starts[i + 1]! - starts[i]!, body.length - k);
    body.set(bytes.subarray(starts[i]!, starts[i]! + n), k);
    k += n;
  }
  return body.length > 0 ? body : EMPTY;
}

/** A hex digit's value, or -1 (also past the end of the bytes). */
export function hexDigit(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}
