/** A parsed start line and header block of an HTTP/1.x message. */
export interface HttpHead {
  readonly kind: 'request' | 'response';
  readonly minorVersion: number;
  /** Request method; '' for responses. */
  readonly method: string;
  /** Request target as sent (path and query); '' for responses. */
  readonly target: string;
  /** Response status; 0 for requests. */
  readonly status: number;
  /** Response reason phrase; '' for requests. */
  readonly reason: string;
  /** The start line and header lines, one char per byte (latin1); folded lines are joined. */
  readonly text: string;
  /**
   * Header fields in order, as offsets into `text`: name start, name end, value start, value end
   * (names as sent, values trimmed). Offsets, not strings: most heads are only written out once.
   */
  readonly fields: readonly number[];
  /** Bytes of the start line, headers and the empty line that ends them. */
  readonly length: number;
}

export type HeadResult =
  | { readonly kind: 'ok'; readonly head: HttpHead }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly reason: string };

const MAX_HEADERS = 128;
const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
const INCOMPLETE: HeadResult = { kind: 'incomplete' };
const DIGITS = /^\d{1,15}$/;

/** RFC 9110 token characters (header names, methods). */
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TOKEN[c.charCodeAt(0)] = 1;
}

const invalid = (reason: string): HeadResult => ({ kind: 'invalid', reason });

/**
 * Parses the head of a request or response at the start of `buf` (this runs for every message
 * the agent sees: the head is decoded to one latin1 string once, and fields are kept as offsets
 * into it). Lenient where real peers are (bare LF line ends, obsolete header folding), strict
 * where a wrong guess would misframe the stream (start line, header names).
 */
export function parseHead(buf: Buffer, kind: 'request' | 'response'): HeadResult {
  const length = headLength(buf);
  if (length < 0) return INCOMPLETE;
  const t = buf.toString('latin1', 0, length);
  let nl = t.indexOf('\n');
  const start =
    kind === 'request'
      ? parseRequestLine(t, contentEnd(t, 0, nl))
      : parseStatusLine(t, contentEnd(t, 0, nl));
  if (typeof start === 'string') return invalid(start);
  const fields: number[] = [];
  let folds: Map<number, string> | undefined;
  let from = nl + 1;
  for (;;) {
    nl = t.indexOf('\n', from);
    const end = contentEnd(t, from, nl);
    if (end === from) break;
    const c0 = t.charCodeAt(from);
    if (c0 === SP || c0 === HT) {
      const last = fields.length - 4;
      if (last < 0) return invalid('folded line before any header');
      folds ??= new Map();
      const value = folds.get(last) ?? t.slice(fields[last + 2], fields[last + 3]);
      folds.set(last, `${value} ${trimmedSlice(t, from, end)}`);
    } else {
      if (fields.length >= 4 * MAX_HEADERS) return invalid('too many header lines');
      let colon = from;
      for (let c = t.charCodeAt(colon); c !== COLON; c = t.charCodeAt(++colon)) {
        if (colon === end || !TOKEN[c]) return invalid('malformed header line');
      }
      if (colon === from) return invalid('malformed header line');
      let a = colon + 1;
      let b = end;
      while (a < b && isBlank(t.charCodeAt(a))) a++;
      while (b > a && isBlank(t.charCodeAt(b - 1))) b--;
      fields.push(from, colon, a, b);
    }
    from = nl + 1;
  }
  const head: HttpHead = {
    kind,
    minorVersion: start.minorVersion,
    method: start.method,
    target: start.target,
    status: start.status,
    reason: start.reason,
    text: t,
    fields,
    length,
  };
  return { kind: 'ok', head: folds ? unfold(head, folds) : head };
}

/** The head with its folded values joined, as text of its own (folding is rare and obsolete). */
function unfold(head: HttpHead, folds: ReadonlyMap<number, string>): HttpHead {
  const f = head.fields;
  let text = head.text.slice(0, head.text.indexOf('\n') + 1);
  const fields: number[] = [];
  for (let i = 0; i < f.length; i += 4) {
    const name = head.text.slice(f[i], f[i + 1]);
    const value = folds.get(i) ?? head.text.slice(f[i + 2], f[i + 3]);
    fields.push(text.length, text.length + name.length);
    text += `${name}: `;
    fields.push(text.length, text.length + value.length);
    text += `${value}\r\n`;
  }
  return { ...head, text, fields };
}

/** Where the content of the line from `from` to its LF at `nl` ends (before a CR). */
function contentEnd(t: string, from: number, nl: number): number {
  return nl > from && t.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
}

function isBlank(c: number): boolean {
  return c === SP || c === HT;
}

/**
 * Bytes up to and including the empty line that ends the head, or -1 when it has not come. One
 * pass over the bytes, stopping at the end of the head (a body after it is never scanned).
 */
function headLength(buf: Uint8Array): number {
  const n = buf.length;
  if (buf[0] === LF) return 1;
  if (buf[0] === CR && buf[1] === LF) return 2;
  for (let i = 0; i < n; i++) {
    if (buf[i] !== LF) continue;
    const next = buf[i + 1];
    if (next === LF) return i + 2;
    if (next === CR && buf[i + 2] === LF) return i + 3;
  }
  return -1;
}

type StartLine = Omit<HttpHead, 'kind' | 'text' | 'fields' | 'length'>;

/** `METHOD SP target SP HTTP/1.x` */
function parseRequestLine(t: string, end: number): StartLine | string {
  let i = 0;
  while (i < end && i < 20 && isUpper(t.charCodeAt(i))) i++;
  if (i === 0 || t.charCodeAt(i) !== SP) return 'malformed request line';
  const targetStart = i + 1;
  const j = t.indexOf(' ', targetStart);
  if (j <= targetStart || end - j !== 9) return 'malformed request line';
  const minor = httpVersion(t, j + 1);
  if (minor < 0) return 'malformed request line';
  return {
    minorVersion: minor,
    method: t.slice(0, i),
    target: t.slice(targetStart, j),
    status: 0,
    reason: '',
  };
}

/** `HTTP/1.x SP 3DIGIT [SP reason]` */
function parseStatusLine(t: string, end: number): StartLine | string {
  const minor = httpVersion(t, 0);
  if (minor < 0 || end < 12 || t.charCodeAt(8) !== SP) return 'malformed status line';
  const d = (k: number) => t.charCodeAt(k) - 0x30;
  if (d(9) < 1 || d(9) > 9 || d(10) < 0 || d(10) > 9 || d(11) < 0 || d(11) > 9) {
    return 'malformed status line';
  }
  if (end > 12 && t.charCodeAt(12) !== SP) return 'malformed status line';
  return {
    minorVersion: minor,
    method: '',
    target: '',
    status: d(9) * 100 + d(10) * 10 + d(11),
    reason: end > 13 ? t.slice(13, end) : '',
  };
}

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

/** The minor version of `HTTP/1.0` or `HTTP/1.1` at `at`, or -1. */
function httpVersion(t: string, at: number): number {
  if (!t.startsWith('HTTP/1.', at)) return -1;
  const minor = t.charCodeAt(at + 7);
  return minor === 0x30 ? 0 : minor === 0x31 ? 1 : -1;
}

function trimmedSlice(t: string, from: number, to: number): string {
  let a = from;
  let b = to;
  while (a < b && isBlank(t.charCodeAt(a))) a++;
  while (b > a && isBlank(t.charCodeAt(b - 1))) b--;
  return t.slice(a, b);
}

/** The value of a header (`name` in lower case); repeated fields are joined with ", ". */
export function headerValue(head: HttpHead, name: string): string | undefined {
  const { text, fields } = head;
  let value: string | undefined;
  for (let i = 0; i < fields.length; i += 4) {
    if (!nameIs(text, fields[i]!, fields[i + 1]!, name)) continue;
    const v = text.slice(fields[i + 2], fields[i + 3]);
    value = value === undefined ? v : `${value}, ${v}`;
  }
  return value;
}

/** Whether text[from, to) is `lower` in any case (`lower`: lower-case letters, digits and "-"). */
function nameIs(text: string, from: number, to: number, lower: string): boolean {
  if (to - from !== lower.length) return false;
  for (let k = 0; k < lower.length; k++) {
    if ((text.charCodeAt(from + k) | 0x20) !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/** How a message's body is delimited (RFC 9112 section 6.3). */
export type Framing =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  | { readonly kind: 'close' }
  | { readonly kind: 'invalid'; readonly reason: string };

const NONE: Framing = { kind: 'none' };
const CHUNKED: Framing = { kind: 'chunked' };
const CLOSE: Framing = { kind: 'close' };

/**
 * The body framing of a message; a response needs the method of its request. This runs for
 * every message: the usual heads (one Transfer-Encoding: chunked, or one Content-Length of
 * digits, or neither) are read in place from the head's text, the rest by `framingOfValues`.
 */
export function framingOf(head: HttpHead, requestMethod?: string): Framing {
  if (head.kind === 'response') {
    const s = head.status;
    if (requestMethod === 'HEAD' || (s >= 100 && s < 200) || s === 204 || s === 304) return NONE;
  }
  const { text, fields } = head;
  let te = -1;
  let cl = -1;
  for (let i = 0; i < fields.length; i += 4) {
    if (nameIs(text, fields[i]!, fields[i + 1]!, 'transfer-encoding')) {
      if (te >= 0) return framingOfValues(head);
      te = i;
    } else if (nameIs(text, fields[i]!, fields[i + 1]!, 'content-length')) {
      if (cl >= 0) return framingOfValues(head);
      cl = i;
    }
  }
  if (te >= 0) {
    return nameIs(text, fields[te + 2]!, fields[te + 3]!, 'chunked')
      ? CHUNKED
      : framingOfValues(head);
  }
  if (cl >= 0) {
    const length = digits(text, fields[cl + 2]!, fields[cl + 3]!);
    if (length < 0) return framingOfValues(head);
    return length === 0 ? NONE : { kind: 'length', length };
  }
  return head.kind === 'request' ? NONE : CLOSE;
}

/** The number text[from, to) writes in 1 to 15 decimal digits, or -1. */
function digits(text: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** The framing from the joined header values (any head, the way of old; lists, repeats and malformed values go this way). */
export function framingOfValues(head: HttpHead): Framing {
  const te = headerValue(head, 'transfer-encoding');
  if (te !== undefined) {
    const codings = te.toLowerCase().split(',');
    if (codings[codings.length - 1]!.trim() === 'chunked') return CHUNKED;
    return head.kind === 'request'
      ? { kind: 'invalid', reason: 'request transfer-encoding does not end in chunked' }
      : CLOSE;
  }
  const cl = headerValue(head, 'content-length');
  if (cl !== undefined) {
    const length = contentLength(cl);
    if (length < 0) return { kind: 'invalid', reason: 'bad content-length' };
    return length === 0 ? NONE : { kind: 'length', length };
  }
  return head.kind === 'request' ? NONE : CLOSE;
}

/** A Content-Length value: one number, or the same number repeated in a list; -1 otherwise. */
function contentLength(value: string): number {
  if (DIGITS.test(value)) return Number(value);
  const values = new Set(value.split(',').map((v) => v.trim()));
  const [only] = values;
  return values.size === 1 && DIGITS.test(only!) ? Number(only) : -1;
}

/** Whether captured bytes start like an HTTP/1.x message of the given kind. */
export function startsMessage(data: Uint8Array, kind: 'request' | 'response'): boolean {
  if (kind === 'response') {
    return (
      data.length >= 9 &&
      data[0] === 0x48 && // H
      data[1] === 0x54 &&
      data[2] === 0x54 &&
      data[3] === 0x50 &&
      data[4] === 0x2f && // /
      data[5] === 0x31 && // 1
      data[6] === 0x2e && // .
      (data[7] === 0x30 || data[7] === 0x31) &&
      data[8] === SP
    );
  }
  let i = 0;
  while (i < data.length && i < 20 && isUpper(data[i]!)) i++;
  return i >= 3 && i < data.length && data[i] === SP;
}
