/**
 * grafana-backend: what the Grafana backend adds to a query. Over the same gateway and data, in
 * the same run, rounds alternate between the peer, a direct `POST /v1/query` of a script (the
 * answer read and parsed as JSON, as any client must), and ours, the same script as a Grafana
 * QueryData call to the backend executable over gRPC (the backend calls the gateway, shapes the
 * tables into frames and encodes them as Arrow). Each round runs two panel queries: a
 * per-window aggregate and 1,000 raw rows. Both sides' answers are checked to hold the same rows.
 * R = direct time / backend time (medians of wall time): 1 means the backend adds nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { RecordBatchFileReader, tableToIPC } from 'apache-arrow';
import { PluginProcess } from '../grafana-plugin/test/support/grafana/pluginProcess';
import { fmt, httpArrowTable, httpColumns, machine, median, startGatewayProcess } from './_support';
import { processUs } from './overhead/cpu';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const WARMUP = 5;
/** Rows per ingest request, under the gateway's body limit. */
const BATCH = 20_000;
const PLUGIN_DIR = join(__dirname, '..', '..', 'grafana-plugin');

const SCRIPTS = {
  windows: `import px
df = px.DataFrame(table='http_events', start_time=$__from, end_time=$__to)
df.time_ = px.bin(df.time_, $__interval)
df = df.groupby(['time_', 'req_method']).agg(n=('latency', px.count), latency_mean=('latency', px.mean))
px.display(df, 'windows')
`,
  rows: `import px
df = px.DataFrame(table='http_events', start_time=$__from, end_time=$__to)
px.display(df[['time_', 'req_method', 'req_path', 'resp_status', 'latency']].head(1000), 'rows')
`,
};

/** The backend executable: $PXGATE_BACKEND, the plugin's dist/, or a fresh build. */
function executable(): { file: string; cleanup(): void } {
  const given = process.env.PXGATE_BACKEND;
  if (given) return { file: given, cleanup: () => undefined };
  const dist = join(PLUGIN_DIR, 'dist', 'gpx_pxgate_linux_amd64');
  if (existsSync(dist)) return { file: dist, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'pxgate-bench-backend-'));
  const res = spawnSync(process.execPath, [
    join(PLUGIN_DIR, '.config', 'backend', 'build.js'),
    dir,
  ]);
  if (res.status !== 0) throw new Error(`backend build failed: ${res.stderr}`);
  const name = readdirSync(dir).find((f) => f.startsWith('gpx_pxgate_'))!;
  return { file: join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Rows and the sum of one numeric column, of a JSON table or an Arrow frame. */
interface Digest {
  rows: number;
  sum: number;
}

function jsonDigest(
  table: { columns: Array<{ name: string }>; rows: unknown[][] },
  column: string,
): Digest {
  const i = table.columns.findIndex((c) => c.name === column);
  return { rows: table.rows.length, sum: table.rows.reduce((s, r) => s + Number(r[i]), 0) };
}

function frameDigest(bytes: Uint8Array, column: string): Digest {
  const reader = RecordBatchFileReader.from(bytes);
  reader.open();
  const i = reader.schema.fields.findIndex((f) => f.name === column);
  let rows = 0;
  let sum = 0;
  for (const batch of reader) {
    rows += batch.numRows;
    const values = batch.data.children[i]!.values as Float64Array;
    for (let r = 0; r < batch.numRows; r++) sum += values[r]!;
  }
  return { rows, sum };
}

async function main(): Promise<void> {
  const gateway = await startGatewayProcess();
  // A backend that fails to build or start still stops the gateway (it outlived such runs).
  const built = await Promise.resolve()
    .then(executable)
    .catch(async (err: unknown) => {
      await gateway.stop();
      throw err;
    });
  const plugin = await PluginProcess.start(built.file).catch(async (err: unknown) => {
    await gateway.stop();
    built.cleanup();
    throw err;
  });
  try {
    const startNs = BigInt(Date.now() - 60_000) * 1_000_000n;
    for (let done = 0; done < ROWS; done += BATCH) {
      const n = Math.min(BATCH, ROWS - done);
      const res = await fetch(`${gateway.url}/v1/ingest`, {
        method: 'POST',
        headers: {
          'content-type': 'application/vnd.apache.arrow.stream',
          'x-pxgate-table': 'http_events',
        },
        body: tableToIPC(httpArrowTable(httpColumns(n, startNs + BigInt(done) * 1000n)), 'stream'),
      });
      if (res.status !== 200) throw new Error(`ingest: ${res.status} ${await res.text()}`);
    }
    const fromMs = Date.now() - 120_000;
    const toMs = Date.now() + 60_000;
    const intervalMs = 1000;
    const macros = (script: string) =>
      script
        .replaceAll('$__from', `${fromMs}000000`)
        .replaceAll('$__to', `${toMs}000000`)
        .replaceAll('$__interval', `${intervalMs}000000`);
    const pluginContext = {
      dataSourceInstanceSettings: {
        uid: 'bench',
        name: 'pxgate',
        jsonData: Buffer.from(JSON.stringify({ url: gateway.url })),
      },
    };

    const direct = async (script: string) => {
      const answer = await fetch(`${gateway.url}/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ script: macros(script) }),
      });
      return ((await answer.json()) as { tables: Array<Parameters<typeof jsonDigest>[0]> })
        .tables[0]!;
    };
    const backend = async (script: string) => {
      const answer = await plugin.queryData({
        pluginContext,
        queries: [
          {
            refId: 'A',
            intervalMS: intervalMs,
            maxDataPoints: 1000,
            timeRange: { fromEpochMS: fromMs, toEpochMS: toMs },
            json: Buffer.from(JSON.stringify({ version: 1, format: 'table', script })),
          },
        ],
      });
      const response = answer.responses.A;
      if (response.error) throw new Error(`QueryData: ${response.error}`);
      return response.frames[0] as Uint8Array;
    };

    for (const [name, column] of [
      ['windows', 'n'],
      ['rows', 'latency'],
    ] as const) {
      const a = jsonDigest(await direct(SCRIPTS[name]), column);
      const b = frameDigest(await backend(SCRIPTS[name]), column);
      if (a.rows !== b.rows || a.sum !== b.sum || a.rows === 0) {
        throw new Error(`${name}: direct ${JSON.stringify(a)} but backend ${JSON.stringify(b)}`);
      }
      console.log(
        `grafana-backend: ${name}: both sides answer ${fmt(a.rows)} rows, ${column} summing to ${fmt(a.sum)}`,
      );
    }

    const times = { direct: [] as number[], backend: [] as number[] };
    let backendCpu = 0;
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      if (round === WARMUP) backendCpu = processUs(plugin.child.pid!);
      for (const side of round % 2
        ? (['backend', 'direct'] as const)
        : (['direct', 'backend'] as const)) {
        const run = side === 'direct' ? direct : backend;
        const started = performance.now();
        await run(SCRIPTS.windows);
        await run(SCRIPTS.rows);
        if (round >= WARMUP) times[side].push(performance.now() - started);
      }
    }
    backendCpu = processUs(plugin.child.pid!) - backendCpu;
    const d = median(times.direct);
    const b = median(times.backend);
    console.log(
      `grafana-backend: ${machine()}, load ${loadavg()[0]!.toFixed(2)}, ${fmt(ROWS)} rows, ${ROUNDS} rounds`,
    );
    console.log(
      `grafana-backend: the backend's own CPU: ${(backendCpu / 1000 / ROUNDS).toFixed(1)} ms a round (two queries)`,
    );
    console.log(
      `grafana-backend: ours (QueryData via backend) ${b.toFixed(1)} ms, peer (direct POST /v1/query) ${d.toFixed(1)} ms, ratio ${(d / b).toFixed(2)}`,
    );
  } finally {
    // Grafana's way (the controller's Shutdown) first, so that a backend run under --cpu-prof
    // writes its profile; close() kills it if it has not exited.
    await plugin.shutdown().catch(() => undefined);
    await Promise.race([plugin.exited, delay(2000)]);
    await plugin.close();
    await gateway.stop();
    built.cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
