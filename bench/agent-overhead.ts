/**
 * `npm run bench -- agent-overhead [--rate 3000] [--seconds 10] [--rounds 3] [--connections 16] [--warm-up 1]
 * [--cpu machine|processes] [--profile DIR] [--baseline OTHER/bin/pxgate.js]`; `--baseline` adds a
 * fourth phase, pxgate with another build's agent, to compare two builds in one run; `--profile` writes CPU profiles of the agent and
 * the gateway over each pxgate phase's measured window into DIR (bench/overhead/profile-on-signal.ts).
 *
 * What tracing costs a loopback HTTP server at a fixed rate below saturation, against the
 * physical floor. The agent end-to-end test's Node HTTP server takes a paced keep-alive load
 * (bench/overhead/paced-load.ts, its own process) in three phases per round, their order
 * rotated from round to round: **untraced**; **kernel floor**: bpftrace on the same tracepoints
 * as the agent's BPF object, each hit only counted into a per-CPU map; **pxgate**: `pxgate agent`
 * tracing (both the server and the load generator: two http_events rows per request) and the
 * gateway storing. Per phase: CPU microseconds per request, whole machine (/proc/stat) and the
 * benchmark's own processes (/proc/PID/stat, which other work on a shared machine does not
 * touch; a tracepoint program's time is charged to the process making the syscall), the agent's
 * and the gateway's share, the load generator's p50 and p99, and rows stored / expected.
 * R = (floor - untraced) / (pxgate - untraced), on medians of the rounds.
 */
import { join } from 'node:path';
import { GatewayProcess, machine, median, startGatewayProcess } from './_support';
import { tracepointsOf } from './overhead/kernel-floor';
import { PhaseKind, PhaseResult, Setup, runPhase } from './overhead/phase';
import { load, startServer } from './overhead/processes';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1]! : fallback;
}

/** The phases of round `i`: rotated, so that each runs first, second and third in turn. */
function orderOf(phases: readonly PhaseKind[], i: number): PhaseKind[] {
  return phases.map((_, k) => phases[(i + k) % phases.length]!);
}

function show(r: PhaseResult): string {
  const l = r.load;
  const traced =
    r.kind === 'pxgate' || r.kind === 'baseline'
      ? `, agent ${r.agentUs.toFixed(1)} (idle ${(r.agentIdleUsPerS / 1000).toFixed(1)} ms/s), gateway ${r.gatewayUs.toFixed(1)} us/req, rows ${r.rows}/${r.expectedRows}`
      : r.kind === 'floor'
        ? `, ${r.hitsPerRequest.toFixed(1)} tracepoint hits/req (all processes)`
        : '';
  return (
    `${r.kind.padEnd(8)} ${Math.round(l.rate)} req/s, machine ${r.machineUs.toFixed(1)} us/req, ` +
    `processes ${r.processesUs.toFixed(1)} us/req, p50 ${Math.round(l.p50Us)} us, p99 ${Math.round(l.p99Us)} us${traced}`
  );
}

async function main(): Promise<void> {
  const rate = Number(option('rate', '3000'));
  const seconds = Number(option('seconds', '10'));
  const warmUpSeconds = Number(option('warm-up', '1'));
  const rounds = Number(option('rounds', '3'));
  const connections = Number(option('connections', '16'));
  const cpu = option('cpu', 'machine');
  const profileDir = option('profile', '');
  const baselineBin = option('baseline', '');
  const phases: PhaseKind[] = [
    'untraced',
    'floor',
    'pxgate',
    ...(baselineBin ? ['baseline' as const] : []),
  ];
  if (cpu !== 'machine' && cpu !== 'processes') throw new Error('--cpu is machine or processes');
  const objectPath = join(__dirname, '..', '..', 'bpf', 'socket_trace.bpf.o');
  const tracepoints = tracepointsOf(objectPath);
  if (tracepoints.length < 20) throw new Error(`only ${tracepoints.length} tracepoints found`);
  console.log(
    `agent-overhead: ${machine()}; ${rounds} rounds of ${seconds} s at ${rate} req/s over ` +
      `${connections} connections, ${warmUpSeconds} s of warm-up per phase; floor: bpftrace on the agent's ${tracepoints.length} tracepoints; cpu: ${cpu}`,
  );
  if (profileDir) process.env.PXGATE_PROFILE_DIR = profileDir;
  const profiled = profileDir
    ? ['--require', join(__dirname, 'overhead', 'profile-on-signal.js')]
    : [];
  const gateway: GatewayProcess = await startGatewayProcess([], undefined, profiled);
  const server = await startServer();
  try {
    const setup: Setup = {
      gateway,
      serverPid: server.pid,
      load: { port: server.port, rate, seconds, connections, path: '' },
      tracepoints,
      agentNodeArgs: profiled,
      profileDir,
      baselineBin,
      warmUpSeconds,
    };
    await load({ ...setup.load, seconds: 2, path: '/bench/warm-up' }); // the server's JIT
    const results: PhaseResult[] = [];
    for (let i = 0; i < rounds; i++) {
      for (const kind of orderOf(phases, i)) {
        const r = await runPhase(setup, kind, `r${i + 1}`);
        results.push(r);
        console.log(`round ${i + 1} ${show(r)}`);
      }
    }
    report(results, phases, cpu, rate);
  } finally {
    await server.stop();
    await gateway.stop();
  }
}

function report(
  results: PhaseResult[],
  phases: readonly PhaseKind[],
  cpu: 'machine' | 'processes',
  rate: number,
): void {
  const of = (kind: PhaseKind) => results.filter((r) => r.kind === kind);
  const med = (kind: PhaseKind, f: (r: PhaseResult) => number) => median(of(kind).map(f));
  const cpuOf = (r: PhaseResult) => (cpu === 'machine' ? r.machineUs : r.processesUs);
  for (const kind of phases) {
    console.log(
      `median ${kind.padEnd(8)} machine ${med(kind, (r) => r.machineUs).toFixed(1)} us/req, ` +
        `processes ${med(kind, (r) => r.processesUs).toFixed(1)} us/req, ` +
        `p50 ${Math.round(med(kind, (r) => r.load.p50Us))} us, p99 ${Math.round(med(kind, (r) => r.load.p99Us))} us, ` +
        `${Math.round(med(kind, (r) => r.load.rate))} req/s`,
    );
  }
  const x = med('untraced', cpuOf);
  const y = med('floor', cpuOf);
  const z = med('pxgate', cpuOf);
  const traced = of('pxgate');
  const rows =
    traced.reduce((s, r) => s + r.rows, 0) / traced.reduce((s, r) => s + r.expectedRows, 0);
  const p99 = (med('pxgate', (r) => r.load.p99Us) / med('untraced', (r) => r.load.p99Us) - 1) * 100;
  // us per request at 1,000 req/s is ms per second: a tenth of a percent of one core each.
  const perThousand = (us: number) => `${(us / 10).toFixed(1)}%`;
  console.log(
    `CPU per 1,000 req/s, as a share of one core: pxgate adds ${perThousand(z - x)} ` +
      `(agent ${perThousand(med('pxgate', (r) => r.agentUs))}, gateway ${perThousand(med('pxgate', (r) => r.gatewayUs))}), ` +
      `the kernel floor ${perThousand(y - x)}; at ${rate} req/s pxgate adds ${(((z - x) * rate) / 1e4).toFixed(1)}%`,
  );
  if (phases.includes('baseline')) {
    const ours = med('pxgate', (r) => r.agentUs);
    const theirs = med('baseline', (r) => r.agentUs);
    console.log(
      `baseline build's agent ${theirs.toFixed(1)} us/req (idle ${(med('baseline', (r) => r.agentIdleUsPerS) / 1000).toFixed(1)} ms/s), ` +
        `this build's ${ours.toFixed(1)} us/req (medians): baseline / this build ${(theirs / ours).toFixed(2)}`,
    );
  }
  const idle = med('pxgate', (r) => r.agentIdleUsPerS);
  console.log(
    `the agent idles at ${(idle / 1000).toFixed(1)} ms of CPU a second on this node (timers, /proc scans, ` +
      `the node's other traffic): ${(idle / rate).toFixed(1)} us of its figure per request at ${rate} req/s`,
  );
  console.log(
    `agent-overhead: untraced ${x.toFixed(1)} us/req, floor ${y.toFixed(1)} us/req, ` +
      `pxgate ${z.toFixed(1)} us/req (agent ${med('pxgate', (r) => r.agentUs).toFixed(1)}, ` +
      `gateway ${med('pxgate', (r) => r.gatewayUs).toFixed(1)}), p99 ${p99 >= 0 ? '+' : ''}${p99.toFixed(0)}%, ` +
      `rows ${(rows * 100).toFixed(1)}%, ratio ${((y - x) / (z - x)).toFixed(3)}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
