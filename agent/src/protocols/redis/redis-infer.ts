import { Side } from '../stitcher';
import { splitInline } from './inline-command';
import { isKnownCommand } from './redis-commands';
import { isRespType } from './resp-parser';

const CRLF = Buffer.from('\r\n');

/**
 * Whether the first bytes a connection carried on one side are Redis (the port is no evidence).
 * A command is an array of bulk strings whose first names a known command, or an inline line
 * whose first word does (and that is not an HTTP request line: GET is both); a reply is one
 * well-formed first line of a RESP2 or RESP3 value.
 */
export function looksLikeRedis(bytes: Uint8Array, side: Side): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const eol = b.indexOf(CRLF);
  if (eol < 1) return false;
  if (side === 'response') return replyLine(b.subarray(0, eol));
  if (b[0] === 0x2a) return commandArray(b, eol);
  const words = splitInline(b.subarray(0, eol));
  return (
    words !== undefined &&
    words.length > 0 &&
    isKnownCommand(words[0]!) &&
    !words.some((w) => /^HTTP\/\d/.test(w))
  );
}

/** `*N` with N ≥ 1, then `$L` and L bytes naming a command. */
function commandArray(b: Buffer, eol: number): boolean {
  if (!/^\*[1-9]\d{0,6}$/.test(b.toString('latin1', 0, eol))) return false;
  const lenEnd = b.indexOf(CRLF, eol + 2);
  const len = lenEnd < 0 ? '' : b.toString('latin1', eol + 2, lenEnd);
  if (!/^\$[1-9]\d{0,2}$/.test(len)) return false;
  const at = lenEnd + 2;
  const n = Number(len.slice(1));
  return b.length >= at + n && isKnownCommand(b.toString('latin1', at, at + n));
}

/** A first reply line: its type, then what that type's line holds, printable text only. */
function replyLine(line: Buffer): boolean {
  const type = line[0];
  if (!isRespType(type)) return false;
  const body = line.toString('latin1', 1);
  if (/[^\x20-\x7e]/.test(body)) return false;
  switch (String.fromCharCode(type!)) {
    case '+':
    case '-':
      return body.length > 0;
    case ':':
    case '(':
      return /^[+-]?\d+$/.test(body);
    case '$':
    case '*':
      return /^(-1|\d{1,10})$/.test(body);
    case '_':
      return body === '';
    case '#':
      return body === 't' || body === 'f';
    case ',':
      return /^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?inf|nan)$/.test(body);
    default:
      return /^\d{1,10}$/.test(body);
  }
}
