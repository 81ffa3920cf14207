import { Utf8Text } from '../../transport/row';
import { HeaderMask, MASKED_VALUE } from './header-mask';

/** Pixie's HTTP content types (http_events.content_type). */
const CONTENT_UNKNOWN = 0;
const CONTENT_JSON = 1;
export const CONTENT_GRPC = 2;

/**
 * Pixie's content_type of a message from its Content-Type values, the first one present
 * deciding: 2 for gRPC, 1 for JSON, 0 for anything else.
 */
export function contentTypeCode(...types: (string | undefined)[]): number {
  for (const t of types) {
    const type = t?.toLowerCase();
    if (!type) continue;
    if (type.startsWith('application/grpc')) return CONTENT_GRPC;
    if (type.includes('json')) return CONTENT_JSON;
    return CONTENT_UNKNOWN;
  }
  return CONTENT_UNKNOWN;
}

/**
 * Header fields as a JSON object, written byte by byte from their text into the column (this
 * runs twice per exchange on each side). The fields are offsets into `text`: name start, name
 * end, value start, value end (as `HttpHead.fields`). A repeated name keeps its values joined
 * with ", ", as HTTP allows. Header bytes are latin1: those past ASCII become two UTF-8 bytes.
 * The headers `mask` names keep their name; their value is the marker.
 */
export class FieldsJson implements Utf8Text {
  constructor(
    private readonly text: string,
    private readonly fields: readonly number[],
    private readonly mask: HeaderMask,
  ) {}

  maxUtf8Bytes(): number {
    // Every char may become a 6-byte escape; each field adds 6 bytes of punctuation and, when
    // masked, at most the marker.
    const fields = this.fields.length / 4;
    return 6 * this.text.length + (8 + MASKED_VALUE.length) * fields + 2;
  }

  writeUtf8(out: Buffer, at: number): number {
    const { text, fields, mask } = this;
    if (hasRepeatedName(text, fields)) return out.write(mergedJson(text, fields, mask), at);
    let k = at;
    out[k++] = 0x7b; // {
    for (let i = 0; i < fields.length; i += 4) {
      if (i > 0) out[k++] = 0x2c; // ,
      out[k++] = 0x22;
      k = writeJsonChars(out, k, text, fields[i]!, fields[i + 1]!);
      out[k++] = 0x22;
      out[k++] = 0x3a; // :
      out[k++] = 0x22;
      if (mask.masks(text, fields[i]!, fields[i + 1]!)) {
        k += out.write(MASKED_VALUE, k, 'latin1');
      } else {
        k = writeJsonChars(out, k, text, fields[i + 2]!, fields[i + 3]!);
      }
      out[k++] = 0x22;
    }
    out[k++] = 0x7d; // }
    return k - at;
  }

  toString(): string {
    const out = Buffer.allocUnsafe(this.maxUtf8Bytes());
    return out.toString('utf8', 0, this.writeUtf8(out, 0));
  }
}

function hasRepeatedName(text: string, fields: readonly number[]): boolean {
  for (let i = 4; i < fields.length; i += 4) {
    for (let j = 0; j < i; j += 4) {
      const len = fields[i + 1]! - fields[i]!;
      if (fields[j + 1]! - fields[j]! !== len) continue;
      if (text.startsWith(text.slice(fields[i], fields[i + 1]), fields[j])) return true;
    }
  }
  return false;
}

/** The JSON of fields whose names repeat: each name once, its values joined (rare). */
function mergedJson(text: string, fields: readonly number[], mask: HeaderMask): string {
  const merged = new Map<string, string>();
  for (let i = 0; i < fields.length; i += 4) {
    const n = text.slice(fields[i], fields[i + 1]);
    const v = mask.masks(text, fields[i]!, fields[i + 1]!)
      ? MASKED_VALUE
      : text.slice(fields[i + 2], fields[i + 3]);
    merged.set(n, merged.has(n) ? `${merged.get(n)}, ${v}` : v);
  }
  return JSON.stringify(Object.fromEntries(merged));
}

const HEX = '0123456789abcdef';

/** Writes text[from, to) as the inside of a JSON string, escaped as JSON.stringify does. */
function writeJsonChars(out: Buffer, at: number, text: string, from: number, to: number): number {
  let k = at;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x80 && c !== 0x22 && c !== 0x5c) {
      out[k++] = c;
    } else if (c >= 0x80) {
      out[k++] = 0xc0 | (c >> 6);
      out[k++] = 0x80 | (c & 0x3f);
    } else {
      out[k++] = 0x5c; // backslash
      const short = SHORT_ESCAPES[c];
      if (short !== undefined) {
        out[k++] = short;
      } else {
        out.write(`u00${HEX[c >> 4]}${HEX[c & 15]}`, k, 'latin1');
        k += 5;
      }
    }
  }
  return k;
}

const SHORT_ESCAPES: Record<number, number> = {
  0x22: 0x22, // \"
  0x5c: 0x5c, // \\
  0x08: 0x62, // \b
  0x09: 0x74, // \t
  0x0a: 0x6e, // \n
  0x0c: 0x66, // \f
  0x0d: 0x72, // \r
};

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * A captured body as text: its bytes as they are when they are ASCII (most bodies that are text
 * at all), otherwise decoded as UTF-8 with U+FFFD for what is not (binary, or cut mid-character).
 */
export class BodyText implements Utf8Text {
  constructor(private readonly bytes: Uint8Array) {}

  maxUtf8Bytes(): number {
    return 3 * this.bytes.length;
  }

  writeUtf8(out: Buffer, at: number): number {
    const b = this.bytes;
    for (let i = 0; i < b.length; i++) {
      if (b[i]! >= 0x80) return out.write(decoder.decode(b), at);
    }
    out.set(b, at);
    return b.length;
  }

  toString(): string {
    return this.bytes.length === 0 ? '' : decoder.decode(this.bytes);
  }
}
