/**
 * Splits PxL source into code, string literals and comments, so that interpolation can treat
 * each as what it is. Template syntax (`$var`) is not Python, so a real parser would stop at it;
 * this scanner only needs Python's lexical rules for strings and comments.
 */

export type Segment =
  | { kind: 'code'; text: string }
  | { kind: 'comment'; text: string }
  | {
      kind: 'string';
      /** Letters before the quote (`r`, `b`, `f`, `u`, or two of them), as written. */
      prefix: string;
      quote: "'" | '"';
      triple: boolean;
      /** The characters between the quotes, escapes left as written. */
      body: string;
      /** False when the script ends (or, for a one-line string, the line ends) before the quote. */
      terminated: boolean;
    };

const STRING_START = /^([rRbBuUfF]{0,2})('''|"""|'|")/;
const VALID_PREFIX = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])$/;
const IDENTIFIER_CHAR = /[\p{L}\p{N}_]/u;

/** True when a prefix letter at `i` starts a token rather than continuing a name (`bar'x'`). */
function atWordStart(source: string, i: number): boolean {
  return i === 0 || !IDENTIFIER_CHAR.test(source[i - 1]!);
}

/** The segments of `source`, in order; joining them back with `segmentText` gives `source`. */
export function scan(source: string): Segment[] {
  const segments: Segment[] = [];
  let code = '';
  const flushCode = () => {
    if (code) segments.push({ kind: 'code', text: code });
    code = '';
  };
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '#') {
      flushCode();
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? source.length : end;
      segments.push({ kind: 'comment', text: source.slice(i, stop) });
      i = stop;
      continue;
    }
    const start = STRING_START.exec(source.slice(i, i + 5));
    if (start && (start[1] === '' || (atWordStart(source, i) && VALID_PREFIX.test(start[1]!)))) {
      flushCode();
      const [opener, prefix = '', quotes = "'"] = start;
      const { body, end, terminated } = readStringBody(source, i + opener.length, quotes);
      segments.push({
        kind: 'string',
        prefix,
        quote: quotes[0] as "'" | '"',
        triple: quotes.length === 3,
        body,
        terminated,
      });
      i = end;
      continue;
    }
    code += ch;
    i++;
  }
  flushCode();
  return segments;
}

function readStringBody(source: string, from: number, quotes: string) {
  const triple = quotes.length === 3;
  let i = from;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '\\') {
      i += 2; // a backslash keeps the next character, even a quote, inside the string
      continue;
    }
    if (!triple && ch === '\n') break;
    if (source.startsWith(quotes, i)) {
      return { body: source.slice(from, i), end: i + quotes.length, terminated: true };
    }
    i++;
  }
  const end = Math.min(i, source.length);
  return { body: source.slice(from, end), end, terminated: false };
}

/** The source text of a segment. */
export function segmentText(segment: Segment): string {
  if (segment.kind !== 'string') return segment.text;
  const quotes = segment.triple ? segment.quote.repeat(3) : segment.quote;
  return segment.prefix + quotes + segment.body + (segment.terminated ? quotes : '');
}
