import { Signal } from '../sink';
import { ExporterMetrics } from './exporter-metrics';

/** What `GET /v1/exports` says about one sink. */
export interface SinkStatus {
  readonly sink: string;
  readonly signals: Signal[];
  /** Items (spans, points, samples) the receiver accepted. */
  readonly sent: number;
  /** Items dropped for good, by reason. */
  readonly dropped: Record<string, number>;
  /** Requests waiting or on the wire, their items and encoded bytes, and the bound in bytes. */
  readonly queue: { requests: number; items: number; bytes: number; capacityBytes: number };
  readonly lastSuccessAt: string | null;
  readonly lastError: { message: string; at: string } | null;
  /** Attempts that failed since the last one that succeeded. */
  readonly consecutiveFailures: number;
}

/**
 * The health of one sink, counted once for both readers: its status on `/v1/exports` and its
 * `pxgate_exporter_*` metrics on `/metrics`. Every attempt reports here as it ends, so a sink
 * whose receiver is down shows the error at once, not when its retries run out.
 */
export class SinkHealth {
  private sent = 0;
  private readonly dropped = new Map<string, number>();
  private readonly queue = { requests: 0, items: 0, bytes: 0 };
  private lastSuccessAt: number | undefined;
  private lastError: { message: string; at: number } | undefined;
  private consecutiveFailures = 0;

  constructor(
    readonly sink: string,
    private readonly signals: ReadonlySet<Signal>,
    private readonly capacityBytes: number,
    private readonly metrics: ExporterMetrics,
    private readonly clock: () => number = Date.now,
  ) {
    const labels = { sink };
    metrics.queueCapacityBytes.set(labels, capacityBytes);
    metrics.queueBytes.set(labels, 0);
    metrics.queueItems.set(labels, 0);
    metrics.consecutiveFailures.set(labels, 0);
  }

  accepted(signal: Signal, items: number): void {
    this.sent += items;
    this.metrics.sent.inc({ sink: this.sink, signal }, items);
  }

  droppedItems(signal: Signal, reason: string, items: number): void {
    if (items <= 0) return;
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + items);
    this.metrics.dropped.inc({ sink: this.sink, signal, reason }, items);
  }

  /** An attempt reached the receiver and was answered with success. */
  succeeded(): void {
    this.lastSuccessAt = this.clock();
    this.consecutiveFailures = 0;
    this.metrics.consecutiveFailures.set({ sink: this.sink }, 0);
    this.metrics.lastSuccess.set({ sink: this.sink }, this.lastSuccessAt / 1000);
  }

  /** An attempt failed (it may be retried). */
  failed(message: string): void {
    this.lastError = { message, at: this.clock() };
    this.consecutiveFailures++;
    this.metrics.consecutiveFailures.set({ sink: this.sink }, this.consecutiveFailures);
    this.metrics.lastError.set({ sink: this.sink }, this.lastError.at / 1000);
  }

  /** Requests entered (positive) or left (negative) the sink's queue. */
  queued(requests: number, items: number, bytes: number): void {
    this.queue.requests += requests;
    this.queue.items += items;
    this.queue.bytes += bytes;
    this.metrics.queueItems.set({ sink: this.sink }, this.queue.items);
    this.metrics.queueBytes.set({ sink: this.sink }, this.queue.bytes);
  }

  status(): SinkStatus {
    return {
      sink: this.sink,
      signals: [...this.signals],
      sent: this.sent,
      dropped: Object.fromEntries(this.dropped),
      queue: { ...this.queue, capacityBytes: this.capacityBytes },
      lastSuccessAt: isoOrNull(this.lastSuccessAt),
      lastError: this.lastError
        ? { message: this.lastError.message, at: new Date(this.lastError.at).toISOString() }
        : null,
      consecutiveFailures: this.consecutiveFailures,
    };
  }
}

/** A time in ms since the epoch as ISO 8601, or null when it never happened. */
export function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
