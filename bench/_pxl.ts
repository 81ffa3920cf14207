import { tableToIPC } from 'apache-arrow';
import { silentLogger } from '../shared/common/logger';
import { decodeArrowStream } from '../gateway/src/ingest/arrow';
import { PxlEngine } from '../gateway/src/pxl/engine';
import { TableStore } from '../gateway/src/store/table-store';
import { HttpColumns, httpArrowTable, httpColumns, median } from './_support';

/** Rows of http_events the PxL benchmarks query. */
export const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
/** The rows span this many ns before NOW (300 µs apart for 1M rows: five minutes). */
export const SPAN_NS = 300_000_000_000n;
export const NOW = 1_800_000_000_000_000_000n;
export const START = NOW - SPAN_NS;
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

/** A representative script, the hand-written DuckDB SQL that gives its result, and whether row order is defined. */
export interface BenchScript {
  readonly name: string;
  readonly pxl: string;
  readonly sql: string;
  readonly ordered: boolean;
}

const PX = "import px\ndf = px.DataFrame('http_events', start_time='-10m')\n";
/**
 * errors_by_path keeps the (path, status) groups with at least this many errors: the generated
 * rows give 2,000 groups of 140 to 146 errors each, and 672 of them reach 144.
 */
export const MIN_ERRORS = 144;
const WINDOW = `${NOW - 600_000_000_000n}`;

const SCRIPTS: readonly BenchScript[] = [
  {
    name: 'window_stats',
    ordered: true,
    pxl: `${PX}df.window = px.bin(df.time_, px.seconds(10))
df.failure = df.resp_status >= 400
df = df.groupby(['window', 'req_method']).agg(
    requests=('latency', px.count),
    mean_latency=('latency', px.mean),
    error_rate=('failure', px.mean),
    latency=('latency', px.quantiles),
)
df.p50 = px.pluck_float64(df.latency, 'p50')
df.p99 = px.pluck_float64(df.latency, 'p99')
px.display(df.drop('latency'), 'out')`,
    sql: `SELECT "window", req_method, requests, mean_latency, error_rate, q[1] AS p50, q[2] AS p99 FROM (
  SELECT time_ - time_ % 10000000000 AS "window", req_method, count(*) AS requests,
    avg(latency) AS mean_latency, avg(CAST(resp_status >= 400 AS INTEGER)) AS error_rate,
    quantile_cont(latency, [0.5, 0.99]) AS q
  FROM http_events WHERE time_ >= ${WINDOW} GROUP BY ALL
) ORDER BY "window", req_method`,
  },
  {
    name: 'slow_requests',
    ordered: true,
    pxl: `${PX}df = df[df.latency > 4900000 and px.contains(df.req_path, 'cart')]
px.display(df[['time_', 'req_method', 'req_path', 'resp_status', 'latency']].head(100), 'out')`,
    sql: `SELECT time_, req_method, req_path, resp_status, latency FROM http_events
WHERE time_ >= ${WINDOW} AND latency > 4900000 AND contains(req_path, 'cart')
ORDER BY _seq LIMIT 100`,
  },
  {
    name: 'errors_by_path',
    ordered: true,
    pxl: `${PX}df = df[df.resp_status >= 400]
df = df.groupby(['req_path', 'resp_status']).agg(errors=('latency', px.count), worst=('latency', px.max))
px.display(df[df.errors >= ${MIN_ERRORS}], 'out')`,
    sql: `SELECT req_path, resp_status, count(*) AS errors, max(latency) AS worst FROM http_events
WHERE time_ >= ${WINDOW} AND resp_status >= 400 GROUP BY req_path, resp_status
HAVING count(*) >= ${MIN_ERRORS} ORDER BY req_path, resp_status`,
  },
  {
    name: 'process_throughput',
    ordered: true,
    pxl: `${PX}df = df.groupby('upid').agg(requests=('latency', px.count), bytes=('resp_body_size', px.sum), first=('time_', px.min), last=('time_', px.max))
df.pid = px.upid_to_pid(df.upid)
df.rps = df.requests / ((df.last - df.first) / 1000000000)
px.display(df[['pid', 'requests', 'bytes', 'rps']], 'out')`,
    sql: `SELECT CAST((upid >> 64) & 4294967295 AS BIGINT) AS pid, count(*) AS requests,
  CAST(sum(resp_body_size) AS BIGINT) AS bytes,
  count(*) / ((max(time_) - min(time_)) / 1000000000) AS rps
FROM http_events WHERE time_ >= ${WINDOW} GROUP BY upid ORDER BY upid`,
  },
  {
    name: 'error_ratio',
    ordered: false,
    pxl: `${PX}total = df.groupby('req_method').agg(requests=('latency', px.count))
errors = df[df.resp_status >= 500].groupby('req_method').agg(errors=('latency', px.count))
out = total.merge(errors, how='left', left_on='req_method', right_on='req_method', suffixes=['', '_e'])
out.ratio = out.errors / out.requests
px.display(out[['req_method', 'requests', 'errors', 'ratio']], 'out')`,
    sql: `WITH t AS (SELECT req_method, count(*) AS requests FROM http_events WHERE time_ >= ${WINDOW} GROUP BY req_method),
e AS (SELECT req_method, count(*) AS errors FROM http_events WHERE time_ >= ${WINDOW} AND resp_status >= 500 GROUP BY req_method)
SELECT t.req_method, t.requests, COALESCE(e.errors, 0) AS errors, COALESCE(e.errors, 0) / t.requests AS ratio
FROM t LEFT JOIN e ON e.req_method = t.req_method`,
  },
];

/** The benchmark's data: the generated columns, in a store the engine reads. */
export interface BenchData {
  columns: HttpColumns;
  store: TableStore;
  engine: PxlEngine;
}

/** Generates the rows and stores them, 100k at a time, through the Arrow ingest path. */
export async function loadData(): Promise<BenchData> {
  const columns = httpColumns(ROWS, START);
  for (let i = 0; i < ROWS; i++) columns.time_[i] = START + (SPAN_NS * BigInt(i)) / BigInt(ROWS);
  const store = await TableStore.create(
    { limitMb: 8192, httpEventsShare: 0.5, segmentRows: 131072, maxCustomTables: 0, tables: {} },
    silentLogger(),
  );
  const schema = store.registry.get('http_events');
  const all = httpArrowTable(columns);
  for (let from = 0; from < ROWS; from += 100_000) {
    const ipc = tableToIPC(all.slice(from, Math.min(ROWS, from + 100_000)), 'stream');
    await store.append('http_events', decodeArrowStream(schema, ipc));
  }
  const engine = await PxlEngine.create(store);
  return { columns, store, engine };
}

/** Times `fn` once, in milliseconds. */
async function timed(fn: () => unknown): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Runs each side `ROUNDS` times, alternating, after one warm-up each; returns the medians. */
async function race(
  ours: () => unknown,
  peer: () => unknown,
): Promise<{ ours: number; peer: number }> {
  await ours();
  await peer();
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(await timed(ours));
    b.push(await timed(peer));
  }
  return { ours: median(a), peer: median(b) };
}

/**
 * For each script: checks that PxL and the peer give the same rows, races them and prints a
 * line; then the last line, with the sums of the medians and their ratio.
 */
export async function raceScripts(
  bench: string,
  peerName: string,
  engine: PxlEngine,
  peerOf: (
    script: BenchScript,
  ) => () => Promise<readonly (readonly unknown[])[]> | readonly (readonly unknown[])[],
): Promise<void> {
  let ours = 0;
  let peer = 0;
  for (const s of SCRIPTS) {
    const pxl = async () => (await engine.run(s.pxl, { now: NOW })).tables[0]!.rows;
    const other = peerOf(s);
    const [a, b] = [normalize(await pxl(), s.ordered), normalize(await other(), s.ordered)];
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      throw new Error(
        `${s.name}: PxL and ${peerName} disagree\nPxL: ${a.slice(0, 5).join('\n')}\n${peerName}: ${b.slice(0, 5).join('\n')}`,
      );
    }
    const t = await race(pxl, other);
    ours += t.ours;
    peer += t.peer;
    console.log(
      `${bench}: ${s.name.padEnd(18)} ${String(a.length).padStart(5)} rows, same result; PxL ${ms(t.ours)}, ${peerName} ${ms(t.peer)}, ratio ${(t.peer / t.ours).toFixed(2)}`,
    );
  }
  console.log(
    `${bench}: ours ${ms(ours)}, peer ${ms(peer)} (sums of medians), ratio ${(peer / ours).toFixed(2)}`,
  );
}

/** Rows as comparable text: numbers to 9 significant digits, bigints as integers. */
function normalize(rows: readonly (readonly unknown[])[], ordered: boolean): string[] {
  const out = rows.map((r) =>
    JSON.stringify(
      r.map((v) =>
        typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? Number(v.toPrecision(9)) : v,
      ),
    ),
  );
  return ordered ? out : out.sort();
}

function ms(x: number): string {
  return `${x.toFixed(1)} ms`;
}
