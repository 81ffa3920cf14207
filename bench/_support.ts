import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { FixedSizeBinary, Table, makeData, makeVector, vectorFromArray, Utf8 } from 'apache-arrow';

/** The machine a benchmark ran on, for its report. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} x ${cpu}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export interface GatewayProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `pxgate gateway` from the build as a child process on a free port. With `logFile`, the
 * gateway's whole log (JSON lines on stderr) is kept there; otherwise it is read until the
 * gateway listens and then discarded. `nodeArgs` go to node itself (a profiler's, say).
 */
export async function startGatewayProcess(
  args: string[] = [],
  logFile?: string,
  nodeArgs: readonly string[] = [],
): Promise<GatewayProcess> {
  const bin = join(__dirname, '..', '..', 'bin', 'pxgate.js');
  const child = spawn(
    process.execPath,
    [...nodeArgs, bin, 'gateway', '--listen', '127.0.0.1:0', '--log-level', 'info', ...args],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  if (logFile) child.stderr!.pipe(createWriteStream(logFile));
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString();
      for (const line of buf.split('\n')) {
        if (line.includes('gateway listening')) {
          child.stderr!.off('data', onData);
          if (!logFile) child.stderr!.resume();
          resolve((JSON.parse(line) as { url: string }).url);
          return;
        }
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${buf}`)));
  });
  return {
    url,
    pid: child.pid!,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Resident and peak resident memory of a process, in MiB (from /proc). */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const PATHS = ['/api/v1/users', '/api/v1/orders', '/healthz', '/api/v1/cart/items', '/login'];
const STATUS = [200, 200, 200, 201, 204, 404, 500];
const SERVER_PORTS = [8080, 80, 9090];
const REQ_HEADERS =
  '{"Accept":"application/json","Host":"orders.shop.svc.cluster.local:8080","User-Agent":"Go-http-client/1.1"}';
const RESP_HEADERS = '{"Content-Length":"112","Content-Type":"application/json"}';

/** Columns of `n` realistic http_events rows, as plain JS arrays (the input both sides share). */
export interface HttpColumns {
  time_: BigInt64Array;
  upid: Uint8Array;
  remote_addr: string[];
  remote_port: BigInt64Array;
  local_addr: string[];
  local_port: BigInt64Array;
  trace_role: BigInt64Array;
  major_version: BigInt64Array;
  minor_version: BigInt64Array;
  content_type: BigInt64Array;
  req_headers: string[];
  req_method: string[];
  req_path: string[];
  req_body: string[];
  req_body_size: BigInt64Array;
  resp_headers: string[];
  resp_status: BigInt64Array;
  resp_message: string[];
  resp_body: string[];
  resp_body_size: BigInt64Array;
  latency: BigInt64Array;
}

/** Generates `n` http_events rows starting at `startNs`, one microsecond apart. */
export function httpColumns(n: number, startNs: bigint): HttpColumns {
  const ints = () => new BigInt64Array(n);
  const c: HttpColumns = {
    time_: ints(),
    upid: new Uint8Array(16 * n),
    remote_addr: new Array<string>(n),
    remote_port: ints(),
    local_addr: new Array<string>(n),
    local_port: ints(),
    trace_role: ints(),
    major_version: ints(),
    minor_version: ints(),
    content_type: ints(),
    req_headers: new Array<string>(n),
    req_method: new Array<string>(n),
    req_path: new Array<string>(n),
    req_body: new Array<string>(n),
    req_body_size: ints(),
    resp_headers: new Array<string>(n),
    resp_status: ints(),
    resp_message: new Array<string>(n),
    resp_body: new Array<string>(n),
    resp_body_size: ints(),
    latency: ints(),
  };
  const upids = new DataView(c.upid.buffer);
  for (let i = 0; i < n; i++) {
    const k = (i * 2654435761) >>> 0;
    c.time_[i] = startNs + BigInt(i) * 1000n;
    upids.setBigUint64(16 * i, 12345n + BigInt(k % 8), true);
    upids.setBigUint64(16 * i + 8, 1000n + BigInt(k % 8), true);
    const client = k % 2 === 0;
    // A server sees its clients' addresses and ephemeral ports; a client calls a few services
    // on their listening ports.
    c.remote_addr[i] = client ? `10.96.${k % 3}.${10 + (k % 7)}` : `10.244.${k % 3}.${k % 250}`;
    c.remote_port[i] = BigInt(
      client ? SERVER_PORTS[k % SERVER_PORTS.length]! : 30000 + (k % 20000),
    );
    c.local_addr[i] = '10.244.9.17';
    c.local_port[i] = 8080n;
    c.trace_role[i] = client ? 1n : 2n;
    c.major_version[i] = 1n;
    c.minor_version[i] = 1n;
    c.content_type[i] = 1n;
    c.req_headers[i] = REQ_HEADERS;
    c.req_method[i] = METHODS[k % METHODS.length]!;
    c.req_path[i] = `${PATHS[k % PATHS.length]}/${k % 1000}`;
    c.req_body[i] = k % 4 === 0 ? `{"id":${k % 1000},"qty":2}` : '';
    c.req_body_size[i] = BigInt(k % 4 === 0 ? 20 : 0);
    c.resp_headers[i] = RESP_HEADERS;
    c.resp_status[i] = BigInt(STATUS[k % STATUS.length]!);
    c.resp_message[i] = 'OK';
    c.resp_body[i] = `{"items":[{"id":${k % 1000},"name":"widget"}],"total":1}`;
    c.resp_body_size[i] = 112n;
    c.latency[i] = BigInt(200_000 + (k % 5_000_000));
  }
  return c;
}

/** The same columns as an Arrow table, with plain (not dictionary) Utf8 strings. */
export function httpArrowTable(c: HttpColumns): Table {
  const n = c.time_.length;
  const cols: Record<string, ReturnType<typeof makeVector>> = {};
  for (const [name, values] of Object.entries(c)) {
    if (name === 'upid') {
      cols[name] = makeVector(
        makeData({ type: new FixedSizeBinary(16), length: n, data: values as Uint8Array }),
      );
    } else if (Array.isArray(values)) {
      cols[name] = vectorFromArray(values, new Utf8());
    } else {
      cols[name] = makeVector(values as BigInt64Array);
    }
  }
  return new Table(cols);
}

/** The same rows as the JSON ingest API takes them. */
export function httpJsonRows(c: HttpColumns): Record<string, unknown>[] {
  const n = c.time_.length;
  const view = new DataView(c.upid.buffer);
  const rows: Record<string, unknown>[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {};
    for (const [name, values] of Object.entries(c)) {
      if (name === 'upid') {
        row.upid = `${view.getBigUint64(16 * i + 8, true)}:${view.getBigUint64(16 * i, true)}`;
      } else if (name === 'time_') {
        row.time_ = String((values as BigInt64Array)[i]);
      } else if (Array.isArray(values)) {
        row[name] = values[i];
      } else {
        row[name] = Number((values as BigInt64Array)[i]);
      }
    }
    rows[i] = row;
  }
  return rows;
}
