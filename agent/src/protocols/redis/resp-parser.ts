import { ByteStream } from '../http/byte-stream';
import { Side } from '../stitcher';
import { splitInline } from './inline-command';

/**
 * One Redis message: a command (a RESP array, or an inline command line) or a reply of any
 * RESP2 or RESP3 type, with the times of its first and last byte (monotonic ns).
 */
export interface RespMessage {
  /** The type byte of the top-level value ('*', '+', '>', ...), or INLINE. */
  readonly type: number;
  /**
   * The values of an array, set, push or map (a map's as key, value, key, ...) and the words of
   * an inline command, each as Pixie's text; undefined for scalars and null aggregates.
   */
  readonly values: readonly string[] | undefined;
  /** A scalar as Pixie's text (errors after a '-', nulls `<NULL>`, a null array `[NULL]`). */
  readonly text: string;
  readonly startTs: number;
  readonly endTs: number;
}

export interface RespLimits {
  /** Bytes kept of one string value; the rest are skipped, the text ends TRUNCATED. */
  readonly maxValueBytes: number;
  /** Characters of text kept per message; values past it are left out. */
  readonly maxMessageChars: number;
  /** Aggregates nested in one another, at most. */
  readonly maxDepth: number;
  /** Longest type line or inline command. */
  readonly maxLineBytes: number;
}

/** The type of an inline command (not a RESP type byte). */
export const INLINE = 0;
export const TRUNCATED = '... [TRUNCATED]';

const CR = 0x0d;
const LF = 0x0a;
const NULL_TEXT = '<NULL>';
/** Bulk strings are at most 512 MB (Redis's proto-max-bulk-len). */
const MAX_BULK = 512 * 1024 * 1024;
const MAX_COUNT = 2 ** 31 - 1;

const T = (c: string) => c.charCodeAt(0);
/** Aggregates and how many values each element counts for. */
const AGGREGATES: ReadonlyMap<number, number> = new Map([
  [T('*'), 1],
  [T('~'), 1],
  [T('>'), 1],
  [T('%'), 2],
  [T('|'), 2],
]);
const ATTRIBUTE = T('|');
const MAP = T('%');
const STRINGS = new Set([T('$'), T('!'), T('=')]);
const LINES = new Set([T('+'), T('-'), T(':'), T(','), T('('), T('#'), T('_')]);

/** Whether a byte starts a RESP2 or RESP3 value. */
export function isRespType(c: number | undefined): boolean {
  return c !== undefined && (AGGREGATES.has(c) || STRINGS.has(c) || LINES.has(c));
}

/** Whether a reply is an error (a simple or a blob error). */
export function isErrorReply(m: RespMessage): boolean {
  return m.type === T('-') || m.type === T('!');
}

interface Aggregate {
  readonly type: number;
  left: number;
  readonly values: string[];
}

type State =
  | { readonly kind: 'start' }
  | { readonly kind: 'inline' }
  | { readonly kind: 'value' }
  | {
      readonly kind: 'string';
      readonly type: number;
      readonly size: number;
      left: number;
      readonly parts: Uint8Array[];
      copied: number;
    }
  | { readonly kind: 'terminator'; readonly type: number; readonly text: string }
  | { readonly kind: 'resync'; readonly inclusive: boolean };

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Parses one direction of a Redis connection into messages as bytes arrive, however syscalls cut
 * them: commands (arrays, or inline lines on the request side) and replies of every RESP2 and
 * RESP3 type. A value's bytes may span holes in the capture (they are counted, not kept); what is
 * malformed never throws: it is counted, and parsing resumes at the next chunk that starts a
 * message. Text kept is bounded per value and per message; nesting is bounded.
 */
export class RespParser {
  /** Malformed stretches skipped so far. */
  errors = 0;
  /** Set when the parser resynchronised; the stitcher reads and clears it. */
  resynced = false;
  private state: State = { kind: 'start' };
  private readonly stack: Aggregate[] = [];
  private startTs = 0;
  private kept = 0;
  private cut = false;

  constructor(
    private readonly side: Side,
    private readonly limits: RespLimits,
  ) {}

  /** The next complete message, or undefined until more bytes arrive. */
  next(stream: ByteStream): RespMessage | undefined {
    for (;;) {
      if (stream.lost) {
        stream.lost = false;
        if (this.state.kind !== 'resync') this.fail(true);
      }
      const step = this.step(stream);
      if (step === 'wait') {
        this.copyParts();
        return undefined;
      }
      if (step !== 'again') return step;
    }
  }

  private step(stream: ByteStream): RespMessage | 'again' | 'wait' {
    const s = this.state;
    switch (s.kind) {
      case 'resync':
        return this.resync(stream, s.inclusive);
      case 'start':
        if (stream.cursor >= stream.knownEnd()) return 'wait';
        if (stream.atHole()) return this.fail();
        this.startTs = stream.tsAtCursor();
        this.kept = 0;
        this.cut = false;
        // A command that is not an array is an inline command (as Redis reads it).
        this.state = {
          kind:
            this.side === 'request' && stream.contiguous(1).bytes[0] !== T('*')
              ? 'inline'
              : 'value',
        };
        return 'again';
      case 'inline':
        return this.inline(stream);
      case 'value':
        return this.typeLine(stream);
      case 'string':
        return this.stringBytes(stream, s);
      case 'terminator':
        return this.terminator(stream, s.type, s.text);
    }
  }

  private resync(stream: ByteStream, inclusive: boolean): 'again' | 'wait' {
    if (stream.cursor >= stream.knownEnd()) return 'wait';
    const found = stream.skipToChunkStart((d) => startsMessage(d, this.side), inclusive);
    // Without one, everything known was skipped: the next chunk to arrive starts at the cursor.
    this.state = found ? { kind: 'start' } : { kind: 'resync', inclusive: true };
    return found ? 'again' : 'wait';
  }

  /** An inline command: one line of words, ended by LF (CRLF from most clients). */
  private inline(stream: ByteStream): RespMessage | 'again' | 'wait' {
    const line = this.line(stream);
    if (typeof line === 'string') return line;
    const end = line.end > 0 && line.bytes[line.end - 1] === CR ? line.end - 1 : line.end;
    const words = splitInline(line.bytes.subarray(0, end));
    stream.consume(line.next);
    if (!words) return this.fail(true);
    this.state = { kind: 'start' };
    // Redis ignores empty lines, and answers nothing to them.
    if (words.length === 0) return 'again';
    const values = words.map((w) => this.keep(w)).filter(defined);
    if (this.cut) values.push(TRUNCATED);
    return this.message(stream, INLINE, values, '');
  }

  /** The line at the cursor up to its LF, or what to do instead. */
  private line(
    stream: ByteStream,
  ): { readonly bytes: Buffer; readonly end: number; readonly next: number } | 'again' | 'wait' {
    if (stream.cursor >= stream.knownEnd()) return 'wait';
    if (stream.atHole()) return this.fail();
    const { bytes, holeAfter } = stream.contiguous(this.limits.maxLineBytes);
    const at = bytes.indexOf(LF);
    if (at < 0) return holeAfter || bytes.length >= this.limits.maxLineBytes ? this.fail() : 'wait';
    return { bytes, end: at, next: at + 1 };
  }

  private typeLine(stream: ByteStream): RespMessage | 'again' | 'wait' {
    const line = this.line(stream);
    if (typeof line === 'string') return line;
    const { bytes, end } = line;
    if (end < 2 || bytes[end - 1] !== CR) return this.fail();
    const type = bytes[0]!;
    const body = bytes.subarray(1, end - 1);
    // The line is consumed: a failure from here on resumes at a chunk starting right after it.
    stream.consume(line.next);
    if (LINES.has(type)) {
      const text = lineText(type, body, this.limits.maxValueBytes);
      return text === undefined ? this.fail(true) : this.value(stream, type, text);
    }
    const n = integer(body);
    if (STRINGS.has(type)) {
      if (n === -1 && type === T('$')) return this.value(stream, type, NULL_TEXT);
      if (n === undefined || n < 0 || n > MAX_BULK) return this.fail(true);
      this.state = { kind: 'string', type, size: n, left: n, parts: [], copied: 0 };
      return 'again';
    }
    const per = AGGREGATES.get(type);
    if (per === undefined) return this.fail(true);
    if (n === -1 && type === T('*')) return this.value(stream, type, '[NULL]');
    if (n === undefined || n < 0 || n > MAX_COUNT / per) return this.fail(true);
    if (this.stack.length >= this.limits.maxDepth) return this.fail(true);
    this.stack.push({ type, left: n * per, values: [] });
    return this.closeAggregates(stream);
  }

  /** Takes the bytes of a bulk, blob error or verbatim string, keeping a bounded prefix. */
  private stringBytes(
    stream: ByteStream,
    s: Extract<State, { kind: 'string' }>,
  ): RespMessage | 'again' | 'wait' {
    const captured = s.parts.reduce((n, p) => n + p.length, 0);
    const keep = Math.max(0, Math.min(this.limits.maxValueBytes, this.room()) - captured);
    s.left -= stream.consume(s.left, s.parts, keep);
    if (s.left > 0) return 'wait';
    const bytes = s.parts.length === 1 ? s.parts[0]! : Buffer.concat(s.parts);
    let text = utf8.decode(s.type === T('=') && bytes.length >= 4 ? bytes.subarray(4) : bytes);
    if (bytes.length < s.size) text += TRUNCATED;
    if (s.type === T('!')) text = `-${text}`;
    this.state = { kind: 'terminator', type: s.type, text };
    return 'again';
  }

  /** The CRLF after a string's bytes (taken on trust where the capture missed it). */
  private terminator(
    stream: ByteStream,
    type: number,
    text: string,
  ): RespMessage | 'again' | 'wait' {
    if (stream.knownEnd() - stream.cursor < 2) return 'wait';
    const { bytes } = stream.contiguous(2);
    if ((bytes.length > 0 && bytes[0] !== CR) || (bytes.length > 1 && bytes[1] !== LF)) {
      return this.fail();
    }
    stream.consume(2);
    return this.value(stream, type, text);
  }

  /** A value is complete: into the aggregate that holds it, or it is the message. */
  private value(stream: ByteStream, type: number, text: string): RespMessage | 'again' {
    const top = this.stack[this.stack.length - 1];
    if (!top) return this.message(stream, type, undefined, text);
    const kept = this.keep(text);
    if (kept !== undefined) top.values.push(kept);
    top.left--;
    return this.closeAggregates(stream);
  }

  /** Completes the aggregates that have all their values, innermost first. */
  private closeAggregates(stream: ByteStream): RespMessage | 'again' {
    this.state = { kind: 'value' };
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top || top.left > 0) return 'again';
      this.stack.pop();
      // An attribute annotates the value after it (RESP3): it is dropped.
      if (top.type === ATTRIBUTE) {
        if (this.stack.length === 0) return 'again';
        continue;
      }
      const parent = this.stack[this.stack.length - 1];
      if (!parent) {
        if (this.cut) top.values.push(TRUNCATED);
        return this.message(stream, top.type, top.values, '');
      }
      const kept = this.keep(aggregateText(top.type, top.values));
      if (kept !== undefined) parent.values.push(kept);
      parent.left--;
    }
  }

  private message(
    stream: ByteStream,
    type: number,
    values: readonly string[] | undefined,
    text: string,
  ): RespMessage {
    this.state = { kind: 'start' };
    return { type, values, text, startTs: this.startTs, endTs: stream.lastTs };
  }

  /** Characters of text the message may still keep. */
  private room(): number {
    return this.limits.maxMessageChars - this.kept;
  }

  /** A value's text if the message has room for it; otherwise it is left out, and marked. */
  private keep(text: string): string | undefined {
    if (text.length > this.room()) {
      this.cut = true;
      return undefined;
    }
    this.kept += text.length;
    return text;
  }

  /**
   * A string waiting for more bytes keeps copies of its parts: the views would pin the chunks'
   * memory (shared with other events) for as long as the value takes to complete.
   */
  private copyParts(): void {
    const s = this.state;
    if (s.kind !== 'string') return;
    for (let i = s.copied; i < s.parts.length; i++) s.parts[i] = new Uint8Array(s.parts[i]!);
    s.copied = s.parts.length;
  }

  /** Skips a stretch that cannot be parsed; `inclusive` when the cursor was moved for us. */
  private fail(inclusive = false): 'again' {
    this.errors++;
    this.resynced = true;
    this.stack.length = 0;
    this.state = { kind: 'resync', inclusive };
    return 'again';
  }
}

function defined<T>(x: T | undefined): x is T {
  return x !== undefined;
}

/**
 * Whether a syscall chunk may start a message on this side: a RESP value on both; on the
 * request side also an inline command (a letter).
 */
export function startsMessage(data: Uint8Array, side: Side): boolean {
  const c = data[0];
  if (side === 'response') return isRespType(c);
  if (c === T('*')) return data.length < 2 || isDigit(data[1]) || data[1] === T('-');
  return c !== undefined && (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** A decimal integer of at most 19 digits with an optional '-', or undefined. */
function integer(b: Uint8Array): number | undefined {
  const neg = b[0] === T('-');
  const from = neg ? 1 : 0;
  if (b.length === from || b.length - from > 19) return undefined;
  let v = 0;
  for (let i = from; i < b.length; i++) {
    if (!isDigit(b[i])) return undefined;
    v = v * 10 + (b[i]! - 0x30);
  }
  return neg ? -v : v;
}

/** The text of a one-line value as Pixie writes it, or undefined when the line is not one. */
function lineText(type: number, body: Uint8Array, max: number): string | undefined {
  switch (String.fromCharCode(type)) {
    case ':':
    case '(':
      return signedDigits(body) ? Buffer.from(body).toString('latin1') : undefined;
    case '#':
      return body.length === 1 && (body[0] === T('t') || body[0] === T('f'))
        ? String(body[0] === T('t'))
        : undefined;
    case '_':
      return body.length === 0 ? NULL_TEXT : undefined;
    case '-':
      return `-${capped(body, max)}`;
    default:
      return capped(body, max);
  }
}

/** Whether bytes are an integer of any length, with an optional sign. */
function signedDigits(b: Uint8Array): boolean {
  const from = b[0] === T('-') || b[0] === T('+') ? 1 : 0;
  if (b.length === from) return false;
  for (let i = from; i < b.length; i++) if (!isDigit(b[i])) return false;
  return true;
}

function capped(body: Uint8Array, max: number): string {
  return body.length <= max ? utf8.decode(body) : utf8.decode(body.subarray(0, max)) + TRUNCATED;
}

/** A nested aggregate's text as Pixie writes it: a JSON array (a map: a JSON object). */
export function aggregateText(type: number, values: readonly string[]): string {
  if (type !== MAP) return JSON.stringify(values);
  const pairs: string[] = [];
  for (let i = 0; i + 1 < values.length; i += 2) {
    pairs.push(`${JSON.stringify(values[i])}:${JSON.stringify(values[i + 1])}`);
  }
  return `{${pairs.join(',')}}`;
}
