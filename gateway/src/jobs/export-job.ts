import { Logger } from '../common/logger';
import { asExportError } from '../exporters/common/errors';
import {
  ResourceMetrics,
  ResourceSpans,
  TelemetryBatch,
  pointCount,
  spanCount,
} from '../exporters/model/telemetry';
import { Sink } from '../exporters/sink';
import { SinkSet } from '../exporters/sink-set';
import { PxlEngine } from '../pxl/engine';
import { PxlLimits } from '../pxl/execute/limits';
import { AttributeLimiter } from './otel/attribute-limiter';
import { CumulativeState } from './otel/cumulative-state';
import { CumulativeUpdate, ExportParts } from './otel/export-parts';
import { interpretExport } from './otel/interpret';
import { mergeByResource } from './otel/merge';

export interface ExportJobSpec {
  /** Shown on /v1/exports and in logs; unique among jobs. */
  readonly name: string;
  readonly kind: 'preset' | 'script';
  /** The script's file, for user scripts. */
  readonly file?: string;
  readonly script: string;
  readonly intervalMs: number;
}

export interface ExportJobSettings {
  /** Rows one run reads at most; a job behind by more catches up run after run. */
  readonly maxRowsPerRun: number;
  readonly maxSeries: number;
  readonly seriesIdleTimeoutMs: number;
  readonly limits: Partial<PxlLimits>;
}

export interface ExportJobDeps {
  readonly engine: PxlEngine;
  readonly store: { lastSeq(): number };
  readonly sinks: SinkSet;
  readonly log: Logger;
  readonly clock?: () => number;
}

/** One sink's view of a job: how far it has received the job's rows, and its running totals. */
interface Target {
  readonly sink: Sink;
  readonly configured: boolean;
  /** The last ingest sequence number whose rows this sink has received. */
  cursor: number;
  readonly totals: CumulativeState;
  sent: number;
  dropped: number;
  lastSuccessAt: number | undefined;
  lastError: string | undefined;
}

/** What a run did, for /v1/exports. */
export interface RunOutcome {
  readonly startedAt: number;
  readonly durationMs: number;
  /** ok: every sink took the data; failed: a sink did not (its rows are read again next run); error: the script failed. */
  readonly outcome: 'ok' | 'failed' | 'error';
  readonly rows: number;
  readonly spans: number;
  readonly points: number;
  readonly error?: string;
  /** The run stopped at maxRowsPerRun; the next one follows at once. */
  readonly behind: boolean;
}

/**
 * An export script run on an interval. Each run reads exactly the rows ingested since the
 * previous one, by the store's ingest sequence: each sink has its own cursor, moved only when
 * the sink accepted the run's data (or refused it for good), so a failed push is read and sent
 * again, nothing is sent twice to a sink that took it, and late rows (old `time_`, new
 * sequence number) are exported too.
 */
export class ExportJob {
  private readonly targets = new Map<string, Target>();
  private readonly limiter = new AttributeLimiter();
  private readonly clock: () => number;
  private previousRunNs: bigint | undefined;
  private running: Promise<RunOutcome> | undefined;
  private last: RunOutcome | undefined;
  private runs = 0;
  private failures = 0;

  constructor(
    readonly spec: ExportJobSpec,
    private readonly settings: ExportJobSettings,
    private readonly deps: ExportJobDeps,
  ) {
    this.clock = deps.clock ?? Date.now;
    for (const sink of deps.sinks.configured) this.target(sink, true, 0);
  }

  /** Runs once; a run already under way is awaited instead of overlapping it. */
  run(): Promise<RunOutcome> {
    this.running ??= this.runOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Waits for a run under way, then runs once more (the last run at shutdown). */
  async runAfterCurrent(): Promise<RunOutcome> {
    await this.running;
    return this.run();
  }

  status() {
    const lastSeq = this.deps.store.lastSeq();
    return {
      name: this.spec.name,
      kind: this.spec.kind,
      ...(this.spec.file ? { file: this.spec.file } : {}),
      intervalMs: this.spec.intervalMs,
      runs: this.runs,
      failures: this.failures,
      lastRun: this.last
        ? { ...this.last, startedAt: new Date(this.last.startedAt).toISOString() }
        : null,
      sinks: [...this.targets.values()].map((t) => ({
        sink: t.sink.name,
        cursor: t.cursor,
        behindRows: Math.max(0, lastSeq - t.cursor),
        sent: t.sent,
        dropped: t.dropped,
        cumulativeSeries: t.totals.size,
        lastSuccessAt: t.lastSuccessAt ? new Date(t.lastSuccessAt).toISOString() : null,
        lastError: t.lastError ?? null,
      })),
    };
  }

  private async runOnce(): Promise<RunOutcome> {
    const startedAt = this.clock();
    const nowNs = BigInt(startedAt) * 1_000_000n;
    const windowStartNs = this.previousRunNs ?? nowNs - BigInt(this.spec.intervalMs) * 1_000_000n;
    const lastSeq = this.deps.store.lastSeq();
    const totals = { rows: 0, spans: 0, points: 0, failed: false, behind: false };
    let error: string | undefined;
    try {
      // Sinks at different cursors (one failed before) read different rows: one run per cursor.
      const cursors = [...new Set([...this.targets.values()].map((t) => t.cursor))].sort(
        (a, b) => a - b,
      );
      for (const after of cursors.length > 0 ? cursors : [0]) {
        const upTo = Math.min(lastSeq, after + this.settings.maxRowsPerRun);
        if (upTo < lastSeq) totals.behind = true;
        const parts = upTo > after ? await this.read(after, upTo, nowNs, windowStartNs) : [];
        const report = await this.deliver(after, upTo, parts, nowNs, windowStartNs, startedAt);
        totals.rows += parts.reduce((n, p) => n + p.rows, 0);
        totals.spans += report.spans;
        totals.points += report.points;
        if (report.error) {
          totals.failed = true;
          error ??= report.error;
        }
      }
    } catch (err) {
      error = (err as Error).message;
      this.deps.log.error({ job: this.spec.name, err: error }, 'export run failed');
    }
    this.previousRunNs = nowNs;
    this.runs++;
    const outcome: RunOutcome['outcome'] =
      error !== undefined && !totals.failed ? 'error' : totals.failed ? 'failed' : 'ok';
    if (outcome !== 'ok') this.failures++;
    this.last = {
      startedAt,
      durationMs: this.clock() - startedAt,
      outcome,
      rows: totals.rows,
      spans: totals.spans,
      points: totals.points,
      behind: totals.behind && outcome === 'ok',
      ...(error !== undefined ? { error } : {}),
    };
    return this.last;
  }

  /** Runs the script over the rows in (after, upTo] and interprets its exports. */
  private async read(
    after: number,
    upTo: number,
    nowNs: bigint,
    startNs: bigint,
  ): Promise<ExportParts[]> {
    const result = await this.deps.engine.run(this.spec.script, {
      now: nowNs,
      seqRange: { after, upTo },
      pluginWindow: { startNs, endNs: nowNs },
      limits: { maxOutputRows: this.settings.maxRowsPerRun, ...this.settings.limits },
    });
    return result.exports.map((e, i) =>
      interpretExport(e, i, { nowNs, limiter: this.limiter, idSalt: this.spec.name }),
    );
  }

  /** Sends a run's parts to every sink whose cursor is `after`; moves the cursors of those that took them. */
  private async deliver(
    after: number,
    upTo: number,
    parts: readonly ExportParts[],
    nowNs: bigint,
    startNs: bigint,
    nowMs: number,
  ): Promise<{ spans: number; points: number; error?: string }> {
    for (const p of parts) {
      if (p.target.kind === 'endpoint')
        this.target(this.deps.sinks.endpoint(p.target.endpoint), false, after);
    }
    const targets = [...this.targets.values()].filter((t) => t.cursor === after);
    let spans = 0;
    let points = 0;
    let error: string | undefined;
    await Promise.all(
      targets.map(async (t) => {
        const mine = parts.filter((p) =>
          p.target.kind === 'configured'
            ? t.configured
            : this.deps.sinks.endpoint(p.target.endpoint) === t.sink,
        );
        const prepared = t.totals.prepare(
          t.sink.signals.has('metrics')
            ? mine.flatMap((p) => p.cumulative as CumulativeUpdate[])
            : [],
          nowNs,
          nowMs,
          startNs,
        );
        const batch: TelemetryBatch = {
          spans: t.sink.signals.has('spans') ? mine.flatMap((p) => p.spans as ResourceSpans[]) : [],
          metrics: t.sink.signals.has('metrics')
            ? mergeByResource([
                ...mine.flatMap((p) => p.instant as ResourceMetrics[]),
                ...prepared.metrics,
              ])
            : [],
        };
        try {
          const report = await t.sink.export(batch);
          prepared.commit();
          t.cursor = upTo;
          t.sent += report.sent;
          t.dropped += report.dropped + prepared.dropped;
          t.lastSuccessAt = nowMs;
          t.lastError = undefined;
          spans += spanCount(batch.spans);
          points += pointCount(batch.metrics);
        } catch (err) {
          t.lastError = asExportError(err).message;
          error ??= `${t.sink.name}: ${t.lastError}`;
          this.deps.log.warn(
            { job: this.spec.name, sink: t.sink.name, cursor: t.cursor, err: t.lastError },
            'export to sink failed; its rows will be read again next run',
          );
        }
      }),
    );
    return { spans, points, ...(error !== undefined ? { error } : {}) };
  }

  private target(sink: Sink, configured: boolean, cursor: number): Target {
    let t = this.targets.get(sink.name);
    if (!t) {
      t = {
        sink,
        configured,
        cursor,
        totals: new CumulativeState(this.settings.maxSeries, this.settings.seriesIdleTimeoutMs),
        sent: 0,
        dropped: 0,
        lastSuccessAt: undefined,
        lastError: undefined,
      };
      this.targets.set(sink.name, t);
    }
    return t;
  }
}
