import { SinkStatus } from '../../gateway/src/exporters/common/sink-health';
import { Sample, parseExposition, sumBy, sumOf } from './exposition';

/** One job at one sink, as GET /v1/exports shows it (the fields the soak reads). */
export interface JobAtSink {
  sink: string;
  cursor: number;
  behindRows: number;
  sending: { items: number; since: string } | null;
  dropped: Record<string, number>;
  lastError: { message: string; at: string } | null;
  consecutiveFailures: number;
}

/** GET /v1/exports, as the soak reads it. */
export interface ExportsBody {
  jobs: { name: string; runs: number; scriptErrors: number; sinks: JobAtSink[] }[];
  sinks: SinkStatus[];
}

/**
 * Every counter of the gateway's /metrics that says something was refused, dropped or failed,
 * each summed by the label that says why (or over all series when it has none).
 */
const LOSS_COUNTERS: readonly (readonly [string, string])[] = [
  ['pxgate_ingest_rejected_batches_total', 'reason'],
  ['pxgate_store_evicted_rows_total', 'reason'],
  ['pxgate_store_evicted_unexported_rows_total', 'table'],
  ['pxgate_export_script_errors_total', 'job'],
  ['pxgate_export_dropped_items_total', 'reason'],
  ['pxgate_exporter_dropped_items_total', 'reason'],
  ['pxgate_exporter_failed_items_total', 'sink'],
  ['pxgate_exporter_enqueue_failed_items_total', 'sink'],
  ['pxgate_exporter_retries_total', 'sink'],
];

/** What the gateway says about itself at one moment. */
export interface GatewayReading {
  samples: Sample[];
  exports: ExportsBody;
}

/** Reads /metrics and /v1/exports. */
export async function readGateway(url: string): Promise<GatewayReading> {
  const [metrics, exports] = await Promise.all([
    retried(`GET ${url}/metrics`, () => fetch(`${url}/metrics`).then((r) => r.text())),
    retried(`GET ${url}/v1/exports`, () =>
      fetch(`${url}/v1/exports`).then((r) => r.json() as Promise<ExportsBody>),
    ),
  ]);
  return { samples: parseExposition(metrics), exports };
}

/**
 * Runs a read up to three times, a second apart: a pooled connection the server has just closed
 * fails a request without it being the server's fault. The last error names the request and
 * its cause (fetch says only "fetch failed").
 */
export async function retried<T>(what: string, read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt === 3) {
        const cause = (err as { cause?: { message?: string } }).cause?.message;
        throw new Error(`${what}: ${(err as Error).message}${cause ? ` (${cause})` : ''}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** The job `job` at sink `sink`, if the gateway has made it. */
export function jobAtSink(r: GatewayReading, job: string, sink: string): JobAtSink | undefined {
  return r.exports.jobs.find((j) => j.name === job)?.sinks.find((s) => s.sink === sink);
}

/** Rows of `table` held by the store, and evicted from it (by any reason). */
export function storeRows(r: GatewayReading, table: string): { stored: number; evicted: number } {
  return {
    stored: sumOf(r.samples, 'pxgate_store_rows', { table }),
    evicted: sumOf(r.samples, 'pxgate_store_evicted_rows_total', { table }),
  };
}

/** Each loss counter as `name{why=n,...}` or `name 0`, short names without the pxgate_ prefix. */
export function lossCounters(r: GatewayReading): string[] {
  return LOSS_COUNTERS.map(([name, label]) => {
    const parts = Object.entries(sumBy(r.samples, name, label)).map(([k, v]) => `${k}=${v}`);
    const short = name.replace(/^pxgate_/, '');
    return parts.length === 0 ? `${short} 0` : `${short}{${parts.join(',')}}`;
  });
}

/**
 * The loss counters of exports that are not zero, as `name{why=n}`: what may explain rows that
 * Prometheus did not count (they count items, a job's series updates, not rows).
 */
export function exportLosses(r: GatewayReading): string[] {
  return lossCounters(r).filter(
    (c) => /^(export|store_evicted_unexported)/.test(c) && !c.endsWith(' 0'),
  );
}
