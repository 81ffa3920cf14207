import { BinaryReader, SqlProtocolError, decodeText } from '../sql/binary-reader';
import { clip } from '../sql/bounded-text';

/** A bound parameter: its format code and its value as text (null for SQL NULL). */
export interface PgParam {
  readonly format: number;
  readonly value: string | null;
}

export interface BindMessage {
  readonly portal: string;
  readonly statement: string;
  readonly params: readonly PgParam[];
  readonly resultFormats: readonly number[];
}

export interface ParseMessage {
  readonly statement: string;
  readonly query: string;
}

/** Describe or Close: 'S' for a prepared statement, 'P' for a portal, and its name. */
export interface TargetMessage {
  readonly type: number;
  readonly name: string;
}

export interface RowDescriptionField {
  readonly name: string;
  readonly tableOid: number;
  readonly attrNum: number;
  readonly typeOid: number;
  readonly typeSize: number;
  readonly typeModifier: number;
  readonly format: number;
}

/** One field of an ErrorResponse: its one-letter code and its text. */
export interface ErrorField {
  readonly code: string;
  readonly value: string;
}

/**
 * Every decoder reads one message's payload with bounds checks (a field past the end throws
 * SqlProtocolError). A payload cut short by the capture (`truncated`) gives what its captured
 * bytes hold instead: a long query keeps its start.
 */

/** Text ended by NUL; in a truncated payload, the bytes up to its end when no NUL came. */
function cstring(r: BinaryReader, truncated: boolean): string {
  try {
    return r.cstring();
  } catch (err) {
    if (truncated && err instanceof SqlProtocolError) return r.rest();
    throw err;
  }
}

/** Query's text (Pixie drops trailing NULs). */
export function decodeQuery(payload: Uint8Array): string {
  let end = payload.length;
  while (end > 0 && payload[end - 1] === 0) end--;
  return decodeText(payload.subarray(0, end));
}

export function decodeParse(payload: Uint8Array, truncated: boolean): ParseMessage {
  const r = new BinaryReader(payload);
  const statement = cstring(r, truncated);
  const query = cstring(r, truncated);
  return { statement, query };
}

/**
 * Bind's portal, statement, parameters and result formats. Parameter values past `maxChars` of
 * text in all are not kept (the row's text stops there anyway), so a portal holds little.
 */
export function decodeBind(payload: Uint8Array, truncated: boolean, maxChars: number): BindMessage {
  const r = new BinaryReader(payload);
  const portal = r.cstring();
  const statement = r.cstring();
  const params: PgParam[] = [];
  const resultFormats: number[] = [];
  const bind = { portal, statement, params, resultFormats };
  try {
    const formats: number[] = [];
    for (let n = r.i16be(); n > 0; n--) formats.push(r.i16be());
    const count = r.i16be();
    let kept = 0;
    if (formats.length > 1 && formats.length !== count) {
      throw new SqlProtocolError(`${formats.length} parameter formats for ${count} parameters`);
    }
    for (let i = 0; i < count; i++) {
      const length = r.i32be();
      if (length === -1) {
        params.push({ format: 0, value: null });
        continue;
      }
      const format = formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : formats[i]!;
      const value = truncated ? r.bytesUpTo(length) : r.bytes(length);
      if (kept < maxChars) {
        const text = clip(valueText(value, format === 1), maxChars - kept);
        kept += text.length;
        params.push({ format, value: text });
      }
    }
    for (let n = r.i16be(); n > 0; n--) resultFormats.push(r.i16be());
  } catch (err) {
    if (!truncated || !(err instanceof SqlProtocolError)) throw err;
  }
  return bind;
}

/** Describe and Close name their target the same way. */
export function decodeTarget(payload: Uint8Array, truncated: boolean): TargetMessage {
  const r = new BinaryReader(payload);
  const type = r.u8();
  return { type, name: cstring(r, truncated) };
}

/** Execute names its portal (its row limit is not reported). */
export function decodeExecute(payload: Uint8Array, truncated: boolean): string {
  return cstring(new BinaryReader(payload), truncated);
}

export function decodeRowDescription(payload: Uint8Array): RowDescriptionField[] {
  const r = new BinaryReader(payload);
  const fields: RowDescriptionField[] = [];
  for (let n = r.i16be(); n > 0; n--) {
    fields.push({
      name: r.cstring(),
      tableOid: r.i32be(),
      attrNum: r.i16be(),
      typeOid: r.i32be(),
      typeSize: r.i16be(),
      typeModifier: r.i32be(),
      format: r.i16be(),
    });
  }
  return fields;
}

/**
 * A DataRow's values as Pixie writes them: joined by ',' with NULL as [NULL]; `mask` writes
 * each non-NULL value as `masked`. A truncated row gives the values it holds.
 */
export function dataRowText(
  payload: Uint8Array,
  truncated: boolean,
  masked: string | undefined,
): string {
  const r = new BinaryReader(payload);
  const out: string[] = [];
  try {
    for (let n = r.i16be(); n > 0; n--) {
      const length = r.i32be();
      if (length === -1) out.push('[NULL]');
      else if (masked !== undefined) out.push((r.skip(length), masked));
      else out.push(valueText(truncated ? r.bytesUpTo(length) : r.bytes(length), false));
    }
  } catch (err) {
    if (!truncated || !(err instanceof SqlProtocolError)) throw err;
  }
  return out.join(',');
}

export function decodeErrorFields(payload: Uint8Array, truncated: boolean): ErrorField[] {
  const r = new BinaryReader(payload);
  const fields: ErrorField[] = [];
  try {
    while (r.remaining() > 0) {
      const code = r.u8();
      if (code === 0) break;
      fields.push({ code: String.fromCharCode(code), value: r.cstring() });
    }
  } catch (err) {
    if (!truncated || !(err instanceof SqlProtocolError)) throw err;
  }
  return fields;
}

/** CommandComplete's tag (SELECT 3, INSERT 0 1, ...), trailing NULs dropped as Pixie does. */
export function decodeCommandTag(payload: Uint8Array): string {
  return decodeQuery(payload);
}

/** The code of a client's untagged first message (after its length). */
export function untaggedCode(payload: Uint8Array): number {
  return new BinaryReader(payload).i32be();
}

/**
 * A value as text: text-format values as they are; binary values and text holding control
 * bytes (which a text column cannot carry readably) in PostgreSQL's bytea hex form, \x0a0b.
 */
export function valueText(bytes: Uint8Array, binary: boolean): string {
  let control = binary;
  for (let i = 0; i < bytes.length && !control; i++) {
    const c = bytes[i]!;
    control = c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d;
  }
  if (!control) return decodeText(bytes);
  return `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')}`;
}
