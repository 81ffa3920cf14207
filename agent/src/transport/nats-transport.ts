import { JetStreamClient, jetstream } from '@nats-io/jetstream';
import { NatsConnection, headers } from '@nats-io/transport-node';
import { Logger } from '../../../shared/common/logger';
import { NatsClientOptions, connectNats } from '../../../shared/common/nats-connect';
import { BATCH_ID_HEADER } from '../../../shared/contract/batch-id';
import { ClusterSubjects } from '../../../shared/contract/cluster-subjects';
import { OutgoingBatch } from './send-queue';

/** What one attempt to send a batch came to. */
export type SendOutcome =
  | { readonly kind: 'sent' }
  | { readonly kind: 'retry'; readonly reason: string; readonly afterMs?: number }
  | { readonly kind: 'permanent'; readonly reason: string };

/** A way to deliver the queue's batches other than HTTP to a gateway. */
export interface BatchTransport {
  send(batch: OutgoingBatch, timeoutMs: number): Promise<SendOutcome>;
  close(): Promise<void>;
}

export interface NatsTransportOptions {
  readonly nats: NatsClientOptions;
  readonly cluster: string;
  /** The node the agent runs on: its batches' partition. */
  readonly node: string;
}

/**
 * Publishes the agent's batches to the cluster's JetStream stream (`--nats`) instead of POSTing
 * them to a gateway: a table's batches on `pxgate.<cluster>.ingest.<node>.<table>`, process
 * reports on `pxgate.<cluster>.metadata.<node>`. Each publish waits for JetStream's
 * acknowledgement, and the batch id is the message id, so a batch sent again after a lost
 * acknowledgement is stored once. Connection errors and timeouts are retried; a batch larger than
 * the server's max_payload is refused for good.
 */
export class NatsTransport implements BatchTransport {
  private readonly subjects: ClusterSubjects;
  private connection: Promise<{ nc: NatsConnection; js: JetStreamClient }> | undefined;

  constructor(
    private readonly opts: NatsTransportOptions,
    private readonly log: Logger,
  ) {
    this.subjects = new ClusterSubjects(opts.cluster);
  }

  async send(batch: OutgoingBatch, timeoutMs: number): Promise<SendOutcome> {
    const subject = this.subjectOf(batch);
    if (!subject) return { kind: 'permanent', reason: `no NATS subject for ${batch.path}` };
    let conn: { nc: NatsConnection; js: JetStreamClient };
    try {
      conn = await this.connect();
    } catch (err) {
      this.connection = undefined;
      return { kind: 'retry', reason: (err as Error).message };
    }
    const maxPayload = conn.nc.info?.max_payload;
    if (maxPayload !== undefined && batch.body.length > maxPayload) {
      return {
        kind: 'permanent',
        reason: `batch of ${batch.body.length} bytes is larger than NATS max_payload ${maxPayload}; lower agent.batch.maxRows or raise max_payload`,
      };
    }
    const h = headers();
    h.set('Content-Type', batch.contentType);
    const batchId = batch.headers[BATCH_ID_HEADER];
    try {
      await conn.js.publish(subject, batch.body, {
        headers: h,
        timeout: timeoutMs,
        ...(batchId ? { msgID: batchId } : {}),
      });
      return { kind: 'sent' };
    } catch (err) {
      return { kind: 'retry', reason: (err as Error).message };
    }
  }

  async close(): Promise<void> {
    const conn = await this.connection?.catch(() => undefined);
    this.connection = undefined;
    await conn?.nc.drain().catch(() => conn.nc.close());
  }

  private connect(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    this.connection ??= connectNats(this.opts.nats, `pxgate agent ${this.opts.node}`).then((nc) => {
      this.log.info({ cluster: this.opts.cluster, node: this.opts.node }, 'publishing to NATS');
      return { nc, js: jetstream(nc) };
    });
    return this.connection;
  }

  private subjectOf(batch: OutgoingBatch): string | undefined {
    if (batch.path === '/v1/ingest') {
      return this.subjects.ingest(this.opts.node, batch.headers['x-pxgate-table'] ?? batch.label);
    }
    if (batch.path === '/v1/metadata/processes') return this.subjects.metadata(this.opts.node);
    return undefined;
  }
}
