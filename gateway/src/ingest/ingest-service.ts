import { UserError } from '../common/errors';
import { Logger } from '../common/logger';
import { AppendResult, TableStore } from '../store/table-store';
import { ARROW_STREAM_TYPE, decodeArrowStream } from './arrow';
import { parseBatchId } from './batch-id';
import { IngestError } from './errors';
import { decodeJsonRows, parseJsonEnvelope } from './json';

/** Counters of rejected batches, by reason. */
export interface IngestHooks {
  batchRejected?(reason: string): void;
}

export interface IngestRequest {
  /** The request's media type, without parameters. */
  contentType: string;
  body: Buffer;
  /** The table named by the X-Pxgate-Table header (Arrow streams). */
  tableHeader: string | undefined;
  /** The X-Pxgate-Batch-Id header, as sent: a batch sent again under the same id is stored once. */
  batchId?: string | undefined;
}

export interface IngestResponse extends AppendResult {
  table: string;
}

/** Decodes ingest bodies (JSON or Arrow IPC), validates them against the table, and stores them. */
export class IngestService {
  constructor(
    private readonly store: TableStore,
    private readonly log: Logger,
    private readonly hooks: IngestHooks = {},
  ) {}

  async ingest(req: IngestRequest): Promise<IngestResponse> {
    try {
      return await this.ingestUnchecked(req);
    } catch (err) {
      if (err instanceof UserError) {
        this.hooks.batchRejected?.(err.status === 413 ? 'too_large' : 'invalid');
        this.log.debug({ err: err.message }, 'rejected ingest batch');
      }
      throw err;
    }
  }

  private async ingestUnchecked(req: IngestRequest): Promise<IngestResponse> {
    const batchId = parseBatchId(req.batchId);
    if (req.contentType === 'application/json') {
      const { table, rows } = parseJsonEnvelope(req.body);
      const schema = this.schemaOf(table);
      const result = await this.store.append(table, [decodeJsonRows(schema, rows)], batchId);
      return { table, ...result };
    }
    if (req.contentType === ARROW_STREAM_TYPE) {
      const table = req.tableHeader;
      if (!table)
        throw new IngestError('an Arrow stream needs the X-Pxgate-Table header to name its table');
      const schema = this.schemaOf(table);
      const result = await this.store.append(table, decodeArrowStream(schema, req.body), batchId);
      return { table, ...result };
    }
    throw new IngestError(
      `unsupported Content-Type "${req.contentType || '(none)'}"; send application/json or ${ARROW_STREAM_TYPE}`,
      415,
    );
  }

  private schemaOf(table: string) {
    const schema = this.store.registry.find(table);
    if (!schema) {
      throw new IngestError(
        `unknown table "${table}"; known tables: ${this.store.registry.names().join(', ')}`,
      );
    }
    return schema;
  }
}
