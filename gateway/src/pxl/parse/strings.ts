const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': '',
};

/**
 * Decodes one Python string literal as written (prefix, quotes, escapes) into its value.
 * Returns an error message instead for the forms PxL does not take (bytes literals).
 */
export function decodeStringLiteral(raw: string): { value: string } | { error: string } {
  const prefix = /^[rRuUbB]*/.exec(raw)![0];
  if (/[bB]/.test(prefix)) return { error: 'bytes literals are not supported' };
  const rest = raw.slice(prefix.length);
  const quote = rest.startsWith('"""') || rest.startsWith("'''") ? rest.slice(0, 3) : rest[0]!;
  const body = rest.slice(quote.length, rest.length - quote.length);
  if (/[rR]/.test(prefix)) return { value: body };
  return decodeEscapes(body);
}

function decodeEscapes(body: string): { value: string } | { error: string } {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) return { value: out + '\\' };
    if (next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
      i++;
      continue;
    }
    const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const hex = body.slice(i + 2, i + 2 + hexLength);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) {
        return { error: `invalid \\${next} escape in string` };
      }
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) return { error: `invalid \\${next} escape in string` };
      out += String.fromCodePoint(code);
      i += 1 + hexLength;
      continue;
    }
    const octal = /^[0-7]{1,3}/.exec(body.slice(i + 1));
    if (octal) {
      out += String.fromCharCode(parseInt(octal[0], 8));
      i += octal[0].length;
      continue;
    }
    // Python keeps unknown escapes as written.
    out += c;
  }
  return { value: out };
}
