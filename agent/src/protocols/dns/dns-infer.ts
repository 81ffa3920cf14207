import { Side } from '../stitcher';
import { DnsFormatError, WireReader } from './dns-wire';

/** Opcodes a connection's first message may carry: QUERY, NOTIFY, UPDATE. */
const OPCODES = new Set([0, 4, 5]);
/** Classes a question may ask about: IN, CH, HS, NONE, ANY. */
const CLASSES = new Set([1, 3, 4, 254, 255]);
/** A header and the shortest question (the root name, type and class). */
const MIN_MESSAGE = 12 + 5;

/**
 * Whether the first bytes a connection carried on one side are DNS: a bare message (UDP, one
 * datagram) or one with the 2-byte length prefix of DNS over TCP. The port is no evidence: this
 * reads the header and the first question, which must parse.
 */
export function looksLikeDns(bytes: Uint8Array, side: Side): boolean {
  return looksLikeDnsMessage(bytes, side) || looksLikeDnsOverTcp(bytes, side);
}

/** Whether `bytes` start with a length prefix and a message that looks like DNS. */
export function looksLikeDnsOverTcp(bytes: Uint8Array, side: Side): boolean {
  if (bytes.length < 2 + MIN_MESSAGE) return false;
  const length = (bytes[0]! << 8) | bytes[1]!;
  return length >= MIN_MESSAGE && looksLikeDnsMessage(bytes.subarray(2, 2 + length), side);
}

/**
 * Whether `bytes` (possibly only a message's captured prefix) start like a DNS message going
 * this way: QR set on responses only, a common opcode, the reserved Z bit clear, one question
 * whose name, type and class parse, and queries without answers or an error code.
 */
export function looksLikeDnsMessage(bytes: Uint8Array, side: Side): boolean {
  if (bytes.length < MIN_MESSAGE) return false;
  const flags = (bytes[2]! << 8) | bytes[3]!;
  const response = (flags & 0x8000) !== 0;
  if (response !== (side === 'response')) return false;
  if (!OPCODES.has((flags >> 11) & 0xf) || (flags & 0x40) !== 0) return false;
  const r = new WireReader(bytes);
  r.pos = 4;
  if (r.u16() !== 1) return false;
  const answers = r.u16();
  if (!response && (flags & 0xf) !== 0) return false;
  if (!response && ((flags >> 11) & 0xf) === 0 && answers !== 0) return false;
  r.pos = 12;
  try {
    r.name();
    const type = r.u16();
    return type !== 0 && CLASSES.has(r.u16() & 0x7fff);
  } catch (err) {
    if (err instanceof DnsFormatError) return false;
    throw err;
  }
}
