/** Bytes skipped between arguments (C's isspace). */
function isSpace(c: number | undefined): boolean {
  return c === 0x20 || (c !== undefined && c >= 0x09 && c <= 0x0d);
}

/** Bytes that end an unquoted argument (Redis's own list: not \v or \f). */
function endsArgument(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;

const ESCAPES: Readonly<Record<number, number>> = {
  0x6e: 0x0a, // \n
  0x72: 0x0d, // \r
  0x74: 0x09, // \t
  0x62: 0x08, // \b
  0x61: 0x07, // \a
};

/**
 * Splits an inline command line (without its line end) into arguments the way Redis does
 * (`sdssplitargs`): spaces separate; "double quotes" take `\n \r \t \b \a \xHH` and `\` before any
 * other byte, 'single quotes' take `\'`; a closing quote must end its argument. Redis reads the
 * line as a C string, so a NUL byte ends it. Returns undefined for the lines Redis rejects
 * (unbalanced quotes). Arguments are decoded as UTF-8.
 */
export function splitInline(whole: Uint8Array): string[] | undefined {
  const nul = whole.indexOf(0);
  const line = nul < 0 ? whole : whole.subarray(0, nul);
  // Each argument's bytes are written into one buffer as long as the line, never longer.
  const out = Buffer.allocUnsafe(line.length);
  const args: string[] = [];
  let p = 0;
  const n = line.length;
  for (;;) {
    while (p < n && isSpace(line[p])) p++;
    if (p >= n) return args;
    let k = 0;
    let quote = 0;
    for (;;) {
      const c = line[p];
      if (quote !== 0) {
        if (c === undefined) return undefined;
        if (c === quote) {
          // A closing quote must end its argument.
          if (p + 1 < n && !isSpace(line[p + 1])) return undefined;
          p++;
          break;
        }
        const e = escape(line, p, quote);
        out[k++] = e ? e.byte : c;
        p += e ? e.length : 1;
      } else if (c === undefined || endsArgument(c)) {
        break;
      } else if (c === DQUOTE || c === SQUOTE) {
        quote = c;
        p++;
      } else {
        out[k++] = c;
        p++;
      }
    }
    args.push(out.toString('utf8', 0, k));
  }
}

/** The escape at `p` inside quotes, as the byte it stands for and its length, or undefined. */
function escape(
  line: Uint8Array,
  p: number,
  quote: number,
): { byte: number; length: number } | undefined {
  if (line[p] !== BACKSLASH || p + 1 >= line.length) return undefined;
  const e = line[p + 1]!;
  if (quote === SQUOTE) return e === SQUOTE ? { byte: SQUOTE, length: 2 } : undefined;
  const hi = hexValue(line[p + 2]);
  const lo = hexValue(line[p + 3]);
  if (e === 0x78 && hi >= 0 && lo >= 0) return { byte: hi * 16 + lo, length: 4 };
  return { byte: ESCAPES[e] ?? e, length: 2 };
}
