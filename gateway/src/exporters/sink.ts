import type { SinkStatus } from './common/sink-health';
import { TelemetryBatch } from './model/telemetry';

/** The two kinds of telemetry a sink may take. */
export type Signal = 'spans' | 'metrics';

/** What became of one exported batch at one sink. */
export interface DeliveryReport {
  /** Items (spans, data points or samples) the receiver accepted. */
  sent: number;
  /** Items refused for good (permanent errors and partial rejections): counted, not resent. */
  dropped: number;
}

/**
 * Hears how each attempt to send a batch's requests ends, as the sink's own health does: an
 * export job's view of a sink then counts the same failures the sink shows.
 */
export interface AttemptObserver {
  /** An attempt failed (it may be retried). */
  failed(message: string): void;
  /** An attempt reached the receiver and was answered with success. */
  succeeded(): void;
}

/**
 * A destination of telemetry. `export` resolves once the batch is delivered or dropped for good;
 * it rejects (with a retryable ExportError) when the batch should be exported again later, which
 * is how export jobs keep their cursor. `start` and `shutdown` bound its life; `shutdown` drains,
 * is safe before `start` and safe twice.
 */
export interface Sink {
  readonly name: string;
  readonly signals: ReadonlySet<Signal>;
  start(): void;
  export(batch: TelemetryBatch, attempts?: AttemptObserver): Promise<DeliveryReport>;
  /** Its health: what it sent and dropped, what it holds, its last success and error. */
  status(): SinkStatus;
  /** Drains what it holds until `deadlineAt` (ms since the epoch), or its own drain timeout. */
  shutdown(deadlineAt?: number): Promise<void>;
}
