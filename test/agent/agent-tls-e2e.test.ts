import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ebpfUnavailable, missingCommand } from '../support/ebpf';
import { SYSTEM_PYTHON, curlHttp2Unavailable, grpcUnavailable } from '../support/http2-peers';
import { describeIfAvailable } from '../support/system';
import { TracedGateway } from '../support/traced-gateway';
import { opensslUnavailable, selfSignedCertificate } from '../support/tls';
import { waitFor } from '../support/wait';

const FIXTURES = join(__dirname, '..', 'fixtures');
/** Requests per client and server pair. */
const N = 6;
/** gRPC unary calls (every third fails with NOT_FOUND). */
const CALLS = 9;

type Cell = string | number | boolean | null;
type Row = Record<string, Cell>;

/** Starts a fixture server and returns it with the JSON line it prints when listening. */
async function startFixture<T>(
  cmd: string,
  args: string[],
): Promise<{ child: ChildProcess; info: T }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line'),
    once(child, 'exit').then(() => {
      throw new Error(`${cmd} ${args.join(' ')} exited before listening`);
    }),
  ])) as [string];
  return { child, info: JSON.parse(line) as T };
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 30000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} failed: ${err.message} ${stderr}`)) : resolve(stdout),
    );
  });
}

/** The path of request `i` of a pair: every fourth asks for a 404. */
const pathOf = (prefix: string, i: number) =>
  i % 4 === 3 ? `${prefix}/${i}/status/404` : `${prefix}/${i}`;
const statusOf = (i: number) => (i % 4 === 3 ? 404 : 200);

describeIfAvailable(
  'TLS, HTTP/2 and gRPC through the agent, end to end on the real kernel',
  ebpfUnavailable() ??
    missingCommand('curl') ??
    opensslUnavailable() ??
    (existsSync(SYSTEM_PYTHON) ? undefined : `${SYSTEM_PYTHON} is missing`) ??
    curlHttp2Unavailable() ??
    grpcUnavailable(),
  () => {
    let px: TracedGateway;
    const tmp = mkdtempSync(join(tmpdir(), 'pxgate-tls-e2e-'));
    const cert = join(tmp, 'cert.pem');
    const key = join(tmp, 'key.pem');
    const children: ChildProcess[] = [];
    let py: { port: number; pid: number };
    let node: { https: number; h2tls: number; h2c: number; pid: number };
    const runId = randomBytes(4).toString('hex');

    /** Waits until the agent has placed uprobes on a file that process `pid` maps. */
    const tlsTraced = (pid: number, what: string) =>
      waitFor(
        () => {
          const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
          return px.px.logs.some(
            (l) => l.msg === 'attached TLS uprobes' && maps.includes(` ${String(l.path)}\n`),
          );
        },
        (yes) => yes,
        { what: `uprobes on the TLS library of ${what}`, timeoutMs: 60000 },
      );

    /** The http_events rows of this run whose path contains `marker`. */
    const rowsOf = async (marker: string): Promise<Row[]> =>
      (
        await px.pxl(`import px
df = px.DataFrame(table='http_events', start_time='-10m')
df = df[px.contains(df.req_path, '${marker}')]
df.grpc_status = px.pluck(df.resp_headers, 'grpc-status')
px.display(df[['trace_role', 'encrypted', 'major_version', 'req_path', 'resp_status', 'grpc_status', 'local_port', 'remote_port']], 'rows')`)
      ).rows!;

    /**
     * Waits until each pair (the path's part after the marker) has `n` rows on each side, and
     * returns the rows; a timeout shows the counts per pair and side.
     */
    const sides = async (marker: string, pairs: string[], n: number) => {
      const counts = (rows: Row[]) => {
        const c: Record<string, number> = {};
        for (const p of pairs) for (const side of ['client', 'server']) c[`${p} ${side}`] = 0;
        for (const r of rows) {
          const pair = String(r.req_path).slice(marker.length).split('/')[0];
          const key = `${pair} ${r.trace_role === 1 ? 'client' : 'server'}`;
          if (key in c) c[key]!++;
        }
        return c;
      };
      await waitFor(
        async () => counts(await rowsOf(marker)),
        (c) => Object.values(c).every((x) => x >= n),
        { what: `${n} rows on each side of each pair under ${marker}`, timeoutMs: 60000 },
      );
      const rows = await rowsOf(marker);
      return {
        client: rows.filter((r) => r.trace_role === 1),
        server: rows.filter((r) => r.trace_role === 2),
      };
    };

    /**
     * Waits for each pair's N rows on each side (requests made by `call` under `marker`) and
     * checks them: one row per request on each side, its path, status, version and encryption.
     */
    const expectPairs = async (
      marker: string,
      pairs: { name: string; encrypted: boolean; major: number }[],
    ) => {
      const { client, server } = await sides(
        marker,
        pairs.map((p) => p.name),
        N,
      );
      for (const pair of pairs) {
        const prefix = `${marker}${pair.name}`;
        const expected = Array.from({ length: N }, (_, i) => ({
          encrypted: pair.encrypted,
          major_version: pair.major,
          req_path: pathOf(prefix, i),
          resp_status: statusOf(i),
        })).sort((a, b) => a.req_path.localeCompare(b.req_path));
        const pick = (rows: Row[]) =>
          rows
            .filter((r) => String(r.req_path).startsWith(`${prefix}/`))
            .map((r) => ({
              encrypted: r.encrypted,
              major_version: r.major_version,
              req_path: r.req_path,
              resp_status: r.resp_status,
            }))
            .sort((a, b) => String(a.req_path).localeCompare(String(b.req_path)));
        for (const [side, rows] of [
          ['client', client],
          ['server', server],
        ] as const) {
          expect({ pair: pair.name, side, rows: pick(rows) }).toEqual({
            pair: pair.name,
            side,
            rows: expected,
          });
        }
      }
    };

    beforeAll(async () => {
      const c = selfSignedCertificate();
      writeFileSync(cert, c.cert);
      writeFileSync(key, c.key);
      // `pxgate start` as users run it, sampling faster than its defaults.
      px = await TracedGateway.start('  connStatsInterval: 250ms\n  processInterval: 500ms\n');
      const p = await startFixture<{ port: number }>(SYSTEM_PYTHON, [
        join(FIXTURES, 'tls', 'py_https_server.py'),
        cert,
        key,
      ]);
      const n = await startFixture<{ https: number; h2tls: number; h2c: number }>(
        process.execPath,
        [join(FIXTURES, 'tls', 'node_servers.js'), cert, key],
      );
      children.push(p.child, n.child);
      py = { ...p.info, pid: p.child.pid! };
      node = { ...n.info, pid: n.child.pid! };
      // The servers started after the agent: their libraries are found from the kernel's events.
      await tlsTraced(py.pid, 'the Python server');
      await tlsTraced(node.pid, 'the Node servers');
    }, 120000);

    afterAll(async () => {
      for (const c of children) {
        c.kill('SIGTERM');
        if (c.exitCode === null) await once(c, 'exit');
      }
      expect(await px?.stop()).toBe(0);
      rmSync(tmp, { recursive: true, force: true });
    });

    /** N requests of one client to one server, each checked as the client saw it. */
    const call = async (client: string, base: string, prefix: string, curlArgs: string[] = []) => {
      if (client === 'curl') {
        for (let i = 0; i < N; i++) {
          const out = await run('curl', [
            '-sk',
            ...curlArgs,
            '-o',
            '/dev/null',
            '-w',
            '%{http_code} %{http_version}',
            `${base}${pathOf(prefix, i)}`,
          ]);
          expect(out.split(' ')[0]).toBe(String(statusOf(i)));
          if (curlArgs.length > 0) expect(out.split(' ')[1]).toBe('2');
        }
        return;
      }
      const paths = Array.from({ length: N }, (_, i) => pathOf(prefix, i));
      const script = join(FIXTURES, 'tls', 'node_client.js');
      const out = JSON.parse(
        await run(process.execPath, [script, client, base, JSON.stringify(paths)]),
      );
      expect((out as { statuses: number[] }).statuses).toEqual(paths.map((_, i) => statusOf(i)));
    };

    it('records each HTTPS request once on each side, encrypted, with its path and status, and nothing from the ciphertext', async () => {
      const marker = `/tls-${runId}/`;
      const pairs = [
        { server: 'python', base: `https://127.0.0.1:${py.port}`, client: 'curl' },
        { server: 'python', base: `https://127.0.0.1:${py.port}`, client: 'https' },
        { server: 'node', base: `https://127.0.0.1:${node.https}`, client: 'curl' },
        { server: 'node', base: `https://127.0.0.1:${node.https}`, client: 'https' },
      ];
      for (const pair of pairs) {
        await call(pair.client, pair.base, `${marker}${pair.server}-${pair.client}`);
      }
      await expectPairs(
        marker,
        pairs.map((p) => ({ name: `${p.server}-${p.client}`, encrypted: true, major: 1 })),
      );
      // The same connections' ciphertext: no row that is not TLS plaintext, on either side.
      const ports = [py.port, node.https];
      const onPorts = (local: string, remote: string) =>
        ports.map((p) => `${local} == ${p} or ${remote} == ${p}`).join(' or ');
      const { plain } = await px.pxl(`import px
df = px.DataFrame(table='http_events', start_time='-10m')
df = df[(${onPorts('df.local_port', 'df.remote_port')}) and df.encrypted == False]
px.display(df[['req_path', 'local_port', 'remote_port']], 'plain')`);
      expect(plain).toEqual([]);
      // conn_stats rows are cumulative and written every interval: a client group's latest row
      // says whether TLS was seen on it (the rows written at the open, before any byte moved,
      // cannot know yet). One group per curl process and one per Node client.
      const latest = await waitFor(
        async () => {
          const { conns } = await px.pxl(`import px
c = px.DataFrame(table='conn_stats', start_time='-10m')
c = c[(c.remote_port == ${ports[0]} or c.remote_port == ${ports[1]}) and c.trace_role == 1]
c.pid = px.upid_to_pid(c.upid)
px.display(c[['time_', 'pid', 'remote_port', 'ssl']], 'conns')`);
          const groups = new Map<string, Row>();
          for (const r of conns!) {
            const group = `${r.pid}:${r.remote_port}`;
            if (BigInt(String(r.time_)) >= BigInt(String(groups.get(group)?.time_ ?? 0)))
              groups.set(group, r);
          }
          return [...groups.values()];
        },
        (groups) => groups.length >= 2 * N + 2 && groups.every((r) => r.ssl === true),
        { what: 'conn_stats of every TLS client marked ssl', timeoutMs: 30000 },
      );
      expect(latest.map((r) => r.ssl)).toEqual(Array(2 * N + 2).fill(true));
    }, 180000);

    it('records each HTTP/2 request once on each side, h2c and TLS (ALPN h2), from curl and a Node client', async () => {
      const marker = `/h2-${runId}/`;
      const pairs = [
        {
          name: 'h2c-curl',
          base: `http://127.0.0.1:${node.h2c}`,
          client: 'curl',
          args: ['--http2-prior-knowledge'],
          tls: false,
        },
        {
          name: 'h2c-node',
          base: `http://127.0.0.1:${node.h2c}`,
          client: 'http2',
          args: [],
          tls: false,
        },
        {
          name: 'h2tls-curl',
          base: `https://127.0.0.1:${node.h2tls}`,
          client: 'curl',
          args: ['--http2'],
          tls: true,
        },
        {
          name: 'h2tls-node',
          base: `https://127.0.0.1:${node.h2tls}`,
          client: 'http2',
          args: [],
          tls: true,
        },
      ];
      for (const pair of pairs)
        await call(pair.client, pair.base, `${marker}${pair.name}`, pair.args);
      await expectPairs(
        marker,
        pairs.map((p) => ({ name: p.name, encrypted: p.tls, major: 2 })),
      );
    }, 180000);

    it.each([
      { transport: 'h2c', tls: false },
      { transport: 'TLS (ALPN h2)', tls: true },
    ])(
      'records each gRPC unary call over $transport once on each side with its method path and grpc-status',
      async ({ tls }) => {
        const peer = join(FIXTURES, 'http2', 'grpc_peer.py');
        const grpc = await startFixture<{ port: number }>(SYSTEM_PYTHON, [
          peer,
          'server',
          ...(tls ? [cert, key] : []),
        ]);
        children.push(grpc.child);
        if (tls) await tlsTraced(grpc.child.pid!, 'the gRPC server');
        const port = grpc.info.port;
        const out = JSON.parse(
          await run(SYSTEM_PYTHON, [
            peer,
            'client',
            String(port),
            String(CALLS),
            ...(tls ? [cert] : []),
          ]),
        ) as { ok: number; failed: number };
        expect(out).toMatchObject({ ok: (CALLS * 2) / 3, failed: CALLS / 3 + 1 });
        const rows = await waitFor(
          async () =>
            (await rowsOf('/pxgate.test.Greeter/SayHello')).filter(
              (r) => r.local_port === port || r.remote_port === port,
            ),
          (r) => [1, 2].every((role) => r.filter((x) => x.trace_role === role).length >= CALLS),
          { what: `${CALLS} gRPC rows on each side`, timeoutMs: 60000 },
        );
        for (const role of [1, 2]) {
          const side = rows.filter((r) => r.trace_role === role);
          expect(side.map((r) => [r.req_path, r.major_version, r.encrypted])).toEqual(
            Array(CALLS).fill(['/pxgate.test.Greeter/SayHello', 2, tls]),
          );
          const statuses = side.map((r) => r.grpc_status).sort();
          expect(statuses).toEqual([
            ...Array((CALLS * 2) / 3).fill('0'),
            ...Array(CALLS / 3).fill('5'),
          ]);
        }
      },
      120000,
    );
  },
);
