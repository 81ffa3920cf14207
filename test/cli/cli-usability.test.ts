import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Server, createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PxgateProcess, assertCliBuilt, runCli as cli } from '../support/cli';
import { TestGateway, postJson, startTestGateway } from '../support/gateway';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'pxgate.js');

/** `node bin/pxgate.js ARGS` (the build, as users run it): exit code, stdout and stderr. */
function pxgate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  assertCliBuilt();
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

async function closedPort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  await once(s, 'close');
  return port;
}

const ERROR_PAGE = `<html><head><title>502 Bad Gateway</title></head><body>${'<p>upstream failed</p>'.repeat(200)}</body></html>`;

describe('the command line for people', () => {
  let gw: TestGateway;
  let dir: string;
  const now = BigInt(Date.now()) * 1_000_000n;

  beforeAll(async () => {
    gw = await startTestGateway();
    dir = mkdtempSync(join(tmpdir(), 'pxgate-cli-'));
    await postJson(`${gw.url}/v1/ingest`, {
      table: 'http_events',
      rows: [
        { time_: String(now - 60_000_000_000n), req_path: '/old', latency: 1, trace_role: 2 },
        { time_: String(now), req_path: '/api/users', latency: 1_250_000, trace_role: 2 },
        {
          time_: String(now),
          req_path: '/broken',
          resp_status: 502,
          resp_body: ERROR_PAGE,
          trace_role: 2,
        },
      ],
    });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await gw.close();
  });

  it('runs a bundled script by its name', async () => {
    const out = await cli(['run', 'px/http_data', '--gateway', gw.url, '--format', 'csv']);
    expect(out).toContain('/api/users');
    expect(out.split('\n')[0]).toMatch(/^time_,pod,service,role,/);
  });

  it("passes --arg to a bundled script's own function without --func", async () => {
    const out = await cli([
      'run',
      'px/http_data',
      '--gateway',
      gw.url,
      '--arg',
      'start_time=-30s',
      '--format',
      'csv',
    ]);
    expect(out).toContain('/api/users');
    expect(out).not.toContain('/old');
  });

  it('shows the start of an error page in http_errors, not the whole page', async () => {
    const out = await cli(['run', 'px/http_errors', '--gateway', gw.url, '--format', 'json']);
    const [table] = (
      JSON.parse(out) as { tables: { columns: { name: string }[]; rows: unknown[][] }[] }
    ).tables;
    const body = table!.columns.findIndex((c) => c.name === 'resp_body');
    expect(table!.rows.map((r) => r[body])).toEqual([ERROR_PAGE.slice(0, 200)]);
  });

  it('formats a table by semantic type, and cuts long text unless --wide', async () => {
    const out = await cli(['run', 'px/http_errors', '--gateway', gw.url]);
    expect(out).toContain(`  ${ERROR_PAGE.slice(0, 59)}…\n`);
    const wide = await cli(['run', 'px/http_errors', '--gateway', gw.url, '--wide']);
    expect(wide).toContain(ERROR_PAGE.slice(0, 200));
    const data = await cli(['run', 'px/http_data', '--gateway', gw.url]);
    expect(data).toMatch(/ 1\.25 ms\b/);
  });

  it('says which bundled scripts there are when a name matches none', async () => {
    await expect(cli(['run', 'px/no_such', '--gateway', gw.url])).rejects.toThrow(
      'there is no bundled script px/no_such: `pxgate scripts` lists them',
    );
  });

  it('lists every bundled script with its title and arguments', async () => {
    const out = await cli(['scripts']);
    const names = readdirSync(join(ROOT, 'scripts', 'px'))
      .filter((f) => f.endsWith('.pxl'))
      .map((f) => `px/${f.slice(0, -4)}`);
    expect(names.length).toBeGreaterThan(5);
    for (const n of names) expect(out).toMatch(new RegExp(`^${n} +\\S`, 'm'));
    expect(out).toMatch(/^px\/service_stats +Service stats$/m);
    expect(out).toContain('args: start_time=-5m window=10s');
    const json = JSON.parse(await cli(['scripts', '--format', 'json'])) as {
      scripts: { name: string }[];
    };
    expect(json.scripts.map((s) => s.name)).toEqual(names.sort());
  });

  it('shows a script error with the file, the line and a caret under the column', async () => {
    const file = join(dir, 'bad.pxl');
    writeFileSync(file, "import px\npx.display(px.DataFrame('http_events').head('x'))\n");
    await expect(cli(['run', file, '--gateway', gw.url])).rejects.toThrow(
      `${file}:2:45: head(n) must be an integer, not a string\n` +
        "px.display(px.DataFrame('http_events').head('x'))\n" +
        `${' '.repeat(44)}^`,
    );
  });

  it('suggests pxgate start when no gateway answers', async () => {
    const port = await closedPort();
    await expect(cli(['tables', '--gateway', `http://127.0.0.1:${port}`])).rejects.toThrow(
      /cannot reach the gateway at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED.*Start one with `pxgate start`/,
    );
  });

  it("prints the package's version", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const res = await pxgate(['--version']);
    expect(res).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it.each([['start'], ['gateway'], ['agent'], ['tables'], ['run'], ['scripts'], ['exports']])(
    'gives %s help with examples and no empty defaults',
    async (command) => {
      const { code, stdout } = await pxgate([command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(
        new RegExp(`\\nExamples:\\n  \\$ pxgate ${command}|\\n  \\$ sudo pxgate ${command}`),
      );
      expect(stdout).not.toMatch(/default: (\{\}|\[\])/);
    },
  );

  it('names the flag and the key to change when the port is in use', async () => {
    const holder: Server = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const port = (holder.address() as { port: number }).port;
    try {
      const res = await pxgate(['gateway', '--listen', `127.0.0.1:${port}`]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(
        `127.0.0.1:${port} is in use by another program: give the gateway another address with --listen HOST:PORT (config key listen, $PXGATE_LISTEN)`,
      );
    } finally {
      holder.close();
    }
  });

  it('logs lines for people with --log-format text', async () => {
    const gateway = PxgateProcess.start([
      'gateway',
      '--listen',
      '127.0.0.1:0',
      '--log-format',
      'text',
    ]);
    try {
      const line = await gateway.waitForLog(
        (l) => String(l.msg).includes('gateway listening'),
        'gateway listening',
      );
      expect(line.msg).toMatch(
        /^\d\d:\d\d:\d\d\.\d{3} INFO {2}gateway listening url=http:\/\/127\.0\.0\.1:\d+ auth=false tls=false$/,
      );
    } finally {
      await gateway.stop();
    }
  });
});
