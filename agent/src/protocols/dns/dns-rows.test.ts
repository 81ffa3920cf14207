import { dnsAnswer, dnsMessage, dnsQuery, rdata } from '../../../../test/support/dns-build';
import { testClock, testEndpoint } from '../../../../test/support/endpoint';
import { runScript } from '../../../../test/support/http-script';
import { dnsEventRow } from './dns-rows';
import { DnsStitcher } from './dns-stitcher';

const endpoint = { ...testEndpoint, remotePort: 53 };
const clock = testClock;

function exchange(query: Uint8Array, answer: Uint8Array) {
  const [x] = runScript(new DnsStitcher('udp'), [
    { kind: 'request', bytes: query, ts: 1000 },
    { kind: 'response', bytes: answer, ts: 5000 },
  ]);
  return x!;
}

describe('dnsEventRow', () => {
  it("fills Pixie's columns with Pixie's JSON, byte for byte", () => {
    // Pixie's own stitcher test: flags 0x0100 and 0x8180, one A answer for pixie.ai.
    const x = exchange(
      dnsQuery(0, 'pixie.ai', 1),
      dnsAnswer(0, 'pixie.ai', 1, [{ name: 'pixie.ai', type: 1, rdata: rdata.a('1.2.3.4') }]),
    );
    expect(dnsEventRow(x, endpoint, clock)).toEqual({
      time_: 1_700_000_000_000_005_000n,
      upid: endpoint.upid,
      remote_addr: '10.0.0.9',
      remote_port: 53,
      local_addr: '10.0.0.2',
      local_port: 41000,
      trace_role: 1,
      encrypted: false,
      req_header:
        '{"txid":0,"qr":0,"opcode":0,"aa":0,"tc":0,"rd":1,"ra":0,"ad":0,"cd":0,"rcode":0,' +
        '"num_queries":1,"num_answers":0,"num_auth":0,"num_addl":0}',
      req_body: '{"queries":[{"name":"pixie.ai","type":"A"}]}',
      resp_header:
        '{"txid":0,"qr":1,"opcode":0,"aa":0,"tc":0,"rd":1,"ra":1,"ad":0,"cd":0,"rcode":0,' +
        '"num_queries":1,"num_answers":1,"num_auth":0,"num_addl":0}',
      resp_body: '{"answers":[{"name":"pixie.ai","type":"A","addr":"1.2.3.4"}]}',
      latency: 4000,
    });
  });

  it('writes every flag and the rcode of an NXDOMAIN, and CNAME answers as Pixie does', () => {
    const answer = dnsMessage({
      id: 0xbeef,
      flags: 0x8000 | (5 << 11) | 0x0400 | 0x0200 | 0x0100 | 0x0080 | 0x0020 | 0x0010 | 3,
      questions: [{ name: 'www.test', type: 1 }],
      answers: [{ name: 'www.test', type: 5, rdata: rdata.name('web.test') }],
      authority: [{ name: 'test', type: 6, rdata: rdata.soa('ns.test', 'h.test', 1, 2, 3, 4, 5) }],
    });
    const row = dnsEventRow(exchange(dnsQuery(0xbeef, 'www.test', 1), answer), endpoint, clock);
    expect(JSON.parse(row.resp_header as string)).toEqual({
      txid: 0xbeef,
      qr: 1,
      opcode: 5,
      aa: 1,
      tc: 1,
      rd: 1,
      ra: 1,
      ad: 1,
      cd: 1,
      rcode: 3,
      num_queries: 1,
      num_answers: 1,
      num_auth: 1,
      num_addl: 0,
    });
    expect(row.resp_body).toBe(
      '{"answers":[{"name":"www.test","type":"CNAME","cname":"web.test"}]}',
    );
  });

  it('names query types Pixie leaves out, and takes encrypted from the endpoint', () => {
    const x = exchange(dnsQuery(3, 'test', 15), dnsAnswer(3, 'test', 15, []));
    const row = dnsEventRow(x, { ...endpoint, encrypted: true }, clock);
    expect(row.req_body).toBe('{"queries":[{"name":"test","type":"MX"}]}');
    expect(row.resp_body).toBe('{"answers":[]}');
    expect(row.encrypted).toBe(true);
  });
});
