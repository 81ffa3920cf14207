import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASE_NS,
  ConnSample,
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
} from '../support/pxl';

const NOW = BASE_NS + 120_000_000_000n;
const WINDOW = 10_000_000_000n;

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

const sortRows = (rows: Record<string, unknown>[]) =>
  [...rows].sort((a, b) => {
    const ka = JSON.stringify(a, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    const kb = JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });

/**
 * Rows equal but for `floats` (close to 9 decimals) and `quantiles` (floored quantiles, within
 * 1 ns: DuckDB interpolates in another order of floating-point operations).
 */
function closeTo(
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
    const sourceOf = (e: HttpEvent) => {
      const pod = podOfIp(e.remote_addr);
      const svc = pod === undefined ? '' : serviceOf(pod);
      return svc === '' ? e.remote_addr : svc;
    };
    const targetOf = (e: HttpEvent) => (e.pod === 4 ? '' : serviceOf(e.pod));
    const groups = groupBy(served, (e) => `${sourceOf(e)}\u0000${targetOf(e)}`);
    const wantEdges = [...groups.values()].map((es) => {
      const lat = es.map((e) => e.latency).sort((a, b) => a - b);
      const [source, target] = [sourceOf(es[0]!), targetOf(es[0]!)];
      return {
        id: `${source} -> ${target}`,
        source,
        target,
        requests: BigInt(es.length),
        error_rate: es.filter((e) => e.resp_status >= 400).length / es.length,
        latency_p50: BigInt(Math.floor(quantile(lat, 0.5))),
        latency_p99: BigInt(Math.floor(quantile(lat, 0.99))),
      };
    });
    closeTo(
      sortRows(records(edges!)),
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
    expect(sortRows(records(nodes!))).toEqual(sortRows(wantNodes));
  });

  it('net_flow_graph sums the bytes each process moved to each remote address', async () => {
    const { net_flow_graph } = await fx.run(script('net_flow_graph'), { now: NOW });
    const source = (s: ConnSample) => (s.pod === 4 ? `/bin/app-4` : podName(s.pod));
    const perConn = groupBy(conns, (s) => `${s.upid}|${s.remote_addr}|${s.remote_port}`);
    const flows = new Map<string, { source: string; target: string; sent: number; recv: number }>();
    for (const ss of perConn.values()) {
      const key = `${source(ss[0]!)}|${ss[0]!.remote_addr}`;
      const f = flows.get(key) ?? {
        source: source(ss[0]!),
        target: ss[0]!.remote_addr,
        sent: 0,
        recv: 0,
      };
      f.sent += Math.max(...ss.map((s) => s.bytes_sent)) - Math.min(...ss.map((s) => s.bytes_sent));
      f.recv += Math.max(...ss.map((s) => s.bytes_recv)) - Math.min(...ss.map((s) => s.bytes_recv));
      flows.set(key, f);
    }
    const want = [...flows.values()].map((f) => ({
      source: f.source,
      target: f.target,
      bytes_sent: BigInt(f.sent),
      bytes_recv: BigInt(f.recv),
      bytes_total: BigInt(f.sent + f.recv),
    }));
    expect(sortRows(records(net_flow_graph!))).toEqual(sortRows(want));
  });

  it('process_stats summarises CPU, memory and I/O per process', async () => {
    const { process_stats } = await fx.run(script('process_stats'), { now: NOW });
    const want = [...groupBy(procs, (p) => p.upid).values()].map((ps) => {
      const first = ps[0]!;
      const last = ps[ps.length - 1]!;
      const elapsed = Number(last.time_ - first.time_);
      return {
        upid: first.upid,
        pid: BigInt(100 + first.pod),
        cmdline: `/bin/app-${first.pod}`,
        pod: first.pod === 4 ? '' : podName(first.pod),
        cpu_usage:
          (last.cpu_utime_ns - first.cpu_utime_ns + last.cpu_ktime_ns - first.cpu_ktime_ns) /
          elapsed,
        rss: ps.reduce((s, p) => s + p.rss_bytes, 0) / ps.length,
        vsize: ps.reduce((s, p) => s + p.vsize_bytes, 0) / ps.length,
        read_bytes: BigInt(last.read_bytes - first.read_bytes),
        write_bytes: BigInt(last.write_bytes - first.write_bytes),
        threads: BigInt(Math.max(...ps.map((p) => p.num_threads))),
      };
    });
    closeTo(records(process_stats!), want, ['cpu_usage', 'rss', 'vsize']);
  });

  it('conn_stats counts connections and bytes per process and endpoint', async () => {
    const { conn_stats } = await fx.run(script('conn_stats'), { now: NOW });
    const groups = groupBy(
      conns,
      (s) => `${s.upid}|${s.remote_addr}|${s.remote_port}|${s.trace_role}`,
    );
    const want = [...groups.values()].map((ss) => {
      const s = ss[0]!;
      const max = (f: (x: ConnSample) => number) => Math.max(...ss.map(f));
      const min = (f: (x: ConnSample) => number) => Math.min(...ss.map(f));
      return {
        upid: s.upid,
        pid: BigInt(100 + s.pod),
        cmdline: `/bin/app-${s.pod}`,
        role: s.trace_role === 1 ? 'client' : 'server',
        remote_addr: s.remote_addr,
        remote_port: BigInt(s.remote_port),
        opened: BigInt(max((x) => x.conn_open)),
        closed: BigInt(max((x) => x.conn_close)),
        active: BigInt(max((x) => x.conn_active)),
        bytes_sent: BigInt(max((x) => x.bytes_sent) - min((x) => x.bytes_sent)),
        bytes_recv: BigInt(max((x) => x.bytes_recv) - min((x) => x.bytes_recv)),
      };
    });
    expect(sortRows(records(conn_stats!))).toEqual(sortRows(want));
  });
});
