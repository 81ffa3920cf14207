import { Command, Option } from 'commander';
import { SinkStatus } from '../gateway/src/exporters/common/sink-health';
import { ConnectionOptions, connect, withConnectionOptions } from './client';
import { formatTable } from './format/text-table';
import { withExamples } from './help';

interface ExportsOptions extends ConnectionOptions {
  format: 'table' | 'json';
}

/** A time and a message, as /v1/exports gives the last error. */
interface When {
  message: string;
  at: string;
}

/** `GET /v1/exports`, as the CLI reads it. */
interface ExportsBody {
  jobs: {
    name: string;
    kind: string;
    intervalMs: number;
    runs: number;
    scriptErrors: number;
    lastRun: { startedAt: string; outcome: string; rows: number; error?: string } | null;
    sinks: {
      sink: string;
      cursor: number;
      behindRows: number;
      sending: { items: number; since: string } | null;
      dropped: Record<string, number>;
      lastSuccessAt: string | null;
      lastError: When | null;
      consecutiveFailures: number;
    }[];
  }[];
  sinks: SinkStatus[];
}

/** Adds `pxgate exports`: each export job and sink, how far it got and what went wrong. */
export function addExportsCommand(program: Command): void {
  const cmd = withConnectionOptions(program.command('exports'))
    .description('show the export jobs and sinks: runs, cursors, queues, failures, drops')
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action((opts: ExportsOptions) => showExports(opts));
  withExamples(cmd, ['pxgate exports', 'pxgate exports --format json']);
}

async function showExports(opts: ExportsOptions): Promise<void> {
  const body = await connect(opts).get<ExportsBody>('/v1/exports');
  if (opts.format === 'json') {
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${formatExports(body, Date.now())}\n`);
}

/** The three tables `pxgate exports` prints: jobs, each job at each sink, and the sinks. */
export function formatExports(body: ExportsBody, now: number): string {
  if (body.jobs.length === 0 && body.sinks.length === 0) {
    return 'no export jobs and no sinks are configured (see docs/exporting.md)';
  }
  const ago = (iso: string | null) => (iso === null ? 'never' : `${since(now, iso)} ago`);
  const error = (e: When | null) => (e === null ? '-' : `${e.message} (${ago(e.at)})`);
  const jobs = formatTable(
    ['job', 'kind', 'every', 'runs', 'script errors', 'last run'],
    body.jobs.map((j) => [
      j.name,
      j.kind,
      `${j.intervalMs / 1000}s`,
      j.runs,
      j.scriptErrors,
      j.lastRun
        ? `${ago(j.lastRun.startedAt)}: ${j.lastRun.error ?? `${j.lastRun.rows} rows`}`
        : 'not yet',
    ]),
  );
  const targets = formatTable(
    [
      'job',
      'sink',
      'cursor',
      'behind',
      'sending',
      'last success',
      'failures',
      'dropped',
      'last error',
    ],
    body.jobs.flatMap((j) =>
      j.sinks.map((s) => [
        j.name,
        s.sink,
        s.cursor,
        s.behindRows,
        s.sending ? `${s.sending.items} items for ${since(now, s.sending.since)}` : '-',
        ago(s.lastSuccessAt),
        s.consecutiveFailures,
        reasons(s.dropped),
        error(s.lastError),
      ]),
    ),
  );
  const sinks = formatTable(
    ['sink', 'sent', 'queued', 'last success', 'failures', 'dropped', 'last error'],
    body.sinks.map((s) => [
      s.sink,
      s.sent,
      // A sink without a queue (the /metrics registry) takes each batch at once.
      s.queue.capacityBytes > 0
        ? `${s.queue.requests} requests, ${s.queue.items} items, ${bytes(s.queue.bytes)} of ${bytes(s.queue.capacityBytes)}`
        : '-',
      ago(s.lastSuccessAt),
      s.consecutiveFailures,
      reasons(s.dropped),
      error(s.lastError),
    ]),
  );
  return `${jobs}\n\n${targets}\n\n${sinks}`;
}

/** Drops by reason, the non-zero ones: `permanent 3, rejected 1`, or `-`. */
function reasons(dropped: Record<string, number>): string {
  const parts = Object.entries(dropped)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`);
  return parts.length > 0 ? parts.join(', ') : '-';
}

/** How long ago an ISO time was, in the largest whole unit: 4s, 12m, 3h, 2d. */
function since(now: number, iso: string): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
