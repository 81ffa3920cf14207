import { join } from 'node:path';
import { TracedEndpoint } from '../../agent/src/protocols/common-columns';
import { dnsEventRow } from '../../agent/src/protocols/dns/dns-rows';
import { DnsStitcher } from '../../agent/src/protocols/dns/dns-stitcher';
import { Clock } from '../../agent/src/protocols/http/http-rows';
import { http2EventRow } from '../../agent/src/protocols/http2/http2-rows';
import { Http2Stitcher } from '../../agent/src/protocols/http2/http2-stitcher';
import { mysqlEventRow } from '../../agent/src/protocols/mysql/mysql-rows';
import { MysqlStitcher } from '../../agent/src/protocols/mysql/mysql-stitcher';
import { pgsqlEventRow } from '../../agent/src/protocols/pgsql/pgsql-rows';
import { PgsqlStitcher } from '../../agent/src/protocols/pgsql/pgsql-stitcher';
import { redisEventRow } from '../../agent/src/protocols/redis/redis-rows';
import { RedisStitcher } from '../../agent/src/protocols/redis/redis-stitcher';
import { ArrowStreamEncoder } from '../../agent/src/transport/arrow-stream';
import { TableColumns } from '../../agent/src/transport/columns';
import { Row } from '../../agent/src/transport/row';
import { decodeArrowStream } from '../../gateway/src/ingest/arrow';
import { ARROW_STREAM_TYPE } from '../../shared/contract/arrow';
import { Uint128 } from '../../shared/contract/uint128';
import { BUILTIN_SCHEMAS } from '../../shared/contract/schemas';
import { TableStore } from '../../gateway/src/store/table-store';
import { readCapture } from './capture-proxy';
import { runScript } from './http-script';

/**
 * Rows of the protocol tables as the agent makes them: the parsers' captured conversations
 * (real clients and servers, see each testdata/README.md) replayed through the agent's
 * stitchers and row builders, as if the agent had traced them on a given connection at a given
 * time. Tests ingest them (as Arrow, the agent's wire format) instead of inventing rows.
 */

export type ProtocolTable = 'dns_events' | 'pgsql_events' | 'mysql_events' | 'redis_events';
/** The tables captures give rows of: the protocol tables, and http_events from HTTP/2 and gRPC. */
export type CapturedTable = ProtocolTable | 'http_events';

const PROTOCOLS = join(__dirname, '..', '..', 'agent', 'src', 'protocols');

/** The captures of each table, by file name in agent/src/protocols/<protocol>/testdata. */
export const CAPTURES = {
  pgsql_events: ['psql', 'node-pg', 'pgbench-pipeline'],
  mysql_events: ['mariadb-cli', 'mysql2', 'mariadb-connector-pipeline'],
  redis_events: ['redis-cli', 'pipeline-inline', 'resp3'],
  dns_events: ['dig-udp', 'dig-tcp', 'node-resolver-udp'],
  // Python grpcio's unary and streaming calls (two NOT_FOUND, one UNIMPLEMENTED); Node's h2c.
  http_events: ['grpc-python', 'node-h2c'],
} as const satisfies Record<CapturedTable, readonly string[]>;

export type CaptureName<T extends CapturedTable> = (typeof CAPTURES)[T][number];

const FOLDER: Record<CapturedTable, string> = {
  pgsql_events: 'pgsql',
  mysql_events: 'mysql',
  redis_events: 'redis',
  dns_events: 'dns',
  http_events: 'http2',
};

/** One traced conversation: a capture replayed on a connection, starting at `startNs`. */
export interface Conversation<T extends CapturedTable = CapturedTable> {
  readonly table: T;
  readonly capture: CaptureName<T>;
  readonly endpoint: TracedEndpoint;
  /** Wall-clock ns of the capture's first read. */
  readonly startNs: bigint;
}

/** The rows the agent would send for one conversation, in the order it would send them. */
export function conversationRows(c: Conversation): Row[] {
  const steps = readCapture(join(PROTOCOLS, FOLDER[c.table], 'testdata', `${c.capture}.jsonl`));
  const clock: Clock = { fromMonotonic: (ns) => c.startNs + BigInt(Math.round(ns)) };
  const ep = c.endpoint;
  switch (c.table) {
    case 'pgsql_events':
      return runScript(new PgsqlStitcher(), steps).map((x) => pgsqlEventRow(x, ep, clock));
    case 'mysql_events':
      return runScript(new MysqlStitcher(), steps).map((x) => mysqlEventRow(x, ep, clock));
    case 'redis_events':
      return runScript(new RedisStitcher(), steps).map((x) => redisEventRow(x, ep, clock));
    case 'dns_events': {
      const stitcher = new DnsStitcher(c.capture.endsWith('-tcp') ? 'tcp' : 'udp');
      return runScript(stitcher, steps).map((x) => dnsEventRow(x, ep, clock));
    }
    case 'http_events':
      return runScript(new Http2Stitcher(), steps).map((x) => http2EventRow(x, ep, clock));
  }
}

/** The rows of many conversations, by table, each table's rows in time order. */
export function rowsByTable(conversations: readonly Conversation[]): Map<CapturedTable, Row[]> {
  const out = new Map<CapturedTable, Row[]>();
  for (const c of conversations) {
    const rows = out.get(c.table) ?? [];
    rows.push(...conversationRows(c));
    out.set(c.table, rows);
  }
  for (const rows of out.values()) rows.sort((a, b) => cmp(a.time_ as bigint, b.time_ as bigint));
  return out;
}

const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/** Rows encoded as the agent sends them: one Arrow IPC stream. */
export function arrowBody(table: string, rows: readonly Row[]): Uint8Array {
  const schema = BUILTIN_SCHEMAS.find((s) => s.name === table);
  if (!schema) throw new Error(`no built-in table ${table}`);
  const columns = new TableColumns(schema);
  for (const row of rows) columns.append(row);
  return new ArrowStreamEncoder(schema).encode(columns);
}

/** Stores rows in a table through the gateway's Arrow decoder, as ingest would. */
export async function appendArrow(
  store: TableStore,
  table: string,
  rows: readonly Row[],
): Promise<void> {
  await store.append(table, decodeArrowStream(store.registry.get(table), arrowBody(table, rows)));
}

/** Ingests rows through `POST /v1/ingest` as the agent sends them (Arrow); throws unless taken. */
export async function ingestArrow(
  url: string,
  table: string,
  rows: readonly Row[],
  headers: Record<string, string> = {},
): Promise<void> {
  const res = await fetch(`${url}/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': ARROW_STREAM_TYPE, 'x-pxgate-table': table, ...headers },
    // A copy typed over a plain ArrayBuffer, as the DOM types of fetch want it.
    body: new Uint8Array(arrowBody(table, rows)),
  });
  if (res.status !== 200) throw new Error(`ingest ${table}: ${res.status} ${await res.text()}`);
}

/** A UPID as PxL shows it: `asid:pid:start_ticks`. */
export function upidText(u: Uint128): string {
  return `${u.high >> 32n}:${u.high & 0xffffffffn}:${u.low}`;
}

/** A row with plain values (UPID as text, every string as a JS string), for expectations. */
export type PlainRow = Record<string, bigint | number | string | boolean>;

/** A row as plain values, as a TypeScript computation of a script's result reads it. */
export function plainRow(row: Row): PlainRow {
  const out: PlainRow = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'object') out[k] = 'high' in v ? upidText(v) : v.toString();
    else out[k] = v;
  }
  return out;
}
