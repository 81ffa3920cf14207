import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Splits `HOST:PORT` (IPv6 hosts in brackets) into its parts. */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new Error(`"${text}" is not HOST:PORT (e.g. 127.0.0.1:8090)`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

// 127.0.0.0/8 and ::1; BlockList also matches IPv4-mapped IPv6 forms (::ffff:127.0.0.1).
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True when an IP address (v4, v6 or v4-mapped v6) is a loopback address. */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return LOOPBACK.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** A listen host resolved to the address the server binds. */
export interface ListenAddress {
  /** The numeric address to bind. */
  readonly address: string;
  /** True when every address the host names is a loopback address. */
  readonly loopback: boolean;
}

/**
 * Resolves a listen host the way the system does (so `127.1`, `localhost` and `::ffff:127.0.0.1`
 * are recognised as loopback, and a name is judged by what it resolves to), and returns the
 * first address: binding that one means the address checked is the address served.
 */
export async function resolveListenHost(host: string): Promise<ListenAddress> {
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch (err) {
    throw new Error(`cannot resolve the listen host "${host}": ${(err as Error).message}`);
  }
  if (addresses.length === 0) throw new Error(`the listen host "${host}" resolves to nothing`);
  return {
    address: addresses[0]!.address,
    loopback: addresses.every((a) => isLoopbackAddress(a.address)),
  };
}
