import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeMysqlJson, normalizePgsqlJson } from '../../shared/common/sql/normalize';
import {
  PlainRow,
  CapturedTable,
  appendArrow,
  plainRow,
  rowsByTable,
} from '../support/protocol-rows';
import { Peer, pxlPod, worldConversations } from '../support/protocol-world';
import { dbCalls, mysqlFailed, pgsqlFailed, redisFailed } from '../support/db-calls';
import {
  BASE_NS,
  PODS,
  PxlFixture,
  closeTo,
  expectServiceMap,
  fillCluster,
  groupBy,
  pxlFixture,
  quantile,
  records,
  sortRows,
} from '../support/pxl';

const NOW = BASE_NS + 120_000_000_000n;

/** Pods 0, 1 and 5 run the app, 2 PostgreSQL, 3 a second app, 4 Redis. */
const SERVICES = ['ns/app', 'ns/app', 'ns/postgres', 'ns/app2', 'ns/redis', 'ns/app'];
/** fillCluster gives the services, in name order, IPs 10.96.0.1, .2, ... */
const SERVICE_IPS = new Map<string, string>(
  [...new Set(SERVICES)].sort().map((name, k) => [`10.96.0.${k + 1}`, name] as const),
);
const OUTSIDE_CLIENT: Peer = { ip: '192.168.7.7' };
const MYSQL_OUTSIDE: Peer = { ip: '172.16.0.5' };
const DNS_SERVER = '10.96.0.99';

/** Database, DNS, gRPC and HTTP/2 traffic in the window: see each server's clients below. */
function conversations() {
  const round = { startNs: BASE_NS, everyNs: 4_000_000_000n, rounds: 28 };
  return [
    ...worldConversations({
      ...round,
      servers: { pgsql_events: { peer: pxlPod(2), port: 5432 } },
      clients: [pxlPod(0), pxlPod(1), OUTSIDE_CLIENT],
    }),
    ...worldConversations({
      ...round,
      // A database outside the cluster, and one reached through its service's IP.
      servers: {
        mysql_events: { peer: MYSQL_OUTSIDE, port: 3306 },
        redis_events: { peer: pxlPod(4), port: 6379, via: '10.96.0.4' },
      },
      clients: [pxlPod(5), pxlPod(3)],
    }),
    ...worldConversations({
      ...round,
      servers: { dns_events: { peer: { ip: DNS_SERVER }, port: 53 } },
      clients: [pxlPod(0), pxlPod(3)],
    }),
    // gRPC and plain HTTP/2 calls to pod 1, for the service map.
    ...worldConversations({
      ...round,
      servers: { http_events: { peer: pxlPod(1), port: 9090 } },
      captures: { http_events: ['grpc-python', 'node-h2c'] },
      clients: [pxlPod(3), OUTSIDE_CLIENT],
    }),
  ];
}

const script = (name: string) =>
  readFileSync(join(__dirname, '..', '..', 'scripts', 'px', `${name}.pxl`), 'utf8');

/** What PxL's df.ctx says of the traced process of a row (upid 1:100+i:5000+i is pod i). */
const podOf = (r: PlainRow) => Number(String(r.upid).split(':')[1]) - 100;
const ownPod = (r: PlainRow) => `ns/pod-${podOf(r)}`;
const ownService = (r: PlainRow) => SERVICES[podOf(r)]!;
const podOfIp = (ip: string) => {
  const m = /^10\.1\.0\.(\d+)$/.exec(ip);
  return m && Number(m[1]) <= PODS ? Number(m[1]) - 1 : undefined;
};
/** The scripts' peer_name: the service behind an address, else the pod, else the IP. */
function peerName(ip: string): string {
  const pod = podOfIp(ip);
  if (pod !== undefined) return SERVICES[pod]!;
  return SERVICE_IPS.get(ip) ?? ip;
}

/** A call counted once: by its client, or by its server when the client is not in the cluster. */
const counted = (r: PlainRow) => r.trace_role === 1 || podOfIp(String(r.remote_addr)) === undefined;
const serverOf = (r: PlainRow) =>
  r.trace_role === 1 ? peerName(String(r.remote_addr)) : ownService(r);

/** The calls db_stats counts, each once, with the database's name. */
function calls(rows: Map<CapturedTable, PlainRow[]>) {
  return dbCalls(rows)
    .filter((c) => counted(c.row))
    .map((c) => ({
      db_system: c.system,
      server: serverOf(c.row),
      operation: c.operation,
      failed: c.failed,
      latency: Number(c.row.latency),
    }));
}

describe('bundled database and DNS scripts, each against a TypeScript computation', () => {
  let fx: PxlFixture;
  let rows: Map<CapturedTable, PlainRow[]>;

  beforeAll(async () => {
    fx = await pxlFixture();
    const agentRows = rowsByTable(conversations());
    for (const [table, tableRows] of agentRows) await appendArrow(fx.store, table, tableRows);
    rows = new Map([...agentRows].map(([t, r]) => [t, r.map(plainRow)]));
    await fillCluster(fx, {
      namespace: 'ns',
      services: SERVICES.map((s) => [s]),
      cmdline: (i) => `/bin/app-${i}`,
      node: () => 'node-a',
    });
  });
  afterAll(() => fx.close());

  it.each([
    ['pgsql_data', 'pgsql_events', ['req_cmd', 'req', 'resp'], pgsqlFailed],
    [
      'mysql_data',
      'mysql_events',
      ['req_cmd', 'req_body', 'resp_status', 'resp_body'],
      mysqlFailed,
    ],
    ['redis_data', 'redis_events', ['req_cmd', 'req_args', 'resp'], redisFailed],
  ] as const)(
    '%s lists the requests of the window, oldest first, with pod, service and failure',
    async (name, table, own, failed) => {
      const res = await fx.run(script(name), {
        now: NOW,
        func: name,
        args: { start_time: '-1m', max_rows: 200 },
      });
      const want = rows
        .get(table)!
        .filter((r) => (r.time_ as bigint) >= NOW - 60_000_000_000n)
        .slice(0, 200)
        .map((r) => ({
          time_: r.time_,
          pod: ownPod(r),
          service: ownService(r),
          role: r.trace_role === 1 ? 'client' : 'server',
          remote_addr: r.remote_addr,
          remote_port: BigInt(r.remote_port!),
          ...Object.fromEntries(
            own.map((c) => [c, typeof r[c] === 'number' ? BigInt(r[c] as number) : r[c]]),
          ),
          failed: failed(r),
          latency: BigInt(r.latency!),
        }));
      expect(want.length).toBeGreaterThan(20);
      expect(want.some((r) => r.failed)).toBe(true);
      expect(records(res[name]!)).toEqual(want);
    },
  );

  it('dns_data lists the lookups with their question, response code and answers', async () => {
    const { dns_data } = await fx.run(script('dns_data'), { now: NOW });
    const want = rows
      .get('dns_events')!
      .filter((r) => r.trace_role === 1 && (r.time_ as bigint) >= NOW - 300_000_000_000n)
      .map((r) => {
        const q = (JSON.parse(String(r.req_body)) as { queries: { name: string; type: string }[] })
          .queries[0]!;
        return {
          time_: r.time_,
          pod: ownPod(r),
          service: ownService(r),
          remote_addr: DNS_SERVER,
          remote_port: 53n,
          query_name: q.name,
          query_type: q.type,
          rcode: BigInt((JSON.parse(String(r.resp_header)) as { rcode: number }).rcode),
          answers: JSON.stringify(
            (JSON.parse(String(r.resp_body)) as { answers: unknown }).answers,
          ),
          latency: BigInt(r.latency!),
        };
      });
    expect(want.filter((r) => r.rcode === 3n).length).toBeGreaterThan(0);
    expect(new Set(want.map((r) => r.query_type))).toEqual(
      new Set(['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'PTR']),
    );
    expect(records(dns_data!)).toEqual(want);
  });

  it('db_stats gives calls, errors and latency per database and operation, each call once', async () => {
    const { db_stats } = await fx.run(script('db_stats'), { now: NOW });
    const all = calls(rows);
    const want = [
      ...groupBy(all, (c) => `${c.db_system}\u0000${c.server}\u0000${c.operation}`).values(),
    ].map((cs) => {
      const lat = cs.map((c) => c.latency).sort((a, b) => a - b);
      const errors = cs.filter((c) => c.failed).length;
      return {
        db_system: cs[0]!.db_system,
        server: cs[0]!.server,
        operation: cs[0]!.operation,
        calls: BigInt(cs.length),
        errors: BigInt(errors),
        error_rate: errors / cs.length,
        latency_p50: BigInt(Math.floor(quantile(lat, 0.5))),
        latency_p90: BigInt(Math.floor(quantile(lat, 0.9))),
        latency_p99: BigInt(Math.floor(quantile(lat, 0.99))),
        total_time: BigInt(lat.reduce((s, x) => s + x, 0)),
      };
    });
    // The world has each kind: a database in the cluster, one outside it, one behind a service
    // IP, a client outside the cluster (counted at the server), failures in all three.
    expect(new Set(want.map((w) => w.server))).toEqual(
      new Set(['ns/postgres', '172.16.0.5', 'ns/redis']),
    );
    expect(new Set(want.filter((w) => w.errors > 0n).map((w) => w.db_system))).toEqual(
      new Set(['postgresql', 'mysql', 'redis']),
    );
    expect(want.map((w) => w.operation)).toEqual(
      expect.arrayContaining(['SELECT', 'INSERT', 'GET', 'SET']),
    );
    closeTo(
      sortRows(records(db_stats!)),
      sortRows(want),
      ['error_rate'],
      ['latency_p50', 'latency_p90', 'latency_p99'],
    );
  });

  it('service_map has an edge per caller, callee and protocol, with database and DNS servers as nodes', async () => {
    const { nodes, edges } = await fx.run(script('service_map'), { now: NOW });
    const calls = [
      ...rows
        .get('http_events')!
        .filter((r) => r.trace_role === 2)
        .map((r) => {
          const grpc = r.content_type === 2;
          const status = (JSON.parse(String(r.resp_headers)) as Record<string, string>)[
            'grpc-status'
          ];
          return {
            source: peerName(String(r.remote_addr)),
            target: ownService(r),
            protocol: grpc ? 'grpc' : 'http',
            failed: grpc ? status !== '0' : Number(r.resp_status) >= 400,
            latency: Number(r.latency),
          };
        }),
      ...dbCalls(rows)
        .filter((c) => counted(c.row))
        .map((c) => ({
          source: c.row.trace_role === 1 ? ownService(c.row) : peerName(String(c.row.remote_addr)),
          target: serverOf(c.row),
          protocol: c.system as string,
          failed: c.failed,
          latency: Number(c.row.latency),
        })),
      ...rows
        .get('dns_events')!
        .filter(counted)
        .map((r) => ({
          source: ownService(r),
          target: DNS_SERVER,
          protocol: 'dns',
          failed: (JSON.parse(String(r.resp_header)) as { rcode: number }).rcode !== 0,
          latency: Number(r.latency),
        })),
    ];
    const wantEdges = [
      ...groupBy(calls, (c) => `${c.source}\u0000${c.target}\u0000${c.protocol}`).values(),
    ].map((cs) => {
      const lat = cs.map((c) => c.latency).sort((a, b) => a - b);
      const { source, target, protocol } = cs[0]!;
      return {
        id: `${source} -> ${target} (${protocol})`,
        source,
        target,
        protocol,
        requests: BigInt(cs.length),
        error_rate: cs.filter((c) => c.failed).length / cs.length,
        latency_p50: BigInt(Math.floor(quantile(lat, 0.5))),
        latency_p99: BigInt(Math.floor(quantile(lat, 0.99))),
      };
    });
    // Every protocol is there, gRPC failures too, and a client outside the cluster by its IP.
    expect(new Set(wantEdges.map((e) => e.protocol))).toEqual(
      new Set(['http', 'grpc', 'postgresql', 'mysql', 'redis', 'dns']),
    );
    expect(wantEdges.find((e) => e.protocol === 'grpc' && e.error_rate > 0)).toBeDefined();
    expect(wantEdges.map((e) => e.id)).toEqual(
      expect.arrayContaining([
        'ns/app2 -> ns/app (grpc)',
        '192.168.7.7 -> ns/postgres (postgresql)',
        'ns/app -> 172.16.0.5 (mysql)',
        'ns/app2 -> ns/redis (redis)',
        `ns/app -> ${DNS_SERVER} (dns)`,
      ]),
    );
    expectServiceMap(nodes!, edges!, wantEdges);
  });

  it('sql_queries groups the statements by their normalized text, per database', async () => {
    const { sql_queries } = await fx.run(script('sql_queries'), { now: NOW });
    const statements = [
      ...rows
        .get('pgsql_events')!
        .filter((r) => r.req_cmd === 'Query' || r.req_cmd === 'Execute')
        .map((r) => ({
          r,
          db_system: 'postgresql',
          json: normalizePgsqlJson(String(r.req), String(r.req_cmd)),
          failed: pgsqlFailed(r),
        })),
      ...rows
        .get('mysql_events')!
        .filter((r) => r.req_cmd === 3 || r.req_cmd === 23)
        .map((r) => ({
          r,
          db_system: 'mysql',
          json: normalizeMysqlJson(String(r.req_body), Number(r.req_cmd)),
          failed: mysqlFailed(r),
        })),
    ]
      .filter((s) => counted(s.r))
      .map((s) => ({
        db_system: s.db_system,
        server: serverOf(s.r),
        query: (JSON.parse(s.json) as { query?: string }).query ?? '',
        failed: s.failed,
        latency: Number(s.r.latency),
      }))
      .filter((s) => s.query !== '');
    const want = [
      ...groupBy(statements, (s) => `${s.db_system}\u0000${s.server}\u0000${s.query}`).values(),
    ].map((ss) => {
      const lat = ss.map((s) => s.latency).sort((a, b) => a - b);
      const total = lat.reduce((a, b) => a + b, 0);
      return {
        db_system: ss[0]!.db_system,
        server: ss[0]!.server,
        query: ss[0]!.query,
        calls: BigInt(ss.length),
        errors: BigInt(ss.filter((s) => s.failed).length),
        latency_mean: total / ss.length,
        latency_p99: BigInt(Math.floor(quantile(lat, 0.99))),
        total_time: BigInt(total),
      };
    });
    expect(want.map((w) => w.query)).toEqual(
      expect.arrayContaining([
        'SELECT name, email FROM person WHERE id = $1',
        'INSERT INTO person VALUES ($1, $2, $3), ($4, $5, NULL)',
        'SELECT ? + ? AS n',
      ]),
    );
    closeTo(sortRows(records(sql_queries!)), sortRows(want), ['latency_mean'], ['latency_p99']);
  });
});
