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
  /** Header fields in order, names as sent. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Bytes of the start line, headers and the empty line that ends them. */
  readonly length: number;
}

export type HeadResult =
  | { readonly kind: 'ok'; readonly head: HttpHead }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly reason: string };

const MAX_HEADERS = 128;
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const METHOD_RE = /^[A-Z][A-Z_-]{0,19}$/;
const REQUEST_LINE_RE = /^([^ ]+) ([^ ]+) HTTP\/1\.([01])$/;
const STATUS_LINE_RE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: (.*))?$/;
const LF = 0x0a;

/**
 * Parses the head of a request or response at the start of `buf`. Lenient where real peers are
 * (bare LF line ends, obsolete header folding), strict where a wrong guess would misframe the
 * stream (start line, header names).
 */
export function parseHead(buf: Buffer, kind: 'request' | 'response'): HeadResult {
  const lines: string[] = [];
  let from = 0;
  for (;;) {
    const nl = buf.indexOf(LF, from);
    if (nl < 0) return { kind: 'incomplete' };
    const end = nl > from && buf[nl - 1] === 0x0d ? nl - 1 : nl;
    const line = buf.toString('latin1', from, end);
    from = nl + 1;
    if (line === '') {
      if (lines.length === 0) return { kind: 'invalid', reason: 'empty start line' };
      break;
    }
    if (lines.length > MAX_HEADERS) return { kind: 'invalid', reason: 'too many header lines' };
    lines.push(line);
  }
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    if (line[0] === ' ' || line[0] === '\t') {
      const last = headers[headers.length - 1];
      if (!last) return { kind: 'invalid', reason: 'folded line before any header' };
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN_RE.test(name)) return { kind: 'invalid', reason: 'malformed header line' };
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  const start = lines[0]!;
  if (kind === 'request') {
    const m = REQUEST_LINE_RE.exec(start);
    if (!m || !METHOD_RE.test(m[1]!)) return { kind: 'invalid', reason: 'malformed request line' };
    return {
      kind: 'ok',
      head: {
        kind,
        minorVersion: Number(m[3]),
        method: m[1]!,
        target: m[2]!,
        status: 0,
        reason: '',
        headers,
        length: from,
      },
    };
  }
  const m = STATUS_LINE_RE.exec(start);
  if (!m) return { kind: 'invalid', reason: 'malformed status line' };
  return {
    kind: 'ok',
    head: {
      kind,
      minorVersion: Number(m[1]),
      method: '',
      target: '',
      status: Number(m[2]),
      reason: m[3] ?? '',
      headers,
      length: from,
    },
  };
}

/** The value of a header (case-insensitive name); repeated fields are joined with ", ". */
export function headerValue(head: HttpHead, name: string): string | undefined {
  const lower = name.toLowerCase();
  let value: string | undefined;
  for (const [n, v] of head.headers) {
    if (n.toLowerCase() === lower) value = value === undefined ? v : `${value}, ${v}`;
  }
  return value;
}

/** How a message's body is delimited (RFC 9112 section 6.3). */
export type Framing =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  | { readonly kind: 'close' }
  | { readonly kind: 'invalid'; readonly reason: string };

/** The body framing of a message; a response needs the method of its request. */
export function framingOf(head: HttpHead, requestMethod?: string): Framing {
  if (head.kind === 'response') {
    const s = head.status;
    if (requestMethod === 'HEAD' || (s >= 100 && s < 200) || s === 204 || s === 304) {
      return { kind: 'none' };
    }
  }
  const te = headerValue(head, 'transfer-encoding');
  if (te !== undefined) {
    const codings = te.toLowerCase().split(',');
    if (codings[codings.length - 1]!.trim() === 'chunked') return { kind: 'chunked' };
    return head.kind === 'request'
      ? { kind: 'invalid', reason: 'request transfer-encoding does not end in chunked' }
      : { kind: 'close' };
  }
  const cl = headerValue(head, 'content-length');
  if (cl !== undefined) {
    const values = new Set(cl.split(',').map((v) => v.trim()));
    const [only] = values;
    if (values.size !== 1 || !/^\d{1,15}$/.test(only!)) {
      return { kind: 'invalid', reason: 'bad content-length' };
    }
    const length = Number(only);
    return length === 0 ? { kind: 'none' } : { kind: 'length', length };
  }
  return head.kind === 'request' ? { kind: 'none' } : { kind: 'close' };
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
      data[8] === 0x20
    );
  }
  let i = 0;
  while (i < data.length && i < 20 && data[i]! >= 0x41 && data[i]! <= 0x5a) i++;
  return i >= 3 && i < data.length && data[i] === 0x20;
}
