import { TableColumns } from '../../agent/src/transport/columns';
import { Row } from '../../agent/src/transport/row';
import { TableSchema } from '../../shared/contract/types';

/** A deterministic pseudo-random generator (mulberry32), so generated data repeats exactly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const PATHS = ['/api/v1/users', '/api/v1/orders', '/healthz', '/api/v1/cart/items', '/login'];
const STATUSES = [200, 200, 200, 200, 201, 204, 301, 400, 404, 500, 503];

export interface HttpRowOptions {
  /** Time of the first row, in ns since the epoch. */
  startNs?: bigint;
  /** Spacing between rows, in ns. */
  stepNs?: bigint;
  seed?: number;
}

/** Generates `http_events` rows as the JSON ingest API takes them. */
export function httpRows(n: number, opts: HttpRowOptions = {}): Record<string, unknown>[] {
  const rand = rng(opts.seed ?? 1);
  const start = opts.startNs ?? BigInt(Date.now() - 60_000) * 1_000_000n;
  const step = opts.stepNs ?? 1_000_000n;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const pid = 1000 + Math.floor(rand() * 8);
    rows.push({
      time_: String(start + BigInt(i) * step),
      upid: `1:${pid}:${pid * 17}`,
      remote_addr: `10.0.${Math.floor(rand() * 4)}.${1 + Math.floor(rand() * 20)}`,
      remote_port: 30000 + Math.floor(rand() * 1000),
      local_addr: '10.0.9.1',
      local_port: 8080,
      trace_role: rand() < 0.5 ? 1 : 2,
      major_version: 1,
      minor_version: 1,
      content_type: 1,
      req_headers: '{"Host":"svc"}',
      req_method: pick(METHODS),
      req_path: `${pick(PATHS)}/${Math.floor(rand() * 100)}`,
      req_body: '',
      req_body_size: Math.floor(rand() * 500),
      resp_headers: '{"Content-Type":"application/json"}',
      resp_status: pick(STATUSES),
      resp_message: 'OK',
      resp_body: '{"ok":true}',
      resp_body_size: Math.floor(rand() * 5000),
      latency: 100_000 + Math.floor(rand() * 50_000_000),
    });
  }
  return rows;
}

/** The bytes each STRING column of `schema` receives for `row`, as the agent's columns write them. */
export function writtenText(schema: TableSchema, row: Row): Record<string, string> {
  const columns = new TableColumns(schema);
  columns.append(row);
  const out: Record<string, string> = {};
  schema.columns.forEach((c, i) => {
    if (c.type !== 'STRING') return;
    const [offsets, data] = columns.builders[i]!.buffers(1);
    const o = new Int32Array(offsets!.buffer, offsets!.byteOffset, 2);
    out[c.name] = Buffer.from(data!.buffer, data!.byteOffset + o[0]!, o[1]! - o[0]!).toString();
  });
  return out;
}
