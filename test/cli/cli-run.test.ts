import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as cli } from '../support/cli';
import { TestGateway, postJson, startTestGateway } from '../support/gateway';

const T0 = 1_800_000_000_000_000_000n;

describe('pxgate run', () => {
  let gw: TestGateway;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    gw = await startTestGateway();
    dir = mkdtempSync(join(tmpdir(), 'pxgate-run-'));
    file = join(dir, 'slow.pxl');
    writeFileSync(
      file,
      `import px
def slow(min_ms: int = 2):
    df = px.DataFrame('http_events')
    df = df[df.latency >= min_ms * 1000000]
    return df[['time_', 'req_path', 'latency']]
px.display(slow(), 'slow')
px.display(px.DataFrame('http_events').agg(n=('latency', px.count)), 'count')
`,
    );
    const rows = [
      { time_: String(T0), req_path: '/a', latency: 1_500_000 },
      { time_: String(T0 + 1_000_000_000n), req_path: '/b,c', latency: 2_500_000 },
    ];
    await postJson(`${gw.url}/v1/ingest`, { table: 'http_events', rows });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await gw.close();
  });

  it('prints aligned tables with times and durations for people', async () => {
    const out = await cli(['run', file, '--gateway', gw.url]);
    expect(out).toBe(
      [
        'slow (1 row)',
        'time_                           req_path  latency',
        '2027-01-15T08:00:01.000000000Z  /b,c      2.50 ms',
        '',
        'count (1 row)',
        'n',
        '2',
        '',
      ].join('\n'),
    );
  });

  it('calls a function with --arg and prints CSV', async () => {
    const out = await cli([
      'run',
      file,
      '--gateway',
      gw.url,
      '--func',
      'slow',
      '--arg',
      'min_ms=1',
      '--format',
      'csv',
    ]);
    expect(out).toBe(
      `time_,req_path,latency\n${T0},/a,1500000\n${T0 + 1_000_000_000n},"/b,c",2500000\n`,
    );
  });

  it('prints the API answer with --format json', async () => {
    const out = await cli(['run', file, '--gateway', gw.url, '--format', 'json']);
    expect(JSON.parse(out).tables.map((t: { name: string }) => t.name)).toEqual(['slow', 'count']);
  });

  it('reports a script error with its line and column', async () => {
    writeFileSync(
      join(dir, 'bad.pxl'),
      "import px\npx.display(px.DataFrame('http_events').head('x'))\n",
    );
    await expect(cli(['run', join(dir, 'bad.pxl'), '--gateway', gw.url])).rejects.toThrow(
      `${join(dir, 'bad.pxl')}:2:45: head(n) must be an integer, not a string`,
    );
  });
});

describe('client commands with --config', () => {
  const TOKEN = 'a-token-of-32-characters-or-more!';
  let gw: TestGateway;
  let dir: string;

  beforeAll(async () => {
    gw = await startTestGateway({ auth: { token: TOKEN } });
    dir = mkdtempSync(join(tmpdir(), 'pxgate-client-config-'));
    writeFileSync(
      join(dir, 'pxgate.yaml'),
      `agent:\n  gateway: ${gw.url}\nauth:\n  token: ${TOKEN}\n`,
    );
    writeFileSync(
      join(dir, 'count.pxl'),
      "import px\npx.display(px.DataFrame('http_events').agg(n=('latency', px.count)), 'n')\n",
    );
    await fetch(`${gw.url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ table: 'http_events', rows: [{ time_: String(T0), latency: 7 }] }),
    });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await gw.close();
  });

  it('reach the gateway and send the token the config names', async () => {
    const config = join(dir, 'pxgate.yaml');
    const tables = JSON.parse(await cli(['tables', '--config', config, '--format', 'json']));
    expect(tables.tables.find((t: { name: string }) => t.name === 'http_events').rows).toBe(1);
    const out = await cli(['run', join(dir, 'count.pxl'), '-c', config, '--format', 'csv']);
    expect(out).toBe('n\n1\n');
  });

  it('let --token win over the config, and say when the gateway refuses it', async () => {
    const args = ['tables', '--config', join(dir, 'pxgate.yaml'), '--token', 'x'.repeat(20)];
    await expect(cli(args)).rejects.toThrow(/gateway answered 401/);
  });

  it('name the key of a config file that is wrong', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'agent:\n  gateway: ftp://nowhere\n');
    await expect(cli(['tables', '--config', join(dir, 'bad.yaml')])).rejects.toThrow(
      /agent\.gateway/,
    );
  });
});
