import { UserError } from '../common/errors';
import { Logger } from '../../../shared/common/logger';
import { ColumnBatch } from '../store/batch';
import { AppendResult, TableStore } from '../store/table-store';
import { ARROW_STREAM_TYPE } from '../../../shared/contract/arrow';
import { decodeArrowStream } from './arrow';
import { parseBatchId } from './batch-id';
import { IngestError, RejectReason, describeValue, reasonOf } from './errors';
import { decodeJsonRows, parseJsonEnvelope } from './json';
import { DecodeOptions } from './rules';
import { nowNs } from './time';

/** Counters of rejected batches, by reason. */
export interface IngestHooks {
  batchRejected?(reason: RejectReason): void;
}

export interface IngestRequest {
  /** The request's media type, without parameters. */
  contentType: string;
  body: Buffer;
  /** The table named by the X-Pxgate-Table header (Arrow streams). */
  tableHeader: string | undefined;
  /** The X-Pxgate-Batch-Id header, as sent: a batch sent again under the same id is stored once. */
  batchId?: string | undefined;
  /** The time (ns) rows without time_ take; unset: now. A batch replayed keeps its first one. */
  ingestTimeNs?: bigint | undefined;
  /** The node (the cluster's partition) the batch comes from: the X-Pxgate-Node header. */
  node?: string | undefined;
}

export interface IngestResponse extends AppendResult {
  table: string;
}

/** A batch decoded and validated against its table, not yet stored. */
export interface DecodedBatch {
  readonly table: string;
  readonly parts: readonly ColumnBatch[];
  readonly batchId: string | undefined;
  readonly ingestTimeNs: bigint;
}

/** What the HTTP route hands a request body to: this service, or the cluster's publisher. */
export interface IngestHandler {
  ingest(req: IngestRequest): Promise<object>;
  bodyRefused(reason: RejectReason, err: { message?: unknown }): void;
}

/** Decodes ingest bodies (JSON or Arrow IPC), validates them against the table, and stores them. */
export class IngestService implements IngestHandler {
  constructor(
    private readonly store: TableStore,
    private readonly log: Logger,
    private readonly hooks: IngestHooks = {},
  ) {}

  async ingest(req: IngestRequest): Promise<IngestResponse> {
    try {
      const batch = this.decode(req);
      const result = await this.store.append(batch.table, batch.parts, batch.batchId);
      return { table: batch.table, ...result };
    } catch (err) {
      this.countIfRejected(err);
      throw err;
    }
  }

  /**
   * Decodes and validates a batch without storing it (a gateway in cluster mode publishes it
   * after this); a batch it rejects is counted as `ingest` counts it.
   */
  validate(req: IngestRequest): DecodedBatch {
    try {
      return this.decode(req);
    } catch (err) {
      this.countIfRejected(err);
      throw err;
    }
  }

  private countIfRejected(err: unknown): void {
    if (err instanceof UserError) {
      this.countRejected(err instanceof IngestError ? err.reason : reasonOf(err.kind), err);
    }
  }

  /**
   * Counts a body the HTTP layer refused while reading it (over the size limit, an unknown
   * Content-Encoding, a broken gzip stream): a rejected batch like any other.
   */
  bodyRefused(reason: RejectReason, err: { message?: unknown }): void {
    this.countRejected(reason, err);
  }

  private countRejected(reason: RejectReason, err: { message?: unknown }): void {
    this.hooks.batchRejected?.(reason);
    this.log.debug({ reason, err: err.message }, 'rejected ingest batch');
  }

  /** Decodes the body by its Content-Type; `ingest` and `validate` count what this rejects. */
  private decode(req: IngestRequest): DecodedBatch {
    const batchId = parseBatchId(req.batchId);
    const ingestTimeNs = req.ingestTimeNs ?? nowNs();
    if (req.contentType === 'application/json') {
      const { table, rows } = parseJsonEnvelope(req.body);
      const schema = this.schemaOf(table);
      const batch = decodeJsonRows(schema, rows, this.decodeOptions(table, ingestTimeNs));
      return { table, parts: [batch], batchId, ingestTimeNs };
    }
    if (req.contentType === ARROW_STREAM_TYPE) {
      const table = req.tableHeader;
      if (!table)
        throw new IngestError('an Arrow stream needs the X-Pxgate-Table header to name its table');
      const schema = this.schemaOf(table);
      const parts = decodeArrowStream(schema, req.body, this.decodeOptions(table, ingestTimeNs));
      return { table, parts, batchId, ingestTimeNs };
    }
    throw new IngestError(
      `unsupported Content-Type ${describeValue(req.contentType || '(none)')}; send application/json or ${ARROW_STREAM_TYPE}`,
      'unsupported',
    );
  }

  /** The API's rules for a batch of this table: stamped with now, bounded by the table's budget. */
  private decodeOptions(table: string, ingestTimeNs: bigint): DecodeOptions {
    const budgetBytes = this.store.stats().find((s) => s.schema.name === table)?.budgetBytes;
    return { ingestTimeNs, ...(budgetBytes === undefined ? {} : { budgetBytes }) };
  }

  private schemaOf(table: string) {
    const schema = this.store.registry.find(table);
    if (!schema) {
      throw new IngestError(
        `unknown table ${describeValue(table)}; known tables: ${this.store.registry.names().join(', ')}`,
      );
    }
    return schema;
  }
}
