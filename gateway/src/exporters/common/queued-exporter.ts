import { Logger } from '../../../../shared/common/logger';
import { TelemetryBatch } from '../model/telemetry';
import { AttemptObserver, DeliveryReport, Signal, Sink } from '../sink';
import { BackoffSettings } from '../../../../shared/common/backoff';
import { ByteQueue } from './byte-queue';
import { ExportError, asExportError, retryableError } from './errors';
import { ExporterMetrics } from './exporter-metrics';
import { sendWithRetry } from './retry';
import { SinkHealth, SinkStatus } from './sink-health';

/** One encoded request, ready to send (and to resend: it is encoded once). */
export interface EncodedRequest {
  readonly body: Buffer;
  /** Spans, points or samples inside. */
  readonly items: number;
  readonly signal: Signal;
}

/** What a receiver said about a request it accepted. */
export interface PushResult {
  /** Items it refused (OTLP partial success). */
  rejected: number;
  message?: string;
}

/** A batch split and encoded, with what the encoding had to leave out. */
export interface Encoded<R> {
  readonly requests: R[];
  /** Items the protocol cannot carry (a delta sum for Prometheus, a sample out of order). */
  readonly dropped: readonly {
    readonly items: number;
    readonly signal: Signal;
    readonly reason: string;
  }[];
}

/**
 * What a sink author writes: how to split and encode a batch, and how to push one request.
 * `push` throws ExportErrors (classify HTTP answers with classifyHttpStatus). `settle` hears
 * each request's end: delivered (or refused for good), or failed and to be read again.
 */
export interface PushTarget<R extends EncodedRequest = EncodedRequest> {
  readonly signals: ReadonlySet<Signal>;
  encode(batch: TelemetryBatch): Encoded<R>;
  push(request: R, signal: AbortSignal): Promise<PushResult>;
  settle?(request: R, delivered: boolean): void;
  close(): void;
}

export interface QueueSettings {
  /** Bound of the sending queue, in encoded bytes. */
  queueBytes: number;
  /** Requests in flight at once. One keeps requests, and samples of a series, in order. */
  consumers: number;
  /** Timeout of one attempt. */
  timeoutMs: number;
  backoff: BackoffSettings;
  /** How long shutdown waits for queued requests before abandoning them (unless given a deadline). */
  drainTimeoutMs: number;
}

interface Work<R> {
  request: R;
  attempts: AttemptObserver | undefined;
  done: (outcome: { sent: number; dropped: number } | ExportError) => void;
}

/**
 * The Collector's exporterhelper for pxgate: wraps a PushTarget in a bounded queue (bytes),
 * retries with exponential backoff and jitter honouring Retry-After, per-attempt timeouts, and
 * counting. Permanent errors and partial rejections drop their items (counted, logged); a
 * request that exhausts its retries fails its batch, whose job exports it again.
 */
export class QueuedExporter<R extends EncodedRequest> implements Sink {
  readonly signals: ReadonlySet<Signal>;
  private readonly queue: ByteQueue<Work<R>>;
  private readonly health: SinkHealth;
  private readonly consumers: Promise<void>[] = [];
  /** Ends retry waits at the drain deadline. */
  private readonly stopRetrying = new AbortController();
  /** Aborts requests in flight at the drain deadline. */
  private readonly stopSending = new AbortController();
  private started = false;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly name: string,
    private readonly target: PushTarget<R>,
    private readonly settings: QueueSettings,
    private readonly metrics: ExporterMetrics,
    private readonly log: Logger,
  ) {
    this.signals = target.signals;
    this.queue = new ByteQueue(settings.queueBytes);
    this.health = new SinkHealth(name, target.signals, settings.queueBytes, metrics);
  }

  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    for (let i = 0; i < this.settings.consumers; i++) this.consumers.push(this.consume());
  }

  async export(batch: TelemetryBatch, attempts?: AttemptObserver): Promise<DeliveryReport> {
    if (!this.started || this.stopping) {
      throw retryableError(`sink ${this.name} is not running`);
    }
    const { requests, dropped } = this.target.encode(batch);
    let encodingDropped = 0;
    for (const d of dropped) {
      encodingDropped += d.items;
      this.health.droppedItems(d.signal, d.reason, d.items);
    }
    if (requests.length === 0) return { sent: 0, dropped: encodingDropped };
    const outcomes: Promise<{ sent: number; dropped: number } | ExportError>[] = [];
    const entries = requests.map((request) => {
      let done!: Work<R>['done'];
      outcomes.push(new Promise((resolve) => (done = resolve)));
      return { item: { request, attempts, done }, bytes: request.body.length };
    });
    if (!this.queue.offerAll(entries)) {
      for (const r of requests) this.metrics.enqueueFailed.inc(this.labels(r), r.items);
      throw retryableError(
        `sink ${this.name}: sending queue full (${this.queue.bytes} of ${this.queue.capacityBytes} bytes held)`,
      );
    }
    for (const r of requests) this.health.queued(1, r.items, r.body.length);
    const report: DeliveryReport = { sent: 0, dropped: encodingDropped };
    let failure: ExportError | undefined;
    for (const outcome of await Promise.all(outcomes)) {
      if (outcome instanceof ExportError) {
        failure ??= outcome;
        continue;
      }
      report.sent += outcome.sent;
      report.dropped += outcome.dropped;
    }
    if (failure) throw failure;
    return report;
  }

  status(): SinkStatus {
    return this.health.status();
  }

  /**
   * Stops taking batches and sends what is queued until `deadlineAt` (ms since the epoch;
   * default: drainTimeout from now), then abandons the rest: their export jobs did not move
   * their cursors for them.
   */
  shutdown(deadlineAt?: number): Promise<void> {
    this.stopping ??= this.drain(deadlineAt ?? Date.now() + this.settings.drainTimeoutMs);
    return this.stopping;
  }

  private async drain(deadlineAt: number): Promise<void> {
    this.queue.close();
    const deadline = setTimeout(
      () => {
        this.stopRetrying.abort();
        this.stopSending.abort(new Error('shutting down'));
      },
      Math.max(0, deadlineAt - Date.now()),
    );
    deadline.unref();
    await Promise.all(this.consumers);
    clearTimeout(deadline);
    this.target.close();
  }

  private async consume(): Promise<void> {
    for (;;) {
      const work = await this.queue.take();
      if (!work) return;
      const outcome = await this.deliver(work);
      this.target.settle?.(work.request, !(outcome instanceof ExportError));
      this.health.queued(-1, -work.request.items, -work.request.body.length);
      work.done(outcome);
    }
  }

  private async deliver({
    request,
    attempts,
  }: Work<R>): Promise<{ sent: number; dropped: number } | ExportError> {
    const labels = this.labels(request);
    try {
      const result = await sendWithRetry(() => this.attempt(request, attempts), {
        backoff: this.settings.backoff,
        signal: this.stopRetrying.signal,
        onRetry: (err, delayMs, attempt) => {
          this.metrics.retries.inc({ sink: this.name });
          this.log.warn(
            { err: err.message, class: err.errorClass, delayMs, attempt },
            'export failed, will retry',
          );
        },
      });
      const rejected = Math.min(result.rejected, request.items);
      if (rejected > 0) {
        this.health.droppedItems(request.signal, 'rejected', rejected);
        this.log.warn(
          { rejected, items: request.items, message: result.message },
          'receiver accepted the request partially',
        );
      }
      this.health.accepted(request.signal, request.items - rejected);
      return { sent: request.items - rejected, dropped: rejected };
    } catch (err) {
      const error = asExportError(err);
      if (error.errorClass === 'permanent') {
        this.health.droppedItems(request.signal, 'permanent', request.items);
        this.log.error(
          { err: error.message, items: request.items },
          'receiver refused the request for good; dropped',
        );
        return { sent: 0, dropped: request.items };
      }
      this.metrics.failed.inc(labels, request.items);
      this.log.error({ err: error.message, items: request.items }, 'export failed after retries');
      return error;
    }
  }

  private async attempt(request: R, attempts: AttemptObserver | undefined): Promise<PushResult> {
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    const signal = AbortSignal.any([this.stopSending.signal, timeout]);
    try {
      const result = await this.target.push(request, signal);
      this.health.succeeded();
      attempts?.succeeded();
      return result;
    } catch (err) {
      const error = timeout.aborted
        ? retryableError(`timed out after ${this.settings.timeoutMs} ms`, err)
        : asExportError(err);
      this.health.failed(error.message);
      attempts?.failed(error.message);
      throw error;
    }
  }

  private labels(request: R): { sink: string; signal: Signal } {
    return { sink: this.name, signal: request.signal };
  }
}
