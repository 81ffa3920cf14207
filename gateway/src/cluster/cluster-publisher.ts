import { JetStreamClient } from '@nats-io/jetstream';
import { NatsConnection, headers } from '@nats-io/transport-node';
import {
  ClusterNameError,
  ClusterSubjects,
  DEFAULT_PARTITION,
  NODE_HEADER,
  encodeToken,
} from '../../../shared/contract/cluster-subjects';
import { BusyError, TooLargeError } from '../common/errors';
import { IngestError, RejectReason } from '../ingest/errors';
import { IngestHandler, IngestRequest, IngestService } from '../ingest/ingest-service';
import { ProcessReportHandler, validateProcessReport } from '../metadata/process-metadata';

/** A batch JetStream has stored: the answer to `POST /v1/ingest` in cluster mode. */
export interface PublishedBatch {
  table: string;
  rows: number;
  /** The partition (node) it went to. */
  partition: string;
  stream: string;
  /** Its sequence number in the stream. */
  streamSeq: number;
  /** True when JetStream already had a batch of this id (sent again): stored once. */
  duplicate: boolean;
}

/** How long a publish waits for JetStream's acknowledgement. */
const PUBLISH_TIMEOUT_MS = 10_000;

/**
 * `POST /v1/ingest` and `POST /v1/metadata/processes` of a gateway in cluster mode: each body is
 * validated as a single gateway validates it (a bad batch is a 4xx with its reason and nothing
 * is published), then published to the cluster's stream, and answered only once JetStream has
 * stored it. The batch id is the message id, so a batch sent again is stored once. At most
 * `maxInFlight` publishes wait at once; beyond that the answer is 503, which agents retry.
 */
export class ClusterPublisher implements IngestHandler, ProcessReportHandler {
  private inFlight = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly subjects: ClusterSubjects,
    private readonly service: IngestService,
    private readonly maxInFlight: number,
  ) {}

  async ingest(req: IngestRequest): Promise<PublishedBatch> {
    const partition = partitionOf(req.node);
    const batch = this.service.validate(req);
    const rows = batch.parts.reduce((n, p) => n + p.rowCount, 0);
    const h = headers();
    h.set('Content-Type', req.contentType);
    const ack = await this.publish(this.subjects.ingest(partition, batch.table), req.body, {
      headers: h,
      ...(batch.batchId ? { msgID: batch.batchId } : {}),
    });
    return {
      table: batch.table,
      rows,
      partition,
      stream: ack.stream,
      streamSeq: ack.seq,
      duplicate: ack.duplicate,
    };
  }

  bodyRefused(reason: RejectReason, err: { message?: unknown }): void {
    this.service.bodyRefused(reason, err);
  }

  /** Validates a process report and publishes it for every gateway to apply. */
  async upsert(body: unknown, node?: string): Promise<{ processes: number }> {
    const partition = partitionOf(node);
    const processes = validateProcessReport(body);
    await this.publish(this.subjects.metadata(partition), Buffer.from(JSON.stringify(body)), {});
    return { processes: processes.length };
  }

  private async publish(
    subject: string,
    body: Uint8Array,
    opts: { headers?: ReturnType<typeof headers>; msgID?: string },
  ) {
    const maxPayload = this.nc.info?.max_payload;
    if (maxPayload !== undefined && body.length > maxPayload) {
      throw new TooLargeError(
        `batch of ${body.length} bytes is larger than the NATS server's max_payload (${maxPayload}); send smaller batches or raise max_payload`,
      );
    }
    if (this.inFlight >= this.maxInFlight) {
      throw new BusyError(
        `${this.inFlight} batches are waiting for the cluster's stream (cluster.maxInFlight); try again`,
      );
    }
    this.inFlight++;
    try {
      return await this.js.publish(subject, body, { ...opts, timeout: PUBLISH_TIMEOUT_MS });
    } catch (err) {
      throw new BusyError(
        `the cluster's stream did not store the batch: ${(err as Error).message}`,
      );
    } finally {
      this.inFlight--;
    }
  }
}

/** The partition named by the X-Pxgate-Node header; a name that cannot be one is a 400. */
function partitionOf(node: string | undefined): string {
  const partition = node ?? DEFAULT_PARTITION;
  try {
    encodeToken(partition);
  } catch (err) {
    if (err instanceof ClusterNameError) {
      throw new IngestError(`${NODE_HEADER}: ${err.message}`);
    }
    throw err;
  }
  return partition;
}
