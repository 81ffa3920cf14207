import { TableStore } from '../../gateway/src/store/table-store';
import { insertMetadata, upidOf } from './metadata';
import { Row } from '../../agent/src/transport/row';
import { CapturedTable, rowsByTable } from './protocol-rows';
import { pxlPod, worldConversations } from './protocol-world';
import { BASE_NS, PODS } from './pxl';

/** The resource the presets should give each generated pod's process. */
export interface WorldPod {
  pod: number;
  service: string;
  k8sPod?: string;
  namespace?: string;
  node?: string;
}

/**
 * Metadata for the processes of httpEvents(): pods 0-3 are Kubernetes pods in namespace `shop`
 * (pods 0 and 2 behind service `shop/cart`, 1 and 3 behind `shop/checkout`), pods 4 and 5 are
 * bare processes (`/usr/bin/worker-4 --fast`). Returns what each should be exported as.
 */
export async function seedWorld(store: TableStore): Promise<WorldPod[]> {
  // Known since long before any generated row, whether its times are BASE_NS or the clock's.
  const start = 1_000_000_000_000_000_000n;
  const world: WorldPod[] = [];
  for (let i = 0; i < PODS; i++) {
    const k8s = i < 4;
    await insertMetadata(store, 'processes', [
      {
        upid: upidOf(1, 100 + i, 5000 + i).value,
        asid: 1,
        pid: 100 + i,
        start_ticks: 5000 + i,
        cmdline: `/usr/bin/${k8s ? 'app' : 'worker'}-${i} --fast`,
        hostname: `node-${i % 2}`,
        container_id: k8s ? `c${i}` : '',
        pod_uid: k8s ? `uid-${i}` : '',
        start_ns: start,
        stop_ns: null,
      },
    ]);
    if (!k8s) {
      world.push({ pod: i, service: `unknown_service:worker-${i}` });
      continue;
    }
    const service = i % 2 === 0 ? 'cart' : 'checkout';
    await insertMetadata(store, 'pods', [
      {
        uid: `uid-${i}`,
        name: `shop/${service}-${i}`,
        namespace: 'shop',
        node: `node-${i % 2}`,
        hostname: `node-${i % 2}`,
        ip: `10.1.0.${i + 1}`,
        phase: 'Running',
        start_ns: start,
        stop_ns: null,
        replicaset: '',
        deployment: `shop/${service}`,
      },
    ]);
    if (i < 2) {
      await insertMetadata(store, 'services', [
        {
          uid: `svc-${service}`,
          name: `shop/${service}`,
          namespace: 'shop',
          cluster_ip: `10.96.0.${i + 1}`,
          start_ns: start,
          stop_ns: null,
        },
      ]);
    }
    await insertMetadata(store, 'podServices', [
      { pod_uid: `uid-${i}`, service_uid: `svc-${service}`, start_ns: start, stop_ns: null },
    ]);
    world.push({
      pod: i,
      service,
      k8sPod: `${service}-${i}`,
      namespace: 'shop',
      node: `node-${i % 2}`,
    });
  }
  return world;
}

/**
 * Rows of conn_stats, process_stats and network_stats for the world's processes and pods: two
 * readings each, `stepNs` apart after `baseNs`, of counters that only grow.
 */
export function statsRows(
  baseNs = BASE_NS,
  stepNs = 10_000_000_000n,
): Record<string, Record<string, unknown>[]> {
  const conn: Record<string, unknown>[] = [];
  const proc: Record<string, unknown>[] = [];
  const net: Record<string, unknown>[] = [];
  for (let reading = 1; reading <= 2; reading++) {
    const time_ = String(baseNs + BigInt(reading) * stepNs);
    for (let i = 0; i < PODS; i++) {
      const upid = upidOf(1, 100 + i, 5000 + i).text;
      for (const [role, port] of [
        [1, 5432],
        [2, 40_000 + i],
      ] as const) {
        conn.push({
          time_,
          upid,
          remote_addr: `10.1.0.${((i + 1) % PODS) + 1}`,
          remote_port: port,
          trace_role: role,
          addr_family: 2,
          protocol: 1,
          ssl: false,
          conn_open: reading,
          conn_close: reading - 1,
          conn_active: 1,
          bytes_sent: 1000 * reading * (i + 1),
          bytes_recv: 4000 * reading * (i + 1),
        });
      }
      proc.push({
        time_,
        upid,
        major_faults: reading,
        minor_faults: 100 * reading,
        cpu_utime_ns: 2_000_000_000 * reading,
        cpu_ktime_ns: 500_000_000 * reading,
        num_threads: 8,
        vsize_bytes: 512 * 1024 * 1024,
        rss_bytes: (64 + reading) * 1024 * 1024,
        rchar_bytes: 10_000 * reading,
        wchar_bytes: 20_000 * reading,
        read_bytes: 4096 * reading,
        write_bytes: 8192 * reading,
      });
      if (i < 4) {
        net.push({
          time_,
          pod_id: `uid-${i}`,
          rx_bytes: 100_000 * reading,
          rx_packets: 100 * reading,
          rx_errors: 0,
          rx_drops: reading - 1,
          tx_bytes: 50_000 * reading,
          tx_packets: 60 * reading,
          tx_errors: 0,
          tx_drops: 0,
        });
      }
    }
  }
  return { conn_stats: conn, process_stats: proc, network_stats: net };
}

/**
 * Traffic of the world of seedWorld (pods 0-3 in namespace shop: cart 0 and 2, checkout 1 and
 * 3; 4 and 5 bare processes) with database, DNS, HTTP/2 and gRPC traffic: PostgreSQL in pod 2,
 * a MySQL outside the cluster, Redis in pod 3 reached through checkout's service IP, a DNS server
 * outside, and a server in pod 1 answering gRPC and HTTP/2 (h2c) calls in turn.
 */
export function worldTraffic(): Map<CapturedTable, Row[]> {
  const rounds = { startNs: BASE_NS, everyNs: 2_000_000_000n, rounds: 12 };
  return rowsByTable([
    ...worldConversations({
      ...rounds,
      servers: {
        pgsql_events: { peer: pxlPod(2), port: 5432 },
        mysql_events: { peer: { ip: '172.16.0.5' }, port: 3306 },
        redis_events: { peer: pxlPod(3), port: 6379, via: '10.96.0.2' },
        dns_events: { peer: { ip: '10.96.0.99' }, port: 53 },
      },
      clients: [pxlPod(0), pxlPod(1), pxlPod(4)],
    }),
    ...worldConversations({
      ...rounds,
      servers: { http_events: { peer: pxlPod(1), port: 9090 } },
      captures: { http_events: ['grpc-python', 'node-h2c'] },
      clients: [pxlPod(0), pxlPod(5)],
    }),
  ]);
}
