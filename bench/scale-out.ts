import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableToIPC } from 'apache-arrow';
import {
  GatewayProcess,
  fmt,
  httpArrowTable,
  httpColumns,
  machine,
  median,
  startGatewayProcess,
} from './_support';

/**
 * Scale-out on NATS: rows/s ingested through NATS JetStream into 1, 2 and 3 gateways (Arrow
 * batches posted to the gateways in turn, each from one of 6 nodes, until every row is in its
 * owner's store), and the latency of three bundled scripts at one of them; the peer is direct
 * HTTP ingest into one in-memory gateway and the same queries, in the same run. R = rows/s of
 * 2 gateways over NATS / rows/s of one gateway over HTTP.
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 120_000);
const BATCH = 5_000;
const IN_FLIGHT = 4;
const QUERY_RUNS = 5;
const NODES = ['node-0', 'node-1', 'node-2', 'node-3', 'node-4', 'node-5'];
const SCRIPTS = ['service_stats', 'http_data', 'service_map'];
const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

interface Figures {
  readonly rowsPerSecond: number;
  readonly queryMs: Record<string, number>;
}

async function main(): Promise<void> {
  console.log(`scale-out: ${fmt(ROWS)} http_events rows in batches of ${fmt(BATCH)}; ${machine()}`);
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  const bodies: Buffer[] = [];
  for (let off = 0; off < ROWS; off += BATCH) {
    const c = httpColumns(Math.min(BATCH, ROWS - off), start + BigInt(off) * 100_000n);
    bodies.push(Buffer.from(tableToIPC(httpArrowTable(c), 'stream')));
  }
  const peer = await httpRun(bodies);
  console.log(`scale-out: HTTP, one gateway: ${fmt(peer.rowsPerSecond)} rows/s, ${queries(peer)}`);
  const nats: Figures[] = [];
  for (const n of [1, 2, 3]) {
    const f = await natsRun(bodies, n);
    nats.push(f);
    console.log(`scale-out: NATS, ${n} gateway(s): ${fmt(f.rowsPerSecond)} rows/s, ${queries(f)}`);
  }
  const ratio = nats[1]!.rowsPerSecond / peer.rowsPerSecond;
  console.log(
    `scale-out: NATS ${nats.map((f, i) => `${i + 1} gw ${fmt(f.rowsPerSecond)}`).join(', ')} rows/s; ` +
      `HTTP 1 gw ${fmt(peer.rowsPerSecond)} rows/s; ratio ${ratio.toFixed(2)}`,
  );
}

function queries(f: Figures): string {
  return SCRIPTS.map((s) => `${s} ${f.queryMs[s]!.toFixed(0)} ms`).join(', ');
}

/** The peer: one in-memory gateway, ingest over HTTP (acknowledged once stored). */
async function httpRun(bodies: Buffer[]): Promise<Figures> {
  const gw = await startGatewayProcess(['--store-limit-mb', '4096']);
  try {
    const t0 = performance.now();
    await post([gw], bodies, false);
    const rowsPerSecond = ROWS / ((performance.now() - t0) / 1000);
    return { rowsPerSecond, queryMs: await queryTimes(gw) };
  } finally {
    await gw.stop();
  }
}

/** `n` gateways of a fresh cluster on a fresh nats-server: ingest until every row is stored. */
async function natsRun(bodies: Buffer[], n: number): Promise<Figures> {
  const nats = await startNats();
  const gateways: GatewayProcess[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const config = join(nats.dir, `gw-${i}.yaml`);
      writeFileSync(
        config,
        `cluster:\n  name: bench\n  memberId: gw-${i}\n  gateways: ${n}\n  nats:\n    url: ${nats.url}\n`,
      );
      gateways.push(await startGatewayProcess(['--config', config, '--store-limit-mb', '4096']));
    }
    await until(async () => (await members(gateways[0]!)) === n, 'every member joined');
    const t0 = performance.now();
    await post(gateways, bodies, true);
    await until(async () => (await count(gateways[0]!)) === ROWS, 'every row stored');
    const rowsPerSecond = ROWS / ((performance.now() - t0) / 1000);
    return { rowsPerSecond, queryMs: await queryTimes(gateways[0]!) };
  } finally {
    for (const g of gateways) await g.stop();
    await nats.close();
  }
}

/** Posts every body, IN_FLIGHT at a time per gateway, to the gateways in turn. */
async function post(gateways: GatewayProcess[], bodies: Buffer[], byNode: boolean): Promise<void> {
  let next = 0;
  const worker = async (w: number) => {
    while (next < bodies.length) {
      const i = next++;
      const gw = gateways[(w + i) % gateways.length]!;
      const headers: Record<string, string> = {
        'content-type': 'application/vnd.apache.arrow.stream',
        'x-pxgate-table': 'http_events',
        'x-pxgate-batch-id': `b-${i}`,
        ...(byNode ? { 'x-pxgate-node': NODES[i % NODES.length]! } : {}),
      };
      for (;;) {
        const res = await fetch(`${gw.url}/v1/ingest`, {
          method: 'POST',
          headers,
          body: bodies[i]!,
        });
        const text = await res.text();
        if (res.ok) break;
        // A gateway with too many publishes in flight answers 503: retry, as agents do.
        if (res.status !== 503) throw new Error(`ingest failed (${res.status}): ${text}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT * gateways.length }, (_x, w) => worker(w)));
}

async function query(
  gw: GatewayProcess,
  script: string,
): Promise<{ tables: { rows: unknown[][] }[]; warnings?: string[] }> {
  const res = await fetch(`${gw.url}/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ script }),
  });
  const body = (await res.json()) as { tables: { rows: unknown[][] }[]; warnings?: string[] };
  if (!res.ok) throw new Error(`query failed (${res.status}): ${JSON.stringify(body)}`);
  return body;
}

async function count(gw: GatewayProcess): Promise<number> {
  const body = await query(
    gw,
    "import px\npx.display(px.DataFrame('http_events', start_time='-1h').agg(n=('latency', px.count)), 'n')",
  );
  return body.warnings ? -1 : Number(body.tables[0]!.rows[0]![0]);
}

async function members(gw: GatewayProcess): Promise<number> {
  const res = await fetch(`${gw.url}/v1/cluster`);
  if (!res.ok) return 0;
  return ((await res.json()) as { members: unknown[] }).members.length;
}

/** Median milliseconds of each bundled script at a gateway (after one warm-up run). */
async function queryTimes(gw: GatewayProcess): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of SCRIPTS) {
    const script = readFileSync(
      join(__dirname, '..', '..', 'scripts', 'px', `${name}.pxl`),
      'utf8',
    );
    await query(gw, script);
    const times: number[] = [];
    for (let i = 0; i < QUERY_RUNS; i++) {
      const t0 = performance.now();
      await query(gw, script);
      times.push(performance.now() - t0);
    }
    out[name] = median(times);
  }
  return out;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Debian's nats-server with JetStream on a free loopback port, its store in a temporary dir. */
async function startNats(): Promise<{ url: string; dir: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'pxgate-bench-nats-'));
  const port = await freePort();
  const conf = join(dir, 'nats.conf');
  writeFileSync(
    conf,
    `listen: 127.0.0.1:${port}\nmax_payload: 8MB\njetstream { store_dir: "${join(dir, 'js')}" }\n`,
  );
  const child = spawn(NATS_SERVER, ['-c', conf], { stdio: 'ignore' });
  const exited = once(child, 'exit');
  await until(
    () =>
      new Promise<boolean>((resolve) => {
        const s = require('node:net').connect(port, '127.0.0.1') as import('node:net').Socket;
        s.once('data', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    'nats-server listens',
  );
  return {
    url: `nats://127.0.0.1:${port}`,
    dir,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
