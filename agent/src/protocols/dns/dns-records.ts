import { formatAddress } from '../../ebpf/address';
import { DnsFormatError, WireReader } from './dns-wire';

const AF_INET6 = 10;

/** The fields a record's data adds to its JSON object after `name` and `type`. */
export type RecordData = Readonly<Record<string, string | number | readonly string[]>>;

export const TYPE_A = 1;
export const TYPE_AAAA = 28;

/** Mnemonics of the record types seen in practice (IANA's registry); others print as TYPEn. */
const TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  13: 'HINFO',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  35: 'NAPTR',
  39: 'DNAME',
  41: 'OPT',
  43: 'DS',
  46: 'RRSIG',
  47: 'NSEC',
  48: 'DNSKEY',
  50: 'NSEC3',
  64: 'SVCB',
  65: 'HTTPS',
  99: 'SPF',
  251: 'IXFR',
  252: 'AXFR',
  255: 'ANY',
  257: 'CAA',
};

/** A record type's mnemonic (`A`, `MX`), or `TYPEn` (RFC 3597) for one without. */
export function typeName(type: number): string {
  return TYPE_NAMES[type] ?? `TYPE${type}`;
}

const NO_DATA: RecordData = {};
const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Decodes the data of one record, which `r` bounds (its `end` is the end of the data): A and
 * AAAA to `addr`, CNAME to `cname` (Pixie's keys), and the other common types to fields named as
 * in their RFCs. Types not decoded give no fields. Throws DnsFormatError when the data does not
 * have its type's shape.
 */
export function recordData(type: number, r: WireReader): RecordData {
  switch (type) {
    case 1:
      return { addr: ipv4(r) };
    case 28:
      return { addr: ipv6(r) };
    case 5:
      return { cname: r.name() };
    case 2:
      return { ns: r.name() };
    case 12:
      return { ptr: r.name() };
    case 15:
      return { preference: r.u16(), exchange: r.name() };
    case 16:
      return { txt: characterStrings(r) };
    case 33:
      return { priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() };
    case 6:
      return {
        mname: r.name(),
        rname: r.name(),
        serial: r.u32(),
        refresh: r.u32(),
        retry: r.u32(),
        expire: r.u32(),
        minimum: r.u32(),
      };
    default:
      return NO_DATA;
  }
}

function ipv4(r: WireReader): string {
  exactLength(r, 4);
  r.pos += 4;
  return dotted(r.buf, r.pos - 4);
}

/**
 * An IPv6 address as glibc's inet_ntop writes it (Pixie's AddrStr): the RFC 5952 short form, and
 * the IPv4 form for mapped (::ffff:a.b.c.d) and compatible (::a.b.c.d) addresses.
 */
function ipv6(r: WireReader): string {
  exactLength(r, 16);
  const b = r.buf.subarray(r.pos, r.pos + 16);
  r.pos += 16;
  const zeros = (n: number) => b.subarray(0, n).every((x) => x === 0);
  if (zeros(10) && b[10] === 0xff && b[11] === 0xff) return `::ffff:${dotted(b, 12)}`;
  if (zeros(12) && (b[12]! | b[13]!) !== 0) return `::${dotted(b, 12)}`;
  return formatAddress(AF_INET6, b);
}

function dotted(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

function exactLength(r: WireReader, n: number): void {
  if (r.end - r.pos !== n) {
    throw new DnsFormatError(`address record of ${r.end - r.pos} bytes, not ${n}`);
  }
}

/** TXT data: one or more length-prefixed strings, as text (UTF-8, U+FFFD for what is not). */
function characterStrings(r: WireReader): string[] {
  const out: string[] = [];
  while (r.pos < r.end) {
    const len = r.u8();
    r.need(len);
    out.push(utf8.decode(r.buf.subarray(r.pos, r.pos + len)));
    r.pos += len;
  }
  return out;
}
