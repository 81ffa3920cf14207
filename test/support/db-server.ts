import { ChildProcess, SpawnOptions, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { waitFor } from './wait';

/** A database server started for a test, and the account its clients use. */
export interface RunningDatabase {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  close(): Promise<void>;
}

/** A server process that a test started, and how to stop it and remove its directory. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** The last 4000 characters it wrote to stderr. */
  stderr(): string;
  close(): Promise<void>;
}

/**
 * Starts a server and waits until `ready` says it answers (or it exits, which fails with its
 * stderr). `close` stops it with `signal` and removes `dir`; a failed start closes it too.
 */
export async function startServerProcess(
  what: string,
  cmd: string,
  args: readonly string[],
  opts: { dir: string; signal: NodeJS.Signals; spawn?: SpawnOptions },
  ready: () => boolean | Promise<boolean>,
): Promise<ServerProcess> {
  const child = spawn(cmd, args, { ...opts.spawn, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = once(child, 'exit');
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(opts.signal);
      await exited;
    }
    rmSync(opts.dir, { recursive: true, force: true });
  };
  try {
    const state = await waitFor(
      async () => (child.exitCode !== null ? 'exited' : (await ready()) ? 'ready' : 'starting'),
      (s) => s !== 'starting',
      { timeoutMs: 60_000, intervalMs: 200, what: `${what} ready` },
    );
    if (state !== 'ready') throw new Error(`${what} exited: ${stderr}`);
  } catch (err) {
    await close();
    throw err;
  }
  return { child, stderr: () => stderr, close };
}
