import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DuckDBValue } from '@duckdb/node-api';
import { Agent } from '../agent/src/agent';
import { startLocalAgent } from '../agent/src/commands';
import { silentLogger } from '../gateway/src/common/logger';
import { ebpfUnavailable, missingCommand } from './support/ebpf';
import { TestGateway, startTestGateway } from './support/gateway';
import { describeIfAvailable } from './support/system';
import { waitFor } from './support/wait';

const FIXTURES = join(__dirname, 'fixtures', 'agent');

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
    let gw: TestGateway;
    let agent: Agent;
    let servers: Server[] = [];
    const tmp = mkdtempSync(join(tmpdir(), 'pxgate-e2e-'));

    const sql = async (text: string, params: DuckDBValue[] = []) => {
      const conn = await gw.gateway.store.connect();
      try {
        return (await conn.runAndReadAll(text, params)).getRowObjectsJson() as Record<
          string,
          string | number | null
        >[];
      } finally {
        conn.closeSync();
      }
    };

    beforeAll(async () => {
      gw = await startTestGateway({
        agent: {
          connStatsInterval: '250ms',
          processInterval: '500ms',
          batch: { maxDelay: '100ms' },
        },
      });
      agent = await startLocalAgent(gw.gateway, gw.url, gw.gateway.config, silentLogger());
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
      await agent?.shutdown();
      await gw?.close();
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

      const countSql = `SELECT trace_role::INT AS trace_role, count(*)::INT AS n FROM http_events
        WHERE starts_with(req_path, $1) GROUP BY trace_role ORDER BY trace_role`;
      const counted = await waitFor(
        () => sql(countSql, [prefix]),
        (rows) => rows.length === 2 && rows.every((r) => Number(r.n) >= n),
        { what: `${n} http_events rows per side` },
      );
      expect(counted).toEqual([
        { trace_role: 1, n },
        { trace_role: 2, n },
      ]);

      const rows = await sql(
        `SELECT trace_role::INT AS trace_role, req_method, req_path, resp_status::INT AS resp_status,
           latency, req_body_size::INT AS req_body_size, resp_body,
           resp_body_size::INT AS resp_body_size, local_port::INT AS local_port,
           remote_port::INT AS remote_port, major_version::INT AS major_version,
           upid::VARCHAR AS upid, CAST((upid >> 64) & 4294967295 AS INT) AS pid
         FROM http_events WHERE starts_with(req_path, $1)`,
        [prefix],
      );
      for (const s of steps) {
        const [client] = rows.filter((r) => r.req_path === s.path && r.trace_role === 1);
        const [server] = rows.filter((r) => r.req_path === s.path && r.trace_role === 2);
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
        expect(BigInt(client!.latency!)).toBeGreaterThan(0n);
        expect(BigInt(server!.latency!)).toBeGreaterThan(0n);
      }

      // conn_stats: the latest cumulative row of each group agrees with what the clients counted.
      const latestSql = `SELECT CAST((upid >> 64) & 4294967295 AS INT) AS pid,
          remote_port::INT AS remote_port, trace_role::INT AS trace_role,
          arg_max(bytes_sent, time_) AS sent, arg_max(bytes_recv, time_) AS recv
        FROM conn_stats GROUP BY ALL`;
      // Per server: [what conn_stats says, what the clients counted], for the node client's side
      // (its one group per server) and the server's side (summed over its client connections).
      const compare = async () => {
        const rs = await sql(latestSql);
        return servers.map((srv) => {
          const fromNode = nodeClient.bytes[srv.port]!;
          const fromCurl = curlBytes[srv.port]!;
          const client = rs.find(
            (r) => r.trace_role === 1 && r.pid === nodeClient.pid && r.remote_port === srv.port,
          );
          const side = rs.filter((r) => r.trace_role === 2 && r.pid === srv.child.pid);
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

      // process_stats: each server is there, with memory, under the UPID its HTTP rows carry.
      for (const srv of servers) {
        const upid = rows.find((r) => r.trace_role === 2 && r.local_port === srv.port)!.upid;
        const stats = await waitFor(
          () =>
            sql(
              `SELECT upid::VARCHAR AS upid, rss_bytes FROM process_stats
               WHERE CAST((upid >> 64) & 4294967295 AS BIGINT) = $1`,
              [srv.child.pid!],
            ),
          (r) => r.length > 0,
          { what: `process_stats of the ${srv.name} server` },
        );
        expect(stats.every((r) => r.upid === upid)).toBe(true);
        expect(Number(stats[0]!.rss_bytes)).toBeGreaterThan(0);
      }
      const [md] = await waitFor(
        () =>
          sql('SELECT cmdline, pod_uid FROM _md_processes WHERE pid = $1', [
            servers[0]!.child.pid!,
          ]),
        (r) => r.length === 1,
        { what: 'process metadata of the node server' },
      );
      expect(md).toEqual({ cmdline: expect.stringContaining('node-server.js'), pod_uid: '' });
    }, 120000);
  },
);
