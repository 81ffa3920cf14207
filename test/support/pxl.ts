import { silentLogger } from '../../shared/common/logger';
import { decodeJsonRows } from '../../gateway/src/ingest/json';
import { METADATA_TABLES } from '../../gateway/src/metadata/tables';
import { PxlEngine, RunOptions } from '../../gateway/src/pxl/engine';
import { Cell, ResultTable } from '../../gateway/src/pxl/execute/result';
import { TableStore } from '../../gateway/src/store/table-store';
import { MetadataRow, insertMetadata, upidOf } from './metadata';
import { rng } from './rows';

/** A table store with a PxL engine on it, for tests that run scripts on known rows. */
export interface PxlFixture {
  store: TableStore;
  engine: PxlEngine;
  /** Stores rows (in the JSON ingest form) in a table. */
  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
  /** Inserts rows into a metadata table (`_md_pods`, ...), columns by name. */
  metadata(table: keyof typeof METADATA_TABLES, rows: readonly MetadataRow[]): Promise<void>;
  /** Runs a script and returns its tables by name. */
  run(script: string, opts?: RunOptions): Promise<Record<string, ResultTable>>;
  close(): Promise<void>;
}

export async function pxlFixture(): Promise<PxlFixture> {
  const store = await TableStore.create(
    { limitMb: 256, httpEventsShare: 0.4, segmentRows: 1024, maxCustomTables: 8, tables: {} },
    silentLogger(),
  );
  const engine = await PxlEngine.create(store);
  return {
    store,
    engine,
    async insert(table, rows) {
      const schema = store.registry.get(table);
      for (let i = 0; i < rows.length; i += 50_000) {
        await store.append(table, [decodeJsonRows(schema, rows.slice(i, i + 50_000))]);
      }
    },
    metadata: (key, rows) => insertMetadata(store, key, rows),
    async run(script, opts) {
      const res = await engine.run(script, opts);
      return Object.fromEntries(res.tables.map((t) => [t.name, t]));
    },
    close: () => {
      engine.shutdown();
      return store.shutdown();
    },
  };
}

/** A table's rows as objects keyed by column name. */
export function records(t: ResultTable): Record<string, Cell>[] {
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c.name, r[i]!])));
}

/** One generated HTTP event, typed, with the process and pod it belongs to. */
export interface HttpEvent {
  time_: bigint;
  upid: string;
  pid: number;
  pod: number;
  remote_addr: string;
  remote_port: number;
  trace_role: number;
  req_method: string;
  req_path: string;
  req_body_size: number;
  resp_status: number;
  resp_message: string;
  resp_body: string;
  resp_body_size: number;
  latency: number;
}

export const BASE_NS = 1_800_000_000_000_000_000n;
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const PATHS = ['/api/users', '/api/orders', '/healthz', '/readyz', '/api/cart', '/login'];
const STATUSES = [200, 200, 200, 201, 204, 302, 400, 404, 500, 503];

/** Pods of the generated world: pod i runs process pid 100+i on asid 1 at IP 10.1.0.(i+1). */
export const PODS = 6;

/** Generates HTTP events spread over `spanNs` from BASE_NS, deterministically. */
export function httpEvents(n: number, seed = 7, spanNs = 120_000_000_000n): HttpEvent[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const events: HttpEvent[] = [];
  for (let i = 0; i < n; i++) {
    const pod = Math.floor(rand() * PODS);
    const status = pick(STATUSES);
    const body =
      rand() < 0.5
        ? '{"ok":true}'
        : `{"id":${Math.floor(rand() * 1000)},"user":"u${Math.floor(rand() * 9)}"}`;
    events.push({
      time_: BASE_NS + (spanNs * BigInt(i)) / BigInt(n),
      upid: upidOf(1, 100 + pod, 5000 + pod).text,
      pid: 100 + pod,
      pod,
      remote_addr: `10.1.0.${1 + Math.floor(rand() * (PODS + 2))}`,
      remote_port: 40000 + Math.floor(rand() * 100),
      trace_role: rand() < 0.7 ? 2 : 1,
      req_method: pick(METHODS),
      req_path: `${pick(PATHS)}${rand() < 0.5 ? '' : `/${Math.floor(rand() * 20)}`}`,
      req_body_size: Math.floor(rand() * 800),
      resp_status: status,
      resp_message: status < 400 ? 'OK' : 'Error',
      resp_body: body,
      resp_body_size: body.length,
      latency: 50_000 + Math.floor(rand() * 80_000_000),
    });
  }
  return events;
}

/** The JSON ingest form of generated events. */
export function httpJson(events: readonly HttpEvent[]): Record<string, unknown>[] {
  return events.map(({ pid: _pid, pod: _pod, time_, ...rest }) => ({
    ...rest,
    time_: time_.toString(),
    local_addr: '10.9.0.1',
    local_port: 8080,
    major_version: 1,
    minor_version: 1,
  }));
}

/** Rows in a fixed order (by their JSON), for comparing tables whose row order is not set. */
export const sortRows = (rows: Record<string, unknown>[]) =>
  [...rows].sort((a, b) => {
    const ka = JSON.stringify(a, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    const kb = JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });

/**
 * Rows equal but for `floats` (close to 9 decimals) and `quantiles` (floored quantiles, within
 * 1 ns: DuckDB interpolates in another order of floating-point operations).
 */
export function closeTo(
  got: Record<string, unknown>[],
  want: Record<string, unknown>[],
  floats: string[],
  quantiles: string[] = [],
) {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    const w = want[i]!;
    const blank = Object.fromEntries([...floats, ...quantiles].map((f) => [f, 0]));
    expect({ ...g, ...blank }).toEqual({ ...w, ...blank });
    for (const f of floats) expect(g[f] as number).toBeCloseTo(w[f] as number, 9);
    for (const q of quantiles) expect(Math.abs(Number(g[q]) - Number(w[q]))).toBeLessThanOrEqual(1);
  });
}

/**
 * service_map's tables against the edges it should give: the edges as they are, the nodes every
 * edge's end, with the requests of the edges into it.
 */
export function expectServiceMap(
  nodes: ResultTable,
  edges: ResultTable,
  wantEdges: { source: string; target: string; requests: bigint }[],
) {
  closeTo(
    sortRows(records(edges)),
    sortRows(wantEdges),
    ['error_rate'],
    ['latency_p50', 'latency_p99'],
  );
  const ids = [...new Set(wantEdges.flatMap((e) => [e.source, e.target]))];
  const wantNodes = ids.map((id) => ({
    id,
    title: id,
    requests: wantEdges.filter((e) => e.target === id).reduce((s, e) => s + e.requests, 0n),
  }));
  expect(sortRows(records(nodes))).toEqual(sortRows(wantNodes));
}

/** Groups items by a key, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(it);
  }
  return out;
}

/** Linear-interpolated quantile of sorted numbers (DuckDB's quantile_cont). */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** One generated `conn_stats` sample: cumulative counters of a process toward an endpoint. */
export interface ConnSample {
  time_: bigint;
  upid: string;
  pod: number;
  remote_addr: string;
  remote_port: number;
  trace_role: number;
  conn_open: number;
  conn_close: number;
  conn_active: number;
  bytes_sent: number;
  bytes_recv: number;
}

/** Generates `conn_stats` samples every 5 s for each process and a few endpoints each. */
export function connSamples(seed = 13, spanNs = 120_000_000_000n): ConnSample[] {
  const rand = rng(seed);
  const out: ConnSample[] = [];
  const series = Array.from({ length: PODS * 3 }, (_, i) => ({
    pod: i % PODS,
    remote_addr: `10.1.0.${1 + Math.floor(rand() * (PODS + 2))}`,
    // One series per (process, remote endpoint, role), as the agent keeps them.
    remote_port: 8000 + Math.floor(i / PODS),
    trace_role: 1 + (i % 2),
    open: 0,
    close: 0,
    sent: Math.floor(rand() * 1000),
    recv: Math.floor(rand() * 1000),
  }));
  for (let t = 0n; t < spanNs; t += 5_000_000_000n) {
    for (const s of series) {
      s.open += Math.floor(rand() * 3);
      s.close = Math.min(s.open, s.close + Math.floor(rand() * 3));
      s.sent += Math.floor(rand() * 5000);
      s.recv += Math.floor(rand() * 9000);
      out.push({
        time_: BASE_NS + t,
        upid: upidOf(1, 100 + s.pod, 5000 + s.pod).text,
        pod: s.pod,
        remote_addr: s.remote_addr,
        remote_port: s.remote_port,
        trace_role: s.trace_role,
        conn_open: s.open,
        conn_close: s.close,
        conn_active: s.open - s.close,
        bytes_sent: s.sent,
        bytes_recv: s.recv,
      });
    }
  }
  return out;
}

/** One generated `process_stats` sample. */
export interface ProcSample {
  time_: bigint;
  upid: string;
  pod: number;
  cpu_utime_ns: number;
  cpu_ktime_ns: number;
  num_threads: number;
  vsize_bytes: number;
  rss_bytes: number;
  read_bytes: number;
  write_bytes: number;
}

/** Generates `process_stats` samples every 5 s for each process. */
export function procSamples(seed = 17, spanNs = 120_000_000_000n): ProcSample[] {
  const rand = rng(seed);
  const state = Array.from({ length: PODS }, () => ({ u: 0, k: 0, r: 0, w: 0 }));
  const out: ProcSample[] = [];
  for (let t = 0n; t < spanNs; t += 5_000_000_000n) {
    state.forEach((s, pod) => {
      s.u += Math.floor(rand() * 2_000_000_000);
      s.k += Math.floor(rand() * 500_000_000);
      s.r += Math.floor(rand() * 100_000);
      s.w += Math.floor(rand() * 50_000);
      out.push({
        time_: BASE_NS + t,
        upid: upidOf(1, 100 + pod, 5000 + pod).text,
        pod,
        cpu_utime_ns: s.u,
        cpu_ktime_ns: s.k,
        num_threads: 4 + Math.floor(rand() * 8),
        vsize_bytes: 100_000_000 + Math.floor(rand() * 10_000_000),
        rss_bytes: 20_000_000 + Math.floor(rand() * 5_000_000),
        read_bytes: s.r,
        write_bytes: s.w,
      });
    });
  }
  return out;
}

/** The JSON ingest form of generated samples (drops the bookkeeping field `pod`). */
export function samplesJson(
  samples: readonly (ConnSample | ProcSample)[],
): Record<string, unknown>[] {
  return samples.map(({ pod: _pod, time_, ...rest }) => ({ ...rest, time_: time_.toString() }));
}

/** The Kubernetes world of a test: pod i is `${namespace}/pod-i` at IP 10.1.0.(i+1). */
export interface ClusterSpec {
  readonly namespace: string;
  /** The services (`namespace/name`) each pod is behind, by pod. */
  readonly services: readonly (readonly string[])[];
  readonly cmdline: (pod: number) => string;
  readonly node: (pod: number) => string;
  /** Pods whose process runs outside Kubernetes: the agent reports no pod for it. */
  readonly outside?: readonly number[];
}

/** Fills every metadata table for the generated pods, alive since an hour before BASE_NS. */
export async function fillCluster(fx: PxlFixture, c: ClusterSpec): Promise<void> {
  const start = BASE_NS - 3_600_000_000_000n;
  const alive = { start_ns: start, stop_ns: null };
  const pods = Array.from({ length: PODS }, (_, i) => i);
  const serviceNames = [...new Set(c.services.flat())].sort();
  const serviceUid = (name: string) => `suid-${name.split('/')[1]}`;
  const nodes = [...new Set(pods.map(c.node))];
  await fx.metadata(
    'pods',
    pods.map((i) => ({
      uid: `uid-${i}`,
      name: `${c.namespace}/pod-${i}`,
      namespace: c.namespace,
      node: c.node(i),
      hostname: c.node(i),
      ip: `10.1.0.${i + 1}`,
      phase: 'Running',
      replicaset: `${c.namespace}/rs-${i % 3}`,
      deployment: `${c.namespace}/deploy-${i % 3}`,
      ...alive,
    })),
  );
  await fx.metadata(
    'services',
    serviceNames.map((name, k) => ({
      uid: serviceUid(name),
      name,
      namespace: c.namespace,
      cluster_ip: `10.96.0.${k + 1}`,
      ...alive,
    })),
  );
  await fx.metadata(
    'podServices',
    pods.flatMap((i) =>
      (c.services[i] ?? []).map((n) => ({
        pod_uid: `uid-${i}`,
        service_uid: serviceUid(n),
        ...alive,
      })),
    ),
  );
  await fx.metadata(
    'processes',
    pods.map((i) => ({
      upid: upidOf(1, 100 + i, 5000 + i).value,
      asid: 1,
      pid: 100 + i,
      start_ticks: 5000 + i,
      cmdline: c.cmdline(i),
      hostname: c.node(i),
      container_id: `cid-${i}`,
      pod_uid: c.outside?.includes(i) ? '' : `uid-${i}`,
      ...alive,
    })),
  );
  await fx.metadata(
    'containers',
    pods.map((i) => ({
      id: `cid-${i}`,
      name: 'server',
      pod_uid: `uid-${i}`,
      state: 'Running',
      ...alive,
    })),
  );
  await fx.metadata(
    'nodes',
    nodes.map((name, k) => ({ name, ip: `10.0.0.${k + 1}`, ...alive })),
  );
  await fx.metadata('namespaces', [{ uid: `ns-${c.namespace}`, name: c.namespace, ...alive }]);
}
