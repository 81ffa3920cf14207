import { ByteStream } from './byte-stream';
import { HttpHead, framingOf, parseHead, startsMessage } from './head';
import { hexDigit, wholeMessage } from './whole-message';

/** A complete HTTP/1.x message, with the time of its first and last byte. */
export interface HttpMessage {
  readonly head: HttpHead;
  /** Times of the first and last byte, monotonic ns. */
  readonly startTs: number;
  readonly endTs: number;
  /** Captured body bytes (after de-chunking), at most the configured body limit. */
  readonly body: Uint8Array;
  /** Full body size (after de-chunking), whether or not it was captured. */
  readonly bodySize: number;
}

export interface ParserLimits {
  /** Body bytes kept per message. */
  readonly maxBodyBytes: number;
  /** Longest start line plus headers accepted. */
  readonly maxHeadBytes: number;
}

/** What the parser knows beyond the bytes. */
export interface ParseContext {
  /** Method of the request the next response answers (HEAD responses have no body). */
  readonly requestMethod?: string | undefined;
  /** The connection is closed: no more bytes will come. */
  readonly closed: boolean;
}

/** A message whose head is parsed and whose body is still arriving. */
interface PartialMessage {
  readonly head: HttpHead;
  readonly startTs: number;
  readonly parts: Uint8Array[];
  /** Parts before this index are copies of their own (the rest are views of chunks). */
  copied: number;
  captured: number;
  bodySize: number;
}

type State =
  | { readonly kind: 'start' }
  /** Skipping to the next chunk that starts a message (`inclusive`: the one at the cursor counts). */
  | { readonly kind: 'resync'; readonly inclusive: boolean }
  | { readonly kind: 'length'; readonly msg: PartialMessage; remaining: number }
  | { readonly kind: 'chunk-size'; readonly msg: PartialMessage }
  | { readonly kind: 'chunk-data'; readonly msg: PartialMessage; remaining: number }
  | { readonly kind: 'chunk-end'; readonly msg: PartialMessage }
  | { readonly kind: 'trailers'; readonly msg: PartialMessage }
  | { readonly kind: 'chunk-lost'; readonly msg: PartialMessage }
  | { readonly kind: 'until-close'; readonly msg: PartialMessage };

const MAX_CHUNK_LINE = 1024;
const TERMINAL_CHUNK = Buffer.from('0\r\n\r\n');
const EMPTY = new Uint8Array(0);

/**
 * Parses one direction of a connection into messages, one at a time, as bytes arrive. Malformed
 * input never throws: the parser counts an error and resynchronises at the next chunk that starts
 * a message. Bodies may span holes in the capture (their bytes are counted, not kept); a
 * chunked body that loses a chunk-size line ends at the next message start or terminal chunk.
 */
export class MessageParser {
  private state: State = { kind: 'start' };
  /** Malformed or unparseable stretches skipped so far. */
  errors = 0;
  /** Set when the parser resynchronised; the stitcher reads and clears it. */
  resynced = false;

  constructor(
    private readonly kind: 'request' | 'response',
    private readonly limits: ParserLimits,
  ) {}

  /** Parses the next complete message, or returns undefined when it needs more bytes. */
  next(stream: ByteStream, ctx: ParseContext): HttpMessage | undefined {
    for (;;) {
      if (stream.lost) {
        stream.lost = false;
        if (this.state.kind !== 'resync') this.fail(true);
      }
      const step = this.step(stream, ctx);
      if (step === 'wait') {
        this.copyParts();
        return undefined;
      }
      if (step !== 'again') return step;
    }
  }

  private step(stream: ByteStream, ctx: ParseContext): HttpMessage | 'again' | 'wait' {
    const s = this.state;
    switch (s.kind) {
      case 'start':
        return this.parseStart(stream, ctx);
      case 'resync': {
        if (stream.cursor >= stream.knownEnd()) return 'wait';
        const found = stream.skipToChunkStart((d) => startsMessage(d, this.kind), s.inclusive);
        if (!found) {
          // Everything known was skipped: the next chunk to arrive starts at the cursor.
          this.state = { kind: 'resync', inclusive: true };
          return 'wait';
        }
        this.state = { kind: 'start' };
        return 'again';
      }
      case 'length': {
        s.remaining -= this.consumeBody(stream, s.msg, s.remaining);
        if (s.remaining > 0) return ctx.closed ? this.abandon() : 'wait';
        return this.finish(stream, s.msg);
      }
      case 'chunk-size':
        return this.parseChunkSize(stream, ctx, s.msg);
      case 'chunk-data': {
        s.remaining -= this.consumeBody(stream, s.msg, s.remaining);
        if (s.remaining > 0) return ctx.closed ? this.abandon() : 'wait';
        this.state = { kind: 'chunk-end', msg: s.msg };
        return 'again';
      }
      case 'chunk-end':
        return this.parseChunkEnd(stream, ctx, s.msg);
      case 'trailers':
        return this.parseTrailers(stream, ctx, s.msg);
      case 'chunk-lost':
        return this.skipLostChunks(stream, ctx, s.msg);
      case 'until-close': {
        this.consumeBody(stream, s.msg, stream.knownEnd() - stream.cursor);
        return ctx.closed ? this.finish(stream, s.msg) : 'wait';
      }
    }
  }

  private parseStart(stream: ByteStream, ctx: ParseContext): HttpMessage | 'again' | 'wait' {
    if (stream.cursor >= stream.knownEnd()) return 'wait';
    if (stream.atHole()) return this.fail();
    const whole = this.wholeAtCursor(stream, ctx);
    if (whole) return whole;
    const run = stream.contiguous(this.limits.maxHeadBytes);
    const result = parseHead(run.bytes, this.kind);
    if (result.kind === 'invalid') return this.fail();
    if (result.kind === 'incomplete') {
      if (run.holeAfter || run.bytes.length >= this.limits.maxHeadBytes) return this.fail();
      return ctx.closed ? this.abandon() : 'wait';
    }
    const head = result.head;
    const framing = framingOf(head, ctx.requestMethod);
    if (framing.kind === 'invalid') return this.fail();
    const msg: PartialMessage = {
      head,
      startTs: stream.tsAtCursor(),
      parts: [],
      copied: 0,
      captured: 0,
      bodySize: 0,
    };
    stream.consume(head.length);
    switch (framing.kind) {
      case 'none':
        return this.finish(stream, msg);
      case 'length':
        this.state = { kind: 'length', msg, remaining: framing.length };
        return 'again';
      case 'chunked':
        this.state = { kind: 'chunk-size', msg };
        return 'again';
      case 'close':
        this.state = { kind: 'until-close', msg };
        return 'again';
    }
  }

  /**
   * The message at the cursor when the chunk holding the cursor has all of it in plain form (one
   * syscall's message, the common case), read in one pass; otherwise undefined, and nothing is
   * consumed. Times are the chunk's, as the states would give them.
   */
  private wholeAtCursor(stream: ByteStream, ctx: ParseContext): HttpMessage | undefined {
    const c = stream.head()!;
    const data = Buffer.isBuffer(c.data)
      ? c.data
      : Buffer.from(c.data.buffer, c.data.byteOffset, c.data.length);
    const at = stream.cursor - c.pos;
    const m = wholeMessage(
      at === 0 ? data : data.subarray(at),
      this.kind,
      this.limits.maxHeadBytes,
      this.limits.maxBodyBytes,
      ctx.requestMethod,
    );
    if (!m) return undefined;
    stream.consume(m.length);
    return {
      head: m.head,
      startTs: c.ts,
      endTs: stream.lastTs,
      body: m.body,
      bodySize: m.bodySize,
    };
  }

  private parseChunkSize(
    stream: ByteStream,
    ctx: ParseContext,
    msg: PartialMessage,
  ): HttpMessage | 'again' | 'wait' {
    const line = this.chunkLine(stream, ctx, msg, MAX_CHUNK_LINE);
    if (typeof line === 'string') return line;
    const size = chunkSize(line.bytes, line.end);
    if (size < 0) return this.fail();
    stream.consume(line.next);
    this.state =
      size === 0 ? { kind: 'trailers', msg } : { kind: 'chunk-data', msg, remaining: size };
    return 'again';
  }

  /** The CRLF (or bare LF) after a chunk's data: an empty line. */
  private parseChunkEnd(
    stream: ByteStream,
    ctx: ParseContext,
    msg: PartialMessage,
  ): HttpMessage | 'again' | 'wait' {
    const line = this.chunkLine(stream, ctx, msg, 2);
    if (typeof line === 'string') return line;
    if (line.end !== 0) return this.fail();
    stream.consume(line.next);
    this.state = { kind: 'chunk-size', msg };
    return 'again';
  }

  /**
   * The line at the cursor inside a chunked body, of at most `max` bytes with its line end:
   * where its content ends (before CRLF or LF) and where the next line starts. Otherwise what to
   * do instead: wait for more bytes, abandon at close, lose the chunk boundaries at a hole, or
   * fail on a line too long.
   */
  private chunkLine(
    stream: ByteStream,
    ctx: ParseContext,
    msg: PartialMessage,
    max: number,
  ): { readonly bytes: Buffer; readonly end: number; readonly next: number } | 'again' | 'wait' {
    if (stream.cursor >= stream.knownEnd()) return ctx.closed ? this.abandon() : 'wait';
    if (stream.atHole()) return this.loseChunks(msg);
    const { bytes, holeAfter } = stream.contiguous(max);
    const nl = bytes.indexOf(0x0a);
    if (nl < 0) {
      if (holeAfter) return this.loseChunks(msg);
      if (bytes.length >= max) return this.fail();
      return ctx.closed ? this.abandon() : 'wait';
    }
    return { bytes, end: nl > 0 && bytes[nl - 1] === 0x0d ? nl - 1 : nl, next: nl + 1 };
  }

  private parseTrailers(
    stream: ByteStream,
    ctx: ParseContext,
    msg: PartialMessage,
  ): HttpMessage | 'again' | 'wait' {
    if (stream.cursor >= stream.knownEnd()) return ctx.closed ? this.finish(stream, msg) : 'wait';
    if (stream.atHole()) return this.finish(stream, msg);
    const run = stream.contiguous(this.limits.maxHeadBytes);
    const b = run.bytes;
    let end = -1;
    if (b[0] === 0x0a) end = 1;
    else if (b[0] === 0x0d && b[1] === 0x0a) end = 2;
    else {
      const crlf = b.indexOf('\r\n\r\n');
      const lf = b.indexOf('\n\n');
      if (crlf >= 0) end = crlf + 4;
      else if (lf >= 0) end = lf + 2;
    }
    if (end < 0) {
      if (run.holeAfter || b.length >= this.limits.maxHeadBytes) return this.finish(stream, msg);
      return ctx.closed ? this.finish(stream, msg) : 'wait';
    }
    stream.consume(end);
    return this.finish(stream, msg);
  }

  /**
   * A chunk-size line fell in a hole, so chunk boundaries are lost. The message ends at the next
   * syscall chunk that starts a message, after a fully captured chunk ending in the terminal
   * chunk, or at close.
   */
  private skipLostChunks(
    stream: ByteStream,
    ctx: ParseContext,
    msg: PartialMessage,
  ): HttpMessage | 'again' | 'wait' {
    for (;;) {
      const c = stream.head();
      if (!c) return ctx.closed ? this.finish(stream, msg) : 'wait';
      if (c.pos >= stream.cursor && startsMessage(c.data, this.kind)) {
        const gap = c.pos - stream.cursor;
        if (gap > 0) msg.bodySize += stream.consume(gap);
        return this.finish(stream, msg);
      }
      const toEnd = c.pos + c.size - stream.cursor;
      msg.bodySize += stream.consume(toEnd);
      if (c.data.length === c.size && endsWith(c.data, TERMINAL_CHUNK)) {
        return this.finish(stream, msg);
      }
    }
  }

  private consumeBody(stream: ByteStream, msg: PartialMessage, n: number): number {
    const before = msg.parts.length;
    const consumed = stream.consume(n, msg.parts, this.limits.maxBodyBytes - msg.captured);
    for (let i = before; i < msg.parts.length; i++) msg.captured += msg.parts[i]!.length;
    msg.bodySize += consumed;
    return consumed;
  }

  /**
   * A message waiting for more bytes keeps copies of its body parts: the views would pin the
   * chunks' memory (shared with other events) for as long as the message takes to complete.
   */
  private copyParts(): void {
    const s = this.state;
    if (!('msg' in s)) return;
    const msg = s.msg;
    for (let i = msg.copied; i < msg.parts.length; i++)
      msg.parts[i] = new Uint8Array(msg.parts[i]!);
    msg.copied = msg.parts.length;
  }

  private loseChunks(msg: PartialMessage): 'again' {
    this.state = { kind: 'chunk-lost', msg };
    return 'again';
  }

  private finish(stream: ByteStream, msg: PartialMessage): HttpMessage {
    this.state = { kind: 'start' };
    // A copy: the parts are views of the capture's chunks, which may share a pool (a request
    // waits in the stitcher for its response, and must not keep that pool alive meanwhile).
    const parts = msg.parts;
    const body =
      parts.length === 0
        ? EMPTY
        : new Uint8Array(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    return {
      head: msg.head,
      startTs: msg.startTs,
      endTs: stream.lastTs,
      body,
      bodySize: msg.bodySize,
    };
  }

  /** A message cut short by the connection's close: dropped, counted. */
  private abandon(): 'wait' {
    this.errors++;
    this.state = { kind: 'resync', inclusive: false };
    return 'wait';
  }

  /** Skips a stretch that cannot be parsed; `inclusive` when the cursor was moved for us. */
  private fail(inclusive = false): 'again' {
    this.errors++;
    this.resynced = true;
    this.state = { kind: 'resync', inclusive };
    return 'again';
  }
}

/**
 * The size on a chunk-size line of `end` bytes: `1*12HEXDIG *(SP / HTAB) [";" extensions]`, or -1
 * when the line is not one.
 */
function chunkSize(line: Uint8Array, end: number): number {
  let size = 0;
  let i = 0;
  for (; i < end; i++) {
    const d = hexDigit(line[i]!);
    if (d < 0) break;
    if (i === 12) return -1;
    size = size * 16 + d;
  }
  if (i === 0) return -1;
  while (i < end && (line[i] === 0x20 || line[i] === 0x09)) i++;
  return i === end || line[i] === 0x3b ? size : -1;
}

function endsWith(data: Uint8Array, tail: Uint8Array): boolean {
  if (data.length < tail.length) return false;
  const off = data.length - tail.length;
  for (let i = 0; i < tail.length; i++) if (data[off + i] !== tail[i]) return false;
  return true;
}
