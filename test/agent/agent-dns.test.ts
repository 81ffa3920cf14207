import { DIG, RunningDnsmasq, dnsmasqUnavailable, startDnsmasq } from '../support/dnsmasq';
import { ebpfUnavailable } from '../support/ebpf';
import { describeIfAvailable } from '../support/system';
import { Row, TracedGateway, runTraced } from '../support/traced-gateway';

const COLUMNS = ['req_body', 'resp_header', 'resp_body', 'latency', 'remote_port', 'local_port'];

/** A lookup and what its row must say: the question, the response code, the answers. */
interface Lookup {
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'CNAME' | 'MX';
  readonly rcode: number;
  readonly answers: Record<string, unknown>[];
}

const web4 = { name: 'web.test', type: 'A', addr: '10.1.2.3' };
const LOOKUPS: Lookup[] = [
  { name: 'web.test', type: 'A', rcode: 0, answers: [web4] },
  {
    name: 'web.test',
    type: 'AAAA',
    rcode: 0,
    answers: [{ name: 'web.test', type: 'AAAA', addr: 'fd00::7' }],
  },
  {
    name: 'www.test',
    type: 'CNAME',
    rcode: 0,
    answers: [{ name: 'www.test', type: 'CNAME', cname: 'web.test' }],
  },
  { name: 'nx.test', type: 'A', rcode: 3, answers: [] },
  {
    name: 'test',
    type: 'MX',
    rcode: 0,
    answers: [{ name: 'test', type: 'MX', preference: 10, exchange: 'mail.test' }],
  },
];

/** Node's resolver (c-ares) asking every lookup in turn on one socket; prints its pid. */
const NODE_RESOLVER = `
const { Resolver } = require('node:dns/promises');
const [port, lookups] = [process.argv[1], JSON.parse(process.argv[2])];
const r = new Resolver({ timeout: 2000, tries: 1 });
r.setServers(['127.0.0.1:' + port]);
(async () => {
  for (const l of lookups) await r.resolve(l.name, l.type).catch((e) => { if (e.code !== 'ENOTFOUND') throw e; });
  process.stdout.write(String(process.pid));
})();
`;

/** What a row says, without ids and times. */
function summary(r: Row) {
  const [query] = (JSON.parse(String(r.req_body)) as { queries: { name: string; type: string }[] })
    .queries;
  return {
    name: query!.name,
    type: query!.type,
    rcode: (JSON.parse(String(r.resp_header)) as { rcode: number }).rcode,
    answers: (JSON.parse(String(r.resp_body)) as { answers: unknown[] }).answers,
  };
}

describeIfAvailable(
  'the agent traces DNS, end to end on the real kernel',
  ebpfUnavailable() ?? dnsmasqUnavailable(),
  () => {
    let px: TracedGateway;
    let dns: RunningDnsmasq;

    beforeAll(async () => {
      px = await TracedGateway.start();
      dns = await startDnsmasq(
        ['10.1.2.3 web.test', 'fd00::7 web.test'],
        ['cname=www.test,web.test', 'mx-host=test,mail.test,10'],
      );
    }, 90000);

    afterAll(async () => {
      await dns?.close();
      expect(await px?.stop()).toBe(0);
    });

    /**
     * Checks a client's rows, and that the server has one row for each of them. dnsmasq answers
     * TCP in a child it forks per connection, whose socket the tracer never saw open: those
     * answers are not seen on the server's side.
     */
    async function expectRows(pid: number, lookups: readonly Lookup[], transport: string) {
      const client = await px.waitForRows('dns_events', { pid }, lookups.length, COLUMNS);
      expect({ transport, rows: client.map(summary) }).toEqual({ transport, rows: lookups });
      for (const r of client) {
        expect({ transport, ...r }).toMatchObject({
          transport,
          trace_role: 1,
          remote_port: dns.port,
        });
        expect(Number(r.latency)).toBeGreaterThan(0);
      }
      if (transport === 'tcp') return;
      const ports = new Set(client.map((r) => r.local_port));
      const server = await px.waitForRows(
        'dns_events',
        { pid: dns.pid },
        lookups.length,
        COLUMNS,
        (r) => ports.has(r.remote_port),
      );
      expect({ transport, rows: server.map(summary) }).toEqual({ transport, rows: lookups });
      for (const r of server) {
        expect({ transport, ...r }).toMatchObject({
          transport,
          trace_role: 2,
          local_port: dns.port,
        });
        expect(Number(r.latency)).toBeGreaterThan(0);
      }
    }

    it.each(['udp', 'tcp'])(
      'records each dig lookup over %s once, NXDOMAIN included (and once on the server, over UDP)',
      async (transport) => {
        for (const l of LOOKUPS) {
          const args = [
            '@127.0.0.1',
            '-p',
            String(dns.port),
            '+tries=1',
            '+time=2',
            l.name,
            l.type,
          ];
          const dig = await runTraced(DIG, transport === 'tcp' ? ['+tcp', ...args] : args);
          expect(dig.stdout).toContain(l.rcode === 3 ? 'status: NXDOMAIN' : 'status: NOERROR');
          await expectRows(dig.pid, [l], transport);
        }
      },
      120000,
    );

    it("records each of Node's resolver lookups once per side", async () => {
      const node = await runTraced(process.execPath, [
        '-e',
        NODE_RESOLVER,
        String(dns.port),
        JSON.stringify(LOOKUPS),
      ]);
      expect(Number(node.stdout)).toBe(node.pid);
      await expectRows(node.pid, LOOKUPS, 'node');
    }, 120000);
  },
);
