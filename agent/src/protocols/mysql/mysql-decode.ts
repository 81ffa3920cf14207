import { BinaryReader, SqlProtocolError, decodeText } from '../sql/binary-reader';
import { CLIENT_PROTOCOL_41, ColType, EOF, ERR, OK } from './mysql-protocol';

/** A packet's first byte, or -1 for an empty one. */
export const firstByte = (p: Uint8Array): number => (p.length > 0 ? p[0]! : -1);

/** An EOF packet: 0xfe and, in protocol 4.1, warnings and status (5 bytes), else 1 byte. */
export function isEof(p: Uint8Array, length: number): boolean {
  return firstByte(p) === EOF && (length === 5 || length === 1);
}

/** The packet that ends a result set's rows: EOF, or OK with an 0xfe header (CLIENT_DEPRECATE_EOF). */
export function isResultSetEnd(p: Uint8Array, length: number): boolean {
  return firstByte(p) === EOF && length < 0xffffff;
}

/** An OK packet: 0x00, affected rows, last insert id, status, warnings (7 bytes at least). */
export function isOk(p: Uint8Array, length: number): boolean {
  return firstByte(p) === OK && length >= 7;
}

export function isErr(p: Uint8Array, length: number): boolean {
  return firstByte(p) === ERR && length > 3;
}

/** The status flags of an OK or EOF packet (0 when they cannot be read). */
export function statusFlags(p: Uint8Array): number {
  try {
    const r = new BinaryReader(p, 1);
    if (p.length === 5 && p[0] === EOF) {
      r.skip(2);
      return r.uintLe(2);
    }
    r.lenencInt();
    r.lenencInt();
    return r.uintLe(2);
  } catch (err) {
    if (err instanceof SqlProtocolError) return 0;
    throw err;
  }
}

/**
 * An ERR packet's message: after the code and, in protocol 4.1, '#' and the SQL state (Pixie
 * takes everything from byte 9).
 */
export function errMessage(p: Uint8Array): string {
  const from = p[3] === 0x23 ? 9 : 3;
  return p.length > from ? decodeText(p.subarray(from)) : '';
}

/** The header of COM_STMT_PREPARE's answer. */
export interface PrepareOk {
  readonly statementId: number;
  readonly columns: number;
  readonly params: number;
}

export function decodePrepareOk(p: Uint8Array, length: number): PrepareOk | undefined {
  if (firstByte(p) !== OK || length < 12 || p.length < 9) return undefined;
  const r = new BinaryReader(p, 1);
  return { statementId: r.uintLe(4), columns: r.uintLe(2), params: r.uintLe(2) };
}

/**
 * A result set's column count: a length-encoded integer, which MariaDB (with
 * MARIADB_CLIENT_CACHE_METADATA) follows with a byte saying whether column definitions follow.
 */
export function columnCount(
  p: Uint8Array,
  length: number,
): { readonly columns: number; readonly definitions: boolean } | undefined {
  if (p.length !== length) return undefined;
  try {
    const r = new BinaryReader(p);
    const columns = r.lenencInt();
    if (columns === 0 || r.remaining() > 1) return undefined;
    const flag = r.remaining() === 1 ? r.u8() : 1;
    return flag > 1 ? undefined : { columns, definitions: flag === 1 };
  } catch (err) {
    if (err instanceof SqlProtocolError) return undefined;
    throw err;
  }
}

/** The server's capability flags from its greeting (protocol 10), or undefined if it is not one. */
export function greetingCapabilities(p: Uint8Array): number | undefined {
  if (firstByte(p) !== 10) return undefined;
  try {
    const r = new BinaryReader(p, 1);
    r.cstring();
    r.skip(4 + 8 + 1);
    const low = r.uintLe(2);
    if (r.remaining() < 5) return low;
    r.skip(3);
    return low + r.uintLe(2) * 0x10000;
  } catch (err) {
    if (err instanceof SqlProtocolError) return undefined;
    throw err;
  }
}

/** The client's capability flags from its handshake response (protocol 4.1), or undefined. */
export function handshakeResponseCapabilities(p: Uint8Array, length: number): number | undefined {
  if (length < 32 || p.length < 4) return undefined;
  const caps = new BinaryReader(p).uintLe(4);
  return caps & CLIENT_PROTOCOL_41 ? caps : undefined;
}

/**
 * COM_STMT_EXECUTE's parameter values as Pixie renders them, read with the parameter types the
 * request binds (or those bound last time, when it binds none): strings as they are, integers
 * in decimal, floats as C's %f, dates and times as MySQL writes them, NULL as ''.
 */
export function executeParams(
  p: Uint8Array,
  paramCount: number,
  previousTypes: readonly number[] | undefined,
): { readonly values: string[]; readonly types: readonly number[] | undefined } {
  const r = new BinaryReader(p, 10);
  if (paramCount === 0) return { values: [], types: previousTypes };
  const nullBitmap = r.bytes((paramCount + 7) >> 3);
  let types = previousTypes;
  if (r.u8() === 1) {
    const bound: number[] = [];
    for (let i = 0; i < paramCount; i++) bound.push(r.uintLe(2));
    types = bound;
  }
  if (!types || types.length !== paramCount) throw new SqlProtocolError('parameter types unknown');
  const values: string[] = [];
  for (let i = 0; i < paramCount; i++) {
    const isNull = (nullBitmap[i >> 3]! >> (i & 7)) & 1;
    values.push(isNull ? '' : paramValue(r, types[i]! & 0xff, (types[i]! & 0x8000) !== 0));
  }
  return { values, types };
}

/** One binary-protocol value of `type` (its unsigned flag honoured). */
function paramValue(r: BinaryReader, type: number, unsigned: boolean): string {
  const int = (bytes: number) => {
    const v = r.uintLe(bytes);
    const top = 2 ** (8 * bytes);
    return String(unsigned || v < top / 2 ? v : v - top);
  };
  switch (type) {
    case ColType.Null:
      return '';
    case ColType.Tiny:
      return int(1);
    case ColType.Short:
    case ColType.Year:
      return int(2);
    case ColType.Long:
    case ColType.Int24:
      return int(4);
    case ColType.LongLong:
      return String(r.int64Le(!unsigned));
    case ColType.Float:
      return cFixed(r.floatLe(4));
    case ColType.Double:
      return cFixed(r.floatLe(8));
    case ColType.Date:
    case ColType.DateTime:
    case ColType.Timestamp:
      return dateTime(r.bytes(r.u8()));
    case ColType.Time:
      return time(r.bytes(r.u8()));
    default:
      if (
        type >= ColType.Json ||
        type === ColType.VarChar ||
        type === ColType.Bit ||
        type === ColType.Decimal
      ) {
        return decodeText(r.lenencBytes());
      }
      throw new SqlProtocolError(`parameter type 0x${type.toString(16)}`);
  }
}

/** A number as C's `%f` writes it (std::to_string), which Pixie's text uses. */
function cFixed(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return x.toFixed(6);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A binary DATE/DATETIME/TIMESTAMP: `YYYY-MM-DD[ HH:MM:SS[.ffffff]]`. */
function dateTime(b: Uint8Array): string {
  if (b.length === 0) return '0000-00-00 00:00:00';
  const r = new BinaryReader(b);
  const date = `${pad(r.uintLe(2), 4)}-${pad(r.u8())}-${pad(r.u8())}`;
  if (b.length < 7) return date;
  const clock = `${pad(r.u8())}:${pad(r.u8())}:${pad(r.u8())}`;
  return b.length < 11 ? `${date} ${clock}` : `${date} ${clock}.${pad(r.uintLe(4), 6)}`;
}

/** A binary TIME: `[-]HH:MM:SS[.ffffff]`, days folded into hours. */
function time(b: Uint8Array): string {
  if (b.length === 0) return '00:00:00';
  const r = new BinaryReader(b);
  const sign = r.u8() === 1 ? '-' : '';
  const hours = r.uintLe(4) * 24 + r.u8();
  const clock = `${sign}${pad(hours)}:${pad(r.u8())}:${pad(r.u8())}`;
  return b.length < 12 ? clock : `${clock}.${pad(r.uintLe(4), 6)}`;
}
