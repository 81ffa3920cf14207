import { DnsHeader, DnsMessage } from './dns-message';
import { typeName } from './dns-records';

/**
 * A header as Pixie's dns_events writes it: the id, each flag and the four counts, in Pixie's
 * key order (`{"txid":..,"qr":..,"opcode":..,"aa":..,"tc":..,"rd":..,"ra":..,"ad":..,"cd":..,
 * "rcode":..,"num_queries":..,"num_answers":..,"num_auth":..,"num_addl":..}`).
 */
export function headerJson(h: DnsHeader): string {
  // All numbers: written as a template, which is several times quicker than JSON.stringify.
  const f = h.flags;
  return (
    `{"txid":${h.txid},"qr":${(f >> 15) & 1},"opcode":${(f >> 11) & 0xf},"aa":${(f >> 10) & 1},` +
    `"tc":${(f >> 9) & 1},"rd":${(f >> 8) & 1},"ra":${(f >> 7) & 1},"ad":${(f >> 5) & 1},` +
    `"cd":${(f >> 4) & 1},"rcode":${f & 0xf},"num_queries":${h.numQueries},` +
    `"num_answers":${h.numAnswers},"num_auth":${h.numAuth},"num_addl":${h.numAddl}}`
  );
}

/** A query's questions as Pixie's req_body: `{"queries":[{"name":..,"type":"A"}]}`. */
export function queriesJson(m: DnsMessage): string {
  return JSON.stringify({
    queries: m.questions.map((q) => ({ name: q.name, type: typeName(q.type) })),
  });
}

/**
 * A response's answer records as Pixie's resp_body: `{"answers":[{"name":..,"type":"A",
 * "addr":..}, {"name":..,"type":"CNAME","cname":..}]}`, other types with their own fields.
 */
export function answersJson(m: DnsMessage): string {
  return JSON.stringify({
    answers: m.answers.map((a) => ({ name: a.name, type: typeName(a.type), ...a.data })),
  });
}
