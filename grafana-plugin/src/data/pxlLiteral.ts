/**
 * PxL (Python) literals for values that come from outside a script: template variables. A value
 * only ever becomes the *content* of a literal, so no value can change a script's structure.
 */

const NAMED_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * Escapes `value` for use between `quote` characters of a (non-raw) Python string: backslashes,
 * the quote, and every control or line-separator character, which Python would otherwise read
 * as the end of a line.
 */
export function escapeStringContent(value: string, quote: "'" | '"'): string {
  let out = '';
  for (const ch of value) {
    const named = NAMED_ESCAPES[ch];
    if (named !== undefined) out += named;
    else if (ch === quote) out += '\\' + ch;
    else out += escapeControl(ch);
  }
  return out;
}

function escapeControl(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return '\\x' + hex(code, 2);
  if (code === 0x2028 || code === 0x2029) return '\\u' + hex(code, 4);
  return ch;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/** A single-quoted PxL string literal holding exactly `value`. */
export function pxlString(value: string): string {
  return `'${escapeStringContent(value, "'")}'`;
}

/** A PxL list of string literals. */
export function pxlStringList(values: readonly string[]): string {
  return `[${values.map(pxlString).join(', ')}]`;
}

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A parenthesised PxL number, or undefined when `text` is not one. The parentheses keep a sign
 * from joining the expression around it, whatever the value.
 */
export function pxlNumber(text: string, kind: 'int' | 'float'): string | undefined {
  const trimmed = text.trim();
  if (!(kind === 'int' ? INTEGER : FLOAT).test(trimmed)) return undefined;
  return `(${trimmed})`;
}
