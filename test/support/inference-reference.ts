import { Protocol } from '../../agent/src/ebpf/layout';
import { looksLikeDns } from '../../agent/src/protocols/dns/dns-infer';
import { looksLikeMysql } from '../../agent/src/protocols/mysql/mysql-infer';
import { looksLikePgsql } from '../../agent/src/protocols/pgsql/pgsql-infer';
import { looksLikeRedis } from '../../agent/src/protocols/redis/redis-infer';
import { Side } from '../../agent/src/protocols/stitcher';
import { InferAnswer, InferInput } from './kernel-inference';

const latin1 = (b: Uint8Array, n: number) =>
  Buffer.from(b.buffer, b.byteOffset, n).toString('latin1');
const METHODS = ['GET ', 'POST', 'PUT ', 'DELE', 'HEAD', 'PATC', 'OPTI'];

/** The kernel's HTTP/1.x test: a request method or a status line in the first 8 bytes. */
function httpSide(bytes: Uint8Array, len: number): Side | undefined {
  if (len < 8 || bytes.length < 8) return undefined;
  if (METHODS.includes(latin1(bytes, 4))) return 'request';
  return latin1(bytes, 7) === 'HTTP/1.' ? 'response' : undefined;
}

/**
 * The kernel's HTTP/2 test (infer/http2.h): a client's preface, or on a server's side its first
 * SETTINGS frame (type 4, no flags, stream 0, a length that is a multiple of six).
 */
function http2Side(bytes: Uint8Array, len: number, side: Side | 'either'): Side | undefined {
  if (len < 9 || bytes.length < 9) return undefined;
  if (latin1(bytes, 8) === 'PRI * HT') return 'request';
  const length = (bytes[0]! << 16) | (bytes[1]! << 8) | bytes[2]!;
  const settings = bytes[3] === 4 && bytes.subarray(4, 9).every((b) => b === 0);
  return side === 'response' && settings && length % 6 === 0 ? 'response' : undefined;
}

/** The protocols whose TypeScript check (the agent's looksLike*) these bytes pass on a side. */
export function referenceMatches(
  bytes: Uint8Array,
  side: Side,
  transport: 'tcp' | 'udp',
): number[] {
  const out: number[] = [];
  if (transport === 'tcp' && looksLikeMysql(bytes, side)) out.push(Protocol.MYSQL);
  if (transport === 'tcp' && looksLikePgsql(bytes, side)) out.push(Protocol.PGSQL);
  if (looksLikeDns(bytes, side)) out.push(Protocol.DNS);
  if (transport === 'tcp' && looksLikeRedis(bytes, side)) out.push(Protocol.REDIS);
  return out;
}

const WELL_KNOWN: [number, number][] = [
  [Protocol.MYSQL, 3306],
  [Protocol.PGSQL, 5432],
  [Protocol.DNS, 53],
  [Protocol.REDIS, 6379],
];

/**
 * The kernel's decision (protocol_inference.h's px_infer) made with the agent's own checks:
 * HTTP/1.x first, then HTTP/2's prefaces; then the protocols that fit on the side (the request side first when the side
 * is unknown); among them, the one whose well-known port either end uses, else the lowest.
 */
export function referenceInfer(input: InferInput): InferAnswer {
  const len = input.len ?? input.bytes.length;
  if (input.transport === 'tcp') {
    const http = httpSide(input.bytes, len);
    if (http) return { protocol: Protocol.HTTP, side: http, matches: [Protocol.HTTP] };
    const http2 = http2Side(input.bytes, len, input.side);
    if (http2) return { protocol: Protocol.HTTP2, side: http2, matches: [Protocol.HTTP2] };
  }
  const sides: Side[] = input.side === 'either' ? ['request', 'response'] : [input.side];
  for (const side of sides) {
    const matches = referenceMatches(input.bytes, side, input.transport);
    if (matches.length === 0) continue;
    const ports = [input.localPort, input.remotePort];
    const hinted = WELL_KNOWN.find(([p, port]) => matches.includes(p) && ports.includes(port));
    return { protocol: hinted?.[0] ?? matches[0]!, side, matches };
  }
  return { protocol: Protocol.UNKNOWN, side: 'either', matches: [] };
}
