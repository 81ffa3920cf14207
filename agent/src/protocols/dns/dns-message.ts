import { RecordData, recordData } from './dns-records';
import { DnsFormatError, WireReader } from './dns-wire';

/** The fixed 12-byte header of a DNS message (RFC 1035 4.1.1). */
export interface DnsHeader {
  readonly txid: number;
  /** QR, opcode, AA, TC, RD, RA, Z, AD, CD and RCODE, as sent. */
  readonly flags: number;
  readonly numQueries: number;
  readonly numAnswers: number;
  readonly numAuth: number;
  readonly numAddl: number;
}

export interface DnsQuestion {
  readonly name: string;
  readonly type: number;
  readonly cls: number;
}

export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  readonly cls: number;
  readonly ttl: number;
  readonly data: RecordData;
}

/** A parsed message: its header, questions and answer records (authority and additional are not read). */
export interface DnsMessage {
  readonly header: DnsHeader;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
  /** False when the capture kept only a prefix and the lists stop where it did. */
  readonly complete: boolean;
}

export interface DnsMessageLimits {
  /** Questions kept per message (the rest are read past). */
  readonly maxQuestions: number;
  /** Answer records kept per message; reading stops after them. */
  readonly maxAnswers: number;
}

export type DnsParse =
  { readonly ok: true; readonly msg: DnsMessage } | { readonly ok: false; readonly reason: string };

export const HEADER_BYTES = 12;

/** Whether a header's QR bit marks a response. */
export function isResponse(h: DnsHeader): boolean {
  return (h.flags & 0x8000) !== 0;
}

/** The RCODE of a header (0 no error, 2 SERVFAIL, 3 NXDOMAIN, ...). */
export function rcode(h: DnsHeader): number {
  return h.flags & 0xf;
}

/**
 * Parses a DNS message: header, questions and answers, with every length, count and offset
 * checked against the bytes. `cut` says `bytes` is only the captured prefix of a longer message:
 * then running out of bytes after the first question ends the lists early instead of failing.
 * Never throws.
 */
export function parseDnsMessage(
  bytes: Uint8Array,
  limits: DnsMessageLimits,
  cut = false,
): DnsParse {
  if (bytes.length < HEADER_BYTES) return { ok: false, reason: 'shorter than a header' };
  const r = new WireReader(bytes);
  const header: DnsHeader = {
    txid: r.u16(),
    flags: r.u16(),
    numQueries: r.u16(),
    numAnswers: r.u16(),
    numAuth: r.u16(),
    numAddl: r.u16(),
  };
  const questions: DnsQuestion[] = [];
  const answers: DnsRecord[] = [];
  let read = 0;
  try {
    for (; read < header.numQueries; read++) {
      const q = { name: r.name(), type: r.u16(), cls: r.u16() };
      if (questions.length < limits.maxQuestions) questions.push(q);
    }
    for (let i = 0; i < header.numAnswers && answers.length < limits.maxAnswers; i++) {
      answers.push(readRecord(r));
    }
  } catch (err) {
    if (!(err instanceof DnsFormatError)) throw err;
    if (!cut || !err.short || (header.numQueries > 0 && read === 0)) {
      return { ok: false, reason: err.message };
    }
    return { ok: true, msg: { header, questions, answers, complete: false } };
  }
  return { ok: true, msg: { header, questions, answers, complete: true } };
}

function readRecord(r: WireReader): DnsRecord {
  const name = r.name();
  const type = r.u16();
  const cls = r.u16();
  const ttl = r.u32();
  const length = r.u16();
  r.need(length);
  const end = r.pos + length;
  const outer = r.end;
  r.end = end;
  const data = recordData(type, r);
  if (r.pos !== end && Object.keys(data).length > 0) {
    throw new DnsFormatError(`record data of ${length} bytes has ${end - r.pos} left over`);
  }
  r.end = outer;
  r.pos = end;
  return { name, type, cls, ttl, data };
}
