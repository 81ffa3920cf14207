import { normalizeMysqlJson, normalizePgsqlJson } from '../../shared/common/sql/normalize';
import { DbCall, countBy, dbCalls } from '../support/db-calls';
import { TestGateway, startTestGateway } from '../support/gateway';
import {
  OtlpReceiver,
  attributesOf,
  metricsOf,
  spansOf,
  startOtlpReceiver,
} from '../support/otlp-receiver';
import { CapturedTable, PlainRow, ingestArrow, plainRow } from '../support/protocol-rows';
import { seedWorld, worldTraffic } from '../support/world';

/** The counts of a histogram in the latest request that has it, summed by the given attributes. */
function histogramCounts(
  receiver: OtlpReceiver,
  name: string,
  key: (attrs: Record<string, unknown>) => string,
): Record<string, number> {
  const requests = receiver.accepted.filter((r) =>
    metricsOf([r]).some((m) => m.metric.name === name),
  );
  const out: Record<string, number> = {};
  for (const { metric } of metricsOf(requests.slice(-1))) {
    if (metric.name !== name) continue;
    for (const p of metric.histogram.dataPoints as { attributes: []; count: string }[]) {
      const k = key(attributesOf(p.attributes));
      out[k] = (out[k] ?? 0) + Number(p.count);
    }
  }
  return out;
}

/** What an exported call's server.address is: the service's DNS name, else the IP. */
const SERVER_ADDRESS: Record<string, string> = {
  '10.1.0.3': 'cart.shop.svc.cluster.local',
  '172.16.0.5': '172.16.0.5',
  '10.96.0.2': 'checkout.shop.svc.cluster.local',
};

const DNS_RCODES: Record<number, string> = { 3: 'NameError' };

// A gateway's first run starts its compile workers (a second or more from the TypeScript sources on a loaded machine),
// and the first test of a world runs six presets.
jest.setTimeout(120_000);

/** The presets these tests read, run together on one gateway (a gateway's first run is slow). */
const PRESETS = [
  'db-metrics',
  'db-spans',
  'dns-metrics',
  'rpc-metrics',
  'http-metrics',
  'http-spans',
];

/** Whether a decoded span is a database call's (db-spans) rather than a request's (http-spans). */
const isDbSpan = (span: { attributes: [] }) => 'db.system.name' in attributesOf(span.attributes);

describe('the database, DNS and RPC presets, decoded with the official OTLP schema', () => {
  let receiver: OtlpReceiver;
  let rows: Map<CapturedTable, PlainRow[]>;
  let calls: DbCall[];
  const worlds = new Map<string, Promise<{ gw: TestGateway; receiver: OtlpReceiver }>>();

  /**
   * A gateway with the presets and export.dbQueryText, fed the world's traffic as the agent
   * sends it, run once; made on first use and shared by the tests that ask for the same.
   */
  async function exportWorld(presets: string[], dbQueryText = 'off') {
    const key = `${presets.join(',')}|${dbQueryText}`;
    if (!worlds.has(key)) {
      worlds.set(
        key,
        (async () => {
          const otlp = await startOtlpReceiver();
          const gw = await startTestGateway({
            export: {
              presets: presets as never,
              dbQueryText: dbQueryText as never,
              interval: '1h',
              otlp: { endpoint: otlp.url },
            },
          });
          await seedWorld(gw.gateway.store);
          for (const [table, tableRows] of worldTraffic())
            await ingestArrow(gw.url, table, tableRows);
          // One job at a time: a run's deadline includes its wait for a compile worker.
          const outcomes = [];
          for (const job of gw.gateway.exports.jobs) outcomes.push(await job.run());
          expect(outcomes.map((o) => o.error ?? o.outcome)).toEqual(presets.map(() => 'ok'));
          return { gw, receiver: otlp };
        })(),
      );
    }
    receiver = (await worlds.get(key)!).receiver;
    rows = new Map([...worldTraffic()].map(([t, r]) => [t, r.map(plainRow)]));
    calls = dbCalls(rows).filter((c) => c.row.trace_role === 1);
  }

  afterAll(async () => {
    for (const world of worlds.values()) {
      const { gw, receiver: otlp } = await world;
      await gw.close();
      await otlp.close();
    }
  });

  it('db-metrics: db.client.operation.duration counts every client call, by system, operation and error', async () => {
    await exportWorld(PRESETS);
    const key = (a: Record<string, unknown>) =>
      [
        a['db.system.name'],
        a['db.operation.name'],
        a['error.type'] ?? '',
        a['db.response.status_code'] ?? '',
        a['server.address'],
        a['server.port'],
      ].join('|');
    const want = countBy(calls, (c) =>
      [
        c.system,
        c.operation,
        c.failed ? c.statusCode || '_OTHER' : '',
        c.statusCode,
        SERVER_ADDRESS[String(c.row.remote_addr)],
        c.row.remote_port,
      ].join('|'),
    );
    expect(histogramCounts(receiver, 'db.client.operation.duration', key)).toEqual(want);
    // Every kind of call is there: statements and commands, failed ones of all three systems.
    expect(Object.keys(want)).toEqual(
      expect.arrayContaining([
        'postgresql|SELECT|42703|42703|cart.shop.svc.cluster.local|5432',
        'mysql|SELECT|_OTHER||172.16.0.5|3306',
        'redis|LPUSH|WRONGTYPE|WRONGTYPE|checkout.shop.svc.cluster.local|6379',
        'redis|GET|||checkout.shop.svc.cluster.local|6379',
      ]),
    );
    const metric = metricsOf(receiver.accepted).find(
      (m) => m.metric.name === 'db.client.operation.duration',
    )!;
    expect(metric.metric).toMatchObject({ unit: 's', histogram: { aggregationTemporality: 2 } });
    expect(metric.metric.histogram.dataPoints[0].explicitBounds).toEqual([
      0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10,
    ]);
    // The resource is the calling process: a pod's service, or a bare process's executable.
    const services = new Set(
      metricsOf(receiver.accepted)
        .filter((m) => m.metric.name === 'db.client.operation.duration')
        .map((m) => m.resource['service.name'] as string),
    );
    expect(services).toEqual(new Set(['cart', 'checkout', 'unknown_service:worker-4']));
  });

  it('db-spans: one CLIENT span per client call, error status and codes on failures, no query text by default', async () => {
    await exportWorld(PRESETS);
    const spans = spansOf(receiver.accepted).filter(({ span }) => isDbSpan(span));
    expect(spans).toHaveLength(calls.length);
    expect(new Set(spans.map((s) => s.span.spanId)).size).toBe(calls.length);
    const byEnd = new Map<string, DbCall[]>();
    for (const c of calls) {
      const k = `${c.row.time_}|${c.row.latency}`;
      byEnd.set(k, [...(byEnd.get(k) ?? []), c]);
    }
    for (const { span } of spans) {
      const start = BigInt(span.startTimeUnixNano);
      const end = BigInt(span.endTimeUnixNano);
      const candidates = byEnd.get(`${end}|${end - start}`) ?? [];
      const attrs = attributesOf(span.attributes);
      const c = candidates.find(
        (x) => x.system === attrs['db.system.name'] && x.operation === attrs['db.operation.name'],
      )!;
      expect(c).toBeDefined();
      expect(span.kind).toBe(3);
      expect(span.name).toBe(c.operation || c.system);
      expect(span.status.code).toBe(c.failed ? 2 : 0);
      expect(attrs).toEqual({
        'db.system.name': c.system,
        'db.operation.name': c.operation,
        'server.address': SERVER_ADDRESS[String(c.row.remote_addr)],
        'server.port': c.row.remote_port,
        ...(c.failed ? { 'error.type': c.statusCode || '_OTHER' } : {}),
        ...(c.statusCode ? { 'db.response.status_code': c.statusCode } : {}),
      });
    }
  });

  it.each([
    ['normalized', normalizePgsqlJson, normalizeMysqlJson],
    ['full', undefined, undefined],
  ] as const)('db-spans with export.dbQueryText %s carries db.query.text', async (mode, pg, my) => {
    await exportWorld(['db-spans'], mode);
    const texts = spansOf(receiver.accepted).map(
      ({ span }) => attributesOf(span.attributes)['db.query.text'],
    );
    const want = calls.map((c) => {
      const r = c.row;
      if (c.system === 'redis') return mode === 'full' ? `${r.req_cmd} ${r.req_args}` : r.req_cmd;
      const text = String(c.system === 'postgresql' ? r.req : r.req_body);
      if (pg && my) {
        const json =
          c.system === 'postgresql' ? pg(text, String(r.req_cmd)) : my(text, Number(r.req_cmd));
        return (JSON.parse(json) as { query?: string }).query ?? '';
      }
      const statement = /^query=\[([^\]]*)\]/s.exec(text)?.[1] ?? text;
      const isStatement =
        c.system === 'postgresql'
          ? ['Query', 'Parse', 'Execute'].includes(String(r.req_cmd))
          : [3, 22, 23].includes(Number(r.req_cmd));
      return isStatement ? statement : '';
    });
    expect([...texts].sort()).toEqual([...want].sort());
    expect(texts).toContain(
      mode === 'full'
        ? "INSERT INTO person VALUES (1, 'alice', 'alice@example.com'), (2, 'bob', NULL)"
        : 'INSERT INTO person VALUES ($1, $2, $3), ($4, $5, NULL)',
    );
  });

  it('dns-metrics: dns.lookup.duration counts every lookup, by question and response code', async () => {
    await exportWorld(PRESETS);
    const lookups = rows.get('dns_events')!.filter((r) => r.trace_role === 1);
    const want = countBy(lookups, (r) => {
      const q = JSON.parse(String(r.req_body)) as { queries: { name: string }[] };
      const rcode = (JSON.parse(String(r.resp_header)) as { rcode: number }).rcode;
      return `${q.queries[0]!.name}|${rcode === 0 ? '' : (DNS_RCODES[rcode] ?? rcode)}|10.96.0.99|53`;
    });
    const got = histogramCounts(receiver, 'dns.lookup.duration', (a) =>
      [a['dns.question.name'], a['error.type'] ?? '', a['server.address'], a['server.port']].join(
        '|',
      ),
    );
    expect(got).toEqual(want);
    expect(got['nx.test|NameError|10.96.0.99|53']).toBeGreaterThan(0);
  });

  it('rpc-metrics: rpc.server.duration and rpc.client.duration count every gRPC call by status code; HTTP/2 requests stay HTTP', async () => {
    await exportWorld(PRESETS);
    const http = rows.get('http_events')!;
    const grpc = http.filter((r) => r.content_type === 2);
    const status = (r: PlainRow) =>
      Number((JSON.parse(String(r.resp_headers)) as Record<string, string>)['grpc-status']);
    const key = (a: Record<string, unknown>) =>
      [a['rpc.system'], a['rpc.service'], a['rpc.method'], a['rpc.grpc.status_code']].join('|');
    const want = (role: number) =>
      countBy(
        grpc.filter((r) => r.trace_role === role),
        (r) => `grpc|${String(r.req_path).slice(1).replace('/', '|')}|${status(r)}`,
      );
    expect(histogramCounts(receiver, 'rpc.server.duration', key)).toEqual(want(2));
    expect(histogramCounts(receiver, 'rpc.client.duration', key)).toEqual(want(1));
    expect(Object.keys(want(2)).sort()).toEqual([
      'grpc|pxgate.test.Greeter|ListGreetings|0',
      'grpc|pxgate.test.Greeter|Missing|12',
      'grpc|pxgate.test.Greeter|SayHello|0',
      'grpc|pxgate.test.Greeter|SayHello|5',
    ]);
    // The HTTP/2 requests that are not gRPC are HTTP requests like any other.
    const h2 = http.filter((r) => r.content_type !== 2);
    expect(h2.length).toBeGreaterThan(0);
    const byStatus = (role: number) =>
      countBy(
        h2.filter((r) => r.trace_role === role),
        (r) => String(r.resp_status),
      );
    const statusKey = (a: Record<string, unknown>) => String(a['http.response.status_code']);
    expect(histogramCounts(receiver, 'http.server.request.duration', statusKey)).toEqual(
      byStatus(2),
    );
    expect(histogramCounts(receiver, 'http.client.request.duration', statusKey)).toEqual(
      byStatus(1),
    );
  });

  it('http-spans: gRPC calls are spans with the RPC conventions, HTTP/2 requests with protocol version 2', async () => {
    await exportWorld(PRESETS);
    const http = rows.get('http_events')!;
    const spans = spansOf(receiver.accepted).filter(({ span }) => !isDbSpan(span));
    expect(spans).toHaveLength(http.length);
    const grpc = spans.filter(({ span }) => 'rpc.system' in attributesOf(span.attributes));
    expect(grpc).toHaveLength(http.filter((r) => r.content_type === 2).length);
    for (const { span } of grpc) {
      const attrs = attributesOf(span.attributes);
      const code = attrs['rpc.grpc.status_code'] as number;
      expect(span.name).toBe(`${attrs['rpc.service']}/${attrs['rpc.method']}`);
      expect(attrs['rpc.service']).toBe('pxgate.test.Greeter');
      if (span.kind === 2) {
        expect(span.status.code).toBe(code === 12 ? 2 : 0);
        expect(attrs['client.address']).toMatch(/^10\.1\.0\./);
      } else {
        expect(span.kind).toBe(3);
        expect(span.status.code).toBe(code === 0 ? 0 : 2);
        expect(attrs['server.address']).toBe('10.1.0.2');
      }
      expect(Object.keys(attrs).some((k) => k.startsWith('http.'))).toBe(false);
    }
    const h2server = spans.filter(
      ({ span }) => span.kind === 2 && !('rpc.system' in attributesOf(span.attributes)),
    );
    expect(h2server.length).toBeGreaterThan(0);
    for (const { span } of h2server) {
      expect(attributesOf(span.attributes)['network.protocol.version']).toBe('2');
    }
  });
});
