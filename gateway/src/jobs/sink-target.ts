import { Logger } from '../../../shared/common/logger';
import { asExportError } from '../exporters/common/errors';
import { isoOrNull } from '../exporters/common/sink-health';
import {
  ResourceMetrics,
  ResourceSpans,
  TelemetryBatch,
  pointCount,
  spanCount,
} from '../exporters/model/telemetry';
import { Sink } from '../exporters/sink';
import { ExportJobMetrics } from './export-metrics';
import { CumulativeState } from './otel/cumulative-state';
import { CumulativeUpdate, ExportParts } from './otel/export-parts';
import { mergeByResource } from './otel/merge';

/** The times of a run: now, and the start of the window a new cumulative series counts from. */
export interface RunWindow {
  readonly nowNs: bigint;
  readonly nowMs: number;
  readonly startNs: bigint;
}

/** How one delivery ended. */
export type Delivery =
  | { readonly ok: true; readonly spans: number; readonly points: number }
  | { readonly ok: false; readonly error: string };

export interface TargetDeps {
  readonly job: string;
  readonly log: Logger;
  readonly metrics: ExportJobMetrics | undefined;
  /** Saves the cursor and totals after an accepted delivery (with a data directory). */
  readonly save: ((target: SinkTarget) => Promise<void>) | undefined;
  readonly clock: () => number;
}

/**
 * One sink's view of one export job: how far the sink has received the job's rows (its cursor,
 * an ingest sequence number), the running totals of its cumulative series, and the delivery
 * under way, at most one. The cursor and totals move only when the sink accepted a batch (or
 * refused it for good), and are then saved; a failed delivery leaves both, so the same rows are
 * read and sent again, and counted once. Each target delivers on its own: a sink that is slow or
 * down holds back only its own cursor.
 */
export class SinkTarget {
  private delivering: Promise<Delivery> | undefined;
  /** The ingest sequence number the delivery under way reaches. */
  private deliveringUpTo = 0;
  private sending: { items: number; since: number } | undefined;
  private deliveries = 0;
  private sent = 0;
  private readonly dropped = { by_sink: 0, series_limit: 0 };
  private lastSuccessAt: number | undefined;
  private lastError: { message: string; at: number } | undefined;
  private consecutiveFailures = 0;

  constructor(
    readonly sink: Sink,
    /** It takes the exports that name no endpoint (a configured sink). */
    readonly configured: boolean,
    /** The last ingest sequence number whose rows this sink has received. */
    public cursor: number,
    readonly totals: CumulativeState,
    private readonly deps: TargetDeps,
  ) {}

  /** A delivery is under way. */
  get busy(): boolean {
    return this.delivering !== undefined;
  }

  /** Resolves when the delivery under way (if any) has ended. */
  async idle(): Promise<void> {
    await this.delivering;
  }

  /**
   * The delivery under way, when rows past it wait (up to `lastSeq`): once it succeeds this sink
   * can read on at once instead of waiting for the next interval.
   */
  pendingCatchUp(lastSeq: number): Promise<Delivery> | undefined {
    return this.delivering && this.deliveringUpTo < lastSeq ? this.delivering : undefined;
  }

  /** Sends this sink its parts of a run over the rows up to `upTo`. Only when not busy. */
  deliver(parts: readonly ExportParts[], upTo: number, w: RunWindow): Promise<Delivery> {
    if (this.delivering) throw new Error(`sink ${this.sink.name} is still delivering`);
    // Nobody may be waiting for this promise (the scheduler does not): it never rejects.
    const run = this.push(parts, upTo, w)
      .catch((err: Error): Delivery => {
        this.deps.log.error({ sink: this.sink.name, err: err.message }, 'export delivery failed');
        return { ok: false, error: `${this.sink.name}: ${err.message}` };
      })
      .finally(() => {
        this.delivering = undefined;
        this.sending = undefined;
      });
    this.delivering = run;
    this.deliveringUpTo = upTo;
    return run;
  }

  status(lastSeq: number) {
    return {
      sink: this.sink.name,
      cursor: this.cursor,
      behindRows: Math.max(0, lastSeq - this.cursor),
      deliveries: this.deliveries,
      sending: this.sending
        ? { items: this.sending.items, since: new Date(this.sending.since).toISOString() }
        : null,
      sent: this.sent,
      dropped: { ...this.dropped },
      lastSuccessAt: isoOrNull(this.lastSuccessAt),
      lastError: this.lastError
        ? { message: this.lastError.message, at: new Date(this.lastError.at).toISOString() }
        : null,
      consecutiveFailures: this.consecutiveFailures,
      cumulativeSeries: this.totals.size,
    };
  }

  /** For the job gauges on /metrics. */
  lastSuccess(): { at: number | undefined; consecutiveFailures: number } {
    return { at: this.lastSuccessAt, consecutiveFailures: this.consecutiveFailures };
  }

  private async push(parts: readonly ExportParts[], upTo: number, w: RunWindow): Promise<Delivery> {
    const { sink } = this;
    const metrics = sink.signals.has('metrics');
    const prepared = this.totals.prepare(
      metrics ? parts.flatMap((p) => p.cumulative as CumulativeUpdate[]) : [],
      w.nowNs,
      w.nowMs,
      w.startNs,
    );
    const batch: TelemetryBatch = {
      spans: sink.signals.has('spans') ? parts.flatMap((p) => p.spans as ResourceSpans[]) : [],
      metrics: metrics
        ? mergeByResource([
            ...parts.flatMap((p) => p.instant as ResourceMetrics[]),
            ...prepared.metrics,
          ])
        : [],
    };
    const spans = spanCount(batch.spans);
    const points = pointCount(batch.metrics);
    this.deliveries++;
    this.sending = { items: spans + points, since: this.deps.clock() };
    const labels = { job: this.deps.job, sink: sink.name };
    try {
      const report = await sink.export(batch);
      prepared.commit();
      this.cursor = upTo;
      this.sent += report.sent;
      this.dropped.by_sink += report.dropped;
      this.dropped.series_limit += prepared.dropped;
      this.deps.metrics?.dropped.inc({ ...labels, reason: 'by_sink' }, report.dropped);
      this.deps.metrics?.dropped.inc({ ...labels, reason: 'series_limit' }, prepared.dropped);
      this.deps.metrics?.deliveries.inc({ ...labels, outcome: 'ok' });
      this.lastSuccessAt = this.deps.clock();
      this.consecutiveFailures = 0;
    } catch (err) {
      const message = asExportError(err).message;
      this.lastError = { message, at: this.deps.clock() };
      this.consecutiveFailures++;
      this.deps.metrics?.deliveries.inc({ ...labels, outcome: 'failed' });
      this.deps.log.warn(
        { sink: sink.name, cursor: this.cursor, err: message },
        'export to sink failed; its cursor stays where it was, so a later run reads these rows again',
      );
      return { ok: false, error: `${sink.name}: ${message}` };
    }
    await this.deps
      .save?.(this)
      .catch((err: Error) =>
        this.deps.log.error(
          { sink: sink.name, cursor: this.cursor, err: err.message },
          'could not save the export cursor; after a restart this sink would read these rows again',
        ),
      );
    return { ok: true, spans, points };
  }
}
