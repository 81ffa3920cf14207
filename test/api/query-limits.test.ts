import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PxgateProcess } from '../support/cli';
import { getJson, ingest, postJson } from '../support/gateway';
import { BASE_NS, httpEvents, httpJson } from '../support/pxl';
import { rssOf, watchWhile } from '../support/watch';
import { waitFor } from '../support/wait';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** A gateway started as users start it (`pxgate gateway`), with a config of its own. */
async function startGateway(config: string): Promise<{ px: PxgateProcess; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pxgate-limits-'));
  const file = join(dir, 'pxgate.yaml');
  writeFileSync(file, config);
  const px = PxgateProcess.start(['gateway', '--listen', '127.0.0.1:0', '--config', file]);
  try {
    const listening = await px.waitForLog((l) => l.msg === 'gateway listening', 'listening');
    return { px, url: String(listening.url) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Stores `n` HTTP events whose time_ lies in the last minute. */
async function storeEvents(url: string, n: number): Promise<void> {
  const start = BigInt(Date.now()) * 1_000_000n - 60_000_000_000n;
  const rows = httpJson(
    httpEvents(n, 7, 60_000_000_000n).map((e) => ({ ...e, time_: start + (e.time_ - BASE_NS) })),
  );
  for (let i = 0; i < rows.length; i += 5000) {
    await ingest(url, 'http_events', rows.slice(i, i + 5000));
  }
}

function query(url: string, script: string) {
  return postJson(`${url}/v1/query`, { script });
}

/** The script of issue 11: each column is the previous one twice, `n` times over. */
function doublings(n: number): string {
  const lines = [
    "import px\ndf = px.DataFrame('http_events', start_time='-5m')\ndf.c0 = df.latency",
  ];
  for (let i = 1; i <= n; i++) lines.push(`df.c${i} = df.c${i - 1} + df.c${i - 1}`);
  lines.push(`px.display(df[['latency', 'c${n}']].head(3), 'out')`);
  return lines.join('\n');
}

describe('a gateway under scripts that would blow up or freeze it', () => {
  it('answers 21 doublings of a column within queryTimeout, stays under 2 GiB and honours SIGTERM', async () => {
    const { px, url } = await startGateway('pxl:\n  queryTimeout: 20s\n');
    try {
      await storeEvents(url, 1000);
      const started = Date.now();
      const { result, watched } = await watchWhile(
        px.child.pid!,
        url,
        2 * GiB,
        query(url, doublings(21)),
      );
      expect(watched.killed).toBe(false);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(result.status).toBe(200);
      const rows = result.body.tables[0].rows as [number, number][];
      expect(rows).toHaveLength(3);
      for (const [latency, c21] of rows) expect(c21).toBe(latency * 2 ** 21);
      expect(watched.peakRssBytes).toBeLessThan(2 * GiB);
      expect(await px.stop('SIGTERM')).toBe(0);
    } finally {
      await px.stop('SIGKILL');
    }
  }, 60_000);

  it('keeps /healthz under a second while a 3,000-column script (70 KB) compiles', async () => {
    const { px, url } = await startGateway('pxl:\n  queryTimeout: 20s\n');
    try {
      const lines = ["import px\ndf = px.DataFrame('http_events')\ndf.c0 = df.latency"];
      for (let i = 1; i <= 3000; i++) lines.push(`df.c${i} = df.c${i - 1} + 1`);
      lines.push("px.display(df, 'out')");
      const script = lines.join('\n');
      expect(script.length).toBeGreaterThan(65_000);
      const { body: tables } = await getJson(`${url}/v1/tables`);
      const width = tables.tables.find((t: { name: string }) => t.name === 'http_events').columns
        .length as number;
      const { result, watched } = await watchWhile(px.child.pid!, url, 2 * GiB, query(url, script));
      expect(watched.killed).toBe(false);
      expect(watched.probes).toBeGreaterThan(0);
      expect(watched.slowestHealthMs).toBeLessThan(1000);
      expect(result.status).toBe(422);
      expect(result.body.error).toEqual({
        message: expect.stringMatching(
          /^the DataFrame has more than 500 columns \(the PxL limit "columns"\)/,
        ),
        // Column c1 is on line 4; c(k) makes the DataFrame width + k + 1 columns wide.
        line: 3 + (501 - width - 1),
        column: 1,
      });
    } finally {
      await px.stop('SIGKILL');
    }
  }, 60_000);

  it('refuses a merge that would take gigabytes with a 422 naming the memory limit, and gives the memory back', async () => {
    // A loaded machine takes long to fill DuckDB's memory: the query's own limit is memory, not time.
    const { px, url } = await startGateway('store:\n  limitMb: 128\npxl:\n  queryTimeout: 90s\n');
    try {
      await storeEvents(url, 20_000);
      const before = rssOf(px.child.pid!);
      const script = `import px
df = px.DataFrame('http_events', start_time='-5m')
out = df.merge(df, how='inner', left_on='req_method', right_on='req_method', suffixes=['', '_r'])
px.display(out.groupby(['latency', 'latency_r']).agg(n=('req_path', px.count)).head(5), 'out')`;
      const { result, watched } = await watchWhile(px.child.pid!, url, 2 * GiB, query(url, script));
      expect(watched.killed).toBe(false);
      expect(result.status).toBe(422);
      expect(result.body.error.message).toMatch(
        /^the query needs more memory than DuckDB may use \(store\.duckdbMemoryLimitMb\): Out of Memory Error: [^\n]+$/,
      );
      expect(watched.peakRssBytes).toBeLessThan(before + 1 * GiB);
      // The allocator returns what the query took within seconds.
      await waitFor(
        () => rssOf(px.child.pid!),
        (rss) => rss < before + 150 * MiB,
        { timeoutMs: 20_000, what: `RSS back near ${Math.round(before / MiB)} MiB` },
      );
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await px.stop('SIGKILL');
    }
  }, 150_000);
});
