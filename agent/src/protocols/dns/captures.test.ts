import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  Conversation,
  TcpRecorder,
  UdpRelay,
  bytewise,
  conversationSteps,
  joined,
  readCapture,
  writeCapture,
} from '../../../../test/support/capture-proxy';
import {
  DIG,
  RunningDnsmasq,
  dnsmasqUnavailable,
  startDnsmasq,
} from '../../../../test/support/dnsmasq';
import { ScriptStep, runScript } from '../../../../test/support/http-script';
import { describeIfAvailable } from '../../../../test/support/system';
import { answersJson, queriesJson } from './dns-json';
import { rcode } from './dns-message';
import { DnsExchange, DnsStitcher, DnsTransport } from './dns-stitcher';

const TESTDATA = join(__dirname, 'testdata');

/** What a row says about an exchange, without the ids and times that change with each run. */
function summary(x: DnsExchange) {
  return {
    queries: JSON.parse(queriesJson(x.req.msg)).queries,
    rcode: rcode(x.resp.msg.header),
    answers: JSON.parse(answersJson(x.resp.msg)).answers,
  };
}

function replay(transport: DnsTransport, steps: readonly ScriptStep[]) {
  const s = new DnsStitcher(transport);
  const out = runScript(s, steps);
  return { out, errors: s.errors() };
}

/** The summary of an exchange that a capture must give. */
interface Expected {
  queries: { name: string; type: string }[];
  rcode: number;
  answers: Record<string, unknown>[];
}

const q = (name: string, type: string) => [{ name, type }];
const web4 = { name: 'web.test', type: 'A', addr: '10.1.2.3' };
const web6 = { name: 'web.test', type: 'AAAA', addr: 'fd00::7' };
const www = { name: 'www.test', type: 'CNAME', cname: 'web.test' };

/** Node's resolver on one UDP socket: the answers, in the order asked. */
const NODE_RESOLVER: Expected[] = [
  { queries: q('web.test', 'A'), rcode: 0, answers: [web4] },
  { queries: q('web.test', 'AAAA'), rcode: 0, answers: [web6] },
  { queries: q('www.test', 'CNAME'), rcode: 0, answers: [www] },
  { queries: q('nx.test', 'A'), rcode: 3, answers: [] },
  {
    queries: q('test', 'MX'),
    rcode: 0,
    answers: [{ name: 'test', type: 'MX', preference: 10, exchange: 'mail.test' }],
  },
  {
    queries: q('info.test', 'TXT'),
    rcode: 0,
    answers: [{ name: 'info.test', type: 'TXT', txt: ['v=spf1 -all', 'second'] }],
  },
  {
    queries: q('_http._tcp.test', 'SRV'),
    rcode: 0,
    answers: [
      {
        name: '_http._tcp.test',
        type: 'SRV',
        priority: 1,
        weight: 5,
        port: 8080,
        target: 'web.test',
      },
    ],
  },
  {
    queries: q('3.2.1.10.in-addr.arpa', 'PTR'),
    rcode: 0,
    answers: [{ name: '3.2.1.10.in-addr.arpa', type: 'PTR', ptr: 'web.test' }],
  },
];

/** dig over UDP, one query on its socket. */
const DIG_UDP: Expected[] = [{ queries: q('www.test', 'A'), rcode: 0, answers: [www, web4] }];

/** dig +tcp +keepopen: four queries on one connection. */
const DIG_TCP: Expected[] = [
  { queries: q('web.test', 'A'), rcode: 0, answers: [web4] },
  { queries: q('web.test', 'AAAA'), rcode: 0, answers: [web6] },
  { queries: q('www.test', 'A'), rcode: 0, answers: [www, web4] },
  { queries: q('nx.test', 'A'), rcode: 3, answers: [] },
];

const CAPTURES: [string, DnsTransport, Expected[]][] = [
  ['node-resolver-udp', 'udp', NODE_RESOLVER],
  ['dig-udp', 'udp', DIG_UDP],
  ['dig-tcp', 'tcp', DIG_TCP],
];

describe('captured DNS conversations', () => {
  it.each(CAPTURES)('%s: every query paired with its answer, in order', (name, transport, want) => {
    const { out, errors } = replay(transport, readCapture(join(TESTDATA, `${name}.jsonl`)));
    expect(out.map(summary)).toEqual(want);
    expect(errors).toBe(0);
    for (const x of out) {
      expect(x.resp.msg.header.txid).toBe(x.req.msg.header.txid);
      expect(x.resp.endTs).toBeGreaterThan(x.req.startTs);
    }
  });

  it('dig-tcp: the same exchanges when every byte is its own read, and when reads are joined', () => {
    const steps = readCapture(join(TESTDATA, 'dig-tcp.jsonl'));
    expect(replay('tcp', bytewise(steps)).out.map(summary)).toEqual(DIG_TCP);
    expect(replay('tcp', joined(steps)).out.map(summary)).toEqual(DIG_TCP);
  });

  it('dig-tcp: a lost read costs only the exchange it carried', () => {
    const steps = readCapture(join(TESTDATA, 'dig-tcp.jsonl'));
    const second = steps.findIndex((s, i) => i > 0 && s.kind === 'request');
    steps[second] = { ...steps[second]!, lost: true };
    const { out, errors } = replay('tcp', steps);
    expect(out.map(summary)).toEqual([DIG_TCP[0], DIG_TCP[2], DIG_TCP[3]]);
    expect(errors).toBeGreaterThan(0);
  });
});

const exec = promisify(execFile);

/** Queries dnsmasq through Node's resolver (c-ares): all at once, so they share its socket. */
async function nodeResolverQueries(port: number): Promise<void> {
  const r = new Resolver({ timeout: 2000, tries: 1 });
  r.setServers([`127.0.0.1:${port}`]);
  await Promise.all([
    r.resolve4('web.test'),
    r.resolve6('web.test'),
    r.resolveCname('www.test'),
    expect(r.resolve4('nx.test')).rejects.toMatchObject({ code: 'ENOTFOUND' }),
    r.resolveMx('test'),
    r.resolveTxt('info.test'),
    r.resolveSrv('_http._tcp.test'),
    r.reverse('10.1.2.3'),
  ]);
}

async function dig(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await exec(DIG, [
    '@127.0.0.1',
    '-p',
    String(port),
    '+tries=1',
    '+time=2',
    ...args,
  ]);
  return stdout;
}

describeIfAvailable('DNS recorded from dnsmasq on loopback', dnsmasqUnavailable(), () => {
  let dns: RunningDnsmasq;
  let udp: UdpRelay;
  let tcp: TcpRecorder;

  beforeAll(async () => {
    dns = await startDnsmasq(
      ['10.1.2.3 web.test', 'fd00::7 web.test', '10.1.2.4 db.test'],
      [
        'cname=www.test,web.test',
        'mx-host=test,mail.test,10',
        'txt-record=info.test,v=spf1 -all,second',
        'srv-host=_http._tcp.test,web.test,8080,1,5',
      ],
    );
    udp = await UdpRelay.start(dns.port);
    tcp = await TcpRecorder.start(dns.port);
  });

  afterAll(async () => {
    await udp?.shutdown();
    await tcp?.shutdown();
    await dns?.close();
  });

  /**
   * Checks a fresh recording like the committed one (answers to queries in flight together may
   * come in any order), and replaces that with RECORD_CAPTURES=1.
   */
  function check(name: string, transport: DnsTransport, c: Conversation, want: Expected[]) {
    const { out, errors } = replay(transport, conversationSteps(c));
    const sorted = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
    expect(sorted(out.map(summary))).toEqual(sorted(want));
    expect(errors).toBe(0);
    if (process.env.RECORD_CAPTURES === '1') writeCapture(join(TESTDATA, `${name}.jsonl`), c);
  }

  it("Node's resolver: eight queries of seven types on one UDP socket, NXDOMAIN included", async () => {
    const before = udp.conversations.length;
    await nodeResolverQueries(udp.port);
    const mine = udp.conversations.slice(before);
    expect(mine).toHaveLength(1);
    check('node-resolver-udp', 'udp', mine[0]!, NODE_RESOLVER);
  });

  it('dig over UDP: a CNAME followed to its address', async () => {
    const before = udp.conversations.length;
    expect(await dig(udp.port, '+short', 'www.test', 'A')).toBe('web.test.\n10.1.2.3\n');
    const mine = udp.conversations.slice(before);
    expect(mine).toHaveLength(1);
    check('dig-udp', 'udp', mine[0]!, DIG_UDP);
  });

  it('dig +tcp: four queries on one connection, NXDOMAIN included', async () => {
    const before = tcp.conversations.length;
    await dig(
      tcp.port,
      '+tcp',
      '+keepopen',
      'web.test',
      'A',
      'web.test',
      'AAAA',
      'www.test',
      'A',
      'nx.test',
      'A',
    );
    const mine = tcp.conversations.slice(before);
    expect(mine).toHaveLength(1);
    check('dig-tcp', 'tcp', mine[0]!, DIG_TCP);
  });
});
