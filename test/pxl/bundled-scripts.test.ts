import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASE_NS,
  ConnSample,
  closeTo,
  expectServiceMap,
  HttpEvent,
  PODS,
  ProcSample,
  PxlFixture,
  connSamples,
  fillCluster,
  groupBy,
  httpEvents,
  httpJson,
  procSamples,
  pxlFixture,
  quantile,
  records,
  samplesJson,
  sortRows,
} from '../support/pxl';

const NOW = BASE_NS + 120_000_000_000n;
const WINDOW = 10_000_000_000n;
/** The start of a one-minute window before NOW: half the generated samples lie before it. */
const WINDOW_START = NOW - 60_000_000_000n;

const connKey = (s: ConnSample) => `${s.upid}|${s.remote_addr}|${s.remote_port}`;

/**
 * A running total's increase in the window: its last reading in the window minus its last
 * reading before it, or minus zero when there is none; undefined without a reading in it.
 */
function windowIncrease<T extends { time_: bigint }>(
  samples: readonly T[],
  start: bigint,
  value: (s: T) => number,
): number | undefined {
  const inside = samples.filter((s) => s.time_ >= start);
  if (inside.length === 0) return undefined;
  const before = samples.filter((s) => s.time_ < start);
  const last = value(inside[inside.length - 1]!);
  const base = before.length === 0 ? 0 : value(before[before.length - 1]!);
  return last >= base ? last - base : last;
}

/** The cluster: pods 0-1 serve svc-a, 2-3 svc-b, 4 nothing, 5 both. */
const SERVICES: readonly string[][] = [
  ['ns/svc-a'],
  ['ns/svc-a'],
  ['ns/svc-b'],
  ['ns/svc-b'],
  [],
  ['ns/svc-a', 'ns/svc-b'],
];
const serviceOf = (pod: number) => {
  const s = SERVICES[pod] ?? [];
  return s.length === 0 ? '' : s.length === 1 ? s[0]! : JSON.stringify(s);
};
const podName = (pod: number) => `ns/pod-${pod}`;
const podOfIp = (ip: string) => {
  const i = Number(ip.split('.')[3]) - 1;
  return i < PODS ? i : undefined;
};

function script(name: string): string {
  return readFileSync(join(__dirname, '..', '..', 'scripts', 'px', `${name}.pxl`), 'utf8');
}

describe('bundled scripts in scripts/px, each against a TypeScript computation', () => {
  let fx: PxlFixture;
  let events: HttpEvent[];
  let conns: ConnSample[];
  let procs: ProcSample[];

  beforeAll(async () => {
    fx = await pxlFixture();
    events = httpEvents(1500, 21);
    conns = connSamples();
    procs = procSamples();
    await fx.insert('http_events', httpJson(events));
    await fx.insert('conn_stats', samplesJson(conns));
    await fx.insert('process_stats', samplesJson(procs));
    await fillCluster(fx, {
      namespace: 'ns',
      services: SERVICES,
      cmdline: (i) => `/bin/app-${i}`,
      node: () => 'node-a',
      outside: [4],
    });
  });
  afterAll(() => fx.close());

  it('http_data lists the requests in the window, oldest first, with pod and service', async () => {
    const { http_data } = await fx.run(script('http_data'), {
      now: NOW,
      func: 'http_data',
      args: { start_time: '-1m', max_rows: 300 },
    });
    const want = events
      .filter((e) => e.time_ >= NOW - 60_000_000_000n)
      .slice(0, 300)
      .map((e) => ({
        time_: e.time_,
        pod: e.pod === 4 ? '' : podName(e.pod),
        service: e.pod === 4 ? '' : serviceOf(e.pod),
        role: e.trace_role === 1 ? 'client' : 'server',
        remote_addr: e.remote_addr,
        remote_port: BigInt(e.remote_port),
        req_method: e.req_method,
        req_path: e.req_path,
        resp_status: BigInt(e.resp_status),
        latency: BigInt(e.latency),
        req_body_size: BigInt(e.req_body_size),
        resp_body_size: BigInt(e.resp_body_size),
      }));
    expect(records(http_data!)).toEqual(want);
  });

  it('http_errors keeps the failed requests', async () => {
    const { http_errors } = await fx.run(script('http_errors'), {
      now: NOW,
      func: 'http_errors',
      args: { min_status: 500 },
    });
    expect(records(http_errors!).map((r) => [r.time_, r.resp_status, r.req_path])).toEqual(
      events
        .filter((e) => e.resp_status >= 500)
        .map((e) => [e.time_, BigInt(e.resp_status), e.req_path]),
    );
  });

  it('service_stats gives latency, error rate and throughput per service and window', async () => {
    const { service_stats } = await fx.run(script('service_stats'), { now: NOW });
    const served = events.filter((e) => e.trace_role === 2);
    const groups = groupBy(
      served,
      (e) => `${serviceOf(e.pod === 4 ? -1 : e.pod)}\u0000${e.time_ - (e.time_ % WINDOW)}`,
    );
    const want = [...groups.values()]
      .map((es) => {
        const lat = es.map((e) => e.latency).sort((a, b) => a - b);
        const t = es[0]!.time_ - (es[0]!.time_ % WINDOW);
        return {
          time_: t,
          service: serviceOf(es[0]!.pod === 4 ? -1 : es[0]!.pod),
          requests: BigInt(es.length),
          latency_p50: BigInt(Math.floor(quantile(lat, 0.5))),
          latency_p90: BigInt(Math.floor(quantile(lat, 0.9))),
          latency_p99: BigInt(Math.floor(quantile(lat, 0.99))),
          error_rate: es.filter((e) => e.resp_status >= 400).length / es.length,
          request_throughput: es.length / 1e10,
          bytes_throughput: es.reduce((s, e) => s + e.resp_body_size, 0) / 1e10,
        };
      })
      .sort((a, b) =>
        a.service < b.service ? -1 : a.service > b.service ? 1 : Number(a.time_ - b.time_),
      );
    closeTo(
      records(service_stats!),
      want,
      ['error_rate', 'request_throughput', 'bytes_throughput'],
      ['latency_p50', 'latency_p90', 'latency_p99'],
    );
    expect(service_stats!.columns.map((c) => c.semanticType)).toEqual([
      'ST_NONE',
      'ST_SERVICE_NAME',
      'ST_NONE',
      'ST_DURATION_NS',
      'ST_DURATION_NS',
      'ST_DURATION_NS',
      'ST_PERCENT',
      'ST_THROUGHPUT_PER_NS',
      'ST_THROUGHPUT_BYTES_PER_NS',
    ]);
  });

  it('service_map gives nodes and edges between callers and services', async () => {
    const { nodes, edges } = await fx.run(script('service_map'), { now: NOW });
    const served = events.filter((e) => e.trace_role === 2);
    // The caller: its pod's service, else its pod (pod 4 serves none), else its address.
    const sourceOf = (e: HttpEvent) => {
      const pod = podOfIp(e.remote_addr);
      if (pod === undefined) return e.remote_addr;
      return serviceOf(pod) || podName(pod);
    };
    // Pod 4's process runs outside Kubernetes and serves no service: its process names it.
    const targetOf = (e: HttpEvent) => (e.pod === 4 ? 'app-4' : serviceOf(e.pod));
    const groups = groupBy(served, (e) => `${sourceOf(e)}\u0000${targetOf(e)}`);
    const wantEdges = [...groups.values()].map((es) => {
      const lat = es.map((e) => e.latency).sort((a, b) => a - b);
      const [source, target] = [sourceOf(es[0]!), targetOf(es[0]!)];
      return {
        id: `${source} -> ${target} (http)`,
        source,
        target,
        protocol: 'http',
        requests: BigInt(es.length),
        error_rate: es.filter((e) => e.resp_status >= 400).length / es.length,
        latency_p50: BigInt(Math.floor(quantile(lat, 0.5))),
        latency_p99: BigInt(Math.floor(quantile(lat, 0.99))),
      };
    });
    expectServiceMap(nodes!, edges!, wantEdges);
  });

  it('net_flow_graph sums the bytes each process moved to each remote address in the window', async () => {
    const { net_flow_graph } = await fx.run(script('net_flow_graph'), {
      now: NOW,
      func: 'net_flow_graph',
      args: { start_time: '-1m' },
    });
    const source = (s: ConnSample) => (s.pod === 4 ? `/bin/app-4` : podName(s.pod));
    const flows = new Map<string, { source: string; target: string; sent: number; recv: number }>();
    for (const ss of groupBy(conns, connKey).values()) {
      const key = `${source(ss[0]!)}|${ss[0]!.remote_addr}`;
      const f = flows.get(key) ?? {
        source: source(ss[0]!),
        target: ss[0]!.remote_addr,
        sent: 0,
        recv: 0,
      };
      const sent = windowIncrease(ss, WINDOW_START, (s) => s.bytes_sent);
      if (sent === undefined) continue;
      f.sent += sent;
      f.recv += windowIncrease(ss, WINDOW_START, (s) => s.bytes_recv)!;
      flows.set(key, f);
    }
    const want = [...flows.values()].map((f) => ({
      source: f.source,
      target: f.target,
      bytes_sent: BigInt(f.sent),
      bytes_recv: BigInt(f.recv),
      bytes_total: BigInt(f.sent + f.recv),
    }));
    expect(want.length).toBeGreaterThan(0);
    expect(sortRows(records(net_flow_graph!))).toEqual(sortRows(want));
  });

  it('process_stats summarises CPU, memory and I/O per process in the window', async () => {
    const { process_stats } = await fx.run(script('process_stats'), {
      now: NOW,
      func: 'process_stats',
      args: { start_time: '-1m' },
    });
    const want = [...groupBy(procs, (p) => p.upid).values()].map((all) => {
      const before = all.filter((p) => p.time_ < WINDOW_START);
      const ps = all.filter((p) => p.time_ >= WINDOW_START);
      const base = before[before.length - 1] ?? ps[0]!;
      const last = ps[ps.length - 1]!;
      const elapsed = Number(last.time_ - base.time_);
      return {
        upid: last.upid,
        pid: BigInt(100 + last.pod),
        cmdline: `/bin/app-${last.pod}`,
        pod: last.pod === 4 ? '' : podName(last.pod),
        cpu_usage:
          (last.cpu_utime_ns - base.cpu_utime_ns + last.cpu_ktime_ns - base.cpu_ktime_ns) / elapsed,
        rss: ps.reduce((s, p) => s + p.rss_bytes, 0) / ps.length,
        vsize: ps.reduce((s, p) => s + p.vsize_bytes, 0) / ps.length,
        read_bytes: BigInt(last.read_bytes - base.read_bytes),
        write_bytes: BigInt(last.write_bytes - base.write_bytes),
        threads: BigInt(Math.max(...ps.map((p) => p.num_threads))),
      };
    });
    closeTo(records(process_stats!), want, ['cpu_usage', 'rss', 'vsize']);
  });

  it('conn_stats counts connections and bytes per process and endpoint in the window', async () => {
    const { conn_stats } = await fx.run(script('conn_stats'), {
      now: NOW,
      func: 'conn_stats',
      args: { start_time: '-1m' },
    });
    const want = [...groupBy(conns, (s) => `${connKey(s)}|${s.trace_role}`).values()].map((ss) => {
      const s = ss[ss.length - 1]!;
      const inc = (f: (x: ConnSample) => number) => BigInt(windowIncrease(ss, WINDOW_START, f)!);
      return {
        upid: s.upid,
        pid: BigInt(100 + s.pod),
        cmdline: `/bin/app-${s.pod}`,
        role: s.trace_role === 1 ? 'client' : 'server',
        remote_addr: s.remote_addr,
        remote_port: BigInt(s.remote_port),
        opened: inc((x) => x.conn_open),
        closed: inc((x) => x.conn_close),
        active: BigInt(s.conn_active),
        bytes_sent: inc((x) => x.bytes_sent),
        bytes_recv: inc((x) => x.bytes_recv),
      };
    });
    expect(sortRows(records(conn_stats!))).toEqual(sortRows(want));
  });
});
