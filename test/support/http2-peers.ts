import { spawn, spawnSync } from 'node:child_process';
import http2 from 'node:http2';
import net from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';

/** Debian's Python, which has grpcio (the pyenv python3 first on PATH does not). */
export const SYSTEM_PYTHON = '/usr/bin/python3';
const GRPC_PEER = join(__dirname, '..', 'fixtures', 'http2', 'grpc_peer.py');

/** Why the gRPC peers cannot run here, or undefined when they can. */
export function grpcUnavailable(): string | undefined {
  const r = spawnSync(SYSTEM_PYTHON, ['-c', 'import grpc'], { encoding: 'utf8' });
  return r.status === 0
    ? undefined
    : `${SYSTEM_PYTHON} has no grpcio (apt-get install python3-grpcio)`;
}

/** Why curl cannot speak HTTP/2 here, or undefined when it can. */
export function curlHttp2Unavailable(): string | undefined {
  const r = spawnSync('curl', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) return 'curl is not installed';
  return /\bHTTP2\b/.test(r.stdout) ? undefined : 'this curl has no HTTP/2 (nghttp2)';
}

/** A large header value: past the default 16 KiB frame size, so it needs CONTINUATION frames. */
export const BIG_HEADER = 17000;

/**
 * A Node `http2` h2c server on a free loopback port. `/status/NNN` answers NNN; `/api/trailers`
 * ends with trailers; `/api/slow` answers after the next request has been answered; a request
 * with `x-big` gets a response header `x-big` as long; anything else answers JSON with the
 * method and the size of the request body.
 */
export async function startNodeH2Server(
  options: http2.ServerOptions = {},
): Promise<{ port: number; close(): Promise<void> }> {
  const server = http2.createServer(options);
  let releaseSlow: (() => void) | undefined;
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    let received = 0;
    stream.on('data', (d: Buffer) => (received += d.length));
    stream.on('end', () => {
      const status = /\/status\/(\d{3})$/.exec(path);
      if (status) {
        stream.respond({ ':status': Number(status[1]), 'content-type': 'text/plain' });
        stream.end(`status ${status[1]}`);
      } else if (path === '/api/trailers') {
        stream.respond({ ':status': 200, 'content-type': 'text/plain' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'x-checksum': 'c0ffee' }));
        stream.end('with trailers');
      } else if (path === '/api/slow') {
        releaseSlow = () => json(stream, 200, { slow: true });
      } else {
        const extra = headers['x-big'] ? { 'x-big': 'b'.repeat(BIG_HEADER) } : {};
        json(
          stream,
          path.startsWith('/api/orders') ? 201 : 200,
          {
            method: headers[':method'],
            received,
          },
          extra,
        );
        releaseSlow?.();
        releaseSlow = undefined;
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function json(
  stream: http2.ServerHttp2Stream,
  status: number,
  body: unknown,
  extra: http2.OutgoingHttpHeaders = {},
): void {
  stream.respond({ ':status': status, 'content-type': 'application/json', ...extra });
  stream.end(JSON.stringify(body));
}

/** One request of a Node client conversation. */
export interface H2Request {
  readonly method?: string;
  readonly path: string;
  readonly headers?: http2.OutgoingHttpHeaders;
  readonly body?: string;
  /** Sent together with the request before it instead of after its answer. */
  readonly concurrent?: boolean;
}

/**
 * Sends the requests on one Node `http2` client session (h2c), each after the previous one's
 * answer unless marked concurrent, and closes the session. Returns the statuses in order.
 */
export async function nodeH2Client(
  port: number,
  requests: readonly H2Request[],
  options: http2.ClientSessionOptions = {},
): Promise<number[]> {
  const session = http2.connect(`http://127.0.0.1:${port}`, options);
  const statuses: number[] = [];
  const one = (r: H2Request) =>
    new Promise<number>((resolve, reject) => {
      const req = session.request({
        ':method': r.method ?? 'GET',
        ':path': r.path,
        ...(r.body ? { 'content-type': 'application/json' } : {}),
        ...r.headers,
      });
      let status = 0;
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', () => undefined);
      req.on('end', () => resolve(status));
      req.on('error', reject);
      req.end(r.body);
    });
  for (let i = 0; i < requests.length; i++) {
    const batch = [requests[i]!];
    while (requests[i + 1]?.concurrent) batch.push(requests[++i]!);
    statuses.push(...(await Promise.all(batch.map(one))));
  }
  await new Promise<void>((resolve) => session.close(resolve));
  return statuses;
}

/** Runs curl with prior-knowledge h2c on the given URLs' arguments; resolves with its stdout. */
export async function curlH2(args: readonly string[]): Promise<string> {
  const child = spawn('curl', ['-sS', '--http2-prior-knowledge', ...args], { stdio: 'pipe' });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`curl exited with ${code}`);
  return out;
}

/** The Python grpcio server (grpc_peer.py); resolves once it listens. */
export async function startGrpcServer(): Promise<{ port: number; close(): Promise<void> }> {
  const child = spawn(SYSTEM_PYTHON, [GRPC_PEER, 'server'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const { port } = JSON.parse(line.toString()) as { port: number };
  return {
    port,
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill();
      await once(child, 'exit');
    },
  };
}

/** Runs the Python grpcio client (grpc_peer.py) for `n` unary calls; resolves with its counts. */
export async function grpcClient(
  port: number,
  n: number,
): Promise<{ ok: number; failed: number; streamed: number }> {
  const child = spawn(SYSTEM_PYTHON, [GRPC_PEER, 'client', String(port), String(n)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`grpc client exited with ${code}`);
  return JSON.parse(out) as { ok: number; failed: number; streamed: number };
}
