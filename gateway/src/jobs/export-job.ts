import { Logger } from '../../../shared/common/logger';
import { UserError } from '../common/errors';
import { SinkSet } from '../exporters/sink-set';
import { Sink } from '../exporters/sink';
import { PxlEngine } from '../pxl/engine';
import { PxlLimits } from '../pxl/execute/limits';
import { ExportCursors, SavedTarget } from './cursor-store';
import { ExportJobMetrics } from './export-metrics';
import { AttributeLimiter } from './otel/attribute-limiter';
import { CumulativeState } from './otel/cumulative-state';
import { ExportParts } from './otel/export-parts';
import { interpretExport } from './otel/interpret';
import { Delivery, RunWindow, SinkTarget } from './sink-target';
import { SeqRangeOption } from '../pxl/compile/compile';
import { withPartition } from './otel/partition-label';

export interface ExportJobSpec {
  /** Shown on /v1/exports and in logs; unique among jobs. */
  readonly name: string;
  readonly kind: 'preset' | 'script';
  /** The script's file, for user scripts. */
  readonly file?: string;
  readonly script: string;
  /** A function of the script to run (after its top level), with its arguments. */
  readonly func?: { readonly name: string; readonly args: Readonly<Record<string, unknown>> };
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
  /** Saved cursors: a data directory's, or a cluster's KV bucket's. */
  readonly cursors?: ExportCursors | undefined;
  readonly metrics?: ExportJobMetrics | undefined;
  /** The job reads one partition of a cluster (its cursors are stream sequences). */
  readonly partition?: PartitionSource | undefined;
}

/**
 * One partition of a cluster as an export job reads it: `store.lastSeq()` is then the stream
 * sequence of the partition's last message applied here, and cursors are stream sequences.
 */
export interface PartitionSource {
  /** The partition's name, put on every metric point as `pxgate.partition`. */
  readonly name: string;
  /** The store rows of the messages after stream sequence `after`, within `maxRows` rows. */
  span(after: number, maxRows: number): { upTo: number; seqRange: SeqRangeOption };
}

/** What a run read, and the deliveries it started. */
export interface Tick {
  readonly startedAt: number;
  readonly rows: number;
  /** A read stopped at maxRowsPerRun; the next run follows at once. */
  readonly behind: boolean;
  /** The script failed. */
  readonly error?: string;
  readonly deliveries: readonly Promise<Delivery>[];
  /**
   * Sinks were left out of this run while delivering, with rows waiting behind their delivery:
   * resolves true as soon as one of them has delivered, so the next run need not wait for the
   * interval (false when all of them failed: a failing sink is retried on the interval).
   */
  readonly catchUp?: Promise<boolean>;
}

/** What a run did, once its deliveries ended (`run()`, the last run at shutdown, tests). */
export interface RunOutcome {
  readonly startedAt: number;
  readonly durationMs: number;
  /** ok: every sink it delivered to took the data; failed: one did not (its rows are read again); error: the script failed. */
  readonly outcome: 'ok' | 'failed' | 'error';
  readonly rows: number;
  readonly spans: number;
  readonly points: number;
  readonly error?: string;
  readonly behind: boolean;
}

/**
 * An export script run on an interval. Each run reads exactly the rows ingested since a sink's
 * cursor, by the store's ingest sequence, and hands each sink its batch; sinks at the same
 * cursor share one read. A sink still busy with an earlier batch (slow, or retrying a receiver
 * that is down) is left out of the run and catches up from its own cursor later: it never holds
 * back the others. Late rows (old `time_`, new sequence number) are exported too.
 */
export class ExportJob {
  private readonly targets = new Map<string, SinkTarget>();
  private readonly limiter = new AttributeLimiter();
  private readonly clock: () => number;
  /** Targets saved in the data directory and not yet made (endpoint sinks are made on first use). */
  private saved = new Map<string, SavedTarget>();
  private previousRunNs: bigint | undefined;
  private reading: Promise<Tick> | undefined;
  private last: (Omit<Tick, 'deliveries'> & { durationMs: number }) | undefined;
  private runs = 0;
  private scriptErrors = 0;
  private stopped = false;
  /** Set by the last run: no read of this job may go past it (ms since the epoch). */
  private deadlineAt: number | undefined;
  /**
   * Rows a run reads at most: maxRowsPerRun, halved after a read that passed one of the run's
   * limits (its time, above all, on a busy gateway) and doubled back after each whole read.
   */
  private readLimit: number;

  constructor(
    readonly spec: ExportJobSpec,
    private readonly settings: ExportJobSettings,
    private readonly deps: ExportJobDeps,
  ) {
    this.clock = deps.clock ?? Date.now;
    this.readLimit = settings.maxRowsPerRun;
    for (const sink of deps.sinks.configured) this.target(sink, true, 0);
  }

  /**
   * Takes up the saved cursors. A cursor past the rows the store holds (the log was removed,
   * say) is brought back to the store's last row, with a warning, unless the cursors say those
   * rows are on their way (a partition replayed from the stream).
   */
  async restore(cursors: ExportCursors): Promise<void> {
    this.saved = await cursors.load(
      this.spec.name,
      this.settings.maxSeries,
      this.settings.seriesIdleTimeoutMs,
    );
    const lastSeq = this.deps.store.lastSeq();
    for (const [sink, s] of this.saved) {
      if (s.cursor <= lastSeq || cursors.keepsCursorsAhead) continue;
      this.deps.log.warn(
        { sink, cursor: s.cursor, lastSeq },
        'a saved export cursor is past the rows stored; it starts at the last row',
      );
      this.saved.set(sink, { ...s, cursor: lastSeq });
    }
    for (const t of [...this.targets.values()]) {
      const s = this.saved.get(t.sink.name);
      if (!s) continue;
      this.targets.set(t.sink.name, this.makeTarget(t.sink, t.configured, s.cursor, s.totals));
      this.saved.delete(t.sink.name);
    }
  }

  /**
   * Starts a run: reads rows for every sink that is not busy and hands each its batch. Resolves
   * when the reads are done, with the deliveries started; a run already reading is shared.
   */
  tick(): Promise<Tick> {
    if (this.stopped) {
      return Promise.resolve({ startedAt: this.clock(), rows: 0, behind: false, deliveries: [] });
    }
    this.reading ??= this.readAndHandOff().finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** Starts no more runs (shutdown, past the last run). Deliveries under way go on. */
  stop(): void {
    this.stopped = true;
  }

  /** Whether it still runs (not stopped). */
  get running(): boolean {
    return !this.stopped;
  }

  /** Waits for deliveries under way, runs once, and waits for that run's deliveries. */
  async run(): Promise<RunOutcome> {
    await this.idle();
    const tick = await this.tick();
    const results = await Promise.all(tick.deliveries);
    const failed = results.find((r) => !r.ok);
    const error = tick.error ?? (failed && !failed.ok ? failed.error : undefined);
    return {
      startedAt: tick.startedAt,
      durationMs: this.clock() - tick.startedAt,
      outcome: tick.error !== undefined ? 'error' : failed ? 'failed' : 'ok',
      rows: tick.rows,
      spans: results.reduce((n, r) => n + (r.ok ? r.spans : 0), 0),
      points: results.reduce((n, r) => n + (r.ok ? r.points : 0), 0),
      behind: tick.behind,
      ...(error !== undefined ? { error } : {}),
    };
  }

  /**
   * The last run at shutdown: one run for the sinks that are free, then, once deliveries under
   * way end, one more for the sinks that were busy. The caller bounds it with its deadline.
   */
  async finalRun(deadlineAt?: number): Promise<void> {
    this.deadlineAt = deadlineAt;
    const busy = [...this.targets.values()].filter((t) => t.busy);
    const first = await this.tick();
    await Promise.all([...first.deliveries, ...busy.map((t) => t.idle())]);
    if (busy.length > 0) await Promise.all((await this.tick()).deliveries);
  }

  /** Resolves when no read and no delivery is under way. */
  async idle(): Promise<void> {
    await this.reading;
    await Promise.all([...this.targets.values()].map((t) => t.idle()));
  }

  /** Resolves when no read is under way (deliveries may be). */
  async readDone(): Promise<void> {
    await this.reading;
  }

  /** Where each sink's cursor stands: the job has read every row up to it for that sink. */
  cursors(): number[] {
    return [...this.targets.values()].map((t) => t.cursor);
  }

  /** The sinks that have not received every row, and from where: for the shutdown report. */
  unexported(): { sink: string; cursor: number; rows: number }[] {
    const lastSeq = this.deps.store.lastSeq();
    return this.applicableTargets()
      .filter((t) => t.cursor < lastSeq)
      .map((t) => ({ sink: t.sink.name, cursor: t.cursor, rows: lastSeq - t.cursor }));
  }

  /** One entry per sink, for the gauges on /metrics. */
  readings() {
    const lastSeq = this.deps.store.lastSeq();
    return this.applicableTargets().map((t) => {
      const s = t.lastSuccess();
      return {
        job: this.spec.name,
        sink: t.sink.name,
        behindRows: Math.max(0, lastSeq - t.cursor),
        consecutiveFailures: s.consecutiveFailures,
        lastSuccessAt: s.at,
      };
    });
  }

  status() {
    const lastSeq = this.deps.store.lastSeq();
    const last = this.last;
    return {
      name: this.spec.name,
      kind: this.spec.kind,
      ...(this.spec.file ? { file: this.spec.file } : {}),
      ...(this.deps.partition ? { partition: this.deps.partition.name } : {}),
      intervalMs: this.spec.intervalMs,
      runs: this.runs,
      scriptErrors: this.scriptErrors,
      lastRun: last
        ? {
            startedAt: new Date(last.startedAt).toISOString(),
            durationMs: last.durationMs,
            outcome: last.error !== undefined ? 'error' : 'ok',
            rows: last.rows,
            behind: last.behind,
            ...(last.error !== undefined ? { error: last.error } : {}),
          }
        : null,
      // A sink none of the job's exports reaches (spans at remote-write) is left out.
      sinks: this.applicableTargets().map((t) => t.status(lastSeq)),
    };
  }

  private async readAndHandOff(): Promise<Tick> {
    const startedAt = this.clock();
    const nowNs = BigInt(startedAt) * 1_000_000n;
    const window: RunWindow = {
      nowNs,
      nowMs: startedAt,
      startNs: this.previousRunNs ?? nowNs - BigInt(this.spec.intervalMs) * 1_000_000n,
    };
    const lastSeq = this.deps.store.lastSeq();
    this.runs++;
    this.deps.metrics?.runs.inc({ job: this.spec.name });
    const deliveries: Promise<Delivery>[] = [];
    let rows = 0;
    let behind = false;
    let error: string | undefined;
    try {
      const free = [...this.targets.values()].filter((t) => !t.busy);
      // Sinks at different cursors (one failed before) read different rows: one read per cursor.
      const cursors = [...new Set(free.map((t) => t.cursor))].sort((a, b) => a - b);
      for (const after of this.targets.size > 0 ? cursors : [0]) {
        const { upTo, seqRange } = this.span(after, lastSeq);
        if (upTo < lastSeq) behind = true;
        const parts = upTo > after ? await this.readWithin(seqRange, upTo < lastSeq, window) : [];
        rows += parts.reduce((n, p) => n + p.rows, 0);
        for (const p of parts) {
          if (p.target.kind === 'endpoint')
            this.target(this.deps.sinks.endpoint(p.target.endpoint), false, after);
        }
        for (const t of this.targets.values()) {
          if (t.cursor !== after || t.busy) continue;
          const mine = parts.filter((p) => this.takes(t, p));
          deliveries.push(
            parts.length > 0 && mine.length === 0
              ? t.pass(upTo).then(() => NOTHING_DELIVERED)
              : t.deliver(mine, upTo, window),
          );
        }
      }
    } catch (err) {
      // The same rows are read again at once, fewer at a time.
      if (err instanceof ReadTooLarge) behind = true;
      error = (err as Error).message;
      this.scriptErrors++;
      this.deps.metrics?.scriptErrors.inc({ job: this.spec.name });
      this.deps.log.error({ job: this.spec.name, err: error }, 'export run failed');
    }
    this.previousRunNs = nowNs;
    const durationMs = this.clock() - startedAt;
    this.last = { startedAt, durationMs, rows, behind, ...(error !== undefined ? { error } : {}) };
    const catchUp = behind ? undefined : this.catchUp(this.deps.store.lastSeq());
    return {
      startedAt,
      rows,
      behind,
      deliveries,
      ...(error !== undefined ? { error } : {}),
      ...(catchUp ? { catchUp } : {}),
    };
  }

  /** See `Tick.catchUp`; undefined when no sink is delivering with rows behind it. */
  private catchUp(lastSeq: number): Promise<boolean> | undefined {
    const pending = [...this.targets.values()].flatMap((t) => t.pendingCatchUp(lastSeq) ?? []);
    if (pending.length === 0) return undefined;
    return new Promise((resolve) => {
      let failed = 0;
      for (const delivery of pending) {
        void delivery.then((d) => {
          if (d.ok) resolve(true);
          else if (++failed === pending.length) resolve(false);
        });
      }
    });
  }

  /** How far a run reads from `after`: at most readLimit rows, and which rows those are. */
  private span(after: number, lastSeq: number): { upTo: number; seqRange: SeqRangeOption } {
    const max = this.readLimit;
    if (this.deps.partition) return this.deps.partition.span(after, max);
    const upTo = Math.min(lastSeq, after + max);
    return { upTo, seqRange: { after, upTo } };
  }

  /**
   * `read`, with the read size adapting: a read that passes a limit of the run (time, rows,
   * memory) halves the next reads, down to MIN_READ_ROWS, so that a job on a busy gateway still
   * moves instead of timing out on the same rows forever; each whole read that the size limited
   * (`limited`) doubles it back.
   */
  private async readWithin(
    seqRange: SeqRangeOption,
    limited: boolean,
    w: RunWindow,
  ): Promise<ExportParts[]> {
    try {
      const parts = await this.read(seqRange, w);
      if (limited) this.readLimit = Math.min(this.settings.maxRowsPerRun, this.readLimit * 2);
      return parts;
    } catch (err) {
      const rows = this.readLimit;
      if (err instanceof UserError && err.kind === 'limit-exceeded' && rows > MIN_READ_ROWS) {
        this.readLimit = Math.max(MIN_READ_ROWS, Math.floor(rows / 2));
        this.deps.log.warn(
          { job: this.spec.name, rows, next: this.readLimit, err: err.message },
          'an export run passed a limit; the next runs read fewer rows at a time',
        );
        throw new ReadTooLarge(err.message);
      }
      throw err;
    }
  }

  /** Runs the script over the rows of a span and interprets its exports. */
  private async read(seqRange: SeqRangeOption, w: RunWindow): Promise<ExportParts[]> {
    const result = await this.deps.engine.run(this.spec.script, {
      ...funcOptions(this.spec),
      now: w.nowNs,
      seqRange,
      aggregateExports: true,
      pluginWindow: { startNs: w.startNs, endNs: w.nowNs },
      limits: {
        maxOutputRows: this.settings.maxRowsPerRun,
        ...this.settings.limits,
        ...this.readTimeout(),
      },
    });
    const parts = result.exports.map((e, i) =>
      interpretExport(e, i, { nowNs: w.nowNs, limiter: this.limiter, idSalt: this.spec.name }),
    );
    const partition = this.deps.partition;
    return partition ? parts.map((p) => withPartition(p, partition.name)) : parts;
  }

  /** The last run's reads end at the shutdown deadline, compiling or querying (a 422 then). */
  private readTimeout(): { timeoutMs: number } | undefined {
    if (this.deadlineAt === undefined) return undefined;
    const left = Math.max(1, this.deadlineAt - Date.now());
    const usual = this.settings.limits.timeoutMs;
    return { timeoutMs: usual === undefined ? left : Math.min(usual, left) };
  }

  /**
   * Whether a part goes to a target: configured sinks take parts without an endpoint, and a sink
   * takes only the signals it carries (no spans for remote-write).
   */
  private takes(t: SinkTarget, p: ExportParts): boolean {
    const reaches =
      p.target.kind === 'configured'
        ? t.configured
        : this.deps.sinks.endpoint(p.target.endpoint) === t.sink;
    return reaches && [...p.signals].some((s) => t.sink.signals.has(s));
  }

  /** The targets a job's exports reach (or may: before its first run with rows). */
  private applicableTargets(): SinkTarget[] {
    return [...this.targets.values()].filter((t) => t.applicable !== false);
  }

  /** The target of a sink, made on first use (from its saved cursor, if there is one). */
  private target(sink: Sink, configured: boolean, cursor: number): SinkTarget {
    let t = this.targets.get(sink.name);
    if (t) return t;
    const saved = this.saved.get(sink.name);
    this.saved.delete(sink.name);
    t = this.makeTarget(
      sink,
      configured,
      saved?.cursor ?? cursor,
      saved?.totals ??
        new CumulativeState(this.settings.maxSeries, this.settings.seriesIdleTimeoutMs),
    );
    this.targets.set(sink.name, t);
    return t;
  }

  private makeTarget(
    sink: Sink,
    configured: boolean,
    cursor: number,
    totals: CumulativeState,
  ): SinkTarget {
    const cursors = this.deps.cursors;
    return new SinkTarget(sink, configured, cursor, totals, {
      job: this.spec.name,
      log: this.deps.log,
      metrics: this.deps.metrics,
      clock: this.clock,
      save: cursors
        ? (t) => cursors.save(this.spec.name, t.sink.name, t.cursor, t.totals)
        : undefined,
    });
  }
}

/** What a run hands a sink that none of its exports reaches. */
const NOTHING_DELIVERED: Delivery = { ok: true, spans: 0, points: 0 };

/** The run options that call a job's function, if it names one. */
export function funcOptions(spec: ExportJobSpec): {
  func?: string;
  args?: Record<string, unknown>;
} {
  return spec.func ? { func: spec.func.name, args: { ...spec.func.args } } : {};
}

/** The fewest rows a run reads while its reads pass a limit (see `readWithin`). */
const MIN_READ_ROWS = 1_000;

/** A read that passed a limit of the run: the job reads again at once, fewer rows. */
class ReadTooLarge extends Error {}
