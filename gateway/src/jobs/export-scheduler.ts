import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Registry } from 'prom-client';
import { Logger } from '../../../shared/common/logger';
import { PACKAGE_ROOT } from '../common/package-info';
import { ExportConfig, ExportPreset } from '../../../cli/config/export-schema';
import { SinkSet } from '../exporters/sink-set';
import { PxlEngine } from '../pxl/engine';
import { ExportCursors } from './cursor-store';
import {
  ExportJob,
  ExportJobDeps,
  ExportJobSettings,
  ExportJobSpec,
  PartitionSource,
  RunOutcome,
  funcOptions,
} from './export-job';
import { ExportJobMetrics } from './export-metrics';
import { AttributeLimiter } from './otel/attribute-limiter';
import { interpretExport } from './otel/interpret';

/** The bundled export scripts live in scripts/px/export/, one file per preset. */
export function presetScript(name: ExportPreset): string {
  return readFileSync(join(PACKAGE_ROOT, 'scripts', 'px', 'export', `${name}.pxl`), 'utf8');
}

/** The presets that run a function of their script, with arguments from the config. */
function presetFunc(name: ExportPreset, config: ExportConfig): ExportJobSpec['func'] {
  return name === 'db-spans'
    ? { name: 'db_spans', args: { query_text: config.dbQueryText } }
    : undefined;
}

/** A preset or export script that cannot run: the message names it (and the line, for PxL). */
export class ExportScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportScriptError';
  }
}

export interface SchedulerDeps {
  readonly engine: PxlEngine;
  readonly store: { lastSeq(): number };
  readonly sinks: SinkSet;
  readonly log: Logger;
  /** Where the job metrics go (/metrics). */
  readonly registry?: Registry;
  /** Saved cursors, with a data directory: read by `restore()`, written after each delivery. */
  readonly cursors?: ExportCursors | undefined;
  /**
   * In a cluster: the jobs read the partitions this gateway owns, each on its own (`take()`),
   * never the whole store.
   */
  readonly perPartition?: boolean;
}

/** A partition of a cluster this gateway has taken, as its export jobs read it. */
export interface PartitionExportSource extends PartitionSource {
  /** The stream sequence of the partition's last message applied here. */
  lastSeq(): number;
  /** Its cursors in the cluster's KV bucket. */
  readonly cursors: ExportCursors;
}

/**
 * Runs the export jobs (presets and user scripts) on their intervals. Each job runs again
 * `interval` after its previous run has read its rows (at once when it is behind), whatever its
 * sinks' deliveries are doing. `shutdown()` stops the timers and gives every job a last run, so
 * that rows ingested just before shutdown are exported too, all within `export.drainTimeout`;
 * then drains the sinks by the same deadline and says what was not exported. It is safe before
 * `start()` and safe twice.
 */
export class ExportScheduler {
  private readonly timers = new Map<ExportJob, NodeJS.Timeout>();
  /** Each partition's jobs, in a cluster. */
  private readonly partitions = new Map<string, ExportJob[]>();
  private started = false;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly own: readonly ExportJob[],
    private readonly specs: readonly ExportJobSpec[],
    private readonly settings: ExportJobSettings,
    private readonly jobDeps: ExportJobDeps,
    private readonly drainTimeoutMs: number,
    private readonly deps: SchedulerDeps,
  ) {}

  /** Every job: the store's own, or each partition's in a cluster. */
  get jobs(): readonly ExportJob[] {
    return [...this.own, ...[...this.partitions.values()].flat()];
  }

  /**
   * Makes the jobs of the `export` config. Every script is compiled, and its px.export specs
   * read, before anything runs: a mistake fails start-up with its script, line and column.
   */
  static create(config: ExportConfig, deps: SchedulerDeps): ExportScheduler {
    const specs: ExportJobSpec[] = [
      ...config.presets.map((name) => {
        const func = presetFunc(name, config);
        return {
          name,
          kind: 'preset' as const,
          script: presetScript(name),
          ...(func ? { func } : {}),
          intervalMs: config.interval,
        };
      }),
      ...config.scripts.map((s, i) => ({
        name: s.name ?? basename(s.file).replace(/\.pxl$/, ''),
        kind: 'script' as const,
        file: s.file,
        script: readScript(s.file, `export.scripts.${i}.file`),
        intervalMs: s.every ?? config.interval,
      })),
    ];
    const names = new Set<string>();
    for (const spec of specs) {
      if (names.has(spec.name)) {
        throw new ExportScriptError(
          `two export jobs are named "${spec.name}"; give scripts distinct names`,
        );
      }
      names.add(spec.name);
      validate(spec, deps.engine);
    }
    const settings = {
      maxRowsPerRun: config.maxRowsPerRun,
      maxSeries: config.maxSeriesPerJob,
      seriesIdleTimeoutMs: config.seriesIdleTimeout,
      limits: { maxResultBytes: Math.floor(config.maxResultMb * 1024 * 1024) },
    };
    const jobs: ExportJob[] = [];
    let scheduler: ExportScheduler | undefined = undefined;
    const metrics = deps.registry
      ? new ExportJobMetrics(deps.registry, () =>
          (scheduler?.jobs ?? []).flatMap((j) => j.readings()),
        )
      : undefined;
    const jobDeps: ExportJobDeps = { ...deps, metrics };
    if (!deps.perPartition) {
      for (const spec of specs) {
        jobs.push(
          new ExportJob(spec, settings, { ...jobDeps, log: deps.log.child({ job: spec.name }) }),
        );
      }
    }
    if (specs.length > 0 && deps.sinks.configured.length === 0) {
      deps.log.warn(
        'export jobs are configured but no sink is: set export.otlp or export.remoteWrite',
      );
    }
    scheduler = new ExportScheduler(jobs, specs, settings, jobDeps, config.drainTimeout, deps);
    return scheduler;
  }

  /**
   * Starts the jobs over a partition this gateway has taken (in a cluster), from the cursors
   * its previous owner left in the KV bucket. A partition taken already is left as it is.
   */
  async take(source: PartitionExportSource): Promise<void> {
    if (this.stopping || this.partitions.has(source.name)) return;
    const jobs = this.specs.map(
      (spec) =>
        new ExportJob(spec, this.settings, {
          ...this.jobDeps,
          store: source,
          cursors: source.cursors,
          partition: source,
          log: this.deps.log.child({ job: spec.name, partition: source.name }),
        }),
    );
    this.partitions.set(source.name, jobs);
    for (const job of jobs) await job.restore(source.cursors);
    if (this.started && this.partitions.get(source.name) === jobs) {
      for (const job of jobs) this.schedule(job, job.spec.intervalMs);
    }
  }

  /**
   * Stops the jobs of a partition that moved away, and waits for their reads under way (its
   * rows must stay until they are read). Deliveries under way go on without holding the move
   * back, however long a sink retries: their cursor writes are fenced once the new owner wrote.
   */
  async leave(partition: string): Promise<void> {
    const jobs = this.partitions.get(partition);
    if (!jobs) return;
    this.partitions.delete(partition);
    for (const job of jobs) {
      clearTimeout(this.timers.get(job));
      this.timers.delete(job);
      job.stop();
    }
    await Promise.all(jobs.map((job) => job.readDone()));
  }

  /** Takes up the cursors saved in the data directory (none without one). Before `start()`. */
  async restore(): Promise<void> {
    const cursors = this.deps.cursors;
    if (!cursors) return;
    for (const job of this.jobs) await job.restore(cursors);
  }

  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    for (const job of this.jobs) this.schedule(job, job.spec.intervalMs);
    if (this.specs.length > 0) {
      this.deps.log.info({ jobs: this.specs.map((j) => j.name) }, 'export jobs scheduled');
    }
  }

  /** Runs every job once, now, after the deliveries under way; resolves when its deliveries end. */
  runAll(): Promise<RunOutcome[]> {
    return Promise.all(this.jobs.map((job) => job.run()));
  }

  /**
   * The ingest sequence number every job has read up to at every sink (undefined: no job, or
   * the jobs of a cluster's partitions, whose cursors are stream sequences).
   */
  readUpTo(): number | undefined {
    const cursors = this.own.flatMap((j) => j.cursors());
    return cursors.length === 0 ? undefined : Math.min(...cursors);
  }

  status() {
    return this.jobs.map((j) => j.status());
  }

  shutdown(): Promise<void> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  private async drain(): Promise<void> {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    const deadlineAt = Date.now() + this.drainTimeoutMs;
    if (this.started) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), this.drainTimeoutMs);
      });
      const last = Promise.all(this.jobs.map((job) => job.finalRun(deadlineAt)));
      if ((await Promise.race([last, deadline])) === 'late') {
        this.deps.log.warn(
          { drainTimeoutMs: this.drainTimeoutMs },
          'export jobs did not finish their last run in time',
        );
      }
      clearTimeout(timer);
    }
    for (const job of this.jobs) job.stop();
    // Sinks send what they hold until the same deadline; deliveries still waiting then fail.
    await this.deps.sinks.shutdown(deadlineAt);
    await Promise.all(this.jobs.map((job) => job.idle()));
    this.reportUnexported();
  }

  /** Says, per job and sink, which rows were not exported and what becomes of them. */
  private reportUnexported(): void {
    const durable = this.deps.cursors !== undefined;
    for (const job of this.jobs) {
      for (const u of job.unexported()) {
        this.deps.log.warn(
          { job: job.spec.name, sink: u.sink, cursor: u.cursor, rows: u.rows },
          durable
            ? 'rows not exported to this sink at shutdown; they stay in the data directory, and the next start with it exports them'
            : 'rows not exported to this sink at shutdown are lost: they were held only in memory (no data directory)',
        );
      }
    }
  }

  /**
   * Runs the job after `delayMs`, then schedules its next run: at once when it is behind (a read
   * stopped at maxRowsPerRun, or a sink left out while delivering has just delivered with rows
   * waiting), else after its interval. Each job has one timer at a time.
   */
  private schedule(job: ExportJob, delayMs: number): NodeJS.Timeout | undefined {
    if (this.stopping || !job.running) return undefined;
    const timer = setTimeout(() => {
      this.timers.delete(job);
      void job.tick().then(
        (tick) => {
          if (tick.behind) {
            this.schedule(job, 0);
            return;
          }
          const next = this.schedule(job, job.spec.intervalMs);
          void tick.catchUp?.then((delivered) => {
            if (delivered) this.hurry(job, next);
          });
        },
        (err: Error) => {
          this.deps.log.error({ job: job.spec.name, err: err.message }, 'export run failed');
          this.schedule(job, job.spec.intervalMs);
        },
      );
    }, delayMs);
    timer.unref();
    this.timers.set(job, timer);
    return timer;
  }

  /** Brings the job's next run forward to now, if `timer` is still the one waiting for it. */
  private hurry(job: ExportJob, timer: NodeJS.Timeout | undefined): void {
    if (this.stopping || timer === undefined || this.timers.get(job) !== timer) return;
    clearTimeout(timer);
    this.schedule(job, 0);
  }
}

function readScript(file: string, path: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ExportScriptError(`${path}: cannot read ${file}: ${(err as Error).message}`);
  }
}

/** Compiles a job's script and reads its export specs against the compiled columns. */
function validate(spec: ExportJobSpec, engine: PxlEngine): void {
  const where = spec.kind === 'preset' ? `preset ${spec.name}` : `export script ${spec.file}`;
  try {
    const compiled = engine.compile(spec.script, {
      ...funcOptions(spec),
      seqRange: { after: 0, upTo: 0 },
      pluginWindow: { startNs: 0n, endNs: 0n },
    });
    if (compiled.exports.length === 0) throw new Error('it has no px.export call');
    compiled.exports.forEach((e, i) =>
      interpretExport(
        { table: { name: `export_${i}`, columns: e.columns, rows: [] }, spec: e.spec },
        i,
        {
          nowNs: 0n,
          limiter: new AttributeLimiter(),
          idSalt: spec.name,
        },
      ),
    );
  } catch (err) {
    const e = err as Error & { line?: number; column?: number };
    const at = e.line !== undefined ? `, line ${e.line}, column ${e.column}` : '';
    throw new ExportScriptError(`${where}${at}: ${e.message}`);
  }
}
