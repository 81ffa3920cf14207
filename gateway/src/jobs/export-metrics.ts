import { Counter, Gauge, Registry } from 'prom-client';

/** What the job gauges read at each scrape: one entry per job and sink. */
export interface TargetReading {
  readonly job: string;
  readonly sink: string;
  readonly behindRows: number;
  readonly consecutiveFailures: number;
  /** Ms since the epoch, or undefined before the first success. */
  readonly lastSuccessAt: number | undefined;
}

/**
 * The export jobs' metrics, the same numbers `/v1/exports` shows: runs and script errors per
 * job; per job and sink, deliveries by outcome, items dropped by reason, rows not yet exported,
 * failed attempts in a row, and the time of the last accepted delivery. One instance per registry.
 */
export class ExportJobMetrics {
  readonly runs: Counter<'job'>;
  readonly scriptErrors: Counter<'job'>;
  readonly deliveries: Counter<'job' | 'sink' | 'outcome'>;
  readonly dropped: Counter<'job' | 'sink' | 'reason'>;

  constructor(registry: Registry, read: () => TargetReading[]) {
    const registers = [registry];
    this.runs = new Counter({
      name: 'pxgate_export_runs_total',
      help: 'Export runs started, per job.',
      labelNames: ['job'],
      registers,
    });
    this.scriptErrors = new Counter({
      name: 'pxgate_export_script_errors_total',
      help: 'Export runs whose script failed, per job.',
      labelNames: ['job'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'pxgate_export_deliveries_total',
      help: "A run's batch handed to a sink, per job, sink and outcome (ok, failed).",
      labelNames: ['job', 'sink', 'outcome'],
      registers,
    });
    this.dropped = new Counter({
      name: 'pxgate_export_dropped_items_total',
      help: 'Items of a job not delivered for good, per job, sink and reason (by_sink, series_limit).',
      labelNames: ['job', 'sink', 'reason'],
      registers,
    });
    // In a cluster a job reads each partition on its own: its readings are combined per sink.
    const gauge = (
      name: string,
      help: string,
      value: (r: TargetReading) => number | undefined,
      combine: (a: number, b: number) => number,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: ['job', 'sink'],
        registers,
        collect() {
          this.reset();
          const values = new Map<string, { job: string; sink: string; v: number }>();
          for (const r of read()) {
            const v = value(r);
            if (v === undefined) continue;
            const key = `${r.job}\u0000${r.sink}`;
            const seen = values.get(key);
            values.set(key, { job: r.job, sink: r.sink, v: seen ? combine(seen.v, v) : v });
          }
          for (const { job, sink, v } of values.values()) this.set({ job, sink }, v);
        },
      });
    gauge(
      'pxgate_export_behind_rows',
      'Rows ingested that a job has not yet delivered to a sink (in a cluster: stream messages).',
      (r) => r.behindRows,
      (a, b) => a + b,
    );
    gauge(
      'pxgate_export_consecutive_failures',
      "Attempts to send a job's batches to a sink that failed since the last one that succeeded.",
      (r) => r.consecutiveFailures,
      Math.max,
    );
    gauge(
      'pxgate_export_last_success_timestamp_seconds',
      'When a sink last accepted a batch of a job (Unix seconds; in a cluster, the partition that waits longest).',
      (r) => (r.lastSuccessAt === undefined ? undefined : r.lastSuccessAt / 1000),
      Math.min,
    );
  }
}
