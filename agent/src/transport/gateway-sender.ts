import { INSTANCE_HEADER } from '../../../shared/contract/instance';
import { NODE_HEADER } from '../../../shared/contract/cluster-subjects';
import { Logger } from '../../../shared/common/logger';
import { ExponentialBackoff, upperHalfBackoff } from '../../../shared/common/backoff';
import { parseRetryAfter } from '../../../shared/common/retry-after';
import { GatewayCredentials, certificateHint } from './gateway-credentials';
import { HttpPoster, PostResult } from './http-post';
import { BatchTransport, SendOutcome } from './nats-transport';
import { OutgoingBatch, SendQueue } from './send-queue';

/** What the sender reports, for the agent's metrics. */
export interface SenderHooks {
  sent(batch: OutgoingBatch): void;
  rejected(batch: OutgoingBatch): void;
  retried(batch: OutgoingBatch): void;
}

export interface SenderOptions {
  readonly gatewayUrl: string;
  /** The token and TLS options to use (none: no token, the system's CAs). */
  readonly credentials?: GatewayCredentials | undefined;
  readonly requestTimeoutMs: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** Called when answers come from a gateway process not heard from before (it restarted). */
  readonly onGatewayRestart?: () => void;
  /** The node the agent runs on, sent as X-Pxgate-Node (a cluster's partition). */
  readonly node?: string | undefined;
  /** Deliver through this instead of HTTP (the cluster's NATS stream, `--nats`). */
  readonly transport?: BatchTransport | undefined;
}

/** Gateway instance ids remembered, so that gateways answering by turns do not look like restarts. */
const KNOWN_INSTANCES = 16;

/**
 * Sends the queue's batches to the gateway one at a time, oldest first. Network and TLS errors,
 * 408, 429 and 5xx are retried with backoff and jitter (honouring Retry-After) while the batch
 * stays in the bounded queue, and so are 401 and 403: the credentials are wrong, not the batch,
 * and a rotated token file fixes them without a restart. Any other 4xx means the batch itself is
 * wrong, so it is dropped and counted. `shutdown` sends what it can before its deadline.
 */
export class GatewaySender {
  private running: Promise<void> | undefined;
  private stopping = false;
  private closed = false;
  private readonly abort = new AbortController();
  private readonly backoff: ExponentialBackoff;
  private readonly poster: HttpPoster;
  private sleeping: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  private readonly instances = new Set<string>();

  constructor(
    private readonly queue: SendQueue,
    private readonly opts: SenderOptions,
    private readonly hooks: SenderHooks,
    private readonly log: Logger,
  ) {
    this.backoff = upperHalfBackoff(opts.retryInitialMs, opts.retryMaxMs);
    const credentials = opts.credentials;
    this.poster = new HttpPoster(
      new URL(opts.gatewayUrl),
      credentials ? { tls: () => credentials.tls() } : {},
    );
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops after sending what is queued, or at the deadline, whichever comes first. */
  async shutdown(deadlineMs: number): Promise<void> {
    if (!this.running) return;
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref());
    this.stopping = true;
    this.queue.wake();
    await Promise.race([this.running, deadline]);
    this.closed = true;
    this.abort.abort();
    this.wakeFromSleep();
    await this.running;
    this.poster.close();
    await this.opts.transport?.close();
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      const batch = this.queue.peek();
      if (!batch) {
        if (this.stopping) return;
        await this.queue.whenNonEmpty();
        continue;
      }
      const outcome = this.opts.transport
        ? await this.opts.transport.send(batch, this.opts.requestTimeoutMs)
        : await this.send(batch);
      switch (outcome.kind) {
        case 'sent':
          this.queue.remove(batch);
          this.backoff.reset();
          this.hooks.sent(batch);
          break;
        case 'permanent':
          this.queue.remove(batch);
          this.hooks.rejected(batch);
          this.log.warn({ table: batch.label, reason: outcome.reason }, 'gateway refused a batch');
          break;
        case 'retry': {
          if (this.stopping) return;
          this.hooks.retried(batch);
          const wait = outcome.afterMs ?? this.backoff.next();
          this.log.debug({ reason: outcome.reason, waitMs: Math.round(wait) }, 'will retry');
          await this.sleep(wait);
          break;
        }
      }
    }
  }

  private async send(batch: OutgoingBatch): Promise<SendOutcome> {
    const headers: Record<string, string> = {
      'content-type': batch.contentType,
      ...batch.headers,
    };
    const token = this.opts.credentials?.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (this.opts.node) headers[NODE_HEADER] = this.opts.node;
    let res: PostResult;
    try {
      res = await this.poster.post(
        batch.path,
        headers,
        batch.body,
        this.opts.requestTimeoutMs,
        this.abort.signal,
      );
    } catch (err) {
      const code = (err as { code?: string }).code;
      const hint = certificateHint(err);
      if (hint) {
        this.log.warn(
          { err: (err as Error).message, hint },
          "cannot trust the gateway's certificate",
        );
      }
      return { kind: 'retry', reason: code ?? (err as Error).message };
    }
    this.noteInstance(res.headers[INSTANCE_HEADER]);
    if (res.status >= 200 && res.status < 300) return { kind: 'sent' };
    if (res.status === 401 || res.status === 403) {
      const reason = `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
      this.log.warn({ table: batch.label, reason }, 'the gateway refused our credentials');
      return { kind: 'retry', reason };
    }
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers['retry-after'], Date.now()) ?? 0;
      return {
        kind: 'retry',
        reason: `HTTP ${res.status}`,
        ...(retryAfterMs > 0 ? { afterMs: Math.min(retryAfterMs, this.opts.retryMaxMs) } : {}),
      };
    }
    return { kind: 'permanent', reason: `HTTP ${res.status}: ${res.body.slice(0, 500)}` };
  }

  /** A gateway id not seen before, after others were: the gateway restarted. */
  private noteInstance(header: string | string[] | undefined): void {
    if (typeof header !== 'string' || this.instances.has(header)) return;
    const restarted = this.instances.size > 0;
    if (this.instances.size >= KNOWN_INSTANCES) {
      this.instances.delete(this.instances.values().next().value!);
    }
    this.instances.add(header);
    if (restarted) this.opts.onGatewayRestart?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeping = undefined;
        resolve();
      }, ms);
      this.sleeping = { timer, resolve };
    });
  }

  private wakeFromSleep(): void {
    if (!this.sleeping) return;
    clearTimeout(this.sleeping.timer);
    this.sleeping.resolve();
    this.sleeping = undefined;
  }
}
