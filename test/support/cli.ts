import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { main } from '../../cli/main';
import { waitFor } from './wait';

/** The checkout: the directory above this file (sources or dist/) holding bin/pxgate.js. */
function checkout(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin', 'pxgate.js'))) return dir;
  }
  throw new Error(`no bin/pxgate.js above ${__dirname}`);
}

const ROOT = checkout();
/** bin/pxgate.js of this checkout, as users run it. */
export const PXGATE_BIN = join(ROOT, 'bin', 'pxgate.js');

/** Throws unless the CLI that bin/pxgate.js runs has been built (`npm run build`). */
export function assertCliBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('the CLI is not built: run `npm run build` before these tests');
  }
}

/** A JSON log line of a pxgate process. */
export type LogLine = Record<string, unknown> & { msg?: string };

/**
 * `node bin/pxgate.js ARGS` as a child process (the compiled CLI, as users run it), with its
 * JSON log lines collected from stderr. `prefix` runs it through another command (setpriv).
 */
export class PxgateProcess {
  readonly logs: LogLine[] = [];
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        this.logs.push({ msg: line });
      }
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  static start(args: string[], prefix: string[] = []): PxgateProcess {
    assertCliBuilt();
    const [cmd, ...rest] = [...prefix, process.execPath, PXGATE_BIN, ...args];
    return new PxgateProcess(spawn(cmd!, rest, { stdio: ['ignore', 'ignore', 'pipe'] }));
  }

  /** Waits for a log line matching `pred` and returns it. */
  async waitForLog(pred: (l: LogLine) => boolean, what: string, timeoutMs = 30000) {
    const found = await waitFor(
      () => this.logs.find(pred),
      (l) => l !== undefined || this.child.exitCode !== null,
      { timeoutMs, what: `log line: ${what}` },
    );
    if (!found)
      throw new Error(`pxgate exited before logging ${what}: ${JSON.stringify(this.logs)}`);
    return found;
  }

  /** Sends a signal and waits for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exited;
  }

  messages(): string[] {
    return this.logs.map((l) => String(l.msg));
  }
}

/** Runs the CLI in this process (`main` as bin/pxgate.js calls it) and returns what it printed. */
export async function runCli(args: string[]): Promise<string> {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    out += String(chunk);
    return true;
  });
  try {
    await main(['node', 'pxgate', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}
