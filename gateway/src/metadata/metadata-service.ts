import { Registry } from 'prom-client';
import { Logger } from '../../../shared/common/logger';
import { withTimeout } from '../common/timeout';
import { Config } from '../../../cli/config/schema';
import { DataDir } from '../store/data-dir';
import { TableStore } from '../store/table-store';
import { ClusterState } from './cluster-state';
import {
  KubeConfigChoice,
  KubernetesMode,
  chooseKubeConfig,
  describeChoice,
} from './kube/kube-config';
import type { KubernetesSource, ResourceStatus } from './kube/kubernetes-source';
import { normalize } from './kube/normalize';
import type { InformerSink } from './kube/resource-informer';
import { MetadataMetrics } from './metadata-metrics';
import { MetadataJournal } from './metadata-journal';
import { MetadataRow, MetadataRows, WrittenTable } from './metadata-rows';
import { createMetadataTables } from './tables';
import { CLUSTER_KINDS, ClusterKind, ClusterObject } from './objects';
import { StaticFileSource, StaticSink } from './static/static-source';
import { MetadataTableWriter } from './table-writer';

export interface MetadataOptions {
  kubernetes: KubernetesMode;
  kubeconfig?: string | undefined;
  staticFile?: string | undefined;
  resyncMs: number;
  flushIntervalMs: number;
  /** How long rows of deleted objects stay resolvable. */
  retainDeletedMs: number;
  /** At most this many rows of deleted objects per table; the oldest go first. */
  maxDeletedRows: number;
}

/** The state the metadata service reports (`GET /v1/metadata/status` and tests). */
export interface MetadataStatus {
  kubernetes: { source: string; synced: boolean; resources: ResourceStatus[] } | null;
  staticFile: { path: string; objects: number; error: string | null } | null;
  rows: Record<string, { rows: number; deleted: number }>;
}

const PURGE_INTERVAL_MS = 10_000;
const STATIC_POLL_MS = 2_000;
const INFORMER = { pageSize: 500, retryBaseMs: 200, retryMaxMs: 30_000, listTimeoutMs: 60_000 };

/**
 * The metadata service: keeps the `_md_*` tables (pods, containers, services, pod-to-service,
 * nodes, namespaces) in step with the cluster, from Kubernetes informers, a static file, or both.
 * Events change the in-memory rows at once; the changed rows reach DuckDB in one transaction per
 * flush interval. `start()` does not wait for the API server: telemetry flows while informers
 * sync, and an unreachable API server is retried, logged and counted, never fatal.
 */
export class MetadataService implements InformerSink, StaticSink {
  private readonly rows = new MetadataRows();
  private readonly state = new ClusterState(this.rows, nowNs);
  private readonly metrics: MetadataMetrics;
  private readonly kubeChoice: KubeConfigChoice | undefined;
  private kube: KubernetesSource | undefined;
  private readonly staticSource: StaticFileSource | undefined;
  private staticUids = new Set<string>();
  private writer: MetadataTableWriter | undefined;
  private journal: MetadataJournal | undefined;
  /** Rows read back from the journal as live: stopped at start unless a source confirms them. */
  private restoredLive: [WrittenTable, MetadataRow][] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  /** Chooses the Kubernetes configuration; throws a ConfigError naming the key when there is none. */
  constructor(
    private readonly opts: MetadataOptions,
    private readonly store: TableStore,
    registry: Registry,
    private readonly log: Logger,
  ) {
    this.metrics = new MetadataMetrics(registry);
    this.metrics.observeRows(() => this.rows.counts());
    this.kubeChoice = chooseKubeConfig(opts);
    if (opts.staticFile) {
      this.staticSource = new StaticFileSource(opts.staticFile, this, log, STATIC_POLL_MS);
    }
  }

  /**
   * Loads the Kubernetes configuration and the static file (throwing a ConfigError on a bad one),
   * opens the writer and starts the informers without waiting for them to sync. Once only.
   */
  start(): Promise<void> {
    if (this.stopping) return Promise.reject(new Error('the metadata service is shut down'));
    this.starting ??= this.open();
    return this.starting;
  }

  private async open(): Promise<void> {
    if (this.kubeChoice) {
      // Loaded only when Kubernetes is in use: client-node takes a second and ~40 MiB to load.
      const { createKubernetesSource } =
        require('./kube/kubernetes-source') as typeof import('./kube/kubernetes-source');
      this.kube = createKubernetesSource(this.kubeChoice, this, this.metrics, this.log, {
        ...INFORMER,
        resyncMs: this.opts.resyncMs,
      });
    }
    const conn = await this.store.connect();
    await createMetadataTables(conn);
    this.writer = await MetadataTableWriter.create(conn);
    if (this.store.dataDir) await this.restoreJournal(this.store.dataDir);
    this.staticSource?.start();
    await this.flush();
    if (this.kube) {
      this.log.info({ source: describeChoice(this.kubeChoice!) }, 'watching Kubernetes');
      void this.kube.start().catch((err) => this.log.error({ err }, 'informers failed to start'));
      void this.kube.whenSynced().then(() => this.stopUnconfirmed());
    } else {
      if (!this.staticSource) {
        this.log.info('no Kubernetes configuration and no static file: pod metadata stays empty');
      }
      this.stopUnconfirmed();
    }
    this.flushTimer = setInterval(() => void this.flush(), this.opts.flushIntervalMs);
    this.flushTimer.unref();
    this.purgeTimer = setInterval(() => this.purge(), PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  /** Resolves once every informer has synced and its rows are written; rejects after the timeout. */
  async whenSynced(timeoutMs: number): Promise<void> {
    if (this.kube) {
      await withTimeout(
        this.kube.whenSynced(),
        timeoutMs,
        `Kubernetes metadata not synced after ${timeoutMs} ms`,
      );
    }
    await this.flush();
  }

  status(): MetadataStatus {
    const resources = this.kube?.status() ?? [];
    const rows: MetadataStatus['rows'] = {};
    for (const [t, c] of Object.entries(this.rows.counts())) {
      rows[t] = { rows: c.rows, deleted: c.unpinned };
    }
    return {
      kubernetes: this.kubeChoice
        ? {
            source: describeChoice(this.kubeChoice),
            synced: resources.length > 0 && resources.every((r) => r.synced),
            resources,
          }
        : null,
      staticFile: this.staticSource?.status() ?? null,
      rows,
    };
  }

  /** Writes the pending row changes now; resolves when they are in the tables. */
  flush(): Promise<void> {
    const run = this.writing.then(() => this.writeChanges());
    this.writing = run.catch(() => undefined);
    return run;
  }

  apply(kind: ClusterKind, raw: unknown): void {
    const o = normalize(kind, raw);
    if (o) this.guard(kind, () => this.state.apply(o));
  }

  remove(kind: ClusterKind, raw: unknown): void {
    const o = normalize(kind, raw);
    if (o) this.guard(kind, () => this.state.remove(kind, o.uid));
  }

  reconcile(kind: ClusterKind, raws: readonly unknown[]): void {
    const present = new Set<string>();
    for (const raw of raws) {
      const o = normalize(kind, raw);
      if (!o) continue;
      present.add(o.uid);
      this.guard(kind, () => this.state.apply(o));
    }
    for (const o of this.state.objects(kind)) {
      if (!present.has(o.uid) && !this.staticUids.has(o.uid)) {
        this.guard(kind, () => this.state.remove(kind, o.uid));
      }
    }
  }

  replaceStatic(objects: readonly ClusterObject[]): void {
    const next = new Set(objects.map((o) => o.uid));
    for (const kind of [...CLUSTER_KINDS].reverse()) {
      for (const o of this.state.objects(kind)) {
        if (this.staticUids.has(o.uid) && !next.has(o.uid)) this.state.remove(kind, o.uid);
      }
    }
    for (const o of objects) this.state.apply(o);
    this.staticUids = next;
  }

  /** Stops the sources, writes what is pending and closes the writer. Safe twice. */
  shutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private async stop(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    this.staticSource?.shutdown();
    await this.kube?.shutdown();
    if (this.writer) {
      await this.flush().catch(() => undefined);
      this.writer.close();
      this.writer = undefined;
    }
    await this.journal?.close();
    this.journal = undefined;
  }

  private async writeChanges(): Promise<void> {
    if (!this.writer || !this.rows.hasChanges()) return;
    const changes = this.rows.takeChanges();
    try {
      await this.writer.write(changes);
      this.metrics.wrote(true);
    } catch (err) {
      this.rows.restore(changes);
      this.metrics.wrote(false);
      this.log.error({ err }, 'writing metadata rows failed; will retry');
      throw err;
    }
    await this.journal
      ?.append(changes, () => this.rows.all())
      .catch((err: Error) =>
        this.log.error({ err: err.message }, 'journaling metadata rows failed'),
      );
  }

  /**
   * Takes back the rows journaled in the data directory, as rows of objects not (yet) seen:
   * those of deleted objects stay until purged as before; those that were live are stopped once
   * the sources have listed everything, unless a source has delivered their object again.
   */
  private async restoreJournal(dataDir: DataDir): Promise<void> {
    const { journal, changes } = await MetadataJournal.open(dataDir, this.log);
    for (const batch of changes) {
      for (const [table, { upserts, deletes }] of batch) {
        for (const row of upserts) this.rows.put(table, row, false);
        for (const row of deletes) this.rows.remove(table, row);
      }
    }
    for (const [table, rows] of this.rows.all()) {
      for (const row of rows) if (row.stop_ns === null) this.restoredLive.push([table, row]);
    }
    this.journal = journal;
    const counts = Object.fromEntries(
      Object.entries(this.rows.counts()).map(([t, c]) => [t, c.rows]),
    );
    this.log.info({ rows: counts }, 'read cluster metadata back');
  }

  /** Restored rows no source confirmed: their objects went away while the gateway was down. */
  private stopUnconfirmed(): void {
    const now = nowNs();
    for (const [table, row] of this.restoredLive.splice(0)) {
      if (this.rows.isPinned(table, row)) continue;
      const current = this.rows.get(table, row);
      if (current && current.stop_ns === null)
        this.rows.put(table, { ...current, stop_ns: now }, false);
    }
  }

  private purge(): void {
    const cutoff = nowNs() - BigInt(this.opts.retainDeletedMs) * 1_000_000n;
    for (const [table, n] of this.rows.purge(cutoff, this.opts.maxDeletedRows)) {
      this.metrics.purgedRows(table, n);
      this.log.debug({ table, rows: n }, 'purged rows of deleted objects');
    }
  }

  /** A bad object must not stop the informer that delivered it. */
  private guard(kind: ClusterKind, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err, kind }, 'could not apply a metadata change');
    }
  }
}

/** The options the config implies: deleted objects stay as long as the store keeps rows. */
export function metadataOptions(config: Config): MetadataOptions {
  const m = config.metadata;
  const retentions = Object.values(config.store.tables).map((t) => t.retention ?? 0);
  return {
    kubernetes: m.kubernetes,
    kubeconfig: m.kubeconfig,
    staticFile: m.staticFile,
    resyncMs: m.resync,
    flushIntervalMs: m.flushInterval,
    retainDeletedMs: m.retainDeleted ?? Math.max(DEFAULT_RETAIN_MS, ...retentions),
    maxDeletedRows: m.maxDeletedRows,
  };
}

const DEFAULT_RETAIN_MS = 60 * 60 * 1000;

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
