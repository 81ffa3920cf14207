import { BOUNDS, boundError } from '../bounds';
import { Loc } from '../errors';

const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);

/**
 * Refuses a script whose brackets nest deeper than the bound, before the grammar reads it: the
 * parser recovers from very deep nesting slowly (seconds for 100 KB of parentheses). Strings and
 * comments are passed over as Python reads them; an unterminated string ends the scan, and the
 * parser reports it.
 */
export function checkBracketNesting(source: string): void {
  let depth = 0;
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '#') {
      const end = source.indexOf('\n', i);
      i = end < 0 ? source.length : end;
    } else if (ch === '"' || ch === "'") {
      i = stringEnd(source, i);
    } else {
      if (OPEN.has(ch) && ++depth > BOUNDS.nesting) {
        throw boundError(
          'nesting',
          `brackets nest more than ${BOUNDS.nesting} levels deep`,
          'give the inner parts names of their own',
          locOf(source, i),
        );
      }
      if (CLOSE.has(ch) && depth > 0) depth--;
      i++;
    }
  }
}

/** The offset after the string literal whose opening quote is at `start`. */
function stringEnd(source: string, start: number): number {
  const quote = source[start]!;
  const triple = source.startsWith(quote.repeat(3), start);
  const close = triple ? quote.repeat(3) : quote;
  let i = start + close.length;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '\\') {
      i += 2;
    } else if (source.startsWith(close, i)) {
      return i + close.length;
    } else if (ch === '\n' && !triple) {
      return i;
    } else {
      i++;
    }
  }
  return source.length;
}

function locOf(source: string, offset: number): Loc {
  const before = source.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
