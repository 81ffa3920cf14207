import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';

/** The kernel floor running: bpftrace's pid, and how to stop it and read its count. */
export interface KernelFloor {
  pid: number;
  /** Stops bpftrace (once, however often called); returns the tracepoint hits it counted. */
  stop(): Promise<number>;
}

/**
 * The tracepoints the agent's BPF object attaches to, read from its section names
 * (`tracepoint/syscalls/sys_enter_read`, ..., also as the tail of `.reltracepoint/...`), so the floor follows the object when it changes.
 */
export function tracepointsOf(objectPath: string): string[] {
  const text = readFileSync(objectPath).toString('latin1');
  const names = new Set<string>();
  for (const m of text.matchAll(/tracepoint\/([a-z_]+)\/([a-z0-9_]+)\0/g)) {
    names.add(`tracepoint:${m[1]}:${m[2]}`);
  }
  return [...names].sort();
}

/**
 * Starts bpftrace on `tracepoints` with the least a program can do: count the hit into a per-CPU
 * map. Nothing goes to user space until it stops. Resolves once the probes are attached.
 */
export async function startKernelFloor(tracepoints: readonly string[]): Promise<KernelFloor> {
  const script = `${tracepoints.join(',\n')}\n{ @hits = count(); }`;
  const child = spawn('bpftrace', ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (/Attaching \d+ probes/.test(out)) {
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bpftrace exited with ${code}: ${err}`)));
  });
  let stopped: Promise<number> | undefined;
  const stop = async () => {
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    await exited;
    const hits = /@hits: (\d+)/.exec(out);
    if (!hits) throw new Error(`bpftrace printed no count: ${out} ${err}`);
    return Number(hits[1]);
  };
  return { pid: child.pid!, stop: () => (stopped ??= stop()) };
}
