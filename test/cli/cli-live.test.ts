import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PXGATE_BIN, assertCliBuilt, runCli } from '../support/cli';
import { missingCommand } from '../support/ebpf';
import { TestGateway, postJson, startTestGateway } from '../support/gateway';
import { freePort } from '../support/prometheus';
import { describeIfAvailable } from '../support/system';
import { TmuxSession } from '../support/tmux';

/** Rows of http_events stamped now (the scripts read the last minutes). */
async function ingest(gw: TestGateway, paths: readonly string[]): Promise<void> {
  const rows = paths.map((req_path, i) => ({ req_path, latency: 1_500_000 * (i + 1) }));
  const res = await postJson(`${gw.url}/v1/ingest`, { table: 'http_events', rows });
  expect(res.status).toBe(200);
}

const SCRIPT = `import px
df = px.DataFrame(table='http_events', start_time='-10m')
df = df[px.contains(df.req_path, '/live/')]
px.display(df.agg(requests=('latency', px.count)), 'count')
px.display(df[['req_path', 'latency']], 'requests')
`;

/** The number the count table shows (its one value under the `requests` header). */
const shownCount = (screen: string) => /^requests\n\s*(\d+)\s*$/m.exec(screen)?.[1];
const headerOf = (screen: string) => screen.split('\n')[0]!;

describeIfAvailable('pxgate live, driven in a terminal', missingCommand('tmux'), () => {
  let gw: TestGateway;
  let dir: string;
  let script: string;
  const sessions: TmuxSession[] = [];

  /** `pxgate live ARGS` in a terminal of its own. */
  async function live(args: string[], width = 120, height = 40): Promise<TmuxSession> {
    const session = await TmuxSession.start(
      [process.execPath, PXGATE_BIN, 'live', ...args],
      width,
      height,
    );
    sessions.push(session);
    return session;
  }

  /** Expects a clean exit that gave the terminal back: main screen, cursor shown, line mode. */
  async function expectCleanExit(session: TmuxSession): Promise<void> {
    expect(await session.exited()).toEqual({ status: 0, modes: 'icanon echo' });
    expect(await session.format('#{alternate_on} #{cursor_flag}')).toBe('0 1');
  }

  beforeAll(async () => {
    assertCliBuilt();
    gw = await startTestGateway();
    dir = mkdtempSync(join(tmpdir(), 'pxgate-live-'));
    script = join(dir, 'live.pxl');
    writeFileSync(script, SCRIPT);
    await ingest(gw, ['/live/a', '/live/b']);
  });

  afterAll(async () => {
    for (const s of sessions) await s.kill();
    await gw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the rows, refreshes them, switches tables, pauses, and quits restoring the terminal', async () => {
    const view = await live([script, '--gateway', gw.url, '--interval', '1s']);
    const first = await view.waitForScreen((s) => shownCount(s) === '2', 'the count of 2 rows');
    expect(headerOf(first)).toMatch(
      new RegExp(`^pxgate live ${script} · ${gw.url} · refreshed \\d\\d:\\d\\d:\\d\\d · every 1s$`),
    );
    expect(first).toContain('[count (1 row)]  requests (2 rows)');
    expect(first.split('\n').at(-2)).toBe('p pause/resume · tab/n next table · q quit');
    expect(await view.format('#{alternate_on} #{cursor_flag}')).toBe('1 0');

    await ingest(gw, ['/live/c']);
    await view.waitForScreen((s) => shownCount(s) === '3', 'the count of 3 rows, refreshed');

    await view.sendKeys('n');
    const requests = await view.waitForScreen(
      (s) => s.includes('[requests (3 rows)]'),
      'the requests table in view',
    );
    expect(requests).toMatch(/^req_path\s+latency\n\/live\/a\s+1\.50 ms\n\/live\/b\s+3\.00 ms\n/m);
    await view.sendKeys('Tab');
    await view.waitForScreen((s) => s.includes('[count (1 row)]'), 'back to the count table');

    await view.sendKeys('p');
    const paused = await view.waitForScreen((s) => headerOf(s).endsWith('PAUSED'), 'PAUSED');
    await ingest(gw, ['/live/d']);
    // Three intervals pass without a refresh: neither the count nor the header's time moves.
    await expect(
      view.waitForScreen((s) => shownCount(s) !== '3', 'a refresh while paused', 3000),
    ).rejects.toThrow(/not reached/);
    expect(headerOf(await view.screen())).toBe(headerOf(paused));

    await view.sendKeys('p');
    await view.waitForScreen((s) => shownCount(s) === '4', 'a refresh at once on resume');

    await view.sendKeys('q');
    await expectCleanExit(view);
  }, 90_000);

  it('draws within the terminal, redraws on a resize, and restores the terminal on SIGTERM', async () => {
    await ingest(
      gw,
      Array.from({ length: 60 }, (_, i) => `/live/many/${i}/${'x'.repeat(150)}`),
    );
    const view = await live([script, '--gateway', gw.url, '--interval', '1s']);
    await view.waitForScreen((s) => s.includes('[count'), 'the first answer');
    await view.sendKeys('n');
    const more = (s: string) => Number(/^… (\d+) more rows$/m.exec(s)?.[1] ?? NaN);
    const big = await view.waitForScreen((s) => more(s) > 0, 'rows that do not fit');
    expect(big.split('\n').every((l) => [...l].length <= 120)).toBe(true);

    await view.resize(60, 15);
    const small = await view.waitForScreen((s) => more(s) > more(big), 'a redraw at 60x15');
    const lines = small.replace(/\n$/, '').split('\n');
    expect(lines).toHaveLength(15);
    expect(lines.every((l) => [...l].length <= 60)).toBe(true);
    expect(lines[0]).toMatch(/…$/);
    expect(lines.at(-1)).toBe('p pause/resume · tab/n next table · q quit');

    process.kill(await view.pid(), 'SIGTERM');
    await expectCleanExit(view);
  }, 90_000);

  it('shows that the gateway is down, keeps trying, and shows the tables once it is up', async () => {
    const port = await freePort();
    const view = await live([script, '--gateway', `http://127.0.0.1:${port}`, '--interval', '1s']);
    const errorTime = (s: string) => /^error at (\S+), trying again every 1s:$/m.exec(s)?.[1];
    const down = await view.waitForScreen(
      (s) => errorTime(s) !== undefined && s.includes('cannot reach the gateway'),
      'the gateway-down error',
    );
    expect(down).toContain('pxgate start');
    await view.waitForScreen(
      (s) => errorTime(s) !== undefined && errorTime(s) !== errorTime(down),
      'a later try',
    );
    const late = await startTestGateway({ listen: `127.0.0.1:${port}` });
    try {
      await ingest(late, ['/live/late']);
      await view.waitForScreen((s) => shownCount(s) === '1', 'the tables of the gateway now up');
      await view.sendKeys('C-c');
      await expectCleanExit(view);
    } finally {
      await late.close();
    }
  }, 90_000);

  it("shows a script's error with its file, line and caret, and runs bundled scripts by name", async () => {
    const bad = join(dir, 'bad.pxl');
    writeFileSync(
      bad,
      "import px\ndf = px.DataFrame(table='http_events')\ndf = dff[dff.latency > 0]\npx.display(df)\n",
    );
    const view = await live([bad, '--gateway', gw.url, '--interval', '1s']);
    const shown = await view.waitForScreen((s) => s.includes(`${bad}:3`), 'the script error');
    expect(shown).toMatch(/\ndf = dff\[dff\.latency > 0\]\n\s*\^/);
    await view.sendKeys('q');
    await expectCleanExit(view);

    const bundled = await live(['px/http_data', '--gateway', gw.url]);
    const table = await bundled.waitForScreen(
      (s) => /\[http_data \(\d+ rows\)\]/.test(s),
      'the bundled http_data table',
    );
    expect(headerOf(table)).toMatch(/^pxgate live px\/http_data · .* · every 5s$/);
    await bundled.sendKeys('q');
    await expectCleanExit(bundled);
  }, 90_000);
});

describe('pxgate live without a terminal', () => {
  it('refuses in one line, suggesting pxgate run', async () => {
    await expect(runCli(['live', 'px/http_data'])).rejects.toThrow(
      /^pxgate live draws in a terminal, and this is not one: `pxgate run px\/http_data` prints the tables once$/,
    );
  });
});
