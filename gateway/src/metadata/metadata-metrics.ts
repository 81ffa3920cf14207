import { Counter, Gauge, Registry } from 'prom-client';
import { WrittenTable } from './metadata-rows';
import { METADATA_TABLES } from './tables';

/** The metadata service's own metrics (`pxgate_metadata_*`), in the gateway's registry. */
export class MetadataMetrics {
  private readonly syncedGauge: Gauge<'resource'>;
  private readonly events: Counter<'resource' | 'type'>;
  private readonly relists: Counter<'resource'>;
  private readonly restarts: Counter<'resource'>;
  private readonly writes: Counter<'result'>;
  private readonly purged: Counter<'table'>;
  private rowCounts: () => Record<WrittenTable, { rows: number; unpinned: number }> = () =>
    ({}) as Record<WrittenTable, { rows: number; unpinned: number }>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.syncedGauge = new Gauge({
      name: 'pxgate_metadata_synced',
      help: 'Whether the informer of a Kubernetes resource has delivered its first list (1) or not (0).',
      labelNames: ['resource'],
      registers,
    });
    this.events = new Counter({
      name: 'pxgate_metadata_watch_events_total',
      help: 'Watch events received, per resource and type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR).',
      labelNames: ['resource', 'type'],
      registers,
    });
    this.relists = new Counter({
      name: 'pxgate_metadata_relists_total',
      help: 'Lists after the first, per resource: after 410 Gone or a restart that could not resume.',
      labelNames: ['resource'],
      registers,
    });
    this.restarts = new Counter({
      name: 'pxgate_metadata_watch_restarts_total',
      help: 'Restarts of an informer after a failed list or watch, per resource.',
      labelNames: ['resource'],
      registers,
    });
    this.writes = new Counter({
      name: 'pxgate_metadata_writes_total',
      help: 'Batches of metadata row changes written to the tables, by result (ok, error).',
      labelNames: ['result'],
      registers,
    });
    this.purged = new Counter({
      name: 'pxgate_metadata_purged_rows_total',
      help: 'Rows of deleted objects dropped after the retention window or beyond the bound, per table.',
      labelNames: ['table'],
      registers,
    });
    new Gauge({
      name: 'pxgate_metadata_rows',
      help: 'Rows held per metadata table, by whether their object still exists (live) or not (deleted).',
      labelNames: ['table', 'state'],
      registers,
      collect: () => {
        const gauge = registry.getSingleMetric('pxgate_metadata_rows') as Gauge<'table' | 'state'>;
        for (const [t, c] of Object.entries(this.rowCounts())) {
          const table = METADATA_TABLES[t as WrittenTable].name;
          gauge.set({ table, state: 'live' }, c.rows - c.unpinned);
          gauge.set({ table, state: 'deleted' }, c.unpinned);
        }
      },
    });
  }

  /** Points the row gauges at the rows. */
  observeRows(counts: () => Record<WrittenTable, { rows: number; unpinned: number }>): void {
    this.rowCounts = counts;
  }

  synced(resource: string, synced: boolean): void {
    this.syncedGauge.set({ resource }, synced ? 1 : 0);
  }

  watchEvent(resource: string, type: string): void {
    this.events.inc({ resource, type });
  }

  relisted(resource: string): void {
    this.relists.inc({ resource });
  }

  watchRestarted(resource: string): void {
    this.restarts.inc({ resource });
  }

  wrote(ok: boolean): void {
    this.writes.inc({ result: ok ? 'ok' : 'error' });
  }

  purgedRows(table: WrittenTable, rows: number): void {
    this.purged.inc({ table: METADATA_TABLES[table].name }, rows);
  }
}
