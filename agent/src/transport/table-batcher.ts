import { randomUUID } from 'node:crypto';
import { ARROW_STREAM_TYPE } from '../../../shared/contract/arrow';
import { BATCH_ID_HEADER } from '../../../shared/contract/batch-id';
import { TableSchema } from '../../../shared/contract/types';
import { ArrowStreamEncoder } from './arrow-stream';
import { TableColumns } from './columns';
import { Row } from './row';
import { SendQueue } from './send-queue';

export interface BatcherOptions {
  /** A batch is cut when it holds this many rows... */
  readonly maxRows: number;
  /** ...or when its first row is this old. */
  readonly maxDelayMs: number;
}

/**
 * Collects one table's rows and cuts them into Arrow IPC batches by size or age, handing each
 * to the send queue. Rows go straight into Arrow column buffers as they arrive; at most
 * `maxRows` rows wait here, and the queue bounds the rest.
 */
export class TableBatcher {
  private readonly columns: TableColumns;
  private readonly encoder: ArrowStreamEncoder;
  private firstAt = 0;

  constructor(
    private readonly schema: TableSchema,
    private readonly queue: SendQueue,
    private readonly opts: BatcherOptions,
  ) {
    this.columns = new TableColumns(schema);
    this.encoder = new ArrowStreamEncoder(schema);
  }

  add(row: Row): void {
    if (this.columns.length === 0) this.firstAt = Date.now();
    this.columns.append(row);
    if (this.columns.length >= this.opts.maxRows) this.cut();
  }

  /** Cuts the batch if it is old enough (or at all, with `force`). */
  flush(force = false): void {
    if (this.columns.length === 0) return;
    if (force || Date.now() - this.firstAt >= this.opts.maxDelayMs) this.cut();
  }

  private cut(): void {
    const rows = this.columns.length;
    const body = this.encoder.encode(this.columns);
    this.columns.reset();
    this.queue.push({
      label: this.schema.name,
      path: '/v1/ingest',
      contentType: ARROW_STREAM_TYPE,
      // A batch sent again after a lost answer is stored once (the gateway knows its id).
      headers: { 'x-pxgate-table': this.schema.name, [BATCH_ID_HEADER]: randomUUID() },
      body,
      rows,
    });
  }
}
