/**
 * `npm run bench -- agent-overhead [--rounds N] [--seconds S] [--connections C]`
 *
 * What tracing costs a loopback HTTP server under load. A Node HTTP server (a child process)
 * takes autocannon's load (another child process) with and without `pxgate agent` tracing the
 * node, alternating the order each round; the gateway runs as its own process throughout.
 * Both the server and autocannon are traced, as every process on a node is: each request
 * yields two http_events rows. Prints requests/s both ways (medians of the rounds), the agent's
 * CPU seconds per 10,000 traced requests, and how many of the expected rows it produced.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cpuSecondsOf, GatewayProcess, machine, median, startGatewayProcess } from './_support';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

/** A counter's value in Prometheus text (summed over label sets). */
function counter(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(name) && line.includes(labels)) sum += Number(line.split(' ').pop());
  }
  return sum;
}

async function startServer(): Promise<{ port: number; child: ChildProcess }> {
  const file = join(__dirname, '..', '..', 'test', 'fixtures', 'agent', 'node-server.js');
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { port: (JSON.parse(line) as { port: number }).port, child };
}

/** Runs autocannon in its own process; returns requests/s and the requests completed. */
function load(url: string, seconds: number, connections: number) {
  const bin = require.resolve('autocannon/autocannon.js');
  const args = [bin, '-j', '-c', String(connections), '-d', String(seconds), url];
  return new Promise<{ rps: number; requests: number }>((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 16 << 20 }, (err, stdout) => {
      if (err) return reject(err);
      const r = JSON.parse(stdout) as {
        requests: { average: number; total: number };
        non2xx: number;
        errors: number;
      };
      if (r.errors || r.non2xx)
        return reject(new Error(`autocannon saw ${r.errors} errors, ${r.non2xx} non-2xx`));
      resolve({ rps: r.requests.total / seconds, requests: r.requests.total });
    });
  });
}

interface Traced {
  rps: number;
  cpuPer10k: number;
  gatewayCpuPer10k: number;
  coverage: number;
  drops: number;
}

interface AgentProcess {
  pid: number;
  metricsUrl: string;
  stop(): Promise<void>;
}

/** Starts `pxgate agent` from the build and waits until it traces (or fails to). */
async function startAgent(gatewayUrl: string): Promise<AgentProcess> {
  const bin = join(__dirname, '..', '..', 'bin', 'pxgate.js');
  const args = ['agent', '--gateway', gatewayUrl, '--metrics-listen', '127.0.0.1:0'];
  const child = spawn(process.execPath, [bin, ...args, '--log-level', 'info'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let metricsUrl = '';
  const started = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      const log = JSON.parse(line) as { msg?: string; url?: string; ebpf?: boolean };
      if (log.msg === 'agent metrics listening') metricsUrl = log.url!;
      if (log.msg === 'agent started') {
        if (log.ebpf) resolve();
        else reject(new Error('eBPF did not attach: run the benchmark as root'));
      }
    });
    child.once('exit', (code) => reject(new Error(`the agent exited with ${code}`)));
  });
  await started;
  return {
    pid: child.pid!,
    metricsUrl,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

async function tracedRound(
  gateway: GatewayProcess,
  url: string,
  seconds: number,
  connections: number,
): Promise<Traced> {
  const agent = await startAgent(gateway.url);
  try {
    const metrics = async () => (await fetch(agent.metricsUrl)).text();
    const before = await metrics();
    const cpu0 = cpuSecondsOf(agent.pid);
    const gatewayCpu0 = cpuSecondsOf(gateway.pid);
    const { rps, requests } = await load(url, seconds, connections);
    // Let the agent drain the ring and cut its last batch before reading its counters.
    await new Promise((r) => setTimeout(r, 1500));
    const cpu = cpuSecondsOf(agent.pid) - cpu0;
    const gatewayCpu = cpuSecondsOf(gateway.pid) - gatewayCpu0;
    const after = await metrics();
    const rows =
      counter(after, 'pxgate_agent_rows_total', 'table="http_events"') -
      counter(before, 'pxgate_agent_rows_total', 'table="http_events"');
    const drops =
      counter(after, 'pxgate_agent_ringbuf_drops_total') -
      counter(before, 'pxgate_agent_ringbuf_drops_total');
    return {
      rps,
      cpuPer10k: (cpu / requests) * 10_000,
      gatewayCpuPer10k: (gatewayCpu / requests) * 10_000,
      coverage: rows / (2 * requests),
      drops,
    };
  } finally {
    await agent.stop();
  }
}

async function main(): Promise<void> {
  const rounds = option('rounds', 5);
  const seconds = option('seconds', 5);
  const connections = option('connections', 10);
  console.log(
    `agent-overhead: ${machine()}; ${rounds} rounds of ${seconds} s, ${connections} connections`,
  );
  const gateway = await startGatewayProcess();
  const server = await startServer();
  try {
    const url = `http://127.0.0.1:${server.port}/`;
    await load(url, 2, connections); // warm-up: JIT, sockets
    const plain: number[] = [];
    const traced: Traced[] = [];
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? ['plain', 'traced'] : ['traced', 'plain'];
      for (const kind of order) {
        if (kind === 'plain') {
          const { rps } = await load(url, seconds, connections);
          plain.push(rps);
          console.log(`round ${i + 1} untraced: ${Math.round(rps)} req/s`);
        } else {
          const t = await tracedRound(gateway, url, seconds, connections);
          traced.push(t);
          console.log(
            `round ${i + 1} traced:   ${Math.round(t.rps)} req/s, agent ${t.cpuPer10k.toFixed(3)} and ` +
              `gateway ${t.gatewayCpuPer10k.toFixed(3)} CPU s / 10k req, ` +
              `${(t.coverage * 100).toFixed(1)}% of rows, ${t.drops} ring drops`,
          );
        }
      }
    }
    const ratios = traced.map((t, i) => t.rps / plain[i]!);
    const untracedRps = median(plain);
    const tracedRps = median(traced.map((t) => t.rps));
    console.log(`per-round ratios: ${ratios.map((r) => r.toFixed(3)).join(', ')}`);
    console.log(
      `agent-overhead: traced ${Math.round(tracedRps)} req/s, untraced ${Math.round(untracedRps)} req/s (medians of ${rounds}), ` +
        `agent ${median(traced.map((t) => t.cpuPer10k)).toFixed(3)} CPU s per 10k traced requests ` +
        `(gateway ${median(traced.map((t) => t.gatewayCpuPer10k)).toFixed(3)}), ` +
        `${(median(traced.map((t) => t.coverage)) * 100).toFixed(1)}% rows, ratio ${median(ratios).toFixed(3)}`,
    );
  } finally {
    server.child.kill('SIGTERM');
    await gateway.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
