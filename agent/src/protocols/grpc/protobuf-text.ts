/**
 * How deep length-delimited fields are tried as nested messages: protobuf's text printer's own
 * limit for unknown fields (kUnknownFieldRecursionLimit). It also bounds the work: each byte is
 * read at most once per level.
 */
const NESTING_LIMIT = 10;
/** Groups nest at most this deep before a parse fails (protobuf allows 100; real ones nest little). */
const GROUP_LIMIT = 32;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;
/** The largest field number (2^29 - 1). */
const MAX_FIELD = 0x1fffffff;

/** Where parsing a field set stopped: at `to` when the bytes are one. */
interface Cursor {
  pos: number;
}

/** Text kept, up to a bound; past it the rest is dropped and `full` set. */
class TextSink {
  text = '';
  full = false;

  constructor(private readonly max: number) {}

  add(s: string): void {
    if (this.full) return;
    if (this.text.length + s.length > this.max) {
      this.text += s.slice(0, this.max - this.text.length);
      this.full = true;
      return;
    }
    this.text += s;
  }
}

/**
 * Protobuf wire bytes in protobuf's text format, as protobuf's printer shows a message whose
 * fields are all unknown (what Pixie shows for gRPC bodies, which it parses as an Empty
 * message): `1: 150`, `2: "text"`, `3 { 1: 5 }` (a length-delimited field that parses as a
 * message is shown as one), fixed fields as hex; strings C-escaped. Fields up to the first one
 * that does not parse are shown, so a message cut by the capture shows its complete fields.
 * Returns the text (at most `maxChars`, one field a line, nested ones indented by two spaces) and
 * whether all the bytes parsed. Never throws: every length is checked against the bytes there.
 */
export function protobufText(
  b: Uint8Array,
  maxChars: number,
): { readonly text: string; readonly complete: boolean; readonly cut: boolean } {
  const sink = new TextSink(maxChars);
  const at: Cursor = { pos: 0 };
  printFields(b, at, b.length, '', NESTING_LIMIT, GROUP_LIMIT, 0, sink);
  return { text: sink.text, complete: at.pos === b.length, cut: sink.full };
}

/**
 * Prints the fields from `at.pos` until `to` (or, inside a group, its end-group tag for field
 * `group`), moving `at.pos` past what parsed. Returns false where a field does not parse.
 */
function printFields(
  b: Uint8Array,
  at: Cursor,
  to: number,
  indent: string,
  nesting: number,
  groups: number,
  group: number,
  sink: TextSink,
): boolean {
  while (at.pos < to) {
    const start = at.pos;
    const tag = tagOf(b, at, to);
    if (!tag) return fail(at, start);
    const { field, wire } = tag;
    switch (wire) {
      case WIRE_VARINT: {
        const v = varint(b, at, to);
        if (v === undefined) return fail(at, start);
        sink.add(`${indent}${field}: ${v}\n`);
        break;
      }
      case WIRE_FIXED64:
      case WIRE_FIXED32: {
        const n = wire === WIRE_FIXED64 ? 8 : 4;
        if (to - at.pos < n) return fail(at, start);
        sink.add(`${indent}${field}: 0x${hexLittleEndian(b, at.pos, n)}\n`);
        at.pos += n;
        break;
      }
      case WIRE_LENGTH: {
        const len = varint(b, at, to);
        if (len === undefined || typeof len === 'bigint' || len > to - at.pos) {
          return fail(at, start);
        }
        const from = at.pos;
        at.pos += len;
        if (len > 0 && nesting > 0 && isFieldSet(b, from, at.pos, groups)) {
          sink.add(`${indent}${field} {\n`);
          printFields(b, { pos: from }, at.pos, `${indent}  `, nesting - 1, groups, 0, sink);
          sink.add(`${indent}}\n`);
        } else {
          sink.add(`${indent}${field}: "${cEscape(b, from, at.pos)}"\n`);
        }
        break;
      }
      case WIRE_START_GROUP: {
        // Shown only when it parses whole, as a group that does not is no field.
        const from = at.pos;
        if (groups === 0 || !skipFields(b, at, to, groups - 1, field)) return fail(at, start);
        sink.add(`${indent}${field} {\n`);
        printFields(b, { pos: from }, to, `${indent}  `, nesting, groups - 1, field, sink);
        sink.add(`${indent}}\n`);
        break;
      }
      case WIRE_END_GROUP:
        if (field !== group) return fail(at, start);
        return true;
      default:
        return fail(at, start);
    }
  }
  // Running out of bytes inside a group is a failure; a field set ends where its bytes do.
  return group === 0;
}

/** Whether b[from, to) parses whole as a field set (checked before printing it as one). */
function isFieldSet(b: Uint8Array, from: number, to: number, groups: number): boolean {
  const at: Cursor = { pos: from };
  return skipFields(b, at, to, groups, 0) && at.pos === to;
}

function skipFields(b: Uint8Array, at: Cursor, to: number, groups: number, group: number): boolean {
  while (at.pos < to) {
    const tag = tagOf(b, at, to);
    if (!tag) return false;
    const { field, wire } = tag;
    switch (wire) {
      case WIRE_VARINT:
        if (varint(b, at, to) === undefined) return false;
        break;
      case WIRE_FIXED64:
      case WIRE_FIXED32: {
        const n = wire === WIRE_FIXED64 ? 8 : 4;
        if (to - at.pos < n) return false;
        at.pos += n;
        break;
      }
      case WIRE_LENGTH: {
        const len = varint(b, at, to);
        if (len === undefined || typeof len === 'bigint' || len > to - at.pos) return false;
        at.pos += len;
        break;
      }
      case WIRE_START_GROUP:
        if (groups === 0 || !skipFields(b, at, to, groups - 1, field)) return false;
        break;
      case WIRE_END_GROUP:
        return field === group;
      default:
        return false;
    }
  }
  return group === 0;
}

function fail(at: Cursor, start: number): false {
  at.pos = start;
  return false;
}

/**
 * A varint (at most 10 bytes): a number while it has at most 7 bytes (49 bits, exact), a bigint
 * (uint64, as protobuf keeps it) past that; undefined when cut short or longer than 10 bytes.
 */
function varint(b: Uint8Array, at: Cursor, to: number): number | bigint | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 7; i++) {
    if (at.pos >= to) return undefined;
    const byte = b[at.pos++]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return value;
  }
  let big = BigInt(value);
  for (let i = 7; i < 10; i++) {
    if (at.pos >= to) return undefined;
    const byte = b[at.pos++]!;
    big += BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) return BigInt.asUintN(64, big);
  }
  return undefined;
}

/** A field's tag: its number and wire type; undefined when it cannot be one. */
function tagOf(b: Uint8Array, at: Cursor, to: number): { field: number; wire: number } | undefined {
  const tag = varint(b, at, to);
  if (typeof tag !== 'number') return undefined;
  const field = Math.floor(tag / 8);
  return field === 0 || field > MAX_FIELD ? undefined : { field, wire: tag % 8 };
}

const HEX = '0123456789abcdef';

/** `n` little-endian bytes as big-endian hex, zero-padded (protobuf prints fixed fields so). */
function hexLittleEndian(b: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = n - 1; i >= 0; i--) s += HEX[b[at + i]! >> 4]! + HEX[b[at + i]! & 15]!;
  return s;
}

const ESCAPES: Record<number, string> = {
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x22: '\\"',
  0x27: "\\'",
  0x5c: '\\\\',
};

/** Bytes as protobuf's CEscape writes them: printable ASCII as is, the rest as octal escapes. */
function cEscape(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    const e = ESCAPES[c];
    if (e !== undefined) s += e;
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\${(c >> 6).toString()}${((c >> 3) & 7).toString()}${(c & 7).toString()}`;
  }
  return s;
}
