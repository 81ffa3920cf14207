import { dnsAnswer, dnsQuery, rdata, tcpFramed } from '../../../../test/support/dns-build';
import { ScriptStep, runScript } from '../../../../test/support/http-script';
import { DEFAULT_DNS_LIMITS, DnsExchange, DnsStitcher } from './dns-stitcher';

const A = 1;
const AAAA = 28;
const web = (id: number, type = A) => dnsQuery(id, 'web.test', type);
const webAnswer = (id: number, addr = '10.0.0.1') =>
  dnsAnswer(id, 'web.test', A, [{ name: 'web.test', type: A, rdata: rdata.a(addr) }]);

const req = (bytes: Uint8Array, ts?: number): ScriptStep => ({ kind: 'request', bytes, ts });
const resp = (bytes: Uint8Array, ts?: number): ScriptStep => ({ kind: 'response', bytes, ts });
const ids = (out: DnsExchange[]) => out.map((x) => x.req.msg.header.txid);

describe('DnsStitcher over UDP', () => {
  it('pairs answers that come in any order with their queries, by id', () => {
    const s = new DnsStitcher('udp');
    const out = runScript(s, [
      req(web(1), 1000),
      req(web(2), 2000),
      req(web(3), 3000),
      resp(webAnswer(3), 4000),
      resp(webAnswer(1), 5000),
      resp(webAnswer(2), 6000),
    ]);
    expect(ids(out)).toEqual([3, 1, 2]);
    expect(out.map((x) => x.resp.endTs - x.req.startTs)).toEqual([1000, 4000, 4000]);
    expect(s.errors()).toBe(0);
  });

  it('tells apart queries with one id by their question, ignoring the case of names', () => {
    const aaaa = dnsAnswer(9, 'WEB.test', AAAA, []);
    const out = runScript(new DnsStitcher('udp'), [
      req(web(9, A)),
      req(web(9, AAAA)),
      resp(aaaa),
      resp(webAnswer(9)),
    ]);
    expect(out.map((x) => [x.req.msg.questions[0]!.type, x.resp.msg.questions[0]!.type])).toEqual([
      [AAAA, AAAA],
      [A, A],
    ]);
  });

  it('keeps the time of the first send when a query is retransmitted', () => {
    const s = new DnsStitcher('udp');
    const out = runScript(s, [req(web(5), 1000), req(web(5), 5000), resp(webAnswer(5), 5300)]);
    expect(out.map((x) => x.resp.endTs - x.req.startTs)).toEqual([4300]);
    expect(s.errors()).toBe(0);
  });

  it('does not pair an answer with a query sent after it', () => {
    const s = new DnsStitcher('udp');
    expect(runScript(s, [resp(webAnswer(4), 1000), req(web(4), 2000)])).toEqual([]);
    expect(s.errors()).toBe(2);
  });

  it('counts what does not parse, or goes the wrong way, and goes on', () => {
    const s = new DnsStitcher('udp');
    const out = runScript(s, [
      req(Buffer.from('not dns at all')),
      req(webAnswer(1)),
      resp(web(1)),
      req(web(2)),
      resp(webAnswer(2)),
    ]);
    expect(ids(out)).toEqual([2]);
    expect(s.errors()).toBe(3);
  });

  it('gives up queries unanswered for longer than the timeout, counting them', () => {
    const s = new DnsStitcher('udp', { ...DEFAULT_DNS_LIMITS, requestTimeoutNs: 1000 });
    const out = runScript(
      s,
      [req(web(1), 0), req(web(2), 500), req(web(3), 1600), resp(webAnswer(1), 1700)],
      false,
    );
    expect(out).toEqual([]);
    expect(s.pendingRequests()).toBe(1);
    expect(s.errors()).toBe(3);
  });

  it('holds at most the configured queries, dropping the oldest', () => {
    const s = new DnsStitcher('udp', { ...DEFAULT_DNS_LIMITS, maxPendingRequests: 2 });
    const out = runScript(
      s,
      [req(web(1)), req(web(2)), req(web(3)), resp(webAnswer(1)), resp(webAnswer(3))],
      false,
    );
    expect(ids(out)).toEqual([3]);
    expect(s.pendingRequests()).toBe(1);
    expect(s.errors()).toBe(2);
    expect(s.close()).toEqual([]);
    expect(s.errors()).toBe(3);
  });

  it('parses what a capture kept of a datagram longer than the capture', () => {
    const answer = dnsAnswer(1, 'web.test', A, [
      { name: 'web.test', type: A, rdata: rdata.a('10.0.0.1') },
      { name: 'web.test', type: A, rdata: rdata.a('10.0.0.2') },
    ]);
    const [x] = runScript(new DnsStitcher('udp'), [
      req(web(1)),
      { ...resp(answer), captured: answer.length - 5 },
    ]);
    expect(x!.resp.msg.answers.map((a) => a.data)).toEqual([{ addr: '10.0.0.1' }]);
    expect(x!.resp.msg.complete).toBe(false);
  });
});

describe('DnsStitcher over TCP', () => {
  it('frames messages joined in one read and split across reads', () => {
    const queries = Buffer.concat([tcpFramed(web(1)), tcpFramed(web(2))]);
    const answers = Buffer.concat([tcpFramed(webAnswer(2)), tcpFramed(webAnswer(1))]);
    const s = new DnsStitcher('tcp');
    const out = runScript(s, [
      req(queries.subarray(0, 1)),
      req(queries.subarray(1, 30)),
      req(queries.subarray(30)),
      resp(answers.subarray(0, answers.length - 1)),
      resp(answers.subarray(answers.length - 1)),
    ]);
    expect(ids(out)).toEqual([2, 1]);
    expect(s.errors()).toBe(0);
  });

  it('cuts a message short at a hole inside it, and keeps the framing', () => {
    const answer = tcpFramed(
      dnsAnswer(1, 'web.test', A, [
        { name: 'web.test', type: A, rdata: rdata.a('10.0.0.1') },
        { name: 'web.test', type: A, rdata: rdata.a('10.0.0.2') },
      ]),
    );
    const s = new DnsStitcher('tcp');
    const out = runScript(s, [
      req(tcpFramed(web(1))),
      req(tcpFramed(web(2))),
      { ...resp(answer), captured: answer.length - 4 },
      resp(tcpFramed(webAnswer(2))),
    ]);
    expect(ids(out)).toEqual([1, 2]);
    expect(out[0]!.resp.msg.answers).toHaveLength(1);
    expect(s.errors()).toBe(0);
  });

  it('finds the next message after losing a length prefix, counting the loss', () => {
    const s = new DnsStitcher('tcp');
    const out = runScript(s, [
      req(tcpFramed(web(1))),
      { ...req(tcpFramed(web(2))), lost: true },
      req(tcpFramed(web(3))),
      resp(tcpFramed(webAnswer(1))),
      resp(tcpFramed(webAnswer(3))),
    ]);
    expect(ids(out)).toEqual([1, 3]);
    expect(s.errors()).toBe(1);
  });

  it('counts a length too short to be a message and resynchronises', () => {
    const s = new DnsStitcher('tcp');
    const out = runScript(s, [
      req(Buffer.of(0, 3, 1, 2, 3)),
      req(tcpFramed(web(7))),
      resp(tcpFramed(webAnswer(7))),
    ]);
    expect(ids(out)).toEqual([7]);
    expect(s.errors()).toBe(1);
  });
});
