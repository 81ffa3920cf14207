/** The two SQL dialects the agent traces. */
export type SqlDialect = 'pgsql' | 'mysql';

/**
 * A stretch of a statement that normalization replaces: a constant (a number, string, boolean,
 * bit or hex literal) or a parameter placeholder (`$n` in PostgreSQL, `?` in MySQL).
 */
export interface SqlFragment {
  readonly start: number;
  readonly end: number;
  readonly kind: 'constant' | 'placeholder';
}

/**
 * What a statement holds: its fragments in order, and where its tokens stopped making sense (an
 * unterminated string, quote or comment: often a statement cut short by the capture), if they did.
 */
export interface SqlScan {
  readonly fragments: readonly SqlFragment[];
  readonly error?: { readonly message: string; readonly at: number };
}

/** Thrown inside the scan only, to stop at a token that cannot end. */
class Unterminated {
  constructor(
    readonly what: string,
    readonly at: number,
  ) {}
}

/** Types whose parenthesised numbers are sizes, not values: `varchar(20)`, `numeric(10,2)`. */
const TYPE_NAMES = new Set(
  (
    'VARCHAR CHAR CHARACTER VARYING NCHAR NVARCHAR BINARY VARBINARY DECIMAL DEC NUMERIC FLOAT ' +
    'DOUBLE REAL INT INTEGER TINYINT SMALLINT MEDIUMINT BIGINT BIT VARBIT TIMESTAMP TIMESTAMPTZ ' +
    'DATETIME TIME TIMETZ TEXT BLOB'
  ).split(' '),
);

/** Words after which a `-` is a sign and a MySQL NULL is a value. */
const VALUE_KEYWORDS = new Set(
  'SELECT WHERE AND OR VALUES SET THEN ELSE WHEN IN BETWEEN LIKE RETURN CASE ON HAVING BY'.split(
    ' ',
  ),
);

type Prev =
  | { readonly kind: 'start' | 'open' | 'close' | 'constant' | 'quoted' }
  | { readonly kind: 'op'; readonly start: number; readonly text: string; readonly unary: boolean }
  | { readonly kind: 'word'; readonly upper: string };

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isIdentStart = (c: number) =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c) || c === 0x24;
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/**
 * Finds the constants and placeholders of a statement, in order, with a tokenizer that knows each
 * dialect's strings (PostgreSQL's E'', dollar quotes and "identifiers"; MySQL's backslash
 * escapes, "strings" and `identifiers`), comments and numbers. It follows what Pixie's grammars
 * call constants (normalize_pgsql/normalize_mysql): numbers that size a type (`varchar(20)`) are
 * not values, nor are MySQL's LIMIT counts or a NULL after IS/NOT; a MySQL integer's sign belongs
 * to it. One pass, no backtracking: linear in the statement's length.
 */
export function scanSql(sql: string, dialect: SqlDialect): SqlScan {
  const fragments: SqlFragment[] = [];
  try {
    scanInto(sql, dialect, fragments);
    return { fragments };
  } catch (err) {
    if (!(err instanceof Unterminated)) throw err;
    const before = sql.slice(0, err.at);
    const line = before.split('\n').length;
    const column = err.at - (before.lastIndexOf('\n') + 1);
    const message = `SQL Parsing Failed: line ${line}:${column} with: ${err.what}`;
    return { fragments, error: { message, at: err.at } };
  }
}

function scanInto(sql: string, dialect: SqlDialect, out: SqlFragment[]): void {
  const my = dialect === 'mysql';
  const parens: boolean[] = [];
  let prev: Prev = { kind: 'start' };
  let inLimit = false;
  let i = 0;
  const n = sql.length;
  const fail = (what: string, at: number): never => {
    throw new Unterminated(what, at);
  };
  const valueContext = (p: Prev) =>
    p.kind === 'start' ||
    p.kind === 'open' ||
    p.kind === 'op' ||
    (p.kind === 'word' && VALUE_KEYWORDS.has(p.upper));
  /** End of a quoted run starting at `from` (the opening quote), honouring the dialect's escapes. */
  const quoted = (from: number, quote: number, backslash: boolean): number => {
    for (let k = from + 1; k < n; k++) {
      const c = sql.charCodeAt(k);
      if (backslash && c === 0x5c) k++;
      else if (c === quote) {
        if (sql.charCodeAt(k + 1) === quote) k++;
        else return k + 1;
      }
    }
    return fail('unterminated quoted text', from);
  };
  /**
   * The end of a string literal at `from`; adjacent MySQL strings are one: 'a' 'b' is 'ab' (and
   * when a later one does not end, the whole constant is where the text stops making sense).
   */
  const stringEnd = (from: number, backslash: boolean): number => {
    let end = quoted(from, 0x27, backslash);
    for (let k = end; my;) {
      while (k < n && isSpace(sql.charCodeAt(k))) k++;
      if (sql.charCodeAt(k) !== 0x27) break;
      try {
        end = k = quoted(k, 0x27, true);
      } catch (err) {
        throw err instanceof Unterminated ? new Unterminated(err.what, from) : err;
      }
    }
    return end;
  };
  const constant = (start: number, end: number) => {
    out.push({ start, end, kind: 'constant' });
    prev = { kind: 'constant' };
  };

  while (i < n) {
    const c = sql.charCodeAt(i);
    const next = sql.charCodeAt(i + 1);
    if (isSpace(c)) {
      i++;
      continue;
    }
    // Comments: -- (MySQL wants a space after it), MySQL's #, and /* */ (nested in PostgreSQL).
    if (
      (c === 0x2d && next === 0x2d && (!my || i + 2 >= n || sql.charCodeAt(i + 2) <= 0x20)) ||
      (my && c === 0x23)
    ) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === 0x2f && next === 0x2a) {
      i = skipBlockComment(sql, i, !my, fail);
      continue;
    }
    // Strings, with their prefixes: E'' X'' B'' N'' U&'' (PostgreSQL), X'' B'' N'' _charset'' (MySQL).
    if (c === 0x27) {
      const end = stringEnd(i, my);
      constant(i, end);
      i = end;
      continue;
    }
    if (c === 0x22) {
      const end = quoted(i, 0x22, my);
      if (my) constant(i, end);
      else prev = { kind: 'quoted' };
      i = end;
      continue;
    }
    if (my && c === 0x60) {
      i = quoted(i, 0x60, false);
      prev = { kind: 'quoted' };
      continue;
    }
    if (c === 0x24 && !my) {
      if (isDigit(next)) {
        let k = i + 1;
        while (k < n && isDigit(sql.charCodeAt(k))) k++;
        out.push({ start: i, end: k, kind: 'placeholder' });
        prev = { kind: 'constant' };
        i = k;
        continue;
      }
      const tagEnd = dollarTagEnd(sql, i);
      if (tagEnd > 0) {
        const tag = sql.slice(i, tagEnd);
        const close = sql.indexOf(tag, tagEnd);
        if (close < 0) fail('unterminated dollar-quoted string', i);
        constant(i, close + tag.length);
        i = close + tag.length;
        continue;
      }
    }
    if (my && c === 0x3f) {
      out.push({ start: i, end: i + 1, kind: 'placeholder' });
      prev = { kind: 'constant' };
      i++;
      continue;
    }
    if (isDigit(c) || (c === 0x2e && isDigit(next))) {
      const { end, integer, word } = scanNumber(sql, i, my);
      if (word) {
        prev = { kind: 'word', upper: '' };
      } else if (parens[parens.length - 1] || (my && inLimit)) {
        prev = { kind: 'constant' };
      } else {
        const p: Prev = prev;
        const signed = my && integer && p.kind === 'op' && p.unary && p.start === i - 1;
        constant(signed && p.kind === 'op' ? p.start : i, end);
      }
      i = end;
      continue;
    }
    if (my && c === 0x40) {
      // @user_variable, @@system.variable, @'quoted': names, kept as they are.
      let k = i + 1;
      while (sql.charCodeAt(k) === 0x40) k++;
      const q = sql.charCodeAt(k);
      if (q === 0x27 || q === 0x22 || q === 0x60) k = quoted(k, q, q !== 0x60);
      else while (k < n && (isIdentPart(sql.charCodeAt(k)) || sql.charCodeAt(k) === 0x2e)) k++;
      prev = { kind: 'quoted' };
      i = k;
      continue;
    }
    if (isIdentStart(c)) {
      let k = i + 1;
      while (k < n && isIdentPart(sql.charCodeAt(k))) k++;
      const upper = sql.slice(i, k).toUpperCase();
      const quote = sql.charCodeAt(k);
      if (quote === 0x27 && isStringPrefix(upper, my)) {
        const end = stringEnd(k, my || upper === 'E');
        constant(i, end);
        i = end;
        continue;
      }
      if (!my && upper === 'U' && quote === 0x26 && sql.charCodeAt(k + 1) === 0x27) {
        const end = quoted(k + 1, 0x27, false);
        constant(i, end);
        i = end;
        continue;
      }
      if (upper === 'TRUE' || upper === 'FALSE' || (my && upper === 'NULL' && valueContext(prev))) {
        constant(i, k);
      } else {
        prev = { kind: 'word', upper };
      }
      inLimit = my && (upper === 'LIMIT' || upper === 'OFFSET');
      i = k;
      continue;
    }
    // Punctuation and operators, one character at a time.
    if (c === 0x28) {
      parens.push(prev.kind === 'word' && TYPE_NAMES.has(prev.upper));
      prev = { kind: 'open' };
    } else if (c === 0x29) {
      parens.pop();
      prev = { kind: 'close' };
    } else {
      const text = sql[i]!;
      prev = { kind: 'op', start: i, text, unary: text === '-' && valueContext(prev) };
    }
    if (c !== 0x2c) inLimit = false;
    i++;
  }
}

function isStringPrefix(upper: string, my: boolean): boolean {
  if (upper === 'X' || upper === 'B' || upper === 'N') return true;
  return my ? upper.length > 1 && upper.startsWith('_') : upper === 'E';
}

/** The end of a `$tag$` opening a dollar-quoted string at `at`, or -1 when there is none. */
function dollarTagEnd(sql: string, at: number): number {
  let k = at + 1;
  if (sql.charCodeAt(k) === 0x24) return k + 1;
  if (!isIdentStart(sql.charCodeAt(k))) return -1;
  while (k < sql.length && isIdentPart(sql.charCodeAt(k)) && sql.charCodeAt(k) !== 0x24) k++;
  return sql.charCodeAt(k) === 0x24 ? k + 1 : -1;
}

/** A numeric literal at `at`: decimal, exponent, and MySQL's 0x/0b forms. */
function scanNumber(
  sql: string,
  at: number,
  my: boolean,
): { end: number; integer: boolean; word: boolean } {
  const n = sql.length;
  let k = at;
  let integer = true;
  const second = sql.charCodeAt(at + 1) | 0x20;
  if (my && sql.charCodeAt(at) === 0x30 && (second === 0x78 || second === 0x62)) {
    const digit = second === 0x78 ? /[0-9a-fA-F]/ : /[01]/;
    k = at + 2;
    while (k < n && digit.test(sql[k]!)) k++;
    if (k > at + 2 && !isIdentPart(sql.charCodeAt(k)))
      return { end: k, integer: false, word: false };
    k = at;
  }
  while (k < n && isDigit(sql.charCodeAt(k))) k++;
  if (sql.charCodeAt(k) === 0x2e) {
    integer = false;
    k++;
    while (k < n && isDigit(sql.charCodeAt(k))) k++;
  }
  const e = sql.charCodeAt(k) | 0x20;
  if (e === 0x65) {
    let m = k + 1;
    const sign = sql.charCodeAt(m);
    if (sign === 0x2b || sign === 0x2d) m++;
    if (isDigit(sql.charCodeAt(m))) {
      while (m < n && isDigit(sql.charCodeAt(m))) m++;
      integer = false;
      k = m;
    }
  }
  // 1abc is a (MySQL) identifier, not a number followed by a word.
  if (integer && isIdentStart(sql.charCodeAt(k))) {
    while (k < n && isIdentPart(sql.charCodeAt(k))) k++;
    return { end: k, integer, word: true };
  }
  return { end: k, integer, word: false };
}

/** Skips a block comment at `at`; PostgreSQL's nest. */
function skipBlockComment(
  sql: string,
  at: number,
  nested: boolean,
  fail: (what: string, at: number) => never,
): number {
  let depth = 0;
  for (let k = at; k < sql.length - 1; k++) {
    if (sql.charCodeAt(k) === 0x2f && sql.charCodeAt(k + 1) === 0x2a) {
      if (depth === 0 || nested) depth++;
      k++;
    } else if (sql.charCodeAt(k) === 0x2a && sql.charCodeAt(k + 1) === 0x2f) {
      depth--;
      k++;
      if (depth === 0) return k + 1;
    }
  }
  return fail('unterminated comment', at);
}
