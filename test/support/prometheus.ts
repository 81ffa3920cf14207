import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait';

const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

/** Why the real Prometheus tests cannot run here, or undefined when they can. */
export function prometheusUnavailable(): string | undefined {
  for (const bin of [PROMETHEUS, PROMTOOL]) {
    if (!existsSync(bin)) return `${bin} not found (apt-get install prometheus)`;
  }
  return undefined;
}

export interface RunningPrometheus {
  url: string;
  /** An instant query; returns the result vector as [labels, value] pairs. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  close(): Promise<void>;
}

/** A free loopback port (bound and released; the caller binds it at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Debian's Prometheus, started for a test: remote-write receiver on, its own TSDB in a temporary
 * directory, a free loopback port, and optionally a scrape of `scrapeUrl` every second.
 */
export async function startPrometheus(
  opts: { scrapeUrl?: string } = {},
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'pxgate-prometheus-'));
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
  ];
  if (opts.scrapeUrl) {
    const target = new URL(opts.scrapeUrl);
    config.push(
      '  - job_name: pxgate',
      '    scrape_interval: 1s',
      '    scrape_timeout: 1s',
      `    metrics_path: ${target.pathname}`,
      '    static_configs:',
      `      - targets: ['${target.host}']`,
    );
  } else {
    config[config.length - 1] = 'scrape_configs: []';
  }
  writeFileSync(join(dir, 'prometheus.yml'), `${config.join('\n')}\n`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = once(child, 'exit');
  const close = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const state = await waitFor(
      async () =>
        child.exitCode !== null
          ? 'exited'
          : (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200
            ? 'ready'
            : 'starting',
      (s) => s !== 'starting',
      { timeoutMs: 20_000, what: 'Prometheus ready' },
    ).catch((err: Error) => err.message);
    if (state !== 'ready') throw new Error(`Prometheus did not become ready (${state}): ${stderr}`);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    url,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error}`);
      return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    close,
  };
}

/** Runs `promtool check metrics` on an exposition; returns its exit status and output. */
export function promtoolCheckMetrics(exposition: string): { status: number; output: string } {
  const res = spawnSync(PROMTOOL, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { status: res.status ?? -1, output: `${res.stdout}${res.stderr}`.trim() };
}
