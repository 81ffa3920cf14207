import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait';

/** A server binary started by a test in a temporary directory of its own. */
export interface ServerProcess {
  /** The temporary directory (removed at close). */
  readonly dir: string;
  /** Its process id (tests that trace it filter by it). */
  readonly pid: number;
  close(): Promise<void>;
}

/** Why `bin` cannot run here (with the Debian package that has it), or undefined. */
export function binaryUnavailable(bin: string, debianPackage: string): string | undefined {
  return existsSync(bin) ? undefined : `${bin} not found (apt-get install ${debianPackage})`;
}

/**
 * Starts `bin` with the arguments `args(dir)` gives for a fresh temporary directory, and waits
 * until `ready()` says it serves (or it exits, which fails with the tail of its stderr).
 */
export async function startServerProcess(opts: {
  name: string;
  bin: string;
  args: (dir: string) => string[];
  ready: () => Promise<boolean>;
}): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), `pxgate-${opts.name}-`));
  const child: ChildProcess = spawn(opts.bin, opts.args(dir), {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = once(child, 'exit');
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const state = await waitFor(
    async () =>
      child.exitCode !== null
        ? 'exited'
        : (await opts.ready().catch(() => false))
          ? 'ready'
          : 'starting',
    (s) => s !== 'starting',
    { timeoutMs: 20_000, intervalMs: 50, what: `${opts.name} ready` },
  ).catch((err: Error) => err.message);
  if (state !== 'ready') {
    await close();
    throw new Error(`${opts.name} did not become ready (${state}): ${stderr}`);
  }
  return { dir, pid: child.pid!, close };
}
