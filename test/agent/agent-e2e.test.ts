import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ebpfUnavailable, missingCommand } from '../support/ebpf';
import { describeIfAvailable } from '../support/system';
import { TracedGateway } from '../support/traced-gateway';
import { waitFor } from '../support/wait';

const FIXTURES = join(__dirname, '..', 'fixtures', 'agent');

interface Server {
  name: string;
  port: number;
  child: ChildProcess;
}

interface Step {
  server: Server;
  method: string;
  path: string;
  body?: string;
  keepAlive: boolean;
  status: number;
  chunked: boolean;
  client: 'node' | 'curl';
}

/** Starts a fixture server and waits for the port it prints. */
async function startServer(name: string, cmd: string, file: string): Promise<Server> {
  const child = spawn(cmd, [join(FIXTURES, file)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(() => {
      throw new Error(`${name} server exited before listening`);
    }),
  ])) as [string];
  return { name, port: (JSON.parse(line) as { port: number }).port, child };
}

function run(cmd: string, args: string[]): Promise<{ pid: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 30000 }, (err, stdout) =>
      err ? reject(err) : resolve({ pid: child.pid!, stdout }),
    );
  });
}

const KINDS = [
  { method: 'GET', suffix: 'items', status: 200 },
  { method: 'POST', suffix: 'orders', body: '{"item":"a1","qty":2}', status: 201 },
  { method: 'PUT', suffix: 'orders/7', body: '{"qty":3}', status: 200 },
  { method: 'DELETE', suffix: 'status/204', status: 204 },
  { method: 'GET', suffix: 'status/404', status: 404 },
  { method: 'POST', suffix: 'status/500', body: 'boom', status: 500 },
  { method: 'GET', suffix: 'chunked', status: 200, chunked: true },
];
const CURL_KINDS = [KINDS[0]!, KINDS[3]!, KINDS[4]!];
const CHUNKED_BODY = 'part one;part two;end';

describeIfAvailable(
  'the agent, end to end on the real kernel',
  ebpfUnavailable() ?? missingCommand('python3', 'curl'),
  () => {
    let px: TracedGateway;
    let servers: Server[] = [];
    const tmp = mkdtempSync(join(tmpdir(), 'pxgate-e2e-'));

    beforeAll(async () => {
      // `pxgate start` as users run it, sampling faster than its defaults.
      px = await TracedGateway.start('  connStatsInterval: 250ms\n  processInterval: 500ms\n');
      servers = [
        await startServer('node', process.execPath, 'node-server.js'),
        await startServer('python', 'python3', 'py_server.py'),
      ];
    }, 60000);

    afterAll(async () => {
      for (const s of servers) {
        s.child.kill('SIGTERM');
        if (s.child.exitCode === null) await once(s.child, 'exit');
      }
      expect(await px?.stop()).toBe(0);
      rmSync(tmp, { recursive: true, force: true });
    });

    it("records each request once per side, with its connection bytes and the servers' processes", async () => {
      const prefix = `/e2e-${randomBytes(6).toString('hex')}`;
      const steps: Step[] = [];
      for (const server of servers) {
        for (const keepAlive of [true, false]) {
          for (const k of KINDS) {
            const path = `${prefix}/${steps.length}/${k.suffix}`;
            steps.push({
              server,
              ...k,
              path,
              keepAlive,
              chunked: Boolean(k.chunked),
              client: 'node',
            });
          }
        }
        for (const k of CURL_KINDS) {
          const path = `${prefix}/${steps.length}/${k.suffix}`;
          steps.push({ server, ...k, path, keepAlive: false, chunked: false, client: 'curl' });
        }
      }
      const n = steps.length;

      // Traffic comes from child processes: the agent never traces its own process.
      const plan = steps.filter((s) => s.client === 'node');
      const nodeRun = await run(process.execPath, [
        join(FIXTURES, 'http-client.js'),
        JSON.stringify(plan.map((s) => ({ ...s, server: undefined, port: s.server.port }))),
      ]);
      const nodeClient = JSON.parse(nodeRun.stdout) as {
        pid: number;
        statuses: number[];
        bytes: Record<string, { sent: number; recv: number }>;
      };
      expect(nodeClient.statuses).toEqual(plan.map((s) => s.status));
      const clientPid = new Map<Step, number>(plan.map((s) => [s, nodeClient.pid]));
      const curlBytes: Record<number, { sent: number; recv: number }> = {};
      // curl counts a decoded body; with --raw it keeps chunk framing, so the wire bytes are the
      // headers plus the raw body it saved.
      const raw = join(tmp, 'body');
      for (const s of steps.filter((x) => x.client === 'curl')) {
        const url = `http://127.0.0.1:${s.server.port}${s.path}`;
        const format = '%{http_code} %{size_request} %{size_upload} %{size_header}';
        const out = await run('curl', [
          '-s',
          '--raw',
          '-o',
          raw,
          '-X',
          s.method,
          '-w',
          format,
          url,
        ]);
        const [code, req, up, head] = out.stdout.split(' ').map(Number);
        expect(code).toBe(s.status);
        clientPid.set(s, out.pid);
        const b = (curlBytes[s.server.port] ??= { sent: 0, recv: 0 });
        b.sent += req! + up!;
        b.recv += head! + (existsSync(raw) ? statSync(raw).size : 0);
        rmSync(raw, { force: true });
      }

      // Everything below is read back with PxL, as a user would.
      const recent = `px.DataFrame(table='http_events', start_time='-10m')`;
      const mine = `df = ${recent}\ndf = df[px.contains(df.req_path, '${prefix}/')]`;
      const counted = await waitFor(
        async () =>
          (
            await px.pxl(
              `import px\n${mine}\npx.display(df.groupby('trace_role').agg(n=('latency', px.count)), 'counts')`,
            )
          ).counts!,
        (rows) => rows.length === 2 && rows.every((r) => Number(r.n) >= n),
        { what: `${n} http_events rows per side` },
      );
      expect(counted.sort((a, b) => Number(a.trace_role) - Number(b.trace_role))).toEqual([
        { trace_role: 1, n },
        { trace_role: 2, n },
      ]);

      const { rows } = await px.pxl(
        `import px\n${mine}\ndf.pid = px.upid_to_pid(df.upid)\n` +
          `px.display(df[['trace_role', 'req_method', 'req_path', 'resp_status', 'latency', 'req_body_size', ` +
          `'resp_body', 'resp_body_size', 'local_port', 'remote_port', 'major_version', 'upid', 'pid']], 'rows')`,
      );
      for (const s of steps) {
        const [client] = rows!.filter((r) => r.req_path === s.path && r.trace_role === 1);
        const [server] = rows!.filter((r) => r.req_path === s.path && r.trace_role === 2);
        const common = {
          req_method: s.method,
          resp_status: s.status,
          major_version: 1,
          req_body_size: s.body?.length ?? 0,
          ...(s.chunked ? { resp_body: CHUNKED_BODY, resp_body_size: CHUNKED_BODY.length } : {}),
        };
        expect({ path: s.path, ...client }).toMatchObject({
          path: s.path,
          ...common,
          remote_port: s.server.port,
          pid: clientPid.get(s),
        });
        expect({ path: s.path, ...server }).toMatchObject({
          path: s.path,
          ...common,
          local_port: s.server.port,
          pid: s.server.child.pid,
        });
        expect(Number(client!.latency)).toBeGreaterThan(0);
        expect(Number(server!.latency)).toBeGreaterThan(0);
      }

      // conn_stats rows are cumulative: a group's largest counts are its latest. Per server:
      // [what conn_stats says, what the clients counted], for the node client's side (its one
      // group per server) and the server's side (summed over its client connections).
      const connScript = `import px
df = px.DataFrame(table='conn_stats', start_time='-10m')
df = df.groupby(['upid', 'remote_port', 'trace_role']).agg(sent=('bytes_sent', px.max), recv=('bytes_recv', px.max))
df.pid = px.upid_to_pid(df.upid)
px.display(df, 'conns')`;
      const compare = async () => {
        const { conns } = await px.pxl(connScript);
        return servers.map((srv) => {
          const fromNode = nodeClient.bytes[srv.port]!;
          const fromCurl = curlBytes[srv.port]!;
          const client = conns!.find(
            (r) => r.trace_role === 1 && r.pid === nodeClient.pid && r.remote_port === srv.port,
          );
          const side = conns!.filter((r) => r.trace_role === 2 && r.pid === srv.child.pid);
          const sum = (k: 'sent' | 'recv') => side.reduce((a, r) => a + Number(r[k]), 0);
          return {
            server: srv.name,
            seen: [Number(client?.sent), Number(client?.recv), sum('sent'), sum('recv')],
            sent: [
              fromNode.sent,
              fromNode.recv,
              fromNode.recv + fromCurl.recv,
              fromNode.sent + fromCurl.sent,
            ],
          };
        });
      };
      await waitFor(compare, (cmp) => cmp.every((c) => c.seen.join() === c.sent.join()), {
        what: 'conn_stats bytes matching the clients',
      });

      // process_stats: each server is there, with memory, under the UPID its HTTP rows carry,
      // and its command line comes from the process metadata the agent reported.
      for (const srv of servers) {
        const upid = rows!.find((r) => r.trace_role === 2 && r.local_port === srv.port)!.upid;
        const { procs } = await waitFor(
          () =>
            px.pxl(`import px
df = px.DataFrame(table='process_stats', start_time='-10m')
df.pid = px.upid_to_pid(df.upid)
df = df[df.pid == ${srv.child.pid}]
df.cmdline = df.ctx['cmdline']
px.display(df[['upid', 'rss_bytes', 'cmdline']], 'procs')`),
          (r) => r.procs!.length > 0 && r.procs!.every((p) => p.cmdline !== ''),
          { what: `process_stats and metadata of the ${srv.name} server` },
        );
        expect(procs!.every((r) => r.upid === upid)).toBe(true);
        expect(Number(procs![0]!.rss_bytes)).toBeGreaterThan(0);
        expect(procs![0]!.cmdline).toContain(
          srv.name === 'node' ? 'node-server.js' : 'py_server.py',
        );
      }
    }, 120000);

    it('keeps credentials on the node: Authorization, Cookie and Set-Cookie values are masked in stored rows', async () => {
      const server = servers.find((s) => s.name === 'node')!;
      const path = `/e2e-mask-${randomBytes(6).toString('hex')}/cookie`;
      await run('curl', [
        '-s',
        '-o',
        '/dev/null',
        '-H',
        'Authorization: Bearer secret',
        '-H',
        'Cookie: theme=dark; sid=secret-cookie-e2e',
        `http://127.0.0.1:${server.port}${path}`,
      ]);
      const { rows } = await waitFor(
        () =>
          px.pxl(`import px
df = px.DataFrame(table='http_events', start_time='-10m')
df = df[df.req_path == '${path}']
px.display(df[['trace_role', 'req_headers', 'resp_headers', 'req_body', 'resp_body', 'req_path']], 'rows')`),
        (r) => r.rows!.length === 2,
        { what: 'both sides of the request with credentials' },
      );
      for (const row of rows!) {
        expect(JSON.stringify(row)).not.toContain('secret');
        expect(JSON.parse(String(row.req_headers))).toMatchObject({
          Authorization: '<REDACTED>',
          Cookie: '<REDACTED>',
        });
        expect(JSON.parse(String(row.resp_headers))).toMatchObject({ 'set-cookie': '<REDACTED>' });
      }
    }, 60000);
  },
);
