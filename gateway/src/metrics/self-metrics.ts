import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { RejectReason } from '../ingest/errors';
import { IngestHooks } from '../ingest/ingest-service';
import { EvictionReason, StoreHooks, TableStore } from '../store/table-store';

const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * The gateway's own metrics (`pxgate_*`) next to Node's default process metrics, in a registry
 * per gateway so that several gateways can live in one process (tests do).
 */
export class SelfMetrics implements StoreHooks, IngestHooks {
  readonly registry = new Registry();
  private readonly rowsIngested: Counter<'table'>;
  private readonly bytesIngested: Counter<'table'>;
  private readonly rejected: Counter<'reason'>;
  private readonly evicted: Counter<'table' | 'reason'>;
  private readonly evictedUnexported: Counter<'table'>;
  private store: TableStore | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Gauges named *_total: promtool check metrics rightly objects, and /metrics stays lint-clean.
    for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(name);
    const registers = [this.registry];
    this.rowsIngested = new Counter({
      name: 'pxgate_ingest_rows_total',
      help: 'Rows stored by ingest, per table.',
      labelNames: ['table'],
      registers,
    });
    this.bytesIngested = new Counter({
      name: 'pxgate_ingest_bytes_total',
      help: 'Estimated bytes stored by ingest, per table.',
      labelNames: ['table'],
      registers,
    });
    this.rejected = new Counter({
      name: 'pxgate_ingest_rejected_batches_total',
      help: 'Ingest batches refused, by reason (malformed, invalid, unsupported, too_large, unauthorized, forbidden).',
      labelNames: ['reason'],
      registers,
    });
    this.evicted = new Counter({
      name: 'pxgate_store_evicted_rows_total',
      help: 'Rows dropped from the store, per table and reason (budget, retention).',
      labelNames: ['table', 'reason'],
      registers,
    });
    this.evictedUnexported = new Counter({
      name: 'pxgate_store_evicted_unexported_rows_total',
      help: 'Rows dropped from the store before every export sink had taken them, per table (an upper bound of rows lost to exports: a delivery under way may still take them).',
      labelNames: ['table'],
      registers,
    });
    const perTable = (
      name: string,
      help: string,
      pick: (s: ReturnType<TableStore['stats']>[number]) => number,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: ['table'],
        registers,
        collect: () => {
          const gauge = this.registry.getSingleMetric(name) as Gauge<'table'>;
          for (const s of this.store?.stats() ?? []) gauge.set({ table: s.schema.name }, pick(s));
        },
      });
    perTable('pxgate_store_bytes', 'Estimated bytes held by the store, per table.', (s) => s.bytes);
    perTable('pxgate_store_rows', 'Rows held by the store, per table.', (s) => s.rows);
    perTable('pxgate_store_budget_bytes', 'Byte budget of each table.', (s) => s.budgetBytes);
  }

  /** Points the store gauges at a store. */
  observe(store: TableStore): void {
    this.store = store;
  }

  rowsAppended(table: string, rows: number, bytes: number): void {
    this.rowsIngested.inc({ table }, rows);
    this.bytesIngested.inc({ table }, bytes);
  }

  rowsEvicted(table: string, rows: number, reason: EvictionReason): void {
    this.evicted.inc({ table, reason }, rows);
  }

  unreadRowsEvicted(table: string, rows: number): void {
    this.evictedUnexported.inc({ table }, rows);
  }

  batchRejected(reason: RejectReason): void {
    this.rejected.inc({ reason });
  }
}
