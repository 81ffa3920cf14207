import { ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LoadReport, LoadSpec } from './paced-load';

const ROOT = join(__dirname, '..', '..', '..');

/** A child process the benchmark started, and how to stop it. */
export interface Started {
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
}

/** The agent end-to-end test's Node HTTP server; resolves with its port once it listens. */
export async function startServer(): Promise<Started & { port: number }> {
  const file = join(ROOT, 'test', 'fixtures', 'agent', 'node-server.js');
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const { port } = JSON.parse(line) as { port: number };
  return { port, pid: child.pid!, child, stop: stopper(child) };
}

/** This checkout's pxgate command. */
export const PXGATE_BIN = join(ROOT, 'bin', 'pxgate.js');

/**
 * `pxgate agent` from a build (this checkout's unless `bin` names another's bin/pxgate.js),
 * once it traces; `nodeArgs` go to node (a profiler's).
 */
export async function startAgent(
  gatewayUrl: string,
  nodeArgs: readonly string[] = [],
  bin = PXGATE_BIN,
): Promise<Started & { metricsUrl: string }> {
  const args = ['agent', '--gateway', gatewayUrl, '--metrics-listen', '127.0.0.1:0'];
  const child = spawn(
    process.execPath,
    [...nodeArgs, bin, ...args, '--log-level', 'info', '--log-format', 'json'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let metricsUrl = '';
  const stop = stopper(child);
  try {
    await new Promise<void>((resolve, reject) => {
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
  } catch (err) {
    // An agent without eBPF keeps its /proc collectors running: it must not outlive the run.
    await stop();
    throw err;
  }
  return { metricsUrl, pid: child.pid!, child, stop };
}

/** Runs the paced load generator in its own process and returns its report. */
export function load(spec: LoadSpec): Promise<LoadReport> {
  const args = [join(__dirname, 'paced-load.js'), JSON.stringify(spec)];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, (err, stdout, stderr) => {
      if (err) return reject(new Error(`the load generator failed: ${stderr || err.message}`));
      const report = JSON.parse(stdout.trim()) as LoadReport;
      if (report.failed > 0) return reject(new Error(`${report.failed} requests failed`));
      resolve(report);
    });
  });
}
