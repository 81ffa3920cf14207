import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exposedSum } from '../../test/support/metrics';
import { RunningPrometheus, startPrometheus } from '../../test/support/prometheus';
import { GatewayProcess, fmt, machine, memoryOf, startGatewayProcess } from '../_support';
import { exportVerdict } from './export-verdict';
import { sumOf } from './exposition';
import { logSummary } from './gateway-log';
import { IngestDriver } from './ingest-driver';
import { LatencySummary } from './latency';
import { USAGE, SoakOptions, parseSoakOptions, rssBoundMb } from './options';
import { QueryDriver, Script } from './query-driver';
import {
  GatewayReading,
  exportLosses,
  jobAtSink,
  lossCounters,
  readGateway,
  retried,
  storeRows,
} from './gateway-status';

const ROOT = join(__dirname, '..', '..', '..');
/** Bundled scripts over http_events that a Grafana panel or `pxgate run` would run. */
const SCRIPTS = ['http_data', 'http_errors', 'service_stats', 'service_map'];
const JOB = 'http-metrics';
const SINK = 'remote-write';
/** How long the export may take to catch up once ingest stops. */
const DRAIN_MS = 180_000;
/** The request counters of the http-metrics preset, as Prometheus names them. */
const REQUESTS = '{__name__=~"http_(server|client)_request_duration_seconds_count"}';

/**
 * `npm run soak`: a real gateway (`pxgate gateway` with a data directory) fed at a steady rate
 * with http_events as the agent sends them, queried with bundled scripts, and exporting the
 * http-metrics preset to Debian's Prometheus by remote-write, for `--minutes`. Prints the
 * gateway's RSS, the rates reached, query latencies, export lag and every loss counter every
 * `--report-seconds`; at the end checks that RSS stayed under its documented bound, that no
 * query failed with a 5xx, that every row sent is stored or evicted (counted), and that
 * Prometheus counted no row twice and missed none the gateway did not count as evicted before
 * export; the last line says `ok` or `FAILED` (exit code 1) with the reasons.
 */
async function main(): Promise<number> {
  let opts: SoakOptions;
  try {
    opts = parseSoakOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const bound = rssBoundMb({ storeLimitMb: opts.storeLimitMb });
  console.log(
    `soak: ${machine()}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `soak: ${opts.minutes} min, ${fmt(opts.rowsPerSecond)} http_events rows/s in Arrow batches of ${fmt(opts.batchRows)}, ` +
      `${opts.queriesPerSecond} queries/s (${SCRIPTS.join(', ')}), ${JOB} to Prometheus by remote-write; ` +
      `store.limitMb ${opts.storeLimitMb}, RSS bound ${fmt(bound)} MiB`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'pxgate-soak-'));
  // Kept after the run (outside `dir`), so a failure can be read in the gateway's own words.
  const logFile = join(
    tmpdir(),
    `pxgate-soak-${new Date().toISOString().replace(/[:.]/g, '-')}.log`,
  );
  let prom: RunningPrometheus | undefined;
  let gw: GatewayProcess | undefined;
  const stopAll = async () => {
    // A gateway that already exited would never say so again: stop only a running one.
    if (gw && gw.child.exitCode === null && gw.child.signalCode === null) await gw.stop();
    await prom?.close();
    gw = prom = undefined;
    rmSync(dir, { recursive: true, force: true });
  };
  const interrupted = () => {
    void stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    prom = await startPrometheus();
    const config = join(dir, 'pxgate.yaml');
    writeFileSync(
      config,
      [
        'metadata: { kubernetes: off }',
        `store: { limitMb: ${opts.storeLimitMb} }`,
        `export: { presets: [${JOB}], remoteWrite: { url: '${prom.url}/api/v1/write' } }`,
        '',
      ].join('\n'),
    );
    gw = await startGatewayProcess(['--config', config, '--data-dir', join(dir, 'data')], logFile);
    const failures = await soak(opts, gw, prom, bound);
    const pid = gw.pid;
    await stopAll();
    console.log(`soak: gateway log ${logFile}: ${logSummary(readFileSync(logFile, 'utf8'))}`);
    console.log(
      `soak: ${opts.minutes} min at ${fmt(opts.rowsPerSecond)} rows/s and ${opts.queriesPerSecond} queries/s (gateway pid ${pid}), ` +
        (failures.length === 0 ? 'ok' : `${failures.join('; ')}; FAILED`),
    );
    return failures.length === 0 ? 0 : 1;
  } catch (err) {
    const exited = gw && (gw.child.exitCode ?? gw.child.signalCode);
    await stopAll();
    const how = exited !== undefined && exited !== null ? ` (the gateway exited: ${exited})` : '';
    console.log(`soak: could not run: ${(err as Error).message}${how}; FAILED`);
    if (existsSync(logFile))
      console.log(`soak: gateway log ${logFile}: ${logSummary(readFileSync(logFile, 'utf8'))}`);
    return 1;
  }
}

/** Drives the gateway for the run, prints its lines, and returns the reasons it failed. */
async function soak(
  opts: SoakOptions,
  gw: GatewayProcess,
  prom: RunningPrometheus,
  bound: number,
): Promise<string[]> {
  const scripts: Script[] = SCRIPTS.map((name) => ({
    name,
    text: readFileSync(join(ROOT, 'scripts', 'px', `${name}.pxl`), 'utf8'),
  }));
  const ingest = new IngestDriver(gw.url, opts.rowsPerSecond, opts.batchRows);
  const queries = new QueryDriver(gw.url, opts.queriesPerSecond, scripts);
  const t0 = Date.now();
  const end = t0 + opts.minutes * 60_000;
  ingest.start();
  queries.start();
  let last = { at: t0, rows: 0 };
  let maxLagMs = 0;
  let lastSkipped = 0;
  while (Date.now() < end) {
    const next = Math.min(end, last.at + opts.reportSeconds * 1000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    const now = Date.now();
    const reading = await readGateway(gw.url);
    const lag = exportLagMs(reading, ingest, now);
    maxLagMs = Math.max(maxLagMs, lag.ms);
    const rate = ((ingest.ackedRows - last.rows) * 1000) / (now - last.at);
    const mem = memoryOf(gw.pid);
    console.log(
      `soak: ${clock(now - t0)} rss ${fmt(mem.rssMb)} MiB (peak ${fmt(mem.peakMb)}) | ` +
        `ingest ${fmt(rate)} rows/s${rate < opts.rowsPerSecond * 0.95 ? ` (target ${fmt(opts.rowsPerSecond)} not reached)` : ''}, ` +
        `${fmt(ingest.skippedRows)} rows skipped, ${ingest.retries} retries | ` +
        `queries ${latencies(queries.latency.takeInterval())}, ${statuses(queries.byStatus)}, ` +
        `${queries.skipped} skipped${queries.skipped > lastSkipped ? ' (target not reached)' : ''} | export lag ${(lag.ms / 1000).toFixed(1)} s (${fmt(lag.behind)} rows behind)`,
    );
    console.log(`soak:       ${lossCounters(reading).join(', ')}`);
    last = { at: now, rows: ingest.ackedRows };
    lastSkipped = queries.skipped;
  }
  const seconds = (Date.now() - t0) / 1000;
  await Promise.all([ingest.shutdown(), queries.shutdown()]);
  const failures: string[] = [];
  if (gw.child.exitCode !== null || gw.child.signalCode !== null)
    return [`the gateway exited (${gw.child.exitCode ?? gw.child.signalCode})`];

  // Memory: the peak, as the kernel kept it (VmHWM), against the bound.
  const mem = memoryOf(gw.pid);
  if (mem.peakMb > bound)
    failures.push(`peak RSS ${fmt(mem.peakMb)} MiB passed its bound of ${fmt(bound)} MiB`);

  // Queries: a 5xx (or no answer) is the gateway's fault.
  if (queries.failed > 0)
    failures.push(
      `${queries.failed} queries failed with a 5xx or no answer (${queries.serverErrors.join(' | ')})`,
    );

  // Rows: every acknowledged row is stored or was evicted, and counted.
  const drained = await drainExports(gw.url);
  const reading = drained.reading;
  const rows = storeRows(reading, 'http_events');
  if (ingest.abandonedRows > 0)
    failures.push(
      `${fmt(ingest.abandonedRows)} rows never acknowledged after retries (${ingest.lastRetryError})`,
    );
  if (ingest.ackedRows !== rows.stored + rows.evicted)
    failures.push(
      `rows acknowledged ${fmt(ingest.ackedRows)} != stored ${fmt(rows.stored)} + evicted ${fmt(rows.evicted)}`,
    );

  // Exports: Prometheus counts each acknowledged row once, per status code, or the gap is counted.
  const exported = await prometheusRequests(prom);
  // The same counters as the gateway's own /metrics shows them: where a gap is (the job, or the
  // way to Prometheus) shows in the difference.
  const exposed =
    (await exposedSum(gw.url, 'http_server_request_duration_seconds_count')) +
    (await exposedSum(gw.url, 'http_client_request_duration_seconds_count'));
  const expected = expectedByStatus(ingest);
  const counted = exportLosses(reading);
  const gap = ingest.ackedRows - exported.total;
  if (!drained.done) failures.push(`export did not catch up: ${drained.why}`);
  // Only rows evicted before export can be missing from cumulative series (a failed delivery is
  // made up by the next one's totals), and the gateway counts those rows, at most: a gap within
  // that count is counted loss; anything beyond it, or counted twice, fails.
  const verdict = exportVerdict({
    sentByStatus: expected,
    exportedByStatus: exported.byStatus,
    evictedUnexported: sumOf(reading.samples, 'pxgate_store_evicted_unexported_rows_total', {
      table: 'http_events',
    }),
  });
  if (verdict.length > 0)
    failures.push(
      `Prometheus counted ${fmt(exported.total)} requests for ${fmt(ingest.ackedRows)} rows sent: ` +
        `${verdict.join('; ')} (export loss counters: ${counted.length === 0 ? 'none moved' : counted.join(', ')})`,
    );

  const total = queries.latency.total();
  console.log(
    `soak: sent ${fmt(ingest.ackedRows)} rows in ${fmt(ingest.ackedBatches)} batches (${fmt(ingest.ackedRows / seconds)} rows/s, ` +
      `target ${fmt(opts.rowsPerSecond)}; ${fmt(ingest.skippedRows)} rows skipped behind the clock, ` +
      `${fmt(ingest.refusedRows)} refused ${JSON.stringify(ingest.refusedByStatus)}, ${ingest.retries} retries); ` +
      `stored ${fmt(rows.stored)} + evicted ${fmt(rows.evicted)}`,
  );
  console.log(
    `soak: Prometheus counted ${fmt(exported.total)} requests, the gateway's /metrics ${fmt(exposed)} (${gap === 0 ? 'every row once' : `${fmt(gap)} fewer than rows sent`}; ` +
      `export loss counters: ${counted.length === 0 ? 'none moved' : counted.join(', ')}), by status ${JSON.stringify(exported.byStatus)}; ` +
      `largest export lag ${(maxLagMs / 1000).toFixed(1)} s, caught up ${drained.done ? `in ${(drained.ms / 1000).toFixed(1)} s` : 'never'}`,
  );
  console.log(
    `soak: queries ${fmt(queries.sent)} sent (${(queries.sent / seconds).toFixed(2)}/s, target ${opts.queriesPerSecond}), ` +
      `${queries.skipped} skipped, ${statuses(queries.byStatus)}; ${latencies(total)}`,
  );
  const own = process.cpuUsage();
  console.log(
    `soak: gateway peak RSS ${fmt(mem.peakMb)} MiB (bound ${fmt(bound)}), RSS at the end ${fmt(mem.rssMb)} MiB; ` +
      `CPU: gateway ${fmt(cpuSecondsOf(gw.pid))} s, this driver ${fmt((own.user + own.system) / 1e6)} s in ${fmt(seconds)} s; ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  console.log(`soak:       ${lossCounters(reading).join(', ')}`);
  return failures;
}

/**
 * How long the oldest row the export has not delivered has waited since it was acknowledged,
 * and how many rows are behind. The export cursor is an ingest sequence number; the soak is the
 * gateway's only writer, so sequence N is the driver's Nth acknowledged row.
 */
function exportLagMs(
  r: GatewayReading,
  ingest: IngestDriver,
  now: number,
): { ms: number; behind: number } {
  const j = jobAtSink(r, JOB, SINK);
  if (!j) return { ms: now - (ingest.ackedAt(1) ?? now), behind: ingest.ackedRows };
  if (j.behindRows === 0) return { ms: 0, behind: 0 };
  return { ms: now - (ingest.ackedAt(j.cursor + 1) ?? now), behind: j.behindRows };
}

/** Waits until the job has delivered every row and the sink's queue is empty. */
async function drainExports(
  url: string,
): Promise<{ done: boolean; ms: number; why: string; reading: GatewayReading }> {
  const t0 = Date.now();
  for (;;) {
    const reading = await readGateway(url);
    const j = jobAtSink(reading, JOB, SINK);
    const sink = reading.exports.sinks.find((s) => s.sink === SINK);
    const idle = j && j.behindRows === 0 && !j.sending && sink && sink.queue.requests === 0;
    if (idle) return { done: true, ms: Date.now() - t0, why: '', reading };
    if (Date.now() - t0 > DRAIN_MS) {
      const why = j
        ? `${fmt(j.behindRows)} rows behind after ${DRAIN_MS / 1000} s (last error: ${j.lastError?.message ?? 'none'})`
        : `no ${JOB} delivery to ${SINK} after ${DRAIN_MS / 1000} s`;
      return { done: false, ms: Date.now() - t0, why, reading };
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/**
 * The requests Prometheus holds, in all and per status code: each series' last count over the
 * run (counters are cumulative, and a stale marker at the end does not hide them).
 */
async function prometheusRequests(
  prom: RunningPrometheus,
): Promise<{ total: number; byStatus: Record<string, number> }> {
  const range = `max_over_time(${REQUESTS}[2h])`;
  const query = (q: string) => retried(`Prometheus ${q}`, () => prom.query(q));
  const total = await query(`sum(${range})`);
  const byStatus = await query(`sum by (http_response_status_code) (${range})`);
  return {
    total: total[0]?.value ?? 0,
    byStatus: Object.fromEntries(
      byStatus
        .map((r) => [r.metric.http_response_status_code ?? '', r.value] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  };
}

/** Rows sent per status code: every acknowledged batch holds the template's mix. */
function expectedByStatus(ingest: IngestDriver): Record<string, number> {
  return Object.fromEntries(
    Object.entries(ingest.statusMix)
      .map(([s, n]) => [s, n * ingest.ackedBatches] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** CPU seconds (user + system) a process has used, from /proc/PID/stat. */
function cpuSecondsOf(pid: number): number {
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function latencies(s: LatencySummary): string {
  if (s.count === 0) return '0 ok';
  const ms = (x: number) => x.toFixed(0);
  return `${s.count} ok p50 ${ms(s.p50)} p90 ${ms(s.p90)} p99 ${ms(s.p99)} max ${ms(s.max)} ms`;
}

function statuses(byStatus: Record<string, number>): string {
  const other = Object.entries(byStatus).filter(([s]) => s !== '200');
  return other.length === 0 ? 'no errors' : other.map(([s, n]) => `${n} × ${s}`).join(', ');
}

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
