/** Builders of DNS wire messages for tests (names written without compression). */

export interface BuildQuestion {
  readonly name: string;
  readonly type: number;
  readonly cls?: number;
}

export interface BuildRecord {
  readonly name: string;
  readonly type: number;
  readonly cls?: number;
  readonly ttl?: number;
  readonly rdata: Uint8Array;
}

/** A name as labels, each length-prefixed, ending with the root; "." is the root alone. */
export function encodeName(name: string): Buffer {
  const labels = name === '.' ? [] : name.split('.');
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.of(l.length), Buffer.from(l, 'latin1')])),
    Buffer.of(0),
  ]);
}

const u16 = (v: number) => Buffer.of(v >> 8, v & 0xff);
const u32 = (v: number) => Buffer.of(v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);

/** A whole message: header with the given id and flags, counts from the sections. */
export function dnsMessage(m: {
  id: number;
  flags: number;
  questions?: readonly BuildQuestion[];
  answers?: readonly BuildRecord[];
  authority?: readonly BuildRecord[];
  additional?: readonly BuildRecord[];
}): Buffer {
  const qs = m.questions ?? [];
  const sections = [m.answers ?? [], m.authority ?? [], m.additional ?? []];
  return Buffer.concat([
    u16(m.id),
    u16(m.flags),
    u16(qs.length),
    ...sections.map((s) => u16(s.length)),
    ...qs.map((q) => Buffer.concat([encodeName(q.name), u16(q.type), u16(q.cls ?? 1)])),
    ...sections
      .flat()
      .map((r) =>
        Buffer.concat([
          encodeName(r.name),
          u16(r.type),
          u16(r.cls ?? 1),
          u32(r.ttl ?? 60),
          u16(r.rdata.length),
          r.rdata,
        ]),
      ),
  ]);
}

/** A query (RD set) for one name and type. */
export function dnsQuery(id: number, name: string, type: number): Buffer {
  return dnsMessage({ id, flags: 0x0100, questions: [{ name, type }] });
}

/** A response (QR, RD, RA set; `rcode` in the low bits) repeating the question. */
export function dnsAnswer(
  id: number,
  name: string,
  type: number,
  answers: readonly BuildRecord[],
  rcode = 0,
): Buffer {
  return dnsMessage({ id, flags: 0x8180 | rcode, questions: [{ name, type }], answers });
}

/** Record data of the common types. */
export const rdata = {
  a: (ip: string) => Buffer.from(ip.split('.').map(Number)),
  name: (n: string) => encodeName(n),
  mx: (preference: number, exchange: string) =>
    Buffer.concat([u16(preference), encodeName(exchange)]),
  txt: (...parts: string[]) =>
    Buffer.concat(
      parts.map((p) => Buffer.concat([Buffer.of(Buffer.byteLength(p)), Buffer.from(p)])),
    ),
  srv: (priority: number, weight: number, port: number, target: string) =>
    Buffer.concat([u16(priority), u16(weight), u16(port), encodeName(target)]),
  soa: (mname: string, rname: string, ...times: [number, number, number, number, number]) =>
    Buffer.concat([encodeName(mname), encodeName(rname), ...times.map(u32)]),
};

/** A message with the 2-byte length prefix of DNS over TCP. */
export function tcpFramed(msg: Uint8Array): Buffer {
  return Buffer.concat([u16(msg.length), msg]);
}
