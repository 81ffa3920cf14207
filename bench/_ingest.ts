import { BIGINT, DuckDBInstance } from '@duckdb/node-api';
import { tableToIPC } from 'apache-arrow';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsyncPolicy } from '../cli/config/schema';
import { HTTP_EVENTS } from '../shared/contract/schemas';
import { ChunkWriter } from '../gateway/src/store/chunk-writer';
import { NO_CHECKPOINT, logicalType } from '../gateway/src/store/table-store';
import { ColumnBatch, ColumnData } from '../gateway/src/store/batch';
import { quoteIdent } from '../gateway/src/store/sql';
import {
  HttpColumns,
  fmt,
  httpArrowTable,
  httpColumns,
  httpJsonRows,
  machine,
  median,
  startGatewayProcess,
} from './_support';

const ROWS = Number(process.env.BENCH_ROWS ?? 300_000);
const BATCH = 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const IN_FLIGHT = 2;

/** How a gateway of a phase keeps its rows: in memory, or with a data directory and a policy. */
type Keeping = 'memory' | FsyncPolicy;

/**
 * Ingest over HTTP on loopback (a gateway child process, batches of 10,000 rows, two requests in
 * flight) against the ceiling: the same rows appended straight into DuckDB in this process with
 * the fastest writer we have, without HTTP, decoding or validation. With `durable`, the same run
 * also measures gateways with a data directory (write-ahead log, fsync `interval` and
 * `always`), and the last line gives their cost next to the in-memory one; the peer ratio stays
 * the in-memory gateway's (the peer keeps nothing on disk either).
 */
export async function runIngestBench(
  name: string,
  format: 'arrow' | 'json',
  durable = false,
): Promise<void> {
  console.log(
    `${name}: ${fmt(ROWS)} http_events rows per round, batches of ${fmt(BATCH)}, ${ROUNDS} rounds; ${machine()}`,
  );
  const start = BigInt(Date.now()) * 1_000_000n;
  const batches: HttpColumns[] = [];
  for (let off = 0; off < ROWS; off += BATCH)
    batches.push(httpColumns(Math.min(BATCH, ROWS - off), start + BigInt(off) * 1000n));
  const bodies = batches.map((c) =>
    format === 'arrow'
      ? Buffer.from(tableToIPC(httpArrowTable(c), 'stream'))
      : Buffer.from(JSON.stringify({ table: 'http_events', rows: httpJsonRows(c) })),
  );
  const mb = bodies.reduce((n, b) => n + b.length, 0) / 1024 / 1024;
  console.log(`${name}: ${mb.toFixed(1)} MiB of ${format} bodies per round`);
  const peerBatches = batches.map(toColumnBatch);
  const kinds: Keeping[] = durable ? ['memory', 'interval', 'always'] : ['memory'];
  const ours = new Map<Keeping, number[]>(kinds.map((k) => [k, []]));
  const peer: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const k of kinds) ours.get(k)!.push(await oursRound(bodies, format, k));
    peer.push(await peerRound(peerBatches));
    const figures = kinds.map((k) => `${label(k)} ${fmt(ours.get(k)![round]!)}`).join(', ');
    console.log(`${name}: round ${round + 1}: ${figures}, peer ${fmt(peer[round]!)} rows/s`);
  }
  const o = median(ours.get('memory')!);
  const p = median(peer);
  const costs = kinds
    .filter((k) => k !== 'memory')
    .map((k) => {
      const d = median(ours.get(k)!);
      return `${label(k)} ${fmt(d)} rows/s (${(d / o).toFixed(2)} of in-memory)`;
    });
  console.log(
    `${name}: ours ${fmt(o)} rows/s, ${costs.map((c) => `${c}, `).join('')}peer ${fmt(p)} rows/s, ratio ${(o / p).toFixed(2)}`,
  );
}

function label(k: Keeping): string {
  return k === 'memory' ? 'in-memory' : `durable (fsync ${k})`;
}

async function oursRound(
  bodies: Buffer[],
  format: 'arrow' | 'json',
  keeping: Keeping,
): Promise<number> {
  const dir = keeping === 'memory' ? undefined : mkdtempSync(join(tmpdir(), 'pxgate-bench-'));
  const args = ['--store-limit-mb', '8192'];
  if (dir) {
    writeFileSync(join(dir, 'pxgate.yaml'), `store:\n  fsync: ${keeping}\n`);
    args.push('--config', join(dir, 'pxgate.yaml'), '--data-dir', join(dir, 'data'));
  }
  const gw = await startGatewayProcess(args);
  const headers: Record<string, string> =
    format === 'arrow'
      ? { 'content-type': 'application/vnd.apache.arrow.stream', 'x-pxgate-table': 'http_events' }
      : { 'content-type': 'application/json' };
  try {
    let next = 0;
    let rows = 0;
    const t0 = performance.now();
    const worker = async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await fetch(`${gw.url}/v1/ingest`, { method: 'POST', headers, body });
        const answer = (await res.json()) as { rows?: number; error?: { message: string } };
        if (!res.ok) throw new Error(`ingest failed: ${answer.error?.message}`);
        rows += answer.rows!;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const seconds = (performance.now() - t0) / 1000;
    if (rows !== ROWS) throw new Error(`stored ${rows} rows, expected ${ROWS}`);
    return rows / seconds;
  } finally {
    await gw.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

async function peerRound(batches: ColumnBatch[]): Promise<number> {
  // As the store runs DuckDB: without automatic checkpoints.
  const instance = await DuckDBInstance.create(':memory:', { checkpoint_threshold: NO_CHECKPOINT });
  const conn = await instance.connect();
  const types = [...HTTP_EVENTS.columns.map((c) => logicalType(c.type)), BIGINT];
  const cols = [...HTTP_EVENTS.columns.map((c) => c.name), '_seq'];
  await conn.run(
    `CREATE TABLE t (${cols.map((c, i) => `${quoteIdent(c)} ${types[i]!.toString()}`).join(', ')})`,
  );
  const writer = new ChunkWriter(types);
  const t0 = performance.now();
  let seq = 1;
  for (const batch of batches) {
    const appender = await conn.createAppender('t');
    writer.append(appender, batch, 0, batch.rowCount, seq);
    appender.closeSync();
    seq += batch.rowCount;
  }
  const seconds = (performance.now() - t0) / 1000;
  const count = (await conn.runAndReadAll('SELECT count(*) FROM t')).getRows()[0]![0];
  if (count !== BigInt(ROWS)) throw new Error(`peer stored ${count} rows`);
  conn.closeSync();
  instance.closeSync();
  return ROWS / seconds;
}

function toColumnBatch(c: HttpColumns): ColumnBatch {
  const columns: ColumnData[] = HTTP_EVENTS.columns.map((col) => {
    const values = c[col.name as keyof HttpColumns];
    if (col.type === 'STRING')
      return { type: 'STRING', values: { kind: 'strings', values: values as string[] } };
    if (col.type === 'UINT128') {
      const bytes = values as Uint8Array;
      return {
        type: 'UINT128',
        values: new BigUint64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8),
      };
    }
    return { type: col.type as 'INT64', values: values as BigInt64Array };
  });
  return { rowCount: c.time_.length, columns, bytes: 0, maxTime: undefined };
}
