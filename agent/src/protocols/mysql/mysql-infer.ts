import { BinaryReader, SqlProtocolError, decodeText } from '../sql/binary-reader';
import { looksLikeText } from '../sql/bounded-text';
import { Side } from '../stitcher';
import { columnCount, isEof, isOk } from './mysql-decode';
import { CLIENT_PROTOCOL_41, Command, ERR, validCommand } from './mysql-protocol';

/**
 * Whether the first captured bytes of one side of a connection are MySQL (or MariaDB): the
 * server's greeting or the client's handshake response, or (joining a connection midway) a whole
 * first packet that can only be a command or the start of a response: a command whose byte fits
 * its length, an ERR with its SQL state, an OK whose fields add up, or a column count followed by
 * a column definition. The port is only a hint for the caller; these bytes decide.
 */
export function looksLikeMysql(bytes: Uint8Array, side: Side): boolean {
  if (bytes.length < 5) return false;
  const length = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16);
  const seq = bytes[3]!;
  if (length === 0 || 4 + length > bytes.length) return false;
  const payload = bytes.subarray(4, 4 + length);
  try {
    if (side === 'request')
      return seq === 0 ? command(payload) : seq === 1 && handshakeResponse(payload);
    if (seq === 0) return greeting(payload);
    return seq === 1 && responseStart(payload, bytes.subarray(4 + length));
  } catch (err) {
    if (err instanceof SqlProtocolError) return false;
    throw err;
  }
}

function command(p: Uint8Array): boolean {
  const cmd = p[0]!;
  if (!validCommand(cmd, p.length)) return false;
  if (cmd === Command.Query || cmd === Command.StmtPrepare || cmd === Command.InitDb) {
    return looksLikeText(decodeText(p.subarray(1)));
  }
  return true;
}

/**
 * HandshakeResponse41: capabilities, max packet size, character set, 23 reserved bytes (MariaDB
 * clients put their extended capabilities in the last 4), user.
 */
function handshakeResponse(p: Uint8Array): boolean {
  if (p.length < 32) return false;
  const r = new BinaryReader(p);
  if ((r.uintLe(4) & CLIENT_PROTOCOL_41) === 0) return false;
  r.skip(5);
  return r.bytes(19).every((b) => b === 0);
}

/** The server's greeting (protocol 10): a version string, then the connection's parameters. */
function greeting(p: Uint8Array): boolean {
  const r = new BinaryReader(p);
  if (r.u8() !== 10) return false;
  const version = r.cstring();
  return /^[0-9]+\.[0-9]+\.[0-9]+[\x20-\x7e]*$/.test(version) && r.remaining() >= 4 + 8 + 1 + 2;
}

/** The first packet of a response, and what follows it in the same bytes. */
function responseStart(p: Uint8Array, rest: Uint8Array): boolean {
  if (p[0] === ERR) {
    return p.length >= 9 && p[3] === 0x23 && /^[0-9A-Z]{5}$/.test(decodeText(p.subarray(4, 9)));
  }
  if (isOk(p, p.length)) {
    const r = new BinaryReader(p, 1);
    r.lenencInt();
    r.lenencInt();
    r.skip(4);
    // Nothing more, or an info string whose length prefix fits.
    return r.remaining() === 0 || r.remaining() >= 1 + p[r.offset()]!;
  }
  if (isEof(p, p.length)) return false;
  // A column count, then a column definition: sequence 2, catalog "def".
  if (!columnCount(p, p.length) || rest.length < 8) return false;
  return rest[3] === 2 && rest[4] === 3 && decodeText(rest.subarray(5, 8)) === 'def';
}
