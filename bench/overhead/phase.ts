import { readdirSync } from 'node:fs';
import { GatewayProcess } from '../_support';
import { machineBusyUs, processUs } from './cpu';
import { startKernelFloor } from './kernel-floor';
import { LoadReport, LoadSpec } from './paced-load';
import { load, startAgent } from './processes';

/** `baseline` is `pxgate` with another build's agent (`--baseline`), to compare two builds. */
export type PhaseKind = 'untraced' | 'floor' | 'pxgate' | 'baseline';

/** What the benchmark holds across phases. */
export interface Setup {
  gateway: GatewayProcess;
  serverPid: number;
  /** The measured load (its path is set per phase). */
  load: LoadSpec;
  tracepoints: readonly string[];
  /** Node arguments for the agent (a profiler's), if any. */
  agentNodeArgs: readonly string[];
  /** Where the agent's and the gateway's profiles go ('' for none). */
  profileDir: string;
  /** Another build's bin/pxgate.js, for the baseline phase ('' for none). */
  baselineBin: string;
  /**
   * Seconds of load before each phase's measured window. A new agent's first seconds include
   * V8 compiling its hot code on background threads, which a long-running agent paid once.
   */
  warmUpSeconds: number;
}

/** One phase's figures: CPU microseconds per request, latency, rows. */
export interface PhaseResult {
  kind: PhaseKind;
  load: LoadReport;
  /** Whole machine (/proc/stat) over the phase's window. */
  machineUs: number;
  /** The benchmark's own processes: server, load generator, gateway, agent or bpftrace. */
  processesUs: number;
  agentUs: number;
  gatewayUs: number;
  /** Rows stored for the phase's requests, and how many were expected (pxgate only). */
  rows: number;
  expectedRows: number;
  /** Tracepoint hits the kernel floor counted per request (floor only). */
  hitsPerRequest: number;
  /**
   * The agent's CPU microseconds a second with no load, just before it (pxgate only): its timers,
   * /proc scans, and whatever else the node runs. Part of its figure per request is this.
   */
  agentIdleUsPerS: number;
}

const IDLE_MS = 2000;
const SYNC_TIMEOUT_MS = 30_000;

/** A counter's value in Prometheus text, summed over the label sets containing `labels`. */
function counter(text: string, name: string, labels: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(labels)) sum += Number(line.split(' ').pop());
  }
  return sum;
}

async function text(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.text();
}

/**
 * Waits until the agent has made at least `atLeast` http_events rows and the gateway (whose count
 * was `base` when the agent started) has stored as many as the agent had made by then; polls
 * both /metrics, which costs far less than a query. Not "all it has made": the agent traces the
 * gateway too, so storing rows and these polls make new rows all the time.
 */
async function synced(
  setup: Setup,
  agentMetrics: string,
  base: number,
  atLeast: number,
): Promise<void> {
  const table = 'table="http_events"';
  const deadline = Date.now() + SYNC_TIMEOUT_MS;
  let target = -1;
  for (;;) {
    const made = counter(await text(agentMetrics), 'pxgate_agent_rows_total', table);
    const stored =
      counter(await text(`${setup.gateway.url}/metrics`), 'pxgate_ingest_rows_total', table) - base;
    if (target < 0 && made >= atLeast) target = made;
    if (target >= 0 && stored >= target) return;
    if (Date.now() > deadline) {
      throw new Error(`the gateway stored ${stored} of the agent's ${made} rows (>= ${atLeast})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A process's CPU microseconds a second over IDLE_MS from now. */
async function idleRate(pid: number): Promise<number> {
  const before = processUs(pid);
  await new Promise((r) => setTimeout(r, IDLE_MS));
  return ((processUs(pid) - before) * 1000) / IDLE_MS;
}

/** Waits until `dir` holds `count` files (the profiles asked for have been written). */
async function profilesWritten(dir: string, count: number): Promise<void> {
  const deadline = Date.now() + SYNC_TIMEOUT_MS;
  while (readdirSync(dir).length < count) {
    if (Date.now() > deadline) throw new Error(`the profiles did not appear in ${dir}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function gatewayIngested(setup: Setup): Promise<number> {
  const metrics = await text(`${setup.gateway.url}/metrics`);
  return counter(metrics, 'pxgate_ingest_rows_total', 'table="http_events"');
}

/**
 * http_events rows stored whose path is `path`, read back with PxL, once there are `expected`
 * (the last few may still be in the agent's batch when the counters agree) or the wait is over.
 */
async function storedRows(setup: Setup, path: string, expected: number): Promise<number> {
  const deadline = Date.now() + SYNC_TIMEOUT_MS;
  for (;;) {
    const rows = await countRows(setup, path);
    if (rows >= expected || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function countRows(setup: Setup, path: string): Promise<number> {
  const script =
    `import px\ndf = px.DataFrame(table='http_events', start_time='-10m')\n` +
    `df = df[df.req_path == '${path}']\n` +
    `px.display(df.groupby('req_path').agg(n=('latency', px.count)), 'n')`;
  const res = await fetch(`${setup.gateway.url}/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ script }),
  });
  if (!res.ok) throw new Error(`the row count query failed: ${await res.text()}`);
  const { tables } = (await res.json()) as { tables: { rows: unknown[][] }[] };
  return Number(tables[0]?.rows[0]?.[1] ?? 0);
}

/**
 * Runs one phase: sets up its tracer (none, bpftrace, or `pxgate agent`), warms up with a short
 * load, then measures CPU from the start of the paced load until every row it caused is stored
 * (pxgate) or the load ends (the others).
 */
export async function runPhase(setup: Setup, kind: PhaseKind, tag: string): Promise<PhaseResult> {
  const path = `/bench/${tag}/${kind}`;
  const rate = setup.load.rate;
  const floor = kind === 'floor' ? await startKernelFloor(setup.tracepoints) : undefined;
  const traced = kind === 'pxgate' || kind === 'baseline';
  const base = traced ? await gatewayIngested(setup) : 0;
  const agent = traced
    ? await startAgent(
        setup.gateway.url,
        setup.agentNodeArgs,
        kind === 'baseline' ? setup.baselineBin : undefined,
      )
    : undefined;
  try {
    await load({ ...setup.load, seconds: setup.warmUpSeconds, path: `${path}/warm-up` });
    if (agent) await synced(setup, agent.metricsUrl, base, 2 * rate * setup.warmUpSeconds);
    const agentIdleUsPerS = agent ? await idleRate(agent.pid) : 0;
    const pids = [setup.serverPid, setup.gateway.pid, agent?.pid ?? 0, floor?.pid ?? 0];
    const ours = () => pids.reduce((sum, pid) => sum + (pid ? processUs(pid) : 0), 0);
    const agentCpu = () => (agent ? processUs(agent.pid) : 0);
    const before = { machine: machineBusyUs(), ours: ours(), agent: agentCpu() };
    const gateway0 = processUs(setup.gateway.pid);
    const profiled = agent && setup.profileDir ? [agent.pid, setup.gateway.pid] : [];
    const profiles = profiled.length > 0 ? readdirSync(setup.profileDir).length : 0;
    for (const pid of profiled) process.kill(pid, 'SIGUSR2');
    const report = await load({ ...setup.load, path });
    const expectedRows = 2 * report.answered;
    if (agent) {
      const warmUpRows = 2 * Math.round(rate * setup.warmUpSeconds);
      await synced(setup, agent.metricsUrl, base, warmUpRows + expectedRows);
    }
    for (const pid of profiled) process.kill(pid, 'SIGUSR2');
    if (profiled.length > 0) await profilesWritten(setup.profileDir, profiles + profiled.length);
    const n = report.answered;
    const result: PhaseResult = {
      kind,
      load: report,
      machineUs: (machineBusyUs() - before.machine) / n,
      processesUs: (ours() - before.ours + report.cpuUs) / n,
      agentUs: (agentCpu() - before.agent) / n,
      gatewayUs: (processUs(setup.gateway.pid) - gateway0) / n,
      rows: agent ? await storedRows(setup, path, expectedRows) : 0,
      expectedRows: agent ? expectedRows : 0,
      hitsPerRequest: 0,
      agentIdleUsPerS,
    };
    if (floor) result.hitsPerRequest = (await floor.stop()) / n;
    return result;
  } finally {
    await agent?.stop();
    if (floor) await floor.stop().catch(() => 0);
  }
}
