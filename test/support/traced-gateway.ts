import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PxgateProcess } from './cli';
import { postJson } from './gateway';
import { waitFor } from './wait';

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;
/** Whose rows: a process's, or those of every process serving on a local port. */
export type Who = { readonly pid: number } | { readonly localPort: number };

/**
 * `pxgate start` (gateway and agent in one process, as users run it) on a free loopback port,
 * batching fast, with `config` appended to its YAML. Rows are read back with PxL, as users do.
 */
export class TracedGateway {
  private constructor(
    /** The pxgate process, for its log lines. */
    readonly px: PxgateProcess,
    readonly url: string,
    private readonly dir: string,
  ) {}

  static async start(config = ''): Promise<TracedGateway> {
    const dir = mkdtempSync(join(tmpdir(), 'pxgate-traced-'));
    const file = join(dir, 'pxgate.yaml');
    writeFileSync(file, `agent:\n  batch:\n    maxDelay: 100ms\n${config}`);
    const px = PxgateProcess.start([
      'start',
      '--in-memory',
      '--listen',
      '127.0.0.1:0',
      '--config',
      file,
    ]);
    try {
      const listening = await px.waitForLog((l) => l.msg === 'gateway listening', 'listening');
      const started = await px.waitForLog((l) => l.msg === 'agent started', 'agent started');
      if (started.ebpf !== true) throw new Error('the agent started without eBPF');
      return new TracedGateway(px, String(listening.url), dir);
    } catch (err) {
      await px.stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Runs a PxL script through POST /v1/query; returns each displayed table as records. */
  async pxl(script: string): Promise<Record<string, Row[]>> {
    const { status, body } = await postJson(`${this.url}/v1/query`, { script });
    if (status !== 200) throw new Error(`query failed (${status}): ${JSON.stringify(body)}`);
    const out: Record<string, Row[]> = {};
    for (const t of body.tables as {
      name: string;
      columns: { name: string }[];
      rows: Cell[][];
    }[]) {
      out[t.name] = t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c.name, r[i]!])));
    }
    return out;
  }

  /** The rows of `table` that `who` made in the last ten minutes, oldest first. */
  async rowsOf(table: string, who: Who, columns: readonly string[]): Promise<Row[]> {
    const cols = ['time_', 'trace_role', ...columns].map((c) => `'${c}'`).join(', ');
    const { rows } = await this.pxl(`import px
df = px.DataFrame(table='${table}', start_time='-10m')
df.pid = px.upid_to_pid(df.upid)
df = df[${'pid' in who ? `df.pid == ${who.pid}` : `df.local_port == ${who.localPort}`}]
px.display(df[[${cols}]], 'rows')`);
    return rows!.sort((a, b) => Number(a.time_) - Number(b.time_));
  }

  /**
   * Waits until `who` has `n` rows in `table` that `keep` keeps (failing with what it has
   * after 30 s), and returns those.
   */
  async waitForRows(
    table: string,
    who: Who,
    n: number,
    columns: readonly string[],
    keep: (row: Row) => boolean = () => true,
  ): Promise<Row[]> {
    return waitFor(
      async () => (await this.rowsOf(table, who, columns)).filter(keep),
      (rows) => rows.length >= n,
      { timeoutMs: 30000, intervalMs: 250, what: `${n} ${table} rows of ${JSON.stringify(who)}` },
    );
  }

  /** Stops pxgate (expecting a clean exit) and removes its directory. */
  async stop(): Promise<number | null> {
    const code = await this.px.stop('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
    return code;
  }
}

/**
 * Runs a command as a child process (the agent never traces its own); its pid and output. It
 * must exit with `status` (0 unless told).
 */
export function runTraced(
  cmd: string,
  args: readonly string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; status?: number } = {},
): Promise<{ pid: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 30000, env: opts.env }, (err, stdout, stderr) => {
      const status = err ? err.code : 0;
      if (status === (opts.status ?? 0)) resolve({ pid: child.pid!, stdout });
      else reject(new Error(`${cmd} exited with ${String(status)}: ${stderr}`));
    });
    child.stdin!.end(opts.input ?? '');
  });
}
