import { BinaryReader, SqlProtocolError } from '../sql/binary-reader';
import { looksLikeText } from '../sql/bounded-text';
import { Side } from '../stitcher';
import { startsMessages } from './pgsql-messages';
import {
  CANCEL_REQUEST,
  GSSENC_REQUEST,
  MAX_STARTUP_LENGTH,
  PROTOCOL_3_0,
  SSL_REQUEST,
  Tag,
  validTag,
} from './pgsql-protocol';

/** Authentication request codes a server sends (AuthenticationOk, ...SASLFinal). */
const AUTH_CODES = new Set([0, 2, 3, 5, 7, 8, 9, 10, 11, 12]);

/**
 * Whether the first captured bytes of one side of a connection are PostgreSQL: a client's
 * startup, SSLRequest or CancelRequest, or (joining a connection midway) a whole first message
 * whose fields hold together as that message's, followed by well-formed messages. The port is
 * only a hint for the caller; these bytes decide. Short or ambiguous input is not claimed.
 */
export function looksLikePgsql(bytes: Uint8Array, side: Side): boolean {
  if (bytes.length < 5) return false;
  try {
    if (side === 'request' && bytes[0] === 0) return untaggedStart(bytes);
    if (!validTag(bytes[0]!, side) || !startsMessages(bytes, side)) return false;
    const length = new BinaryReader(bytes, 1).i32be();
    if (length + 1 > bytes.length) return false;
    const r = new BinaryReader(bytes, 5, length + 1);
    return side === 'request' ? frontendMessage(bytes[0]!, r) : backendMessage(bytes[0]!, r);
  } catch (err) {
    if (err instanceof SqlProtocolError) return false;
    throw err;
  }
}

function untaggedStart(bytes: Uint8Array): boolean {
  const r = new BinaryReader(bytes);
  const length = r.i32be();
  const code = r.i32be();
  if (code === SSL_REQUEST || code === GSSENC_REQUEST) return length === 8;
  if (code === CANCEL_REQUEST) return length === 16;
  if (code !== PROTOCOL_3_0 || length > MAX_STARTUP_LENGTH || length > bytes.length) return false;
  // Parameter names and values, NUL-terminated, then a final NUL; "user" is required.
  const params = new BinaryReader(bytes, 8, length);
  let user = false;
  for (;;) {
    const name = params.cstring();
    if (name === '') return user && params.remaining() === 0;
    if (name === 'user') user = true;
    params.cstring();
  }
}

function frontendMessage(tag: number, r: BinaryReader): boolean {
  switch (tag) {
    case Tag.Query: {
      const text = r.cstring();
      return r.remaining() === 0 && looksLikeText(text);
    }
    case Tag.Parse: {
      r.cstring();
      const text = r.cstring();
      const types = r.i16be();
      return types >= 0 && r.remaining() === types * 4 && looksLikeText(text);
    }
    case Tag.Execute:
      r.cstring();
      r.i32be();
      return r.remaining() === 0;
    case Tag.Describe:
    case Tag.Close: {
      const type = r.u8();
      r.cstring();
      return (type === 0x53 || type === 0x50) && r.remaining() === 0;
    }
    case Tag.Sync:
    case Tag.Flush:
    case Tag.Terminate:
      return r.remaining() === 0;
    default:
      return false;
  }
}

function backendMessage(tag: number, r: BinaryReader): boolean {
  switch (tag) {
    case Tag.Authentication:
      return AUTH_CODES.has(r.i32be()) && r.remaining() < 1024;
    case Tag.ReadyForQuery: {
      const status = r.u8();
      return r.remaining() === 0 && (status === 0x49 || status === 0x54 || status === 0x45);
    }
    case Tag.ErrorResponse:
    case Tag.NoticeResponse: {
      const codes = new Set<number>();
      for (let code = r.u8(); code !== 0; code = r.u8()) {
        codes.add(code);
        r.cstring();
      }
      return r.remaining() === 0 && codes.has(0x53) && codes.has(0x43);
    }
    case Tag.ParameterStatus: {
      const name = r.cstring();
      r.cstring();
      return r.remaining() === 0 && /^[a-z_]+$/.test(name);
    }
    case Tag.BackendKeyData:
      r.i32be();
      r.i32be();
      return r.remaining() === 0;
    case Tag.CommandComplete:
      return /^[A-Z]+( [0-9]+)*$/.test(r.cstring()) && r.remaining() === 0;
    case Tag.RowDescription: {
      for (let n = r.i16be(); n > 0; n--) {
        r.cstring();
        r.skip(18);
      }
      return r.remaining() === 0;
    }
    case Tag.ParseComplete:
    case Tag.BindComplete:
    case Tag.CloseComplete:
    case Tag.NoData:
    case Tag.EmptyQueryResponse:
      return r.remaining() === 0;
    default:
      return false;
  }
}
