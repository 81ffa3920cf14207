import { TableSchema } from '../../../gateway/src/store/types';
import { encodeRows } from './arrow-encode';
import { Row } from './row';
import { SendQueue } from './send-queue';

export interface BatcherOptions {
  /** A batch is cut when it holds this many rows... */
  readonly maxRows: number;
  /** ...or when its first row is this old. */
  readonly maxDelayMs: number;
}

const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

/**
 * Collects one table's rows and cuts them into Arrow IPC batches by size or age, handing each
 * to the send queue. At most `maxRows` rows wait here; the queue bounds the rest.
 */
export class TableBatcher {
  private rows: Row[] = [];
  private firstAt = 0;

  constructor(
    private readonly schema: TableSchema,
    private readonly queue: SendQueue,
    private readonly opts: BatcherOptions,
  ) {}

  add(row: Row): void {
    if (this.rows.length === 0) this.firstAt = Date.now();
    this.rows.push(row);
    if (this.rows.length >= this.opts.maxRows) this.cut();
  }

  /** Cuts the batch if it is old enough (or at all, with `force`). */
  flush(force = false): void {
    if (this.rows.length === 0) return;
    if (force || Date.now() - this.firstAt >= this.opts.maxDelayMs) this.cut();
  }

  private cut(): void {
    const rows = this.rows;
    this.rows = [];
    this.queue.push({
      label: this.schema.name,
      path: '/v1/ingest',
      contentType: ARROW_STREAM,
      headers: { 'x-pxgate-table': this.schema.name },
      body: encodeRows(this.schema, rows),
      rows: rows.length,
    });
  }
}
