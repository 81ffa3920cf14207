/**
 * A small generated Kubernetes cluster, seeded into a gateway: metadata for two nodes, two
 * namespaces, nine services with one pod and one process each, and a few minutes of every
 * telemetry table with the traffic between them: over HTTP frontend calls cart and catalog, cart
 * calls payments, prometheus scrapes the HTTP services; over gRPC frontend calls payments;
 * catalog queries postgres, payments mysql, cart redis, and the HTTP services look names up in
 * kube-dns (through its service IP). The database and DNS conversations are the agent parsers'
 * captures. Deterministic for a given end time and seed.
 */
import { Row } from '../../agent/src/transport/row';
import { Gateway } from '../../gateway/src/gateway';
import { ingest } from './gateway';
import { insertMetadata, upidOf } from './metadata';
import { ProtocolTable, ingestArrow, rowsByTable } from './protocol-rows';
import { Peer, upidHalves, worldConversations } from './protocol-world';
import { rng } from './rows';

const NS_PER_S = 1_000_000_000n;

export interface ClusterService {
  namespace: string;
  name: string;
  pod: string;
  podUid: string;
  ip: string;
  node: string;
  pid: number;
  upid: string;
  /** Typical latency of its answers, in ns. */
  latencyNs: number;
  /** Share of its answers that are 5xx. */
  errorRate: number;
  /** What it serves: HTTP, or a database or DNS (whose traffic comes from the captures). */
  serves: 'http' | ProtocolTable;
  /** The IP its Kubernetes service gives it. */
  clusterIp: string;
}

const defs: Array<[string, string, string, number, number, ClusterService['serves']]> = [
  ['shop', 'frontend', '10.1.0.10', 8_000_000, 0.02, 'http'],
  ['shop', 'cart', '10.1.0.11', 3_000_000, 0.05, 'http'],
  ['shop', 'catalog', '10.1.0.12', 2_000_000, 0, 'http'],
  ['shop', 'payments', '10.1.0.13', 20_000_000, 0.2, 'http'],
  ['ops', 'prometheus', '10.1.0.20', 1_000_000, 0, 'http'],
  ['shop', 'postgres', '10.1.0.30', 0, 0, 'pgsql_events'],
  ['shop', 'mysql', '10.1.0.31', 0, 0, 'mysql_events'],
  ['shop', 'redis', '10.1.0.32', 0, 0, 'redis_events'],
  ['ops', 'kube-dns', '10.1.0.40', 0, 0, 'dns_events'],
];

export const SERVICES: readonly ClusterService[] = defs.map(
  ([namespace, name, ip, latencyNs, errorRate, serves], i) => ({
    namespace,
    name: `${namespace}/${name}`,
    pod: `${namespace}/${name}-0`,
    podUid: `pod-uid-${name}`,
    ip,
    node: i % 2 === 0 ? 'node-a' : 'node-b',
    pid: 100 + i,
    upid: upidOf(1, 100 + i, 5000 + i).text,
    latencyNs,
    errorRate,
    serves,
    clusterIp: `10.96.0.${i + 10}`,
  }),
);

const service = (short: string) => SERVICES.find((s) => s.name.endsWith(`/${short}`))!;

/** Who calls whom, with the paths they ask for. */
export const CALLS: ReadonlyArray<{ from: ClusterService; to: ClusterService; paths: string[] }> = [
  { from: service('frontend'), to: service('cart'), paths: ['/cart', '/cart/items'] },
  { from: service('frontend'), to: service('catalog'), paths: ['/products', '/products/42'] },
  { from: service('cart'), to: service('payments'), paths: ['/charge'] },
  ...SERVICES.filter((s) => s.serves === 'http' && !s.name.endsWith('prometheus')).map((s) => ({
    from: service('prometheus'),
    to: s,
    paths: ['/metrics'],
  })),
];

export interface SeededCluster {
  startNs: bigint;
  endNs: bigint;
  /** Rows stored per table. */
  rows: Record<string, number>;
}

/**
 * Seeds `minutes` of traffic ending at `endNs` (default: now). Telemetry goes through the HTTP
 * ingest API; metadata straight into the store, as the metadata sources write it.
 */
export async function seedCluster(
  gateway: Gateway,
  gatewayUrl: string,
  opts: { endNs?: bigint; minutes?: number; seed?: number; token?: string } = {},
): Promise<SeededCluster> {
  const rand = rng(opts.seed ?? 11);
  const endNs = opts.endNs ?? BigInt(Date.now()) * 1_000_000n;
  const spanS = (opts.minutes ?? 5) * 60;
  const startNs = endNs - BigInt(spanS) * NS_PER_S;
  const headers: Record<string, string> = opts.token
    ? { authorization: `Bearer ${opts.token}` }
    : {};
  const longAgo = startNs - 3600n * NS_PER_S;

  await insertMetadata(gateway.store, 'nodes', [
    { name: 'node-a', ip: '10.0.0.1', start_ns: longAgo },
    { name: 'node-b', ip: '10.0.0.2', start_ns: longAgo },
  ]);
  await insertMetadata(
    gateway.store,
    'namespaces',
    ['shop', 'ops'].map((name) => ({ uid: `ns-${name}`, name, start_ns: longAgo })),
  );
  await insertMetadata(
    gateway.store,
    'pods',
    SERVICES.map((s) => ({
      uid: s.podUid,
      name: s.pod,
      namespace: s.namespace,
      node: s.node,
      hostname: s.node,
      ip: s.ip,
      phase: 'Running',
      start_ns: longAgo,
      replicaset: '',
      deployment: s.name,
    })),
  );
  await insertMetadata(
    gateway.store,
    'services',
    SERVICES.map((s, i) => ({
      uid: `svc-uid-${i}`,
      name: s.name,
      namespace: s.namespace,
      cluster_ip: s.clusterIp,
      start_ns: longAgo,
    })),
  );
  await insertMetadata(
    gateway.store,
    'podServices',
    SERVICES.map((s, i) => ({ pod_uid: s.podUid, service_uid: `svc-uid-${i}`, start_ns: longAgo })),
  );
  await insertMetadata(
    gateway.store,
    'processes',
    SERVICES.map((s, i) => ({
      upid: upidOf(1, s.pid, 5000 + i).value,
      asid: 1,
      pid: s.pid,
      start_ticks: 5000 + i,
      cmdline: `/app/${s.name.split('/')[1]}`,
      hostname: s.node,
      container_id: `ctr-${i}`,
      pod_uid: s.podUid,
      start_ns: longAgo,
    })),
  );

  const http: Record<string, unknown>[] = [];
  for (let t = 0; t < spanS; t++) {
    for (const call of CALLS) {
      const calls = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < calls; k++) {
        const failed = rand() < call.to.errorRate;
        http.push({
          time_: String(startNs + BigInt(t) * NS_PER_S + BigInt(Math.floor(rand() * 1e9))),
          upid: call.to.upid,
          remote_addr: call.from.ip,
          remote_port: 40000 + Math.floor(rand() * 1000),
          local_addr: call.to.ip,
          local_port: 8080,
          trace_role: 2,
          major_version: 1,
          minor_version: 1,
          content_type: 1,
          req_method: call.paths[0] === '/charge' ? 'POST' : 'GET',
          req_path: call.paths[Math.floor(rand() * call.paths.length)],
          req_headers: '{}',
          req_body: '',
          req_body_size: Math.floor(rand() * 400),
          resp_status: failed ? 503 : 200,
          resp_message: failed ? 'Service Unavailable' : 'OK',
          resp_headers: '{}',
          resp_body: '',
          resp_body_size: 100 + Math.floor(rand() * 4000),
          latency: Math.floor(call.to.latencyNs * (0.5 + rand())),
        });
      }
    }
  }

  const conn: Record<string, unknown>[] = [];
  const proc: Record<string, unknown>[] = [];
  const net: Record<string, unknown>[] = [];
  for (let t = 0; t < spanS; t += 10) {
    const time_ = String(startNs + BigInt(t) * NS_PER_S);
    for (const call of CALLS) {
      conn.push({
        time_,
        upid: call.from.upid,
        remote_addr: call.to.ip,
        remote_port: 8080,
        trace_role: 1,
        addr_family: 2,
        protocol: 1,
        ssl: false,
        conn_open: 1 + Math.floor(t / 60),
        conn_close: Math.floor(t / 60),
        conn_active: 1,
        bytes_sent: 2_000 * t,
        bytes_recv: 9_000 * t,
      });
    }
    for (const [i, s] of SERVICES.entries()) {
      proc.push({
        time_,
        upid: s.upid,
        major_faults: 0,
        minor_faults: 100 * t,
        cpu_utime_ns: String(BigInt(t) * BigInt(20_000_000 * (i + 1))),
        cpu_ktime_ns: String(BigInt(t) * 5_000_000n),
        num_threads: 8 + i,
        vsize_bytes: 500_000_000 + i * 1_000_000,
        rss_bytes: 50_000_000 + i * 10_000_000 + t * 1000,
        rchar_bytes: 1_000 * t,
        wchar_bytes: 2_000 * t,
        read_bytes: 0,
        write_bytes: 4_096 * t,
      });
      net.push({
        time_,
        pod_id: s.podUid,
        rx_bytes: 10_000 * t * (i + 1),
        rx_packets: 10 * t,
        rx_errors: 0,
        rx_drops: 0,
        tx_bytes: 7_000 * t * (i + 1),
        tx_packets: 8 * t,
        tx_errors: 0,
        tx_drops: 0,
      });
    }
  }

  const tables: Record<string, Record<string, unknown>[]> = {
    http_events: http,
    conn_stats: conn,
    process_stats: proc,
    network_stats: net,
  };
  for (const [table, rows] of Object.entries(tables))
    await ingest(gatewayUrl, table, rows, headers);
  const traced = protocolTraffic(startNs, spanS);
  for (const [table, rows] of traced) await ingestArrow(gatewayUrl, table, rows, headers);
  return {
    startNs,
    endNs,
    rows: Object.fromEntries([
      ...Object.entries(tables).map(([t, r]) => [t, r.length] as const),
      ...[...traced].map(
        ([t, r]) => [t, r.length + (t === 'http_events' ? http.length : 0)] as const,
      ),
    ]),
  };
}

const peerOf = (s: ClusterService): Peer => ({
  ip: s.ip,
  upid: upidHalves(1, s.pid, 5000 + SERVICES.indexOf(s)),
});

/**
 * The agent's rows of the database, DNS and gRPC traffic, by table: a round of conversations
 * every 10 s (catalog with postgres, payments with mysql, cart with redis, frontend calling
 * payments over gRPC, the HTTP services taking turns with kube-dns).
 */
function protocolTraffic(startNs: bigint, spanS: number): Map<string, Row[]> {
  const place = (short: string, port: number, viaService = false) => {
    const s = service(short);
    return { peer: peerOf(s), port, ...(viaService ? { via: s.clusterIp } : {}) };
  };
  const rounds = Math.floor(spanS / 10);
  const conversations = [
    ...worldConversations({
      servers: { pgsql_events: place('postgres', 5432) },
      clients: [peerOf(service('catalog'))],
      startNs,
      everyNs: 10n * NS_PER_S,
      rounds,
    }),
    ...worldConversations({
      servers: { mysql_events: place('mysql', 3306) },
      clients: [peerOf(service('payments'))],
      startNs: startNs + NS_PER_S,
      everyNs: 10n * NS_PER_S,
      rounds,
    }),
    ...worldConversations({
      servers: { redis_events: place('redis', 6379) },
      clients: [peerOf(service('cart'))],
      startNs: startNs + 2n * NS_PER_S,
      everyNs: 10n * NS_PER_S,
      rounds,
    }),
    ...worldConversations({
      servers: { http_events: place('payments', 9090) },
      captures: { http_events: ['grpc-python'] },
      clients: [peerOf(service('frontend'))],
      startNs: startNs + 4n * NS_PER_S,
      everyNs: 10n * NS_PER_S,
      rounds,
    }),
    ...worldConversations({
      servers: { dns_events: place('kube-dns', 53, true) },
      clients: ['frontend', 'cart', 'catalog', 'payments'].map((n) => peerOf(service(n))),
      startNs: startNs + 3n * NS_PER_S,
      everyNs: 10n * NS_PER_S,
      rounds,
    }),
  ];
  return rowsByTable(conversations);
}
