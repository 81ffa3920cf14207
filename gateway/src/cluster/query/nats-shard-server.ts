import { Msg, Subscription } from '@nats-io/transport-node';
import { Logger } from '../../../../shared/common/logger';
import { PxlEngine } from '../../pxl/engine';
import { ClusterView } from '../view';
import { querySubject } from './protocol';
import { ShardServer } from './shard-server';

/** NATS's own default max_payload, when the server did not say. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/**
 * Serves this gateway's parts of queries across the cluster on `pxgate.<cluster>.query.<self>`
 * (NATS request/reply): each request is answered by a ShardServer on the gateway's engine,
 * whose run slots bound the work at once. `shutdown()` drains the subscription: requests
 * already taken are answered; it is idempotent and safe before `start()`.
 */
export class NatsShardServer {
  private subscription: Subscription | undefined;
  private readonly server: ShardServer;

  constructor(
    private readonly view: ClusterView,
    engine: PxlEngine,
    private readonly log: Logger,
  ) {
    this.server = new ShardServer(engine, {
      self: view.self,
      partitions: () => view.members().find((m) => m.id === view.self)?.partitions ?? [],
      maxReplyBytes: () => view.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD,
    });
  }

  /** Subscribes to this gateway's query subject. */
  start(): void {
    if (this.subscription) return;
    this.subscription = this.view.nc.subscribe(querySubject(this.view.cluster, this.view.self), {
      callback: (err, msg) => {
        if (err) {
          this.log.warn({ err }, 'query subscription failed');
          return;
        }
        void this.reply(msg);
      },
    });
  }

  /** Stops taking requests and answers those taken. */
  async shutdown(): Promise<void> {
    const sub = this.subscription;
    this.subscription = undefined;
    if (sub && !sub.isClosed()) await sub.drain().catch(() => undefined);
  }

  private async reply(msg: Msg): Promise<void> {
    const answer = await this.server.answer(msg.data);
    if (!msg.respond(answer))
      this.log.warn({ subject: msg.subject }, 'a query request had no reply subject');
  }
}
