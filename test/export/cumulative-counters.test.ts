/**
 * The bundled scripts and dashboard queries that difference running totals (conn_stats,
 * process_stats, network_stats), on the cases of issue 17: a group reported once in the window,
 * one with a reading before it, one seen only before it, and counters that started again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { upidOf } from '../support/metadata';
import { BASE_NS, PxlFixture, fillCluster, pxlFixture, records } from '../support/pxl';

const S = 1_000_000_000n;
const NOW = BASE_NS + 600n * S;
/** '-5m' before NOW. */
const FROM = BASE_NS + 300n * S;
const INTERVAL = 10n * S;
const upid = (pod: number) => upidOf(1, 100 + pod, 5000 + pod).text;

interface Conn {
  at: bigint;
  pod: number;
  open: number;
  close: number;
  sent: number;
  recv: number;
}

const CONNS: Conn[] = [
  // Issue 17's connection: reported once, inside the window.
  { at: 400n, pod: 0, open: 1, close: 1, sent: 78, recv: 190 },
  // Reported before the window and once inside it.
  { at: 100n, pod: 1, open: 2, close: 1, sent: 1000, recv: 2000 },
  { at: 450n, pod: 1, open: 3, close: 3, sent: 1500, recv: 2600 },
  // Reported only before the window.
  { at: 200n, pod: 2, open: 1, close: 0, sent: 10, recv: 20 },
  // Counters that started again (a restarted agent) inside the window.
  { at: 100n, pod: 3, open: 5, close: 5, sent: 5000, recv: 5000 },
  { at: 500n, pod: 3, open: 1, close: 0, sent: 300, recv: 400 },
];

function script(name: string): string {
  return readFileSync(join(__dirname, '..', '..', 'scripts', 'px', `${name}.pxl`), 'utf8');
}

/** A dashboard target's script, with its macros and `$namespace` filled as the plugin does. */
function dashboardScript(file: string, display: string): string {
  const d = JSON.parse(readFileSync(join(__dirname, '..', '..', 'dashboards', file), 'utf8')) as {
    panels: { targets?: { script?: string }[] }[];
  };
  const found = d.panels
    .flatMap((p) => p.targets ?? [])
    .map((t) => t.script ?? '')
    .find((s) => s.includes(`'${display}')`));
  if (found === undefined) throw new Error(`no target displays ${display} in ${file}`);
  return found
    .replaceAll('$__from', FROM.toString())
    .replaceAll('$__to', NOW.toString())
    .replaceAll('$__interval', INTERVAL.toString())
    .replaceAll('$namespace', "'*'");
}

describe('scripts that difference running totals', () => {
  let fx: PxlFixture;

  beforeAll(async () => {
    fx = await pxlFixture();
    await fx.insert(
      'conn_stats',
      CONNS.map((c) => ({
        time_: (BASE_NS + c.at * S).toString(),
        upid: upid(c.pod),
        remote_addr: '192.0.2.9',
        remote_port: 80,
        trace_role: 1,
        conn_open: c.open,
        conn_close: c.close,
        conn_active: c.open - c.close,
        bytes_sent: c.sent,
        bytes_recv: c.recv,
      })),
    );
    // Pod 0's process: read every 10 s from 285 s, 1 s of CPU and 500 bytes written in each.
    // Pod 1's process: first read at 310 s.
    const procs = [285n, 295n, 305n, 315n, 325n].map((t, k) => ({
      time_: (BASE_NS + t * S).toString(),
      upid: upid(0),
      cpu_utime_ns: (k + 1) * 1e9,
      read_bytes: 100 * (k + 1),
      write_bytes: 500 * (k + 1),
      rss_bytes: 4096,
    }));
    procs.push({
      time_: (BASE_NS + 310n * S).toString(),
      upid: upid(1),
      cpu_utime_ns: 7e9,
      read_bytes: 7,
      write_bytes: 9,
      rss_bytes: 8192,
    });
    await fx.insert('process_stats', procs);
    await fx.insert(
      'network_stats',
      [285n, 295n, 305n, 315n, 325n].map((t, k) => ({
        time_: (BASE_NS + t * S).toString(),
        pod_id: 'uid-0',
        rx_bytes: 1000 + 500 * k,
        tx_bytes: 2000 + 250 * k,
      })),
    );
    await fillCluster(fx, {
      namespace: 'ns',
      services: [[], [], [], [], [], []],
      cmdline: (i) => `/bin/app-${i}`,
      node: () => 'node-a',
    });
  });
  afterAll(() => fx.close());

  it('conn_stats counts a connection reported once in the window from zero, and others from their last reading before it', async () => {
    const { conn_stats } = await fx.run(script('conn_stats'), { now: NOW });
    const rows = records(conn_stats!).map((r) => [
      r.pid,
      r.opened,
      r.closed,
      r.active,
      r.bytes_sent,
      r.bytes_recv,
    ]);
    expect(rows.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [100n, 1n, 1n, 0n, 78n, 190n],
      [101n, 1n, 2n, 0n, 500n, 600n],
      [103n, 1n, 0n, 1n, 300n, 400n],
    ]);
  });

  it('net_flow_graph gives the bytes of a connection reported once in the window', async () => {
    const { net_flow_graph } = await fx.run(script('net_flow_graph'), { now: NOW });
    const rows = records(net_flow_graph!).map((r) => [r.source, r.bytes_sent, r.bytes_recv]);
    expect(rows.sort()).toEqual([
      ['ns/pod-0', 78n, 190n],
      ['ns/pod-1', 500n, 600n],
      ['ns/pod-3', 300n, 400n],
    ]);
  });

  it('the network dashboard flows count from the last reading before the range, or from zero', async () => {
    const { flows } = await fx.run(dashboardScript('pxgate-network.json', 'flows'), { now: NOW });
    const { edges } = await fx.run(dashboardScript('pxgate-network.json', 'edges'), { now: NOW });
    const want = [
      ['ns/pod-0', '192.0.2.9', 78n, 190n],
      ['ns/pod-1', '192.0.2.9', 500n, 600n],
      ['ns/pod-3', '192.0.2.9', 300n, 400n],
    ];
    const got = records(flows!).map((r) => [r.source, r.target, r.bytes_sent, r.bytes_recv]);
    expect(got.sort()).toEqual(want);
    const mainstats = records(edges!).map((r) => [r.source, r.mainstat, r.secondarystat]);
    expect(mainstats.sort()).toEqual(want.map(([s, , a, b]) => [s, a, b]));
  });

  it('process_stats measures a process read once in the window from its reading before it', async () => {
    const { process_stats } = await fx.run(script('process_stats'), { now: NOW });
    const rows = records(process_stats!).map((r) => [
      r.pid,
      r.cpu_usage,
      r.read_bytes,
      r.write_bytes,
    ]);
    // pod 0: 3 s of CPU over 325 s - 295 s; pod 1's process has one reading: nothing measured.
    expect(rows.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [100n, 0.1, 300n, 1500n],
      [101n, 0, 0n, 0n],
    ]);
  });

  it('the dashboard rates give each bin its increase over the previous bin, per process', async () => {
    const { cpu } = await fx.run(dashboardScript('pxgate-processes.json', 'cpu'), { now: NOW });
    const { writes } = await fx.run(dashboardScript('pxgate-processes.json', 'writes'), {
      now: NOW,
    });
    const { rx } = await fx.run(dashboardScript('pxgate-network.json', 'rx'), { now: NOW });
    const { tx } = await fx.run(dashboardScript('pxgate-network.json', 'tx'), { now: NOW });
    const bins = [300n, 310n, 320n].map((t) => BASE_NS + t * S);
    expect(records(cpu!).map((r) => [r.time_, r.pod, r.cpu])).toEqual(
      bins.map((t) => [t, 'ns/pod-0', 0.1]),
    );
    expect(records(writes!).map((r) => [r.time_, r.pod, r.write_bytes_per_s])).toEqual(
      bins.map((t) => [t, 'ns/pod-0', 50]),
    );
    expect(records(rx!).map((r) => [r.time_, r.pod, r.rx_bytes_per_s])).toEqual(
      bins.map((t) => [t, 'ns/pod-0', 50]),
    );
    expect(records(tx!).map((r) => [r.time_, r.pod, r.tx_bytes_per_s])).toEqual(
      bins.map((t) => [t, 'ns/pod-0', 25]),
    );
  });
});
